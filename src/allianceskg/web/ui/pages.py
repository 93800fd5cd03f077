"""Pages for people, and the project's IRIs resolved locally (Linked Data).

- ``/``: the query UI (YASGUI, bundled) with the stored queries as examples; tools
  asking for JSON get the service's index.
- ``/id/…``, ``/doc/…``, ``/entailment/…``: every ``https://w3id.org/allianceskg/…``
  IRI, with content negotiation (Cool URIs for the Semantic Web, W3C Note 2008, §4.2:
  one IRI, the representation chosen by Accept; ``?format=`` overrides): HTML for
  browsers; Turtle, JSON-LD, N-Triples, RDF/XML for tools (its symmetric concise
  bounded description: every triple with the entity as subject or object, outside the
  annotation graphs). ``/doc/{id}`` shows the document's text with its mentions and
  claims highlighted.
- ``/ontology``: the pyLODE documentation, or the ontology by negotiation; each term's
  IRI ``…/ontology#Actor`` lands on its section.
- ``/search?q=``: labels and aliases (JSON or HTML).
- ``/explain?s=&p=&o=``: why a triple holds (JSON or HTML).

Every page reads through the service's store (allianceskg.web.ui.lookup), whichever it is.
"""

from __future__ import annotations

import json
import threading
from html import escape

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from allianceskg import __version__
from allianceskg.analysis.explain import explain, to_json
from allianceskg.errors import AllianceskgError
from allianceskg.rdf.formats import parse_term
from allianceskg.analysis.queries import load_queries
from allianceskg.rdf.rdfio import read_graph
from allianceskg.build.release import graph_file_name
from allianceskg.sparql.engine import QueryRequest
from allianceskg.vocab import AKG, DOC, GRAPH, PREFIXES
from allianceskg.web.ui import drawing
from allianceskg.web.ui.entity import MAX_DOCUMENTS, MAX_FACTS, curie, describe, details, names
from allianceskg.web.errors import ServiceError
from allianceskg.web.ui.explaining import StoreKnowledge
from allianceskg.web.ui.lookup import Lookup, iri
from allianceskg.web.ui.search import index_for, types_of
from allianceskg.web.state import ServiceState

blueprint = Blueprint("pages", __name__)
BASE = "https://w3id.org/allianceskg/"
_RDF_MEDIA = ("text/turtle", "application/ld+json", "application/n-triples",
              "application/rdf+xml", "application/trig", "application/n-quads")
_MODALITY = {AKG.ReportedFact: ("fact", "fact"), AKG.AuthorAssessment: ("assessment", "assessment"),
             AKG.Speculation: ("speculation", "speculation")}
_LOCK = threading.Lock()


def _state() -> ServiceState:
    return current_app.extensions["allianceskg"]


def _lookup() -> Lookup:
    return Lookup(_state())


def wants_html() -> bool:
    """HTML unless ``?format=`` names another format or Accept prefers RDF or JSON."""
    fmt = request.args.get("format", "").strip().lower()
    if fmt:
        return fmt in ("html", "text/html")
    best = request.accept_mimetypes.best_match(["text/html", *_RDF_MEDIA, "application/json",
                                                "application/sparql-results+json"],
                                               default="text/html")
    return best == "text/html"


def local_href(node) -> str:
    """Where a node's page is: this service's path for the project's IRIs, the IRI itself
    for others (external datasets resolve on their own sites)."""
    text = str(node)
    if text.startswith(BASE):
        rest = text[len(BASE):]
        if rest.startswith("graph/"):
            return url_for("graphstore.graph_store", graph=text)
        return "/" + rest
    return text


def render(template: str, status: int = 200, **values) -> Response:
    state = _state()
    body = render_template(template, version=__version__, review=state.settings.review,
                           **values)
    return Response(body, status=status, content_type="text/html; charset=utf-8",
                    headers={"Vary": "Accept"})


def modality_class(node) -> str:
    return _MODALITY.get(node, ("unknown", "unknown"))[0]


def ontology_graph(state: ServiceState) -> Graph:
    """The release's ontology graph, read once per release (small)."""
    with _LOCK:
        graph = state.rendered.get(("ontology-graph",))
        if graph is None:
            graph = read_graph(state.release / "graphs" / graph_file_name(GRAPH["ontology"]))
            state.rendered[("ontology-graph",)] = graph
        return graph


