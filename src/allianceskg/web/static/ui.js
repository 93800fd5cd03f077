/* The query UI: YASGUI on this service's /sparql, the stored queries as examples,
   result IRIs of this project linked to their local pages, and two result views
   YASGUI lacks offline: a bar chart and a graph drawing (plain SVG, no network). */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("akg-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const SVG = "http://www.w3.org/2000/svg";
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;

  function prefixBlock() {
    return Object.entries(config.prefixes)
      .map(([p, ns]) => `PREFIX ${p}: <${ns}>`).join("\n");
  }

  /* A parameter typed in the form, as SPARQL term text: <iri>, prefix:local,
     "literal"@lang, a number, or plain words (a string literal). */
  function termText(value) {
    const v = value.trim();
    if (/^<[^<>"{}|^`\\\s]*>$/.test(v) || /^"(.*)"(@[A-Za-z-]+|\^\^\S+)?$/.test(v)) return v;
    const curie = /^([A-Za-z][\w-]*):([\w.\-]*)$/.exec(v);
    if (curie && config.prefixes[curie[1]]) return `<${config.prefixes[curie[1]]}${curie[2]}>`;
    if (/^https?:\/\/\S+$/.test(v)) return `<${v}>`;
    if (/^-?\d+(\.\d+)?$/.test(v)) return v;
    return JSON.stringify(v);
  }

  /* Inline data at the end of the query (SPARQL 1.1 §10.2.2: Query ::= … ValuesClause). */
  function withParameters(text, form) {
    const pairs = [...new FormData(form).entries()].filter(([, v]) => String(v).trim());
    if (!pairs.length) return text;
    const vars = pairs.map(([k]) => "?" + k).join(" ");
    const row = pairs.map(([, v]) => termText(String(v))).join(" ");
    return `${text.trimEnd()}\nVALUES (${vars}) { (${row}) }\n`;
  }

  /* A local path for this project's IRIs, so that results open here. */
  function local(href) {
    return href && href.startsWith(config.base) ? "/" + href.slice(config.base.length) : null;
  }

  function relink(root) {
    root.querySelectorAll("a[href]").forEach((a) => {
      const path = local(a.getAttribute("href"));
      if (path) { a.setAttribute("href", path); a.removeAttribute("target"); }
    });
  }

  function label(binding, rows, name) {
    return binding.type === "uri" ? shorten(binding.value) : binding.value;
  }

  function shorten(iri) {
    let best = null;
    for (const [p, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bindings(yasr) {
    const results = yasr.results;
    if (!results || !results.getBindings) return null;
    try { return { vars: results.getVariables(), rows: results.getBindings() || [] }; }
    catch (e) { return null; }
  }

  /* Bar chart: one numeric column and one column to label the bars with. */
  class ChartPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 4; this.label = "Chart"; }
    columns() {
      const data = bindings(this.yasr);
      if (!data || !data.rows.length || data.rows.length > 200) return null;
      const numeric = data.vars.find((v) => data.rows.every((r) => r[v] && r[v].type !== "uri"
        && NUMERIC.test(r[v].datatype || "")));
      const text = data.vars.find((v) => v !== numeric && data.rows.every((r) => r[v]));
      return numeric && text ? { data, numeric, text } : null;
    }
    canHandleResults() { return !!this.columns(); }
    getIcon() { const s = document.createElement("span"); s.textContent = "▮"; return s; }
    draw() {
      const { data, numeric, text } = this.columns();
      const rows = data.rows.slice(0, 60);
      const max = Math.max(...rows.map((r) => Number(r[numeric].value)), 1);
      const svg = el("svg", { class: "akg-chart", viewBox: `0 0 760 ${rows.length * 26 + 30}`,
        role: "img", "aria-label": `${numeric} by ${text}` });
      rows.forEach((r, i) => {
        const value = Number(r[numeric].value);
        const y = i * 26 + 10;
        svg.appendChild(el("text", { x: 250, y: y + 14, "text-anchor": "end" },
          label(r[text]).slice(0, 40)));
        svg.appendChild(el("rect", { x: 258, y, height: 18, width: Math.max(1, 440 * value / max) }));
        svg.appendChild(el("text", { x: 262 + 440 * value / max, y: y + 14 }, String(value)));
      });
      const box = document.createElement("div");
      box.className = "akg-plugin";
      box.appendChild(svg);
      this.yasr.resultsEl.appendChild(box);
    }
  }

  /* Graph drawing: rows whose IRI columns link nodes (?subject ?predicate ?object of a
     CONSTRUCT, or any two IRI columns of a SELECT), on a circle. */
  class GraphPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 3; this.label = "Graph"; }
    edges() {
      const data = bindings(this.yasr);
      if (!data || !data.rows.length || data.rows.length > 400) return null;
      const spo = ["subject", "predicate", "object"].every((v) => data.vars.includes(v));
      if (spo) {
        return data.rows.filter((r) => r.object && r.object.type === "uri")
          .map((r) => [r.subject.value, r.object.value, shorten(r.predicate.value)]);
      }
      const iris = data.vars.filter((v) => data.rows.every((r) => !r[v] || r[v].type === "uri"));
      if (iris.length < 2) return null;
      const out = [];
      data.rows.forEach((r) => {
        for (let i = 0; i + 1 < iris.length; i++) {
          if (r[iris[i]] && r[iris[i + 1]]) out.push([r[iris[i]].value, r[iris[i + 1]].value, iris[i + 1]]);
        }
      });
      return out.length ? out : null;
    }
    canHandleResults() { return !!this.edges(); }
    getIcon() { const s = document.createElement("span"); s.textContent = "◎"; return s; }
    draw() {
      const edges = this.edges();
      const nodes = [...new Set(edges.flatMap(([a, b]) => [a, b]))].slice(0, 80);
      const size = 720, r = size / 2 - 90, where = {};
      nodes.forEach((n, i) => {
        const angle = 2 * Math.PI * i / nodes.length - Math.PI / 2;
        where[n] = [size / 2 + r * Math.cos(angle), size / 2 + r * Math.sin(angle)];
      });
      const svg = el("svg", { class: "akg-graph", viewBox: `0 0 ${size} ${size}`, role: "img",
        "aria-label": `${nodes.length} nodes, ${edges.length} links` });
      edges.forEach(([a, b, p]) => {
        if (!where[a] || !where[b]) return;
        const line = el("line", { x1: where[a][0], y1: where[a][1], x2: where[b][0], y2: where[b][1] });
        line.appendChild(el("title", {}, p));
        svg.appendChild(line);
      });
      nodes.forEach((n) => {
        const link = el("a", { href: local(n) || n });
        link.appendChild(el("circle", { cx: where[n][0], cy: where[n][1], r: 5 }));
        link.appendChild(el("text", { x: where[n][0] + 7, y: where[n][1] + 4 }, shorten(n).slice(0, 32)));
        svg.appendChild(link);
      });
      const box = document.createElement("div");
      box.className = "akg-plugin";
      box.appendChild(svg);
      this.yasr.resultsEl.appendChild(box);
    }
  }

  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
  Yasgui.Yasr.registerPlugin("graph", GraphPlugin);
  // Class and property completion would ask lov.linkeddata.es: keep the local ones only.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  // PREFIX declarations complete from this service's own prefixes (not prefix.cc).
  Yasgui.Yasqe.defaults.prefixCcApi = new URL("/prefixes.json", window.location.href).href;

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "allianceskg",
    populateFromUrl: true,
    // A new tab starts with every prefix of the project declared in its text.
    yasqe: { value: `${prefixBlock()}\n\nSELECT ?entity ?label WHERE {\n  ?entity a akg:Agreement ; rdfs:label ?label .\n  FILTER (LANG(?label) = "en")\n}\nLIMIT 100\n` },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table",
            pluginOrder: ["table", "chart", "graph", "response"] },
  });
  window.allianceskgYasgui = yasgui;

  const byName = Object.fromEntries(config.examples.map((q) => [q.name, q]));
  document.querySelectorAll("form.example-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const example = byName[form.dataset.example];
      const tab = yasgui.addTab(true, { name: example.title,
        yasqe: { value: withParameters(example.text, form) },
        requestConfig: { endpoint } });
      yasgui.selectTabId(tab.getId());
    });
  });

  // A result that names one of this project's IRIs opens its page here (YASR's table
  // otherwise takes the click to expand a shortened cell).
  document.getElementById("yasgui").addEventListener("click", (event) => {
    const a = event.target.closest ? event.target.closest("a[href]") : null;
    const href = a && a.getAttribute("href");
    if (href && href.startsWith("/") && !href.startsWith("//") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      event.stopPropagation();
      window.location.href = href;
    }
  }, true);

  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
    if (n.nodeType === 1) relink(n);
  }))).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
})();
