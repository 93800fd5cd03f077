/* Search-as-you-type on every page: the header's search box asks /search for
   suggestions and shows them as an ARIA combobox listbox (arrow keys, Enter, Escape). */
(function () {
  "use strict";
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-list");
  if (!input || !list) return;
  let active = -1, timer = null, latest = 0;

  function options() { return [...list.querySelectorAll("[role=option]")]; }

  function close() {
    list.hidden = true; input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant"); active = -1;
  }

  function highlight(index) {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0 && items[index]) input.setAttribute("aria-activedescendant", items[index].id);
  }

  function show(hits) {
    list.replaceChildren();
    hits.forEach((hit, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = `site-search-option-${i}`;
      const link = document.createElement("a");
      link.href = hit.page;
      link.tabIndex = -1;
      link.textContent = hit.label;
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = hit.types.map((t) => t.label).join(", ");
      link.appendChild(type);
      item.appendChild(link);
      item.addEventListener("mousedown", (e) => { e.preventDefault(); window.location.href = hit.page; });
      list.appendChild(item);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", String(hits.length > 0));
    active = -1;
  }

  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const ticket = ++latest;
    try {
      const response = await fetch(`/search?limit=8&q=${encodeURIComponent(q)}`,
        { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== latest) return;
      show((await response.json()).results);
    } catch (e) { close(); }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 120); });
  input.addEventListener("keydown", (e) => {
    const items = options();
    if (e.key === "ArrowDown" && items.length) { e.preventDefault(); list.hidden = false; highlight((active + 1) % items.length); }
    else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (e.key === "Enter" && active >= 0 && items[active]) { e.preventDefault(); window.location.href = items[active].querySelector("a").href; }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