@blueprint.route("/")
def index() -> Response:
    if not wants_html():
        return Response(json.dumps({
            "ok": True, "service": "allianceskg", "version": __version__,
            "endpoints": {"sparql": "/sparql", "graph_store": "/rdf-graph-store",
                          "void": "/.well-known/void", "health": "/healthz", "metrics": "/metrics",
                          "ui": "/", "entities": "/id/{name}", "documents": "/doc/",
                          "ontology": "/ontology", "search": "/search?q=",
                          "explain": "/explain?s=&p=&o="}}),
            content_type="application/json", headers={"Vary": "Accept"})
    return ui()


def ui() -> Response:
    queries = load_queries()
    config = {"endpoint": url_for("sparql.sparql"), "base": BASE, "prefixes": PREFIXES,
              "examples": [{"name": q.name, "title": q.title, "description": q.description,
                            "parameters": list(q.parameters), "text": q.text} for q in queries]}
    return render("ui.html", queries=queries, config=config,
                  endpoint=request.url_root.rstrip("/") + url_for("sparql.sparql"))


@blueprint.route("/context.jsonld")
def context() -> Response:
    """The JSON-LD context every JSON-LD export embeds, published at a stable path."""
    from allianceskg.build.release import jsonld_context

    return Response(json.dumps(jsonld_context(), indent=2), content_type="application/ld+json")


@blueprint.route("/prefixes.json")
def prefixes() -> Response:
    """The project's prefixes as {prefix: namespace}, the list the query editor completes
    PREFIX declarations from (YASQE's prefixCcApi, here local instead of prefix.cc)."""
    return _json(dict(sorted(PREFIXES.items())))


@blueprint.route("/dumps/")
def dumps() -> Response:
    """The release's files: name, media type, size, SHA-256, licence (VoID's
    void:dataDump points here)."""
    listing = dump_listing(_state())
    if not wants_html():
        return _json({"license": LICENCE, "files": listing})
    return render("dumps.html", files=listing, license=LICENCE)


@blueprint.route("/dumps/<path:name>")
def dump(name: str) -> Response:
    state = _state()
    known = {f["name"] for f in dump_listing(state)}
    if name not in known:
        raise ServiceError(404, f"the release has no file {name!r}", "see /dumps/ for the list")
    from flask import send_from_directory

    media = next(f["media_type"] for f in dump_listing(state) if f["name"] == name)
    return send_from_directory(state.release, name, mimetype=media, max_age=3600)


LICENCE = "https://creativecommons.org/licenses/by/4.0/"
_MEDIA = {".trig": "application/trig", ".ttl": "text/turtle", ".json": "application/json",
          ".jsonld": "application/ld+json"}


def dump_listing(state: ServiceState) -> list[dict]:
    """Computed once per release (hashing reads every file)."""
    import hashlib

    with _LOCK:
        found = state.rendered.get(("dumps",))
    if found is not None:
        return found
    files = []
    for path in sorted(state.release.rglob("*")):
        if not path.is_file() or path.suffix not in _MEDIA:
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files.append({"name": path.relative_to(state.release).as_posix(),
                      "media_type": _MEDIA[path.suffix], "bytes": path.stat().st_size,
                      "sha256": digest.hexdigest(), "license": LICENCE})
    with _LOCK:
        state.rendered[("dumps",)] = files
    return files


@blueprint.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: the same SVG icon."""
    return current_app.send_static_file("favicon.svg")


@blueprint.route("/id/<path:name>")
@blueprint.route("/entailment/<path:name>", endpoint="entailment")
def entity(name: str) -> Response:
    kind = request.path.split("/")[1]
    node = URIRef(f"{BASE}{kind}/{name}")
    return _resource(node)


@blueprint.route("/doc/")
def documents() -> Response:
    rows = _lookup().select(f"""PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?doc ?id ?title ?issued (COUNT(DISTINCT ?claim) AS ?claims) WHERE {{
  GRAPH {iri(GRAPH["provenance"])} {{
    ?doc a <{AKG.Document}> ; dcterms:identifier ?id ; dcterms:title ?title .
    OPTIONAL {{ ?doc dcterms:issued ?issued }}
    OPTIONAL {{ ?claim <{AKG.statedIn}> ?doc }}
  }}
}} GROUP BY ?doc ?id ?title ?issued ORDER BY ?id""")
    if not wants_html():
        return _json({"documents": [{"iri": str(r["doc"]), "id": str(r["id"]),
                                     "title": str(r["title"]), "claims": int(r["claims"]),
                                     "page": local_href(r["doc"])} for r in rows]})
    return render("documents.html", documents=rows)


@blueprint.route("/doc/<path:name>")
def document(name: str) -> Response:
    node = URIRef(f"{DOC}{name}")
    if "/" in name or not wants_html():
        return _resource(node)
    view = _document_view(node)
    if view is None:
        raise ServiceError(404, f"the release has no document <{node}>",
                           "the documents are listed at /doc/")
    return render("document.html", **view)


def _resource(node: URIRef) -> Response:
    if not wants_html():
        return _description(node)
    view = describe(_lookup(), node)
    if not view.exists:
        raise ServiceError(404, f"nothing in the release is about <{node}>",
                           "search for it at /search?q=…")
    svg = Markup(drawing.neighbourhood(view, local_href))
    return render("entity.html", view=view, svg=svg, explain_href=explain_href, more_href=more_href,
                  predicate_label=lambda p: view.names.get(p, curie(p)),
                  node_label=lambda n: view.names.get(n, curie(n)) if isinstance(n, URIRef) else str(n),
                  max_facts=MAX_FACTS, max_documents=MAX_DOCUMENTS)


def _description(node: URIRef) -> Response:
    """The symmetric concise bounded description, in the negotiated RDF format."""
    state = _state()
    s = iri(node)
    if not Lookup(state).ask(f"ASK {{ GRAPH ?g {{ {{ {s} ?p ?o }} UNION {{ ?x ?q {s} }} }} }}"):
        raise ServiceError(404, f"nothing in the release is about <{node}>",
                           "search for it at /search?q=…")
    skip = f"FILTER (?g NOT IN ({iri(GRAPH['mentions'])}, {iri(GRAPH['inferred-tentative'])}))"
    query = (f"CONSTRUCT {{ {s} ?p ?o . ?x ?q {s} }} WHERE {{ "
             f"{{ GRAPH ?g {{ {s} ?p ?o }} {skip} }} UNION {{ GRAPH ?g {{ ?x ?q {s} }} {skip} }} }}")
    fmt = tuple(v for v in request.args.getlist("format") if v.strip())
    accept = request.headers.get("Accept")
    response, _ = state.run(QueryRequest(query=query, accept=accept, format=fmt,
                                         max_rows=state.settings.max_rows,
                                         timeout=state.settings.query_timeout))
    if not response.ok:
        raise ServiceError(response.status, response.message,
                           response.hint or "ask for text/turtle, application/ld+json, "
                                            "application/n-triples or application/rdf+xml")
    return Response(response.body, content_type=response.content_type + "; charset=utf-8"
                    if "charset" not in response.content_type else response.content_type,
                    headers={"Vary": "Accept"})


def _document_view(node: URIRef) -> dict | None:
    lookup = _lookup()
    d = iri(node)
    meta = lookup.select(f"""PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?text ?title ?id ?issued ?creator ?source ?language WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  {d} nif:isString ?text ; dcterms:identifier ?id .
  OPTIONAL {{ {d} dcterms:title ?title }} OPTIONAL {{ {d} dcterms:issued ?issued }}
  OPTIONAL {{ {d} dcterms:creator ?creator }} OPTIONAL {{ {d} dcterms:source ?source }}
  OPTIONAL {{ {d} dcterms:language ?language }}
}} }} LIMIT 1""")
    if not meta:
        return None
    text = str(meta[0]["text"])
    # Bound patterns first, and no OPTIONAL (Oxigraph would scan every speaker of the
    # corpus for it): the speakers come from a second query bound to the claims found.
    mentions = lookup.select(f"""PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?entity ?start ?end WHERE {{ GRAPH {iri(GRAPH["mentions"])} {{
  ?t oa:hasSource {d} . ?m oa:hasTarget ?t ; oa:hasBody ?entity . ?t oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end }} }} ORDER BY ?start""", max_rows=200_000)
    claims = lookup.select(f"""PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?claim ?s ?p ?o ?modality ?method ?start ?end WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  ?claim akg:statedIn {d} . ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
         akg:modality ?modality ; akg:extractionMethod ?method ; akg:hasEvidence ?evidence .
  ?evidence oa:hasTarget ?t . ?t oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }} }}
ORDER BY ?start ?claim""", max_rows=200_000)
    speakers = details(lookup, {r["claim"] for r in claims})
    claims = [{**r, "speaker": speakers.get(r["claim"], {}).get(AKG.attributedTo, "")}
              for r in claims]
    shown = {r["entity"] for r in mentions}
    for r in claims:
        shown.update((r["s"], r["p"], r["o"], r["method"]))
    labels = names(lookup, shown)
    spans = [("mention", int(r["start"]), int(r["end"]), r) for r in mentions]
    spans += [("claim", int(r["start"]), int(r["end"]), r) for r in claims]
    return {"node": node, "meta": meta[0], "title": str(meta[0].get("title", meta[0]["id"])),
            "text": Markup(highlight(text, spans, labels)), "claims": claims, "labels": labels,
            "label": lambda n: labels.get(n, curie(n)) if isinstance(n, URIRef) else str(n),
            "mention_count": len(mentions)}


def highlight(text: str, spans: list[tuple[str, int, int, dict]], labels: dict) -> str:
    """``text`` as HTML with each claim's quote wrapped in a ``<span class="claim …">``
    (modality as a class, an anchor ``q-START-END``) and each mention in a link to its
    entity (the entity's name as the title, shown on hover). Offsets are code points."""
    cuts = {0, len(text)}
    for _, start, end, _ in spans:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    points = sorted(cuts)
    out = []
    anchored = set()
    for left, right in zip(points, points[1:]):
        piece = escape(text[left:right])
        mention = next((r for kind, s, e, r in spans if kind == "mention" and s <= left and right <= e),
                       None)
        if mention is not None:
            entity = mention["entity"]
            piece = (f'<a class="mention" href="{escape(local_href(entity))}" '
                     f'title="{escape(labels.get(entity, curie(entity)))}">{piece}</a>')
        claims = [(s, e, r) for kind, s, e, r in spans if kind == "claim" and s <= left and right <= e]
        starting = sorted({(s, e) for s, e, _ in claims if s == left} - anchored)
        anchored.update(starting)
        extra = "".join(f'<span id="q-{s}-{e}"></span>' for s, e in starting[1:])
        if claims:
            strongest = min(claims, key=lambda c: _rank(c[2]["modality"]))
            ids = f' id="q-{starting[0][0]}-{starting[0][1]}"' if starting else ""
            piece = (f'{extra}<span class="claim m-{modality_class(strongest[2]["modality"])}"{ids}>'
                     f'{piece}</span>')
        out.append(piece)
    return "".join(out)


def _rank(node) -> int:
    return {AKG.ReportedFact: 0, AKG.AuthorAssessment: 1, AKG.Speculation: 2}.get(node, 3)


@blueprint.route("/ontology")
def ontology() -> Response:
    state = _state()
    if not wants_html():
        return redirect(url_for("graphstore.graph_store", graph=str(GRAPH["ontology"]),
                                format=request.args.get("format") or None), code=303)
    with _LOCK:
        body = state.rendered.get(("ontology-html",))
    if body is None:
        from allianceskg.model.docs import render_html

        body = render_html(ontology_graph(state))
        with _LOCK:
            state.rendered[("ontology-html",)] = body
    return Response(body, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


@blueprint.route("/search")
def search() -> Response:
    query = request.args.get("q", "")
    limit = int_arg("limit", 20, 1, 100)
    lookup = _lookup()
    hits = index_for(_state(), lookup).search(query, limit) if query.strip() else []
    nodes = [h.iri for h in hits]
    kinds = types_of(lookup, nodes)
    ontology = ontology_graph(_state())
    kinds = {n: most_specific(ts, ontology) for n, ts in kinds.items()}
    labels = names(lookup, {*nodes, *(t for ts in kinds.values() for t in ts)})
    results = [{"iri": str(h.iri), "label": labels.get(h.iri, h.label), "matched": h.label,
                "language": h.language, "score": h.score, "match": h.match,
                "page": local_href(h.iri),
                "types": [{"iri": str(t), "label": labels.get(t, curie(t))} for t in kinds.get(h.iri, [])]}
               for h in hits]
    if not wants_html():
        return _json({"query": query, "results": results})
    return render("search.html", query=query, results=results)


def most_specific(types: list[URIRef], ontology: Graph) -> list[URIRef]:
    """Drop every type that is a superclass of another one in the list."""
    supers = set()
    for t in types:
        supers.update(s for s in ontology.transitive_objects(t, RDFS.subClassOf) if s != t)
    return [t for t in types if t not in supers] or types


@blueprint.route("/explain")
def explain_page() -> Response:
    args = {k: request.args.get(k, "").strip() for k in ("s", "p", "o")}
    missing = [k for k, v in args.items() if not v]
    if missing:
        raise ServiceError(400, f"missing parameter(s): {', '.join(missing)}",
                           "give s (subject IRI), p (predicate IRI) and o (object IRI or "
                           "literal in N-Triples syntax, e.g. \"Tokyo\"@en)")
    triple = (_term(args["s"], "s"), _term(args["p"], "p"), _term(args["o"], "o", literal_ok=True))
    lookup = _lookup()
    knowledge = StoreKnowledge(lookup, ontology_graph(_state()))
    tree = explain(knowledge, triple)
    if not wants_html():
        return _json({"explanation": to_json(tree)})
    shown = set()
    _collect(tree, shown)
    labels = names(lookup, shown)
    return render("explain.html", tree_root=tree, labels=labels,
                  label=lambda n: labels.get(n, curie(n)) if isinstance(n, URIRef) else str(n),
                  status=404 if tree.status == "unknown" else 200)


def _collect(node, into: set) -> None:
    into.update(t for t in node.triple if isinstance(t, URIRef))
    into.update(q.document for q in node.quotes)
    for premise in node.premises:
        _collect(premise, into)


def more_href(node, predicate, incoming: bool) -> str:
    """The query UI, with a query listing every value of one property of ``node``
    (YASGUI reads ``?query=`` into a new tab)."""
    pattern = f"?value {iri(predicate)} {iri(node)}" if incoming else f"{iri(node)} {iri(predicate)} ?value"
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             f"SELECT DISTINCT ?value ?label WHERE {{\n  {pattern} .\n"
             "  OPTIONAL { ?value rdfs:label ?label FILTER (LANG(?label) = \"en\") }\n}\nORDER BY ?value\n")
    return url_for("pages.index", query=query)


def explain_href(s, p, o) -> str:
    return url_for("pages.explain_page", s=str(s), p=str(p),
                   o=str(o) if isinstance(o, URIRef) else o.n3())


def _term(text: str, name: str, *, literal_ok: bool = False):
    """A parameter as people type it (allianceskg.rdf.formats.parse_term: id:japan,
    <https://…>, a bare IRI, "text"@en), or a 400 naming the parameter."""
    try:
        term = parse_term(text)
    except AllianceskgError as exc:
        raise ServiceError(400, f"parameter {name}: {exc.message}", exc.hint) from None
    if not isinstance(term, URIRef) and not literal_ok:
        raise ServiceError(400, f"parameter {name} is not an IRI: {text[:80]!r}",
                           "give an absolute IRI, or a CURIE such as id:japan or akg:isPartyTo")
    return term


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServiceError(400, f"parameter {name} must be a whole number, not {raw[:20]!r}",
                           f"give {name}={low}…{high}") from None
    if not low <= value <= high:
        raise ServiceError(400, f"parameter {name} must be between {low} and {high}",
                           f"give {name}={low}…{high}")
    return value


def _json(data: dict) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), content_type="application/json",
                    headers={"Vary": "Accept"})


def init_app(app) -> None:
    app.jinja_env.globals.update(href=local_href, curie=curie, modality=modality_class)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
