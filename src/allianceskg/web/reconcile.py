"""``/reconcile``: the Reconciliation Service API v0.2 (W3C Entity Reconciliation
Community Group, Final Report 2023), for OpenRefine and any client of the protocol.

- §3 service manifest: ``GET /reconcile`` without parameters;
- §4 reconciliation queries: ``queries=`` (form POST or GET) — a batch of queries with
  ``query``, ``type`` (one or several, ``type_strict`` any / should / all), ``limit`` and
  ``properties`` constraints; candidates with ``id``, ``name``, ``description``,
  ``type``, ``score`` (0–100), ``features`` and ``match``;
- §5 preview service (``/reconcile/preview?id=``: an HTML card), §6 suggest services for
  entities, types and properties (``/reconcile/suggest/{entity,type,property}?prefix=``)
  with flyouts, §7 data extension (``extend=``, and ``/reconcile/propose_properties``);
- CORS for every response (made mandatory in 0.2) and JSONP (``callback=``).

Identifiers are the local names of the ``https://w3id.org/allianceskg/id/`` space
(``japan``); types and properties the local names of the ontology (``State``,
``iso3166Alpha2``), or CURIEs/IRIs for other vocabularies (``skos:exactMatch``).
Candidates come from the search index (allianceskg.web.ui.search); everything else
through the store.
"""

from __future__ import annotations

import json
import re
from html import escape

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from allianceskg import __version__
from allianceskg.analysis.linking import normalise
from allianceskg.errors import AllianceskgError
from allianceskg.rdf.formats import parse_term
from allianceskg.vocab import AKG, ID, PREFIXES
from allianceskg.web.ui.entity import names
from allianceskg.web.ui.pages import int_arg, most_specific, ontology_graph
from allianceskg.web.errors import ServiceError
from allianceskg.web.ops import CONTENT_SECURITY_POLICY
from allianceskg.web.ui.lookup import Lookup, iri, literal
from allianceskg.web.ui.search import index_for, types_of

blueprint = Blueprint("reconcile", __name__)
SCHEMA = str(AKG._NS)
MAX_QUERIES = 100
MAX_LIMIT = 100
MATCH_SCORE = 95.0
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,100}$")
_DEFAULT_TYPES = ("Actor", "Agreement", "Risk", "Place", "Policy", "Event", "Sector", "Technology")


def _state():
    return current_app.extensions["allianceskg"]


def _ontology():
    return ontology_graph(_state())


def _base() -> str:
    return (_state().settings.public_url or request.url_root).rstrip("/")


def entity_id(node: URIRef) -> str:
    return str(node)[len(str(ID)):]


def entity_iri(identifier: str) -> URIRef:
    text = identifier.strip()
    if text.startswith(str(ID)):
        text = text[len(str(ID)):]
    if text.startswith("id:"):
        text = text[3:]
    if not text or any(c in text for c in '<>"{}|^`\\ \n'):
        raise ServiceError(400, f"not an entity identifier: {identifier[:80]!r}",
                           "identifiers are local names such as japan (the manifest's "
                           "identifierSpace)")
    return ID[text]


def term_id(node: URIRef) -> str:
    """A type or property as the service names it: the ontology's local name, or a CURIE."""
    text = str(node)
    if text.startswith(SCHEMA):
        return text[len(SCHEMA):]
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def term_iri(identifier: str) -> URIRef:
    """A type or property: an ontology term's local name (``State``; an unknown name
    simply matches nothing), or a CURIE or IRI as parse_term reads them."""
    text = identifier.strip()
    if re.fullmatch(r"[A-Za-z][\w-]*", text):
        return URIRef(SCHEMA + text)
    try:
        term = parse_term(text)
    except AllianceskgError:
        term = None
    if not isinstance(term, URIRef):
        raise ServiceError(400, f"not a type or property identifier: {identifier[:80]!r}",
                           "use an ontology term's local name (State, iso3166Alpha2), a CURIE "
                           "(skos:exactMatch) or an IRI")
    return term


def respond(data: dict) -> Response:
    """JSON, or JSONP when ``callback`` names a function (0.2 §2: optional JSONP)."""
    callback = request.values.get("callback")
    body = json.dumps(data, ensure_ascii=False)
    if callback:
        if not _CALLBACK.match(callback):
            raise ServiceError(400, "callback must be a JavaScript function name",
                               "letters, digits, _, $ and dots only")
        return Response(f"/**/{callback}({body});", content_type="application/javascript")
    return Response(body, content_type="application/json")


@blueprint.after_request
def cors(response: Response) -> Response:
    """0.2 makes CORS mandatory: any origin may call the service (it is read-only)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    return response


@blueprint.route("/reconcile", methods=["GET", "POST", "OPTIONS"])
def reconcile() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    if "queries" in request.values:
        return respond(run_batch(_json_param("queries")))
    if "extend" in request.values:
        return respond(extend(_json_param("extend")))
    return respond(manifest())


def _json_param(name: str):
    raw = request.values.get(name, "")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ServiceError(400, f"the '{name}' parameter is not JSON: {exc.msg} at character "
                                f"{exc.pos}", "send the batch serialised as JSON "
                                              "(Reconciliation API 0.2 §4.1)") from None


def manifest() -> dict:
    base = _base()
    ontology = _ontology()
    default_types = [{"id": t, "name": _label(ontology, AKG[t]) or t} for t in _DEFAULT_TYPES
                     if (AKG[t], RDF.type, None) in ontology]
    suggest = {kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}",
                      "flyout_service_path": f"/reconcile/flyout/{kind}?id=${{id}}"}
               for kind in ("entity", "type", "property")}
    return {
        "versions": ["0.2"],
        "name": "allianceskg — actors, agreements, pillars and risks",
        "identifierSpace": str(ID),
        "schemaSpace": SCHEMA,
        "documentation": f"{base}/ontology",
        "serviceVersion": __version__,
        "view": {"url": f"{base}/id/{{{{id}}}}"},
        "defaultTypes": default_types,
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 180},
        "suggest": suggest,
        "extend": {"propose_properties": {"service_url": base,
                                          "service_path": "/reconcile/propose_properties"},
                   "property_settings": []},
    }


def _label(ontology, node) -> str:
    for label in ontology.objects(node, RDFS.label):
        if getattr(label, "language", None) in ("en", None):
            return str(label)
    return ""


# --- §4 reconciliation queries -------------------------------------------------------

def run_batch(batch) -> dict:
    if not isinstance(batch, dict) or not batch:
        raise ServiceError(400, "a query batch is a JSON object of queries by key",
                           'e.g. {"q0": {"query": "Japan", "type": "State"}}')
    if len(batch) > MAX_QUERIES:
        raise ServiceError(400, f"the batch has {len(batch)} queries; the limit is {MAX_QUERIES}",
                           "send smaller batches")
    lookup = Lookup(_state())
    return {key: {"result": reconcile_one(lookup, key, query)} for key, query in batch.items()}


def reconcile_one(lookup: Lookup, key: str, query) -> list[dict]:
    if not isinstance(query, dict) or not (query.get("query") or query.get("properties")):
        raise ServiceError(400, f"query {key!r} needs a 'query' string or 'properties'",
                           "Reconciliation API 0.2 §4.1")
    text = str(query.get("query") or "")
    limit = query.get("limit", 10)
    if not isinstance(limit, (int, float)) or limit < 1:
        raise ServiceError(400, f"query {key!r}: limit must be a positive number")
    limit = min(int(limit), MAX_LIMIT)
    wanted = query.get("type")
    wanted = [wanted] if isinstance(wanted, str) else list(wanted or [])
    wanted_iris = [term_iri(t) for t in wanted]
    strict = query.get("type_strict", "any")
    constraints = [(term_iri(str(c["pid"])), c["v"] if isinstance(c["v"], list) else [c["v"]])
                   for c in query.get("properties") or [] if isinstance(c, dict) and "pid" in c]
    scores: dict[URIRef, float] = {}
    if text:
        for hit in index_for(_state(), lookup).search(text, limit=max(50, limit * 5)):
            if str(hit.iri).startswith(str(ID)):
                scores[hit.iri] = hit.score
    else:
        for node in _by_property(lookup, constraints):
            scores[node] = 0.0
    if not scores:
        return []
    nodes = sorted(scores, key=lambda n: (-scores[n], str(n)))
    kinds = types_of(lookup, nodes)
    if wanted_iris and strict != "should":
        test = all if strict == "all" else any
        nodes = [n for n in nodes if test(t in kinds.get(n, []) for t in wanted_iris)]
    matched = _property_matches(lookup, nodes, constraints)
    results = []
    for node in nodes:
        name_score = scores[node]
        features = [{"id": "name", "value": round(name_score, 1)}]
        score = name_score
        if constraints:
            hits = matched.get(node, [])
            share = sum(hits) / len(constraints)
            features += [{"id": f"property:{term_id(pid)}", "value": ok}
                         for (pid, _), ok in zip(constraints, hits or [False] * len(constraints))]
            score = share * 100 if not text else 0.7 * name_score + 30 * share
        if wanted_iris and strict == "should" and not any(t in kinds.get(node, []) for t in wanted_iris):
            score *= 0.8
        results.append((round(score, 1), node, features))
    results.sort(key=lambda r: (-r[0], str(r[1])))
    results = results[:limit]
    ontology = _ontology()
    shown = {n for _, n, _ in results}
    specific = {n: most_specific(kinds.get(n, []), ontology) for n in shown}
    labels = names(lookup, shown | {t for ts in specific.values() for t in ts})
    out = []
    for position, (score, node, features) in enumerate(results):
        runner_up = results[1][0] if len(results) > 1 else 0.0
        name_score = features[0]["value"]
        confirmed = bool(constraints) and all(f["value"] is True for f in features[1:])
        # Certain: the best candidate, clearly ahead, by its name alone or by a close
        # name with every property constraint met.
        certain = (position == 0 and score - runner_up >= 5
                   and all(f["value"] is not False for f in features)
                   and (score >= MATCH_SCORE or (confirmed and name_score >= 80)))
        types = [{"id": term_id(t), "name": labels.get(t, term_id(t))} for t in specific[node]]
        out.append({"id": entity_id(node), "name": labels.get(node, entity_id(node)),
                    "description": ", ".join(t["name"] for t in types), "type": types,
                    "score": score, "features": features, "match": certain})
    return out


def _values_of(lookup: Lookup, nodes, properties) -> dict[tuple, list]:
    """(node, property) → values, for the nodes and properties asked (one query)."""
    if not nodes or not properties:
        return {}
    rows = lookup.select(f"SELECT ?x ?p ?v WHERE {{ VALUES ?x {{ {' '.join(iri(n) for n in nodes)} }} "
                         f"VALUES ?p {{ {' '.join(iri(p) for p in properties)} }} ?x ?p ?v }}")
    found: dict[tuple, list] = {}
    for row in rows:
        found.setdefault((row["x"], row["p"]), []).append(row["v"])
    return found


def _same(value, expected) -> bool:
    if isinstance(expected, dict):
        expected = expected.get("id", "")
        return isinstance(value, URIRef) and (value == entity_iri(expected) if not
                                              str(expected).startswith("http") else
                                              str(value) == expected)
    if isinstance(value, URIRef):
        return str(value) == str(expected) or entity_id(value) == str(expected)
    return normalise(str(value)) == normalise(str(expected))


def _property_matches(lookup: Lookup, nodes, constraints) -> dict[URIRef, list[bool]]:
    if not constraints:
        return {}
    values = _values_of(lookup, nodes, sorted({p for p, _ in constraints}))
    return {node: [any(_same(v, e) for v in values.get((node, pid), []) for e in expected)
                   for pid, expected in constraints] for node in nodes}


def _by_property(lookup: Lookup, constraints) -> list[URIRef]:
    """Candidates for a query without a name: entities having the first constraint's value."""
    pid, expected = constraints[0]
    value = expected[0]
    if isinstance(value, dict):
        target = iri(entity_iri(str(value.get("id", ""))))
        pattern = f"?x {iri(pid)} {target}"
        condition = ""
    else:
        pattern = f"?x {iri(pid)} ?v"
        condition = f"FILTER (LCASE(STR(?v)) = LCASE({literal(Literal(str(value)))}))"
    rows = lookup.select(f"SELECT DISTINCT ?x WHERE {{ {pattern} {condition} "
                         f"FILTER STRSTARTS(STR(?x), \"{ID}\") }} LIMIT 200")
    return [r["x"] for r in rows]


# --- §5 preview, §6 suggest -----------------------------------------------------------

@blueprint.route("/reconcile/preview")
def preview() -> Response:
    node = entity_iri(request.args.get("id", ""))
    lookup = Lookup(_state())
    kinds = types_of(lookup, [node]).get(node, [])
    specific = most_specific(kinds, _ontology())
    labels = names(lookup, {node, *specific})
    if not kinds and labels.get(node, "").startswith("id:"):
        raise ServiceError(404, f"no entity {entity_id(node)!r}", "check the identifier")
    page = url_for("pages.entity", name=entity_id(node))
    body = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{escape(labels[node])}</title></head><body style="font-family:system-ui,sans-serif;'
            f'margin:8px"><p><a href="{escape(page)}" target="_blank"><strong>'
            f'{escape(labels[node])}</strong></a><br>{escape(", ".join(labels.get(t, term_id(t)) for t in specific))}'
            f'<br><code>{escape(str(node))}</code></p></body></html>')
    # OpenRefine shows the preview in an iframe: any page may frame it.
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
    return Response(body, content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": policy})


@blueprint.route("/reconcile/suggest/<kind>")
def suggest(kind: str) -> Response:
    prefix = request.args.get("prefix", "").strip()
    cursor = int_arg("cursor", 0, 0, 10_000)
    if kind == "entity":
        lookup = Lookup(_state())
        hits = [h for h in index_for(_state(), lookup).search(prefix, limit=cursor + 10)
                if str(h.iri).startswith(str(ID))][cursor:cursor + 10] if prefix else []
        kinds = types_of(lookup, [h.iri for h in hits])
        ontology = _ontology()
        specific = {h.iri: most_specific(kinds.get(h.iri, []), ontology) for h in hits}
        labels = names(lookup, {h.iri for h in hits} | {t for ts in specific.values() for t in ts})
        result = [{"id": entity_id(h.iri), "name": labels.get(h.iri, h.label),
                   "notable": [{"id": term_id(t), "name": labels.get(t, term_id(t))}
                               for t in specific[h.iri]]} for h in hits]
    elif kind in ("type", "property"):
        result = _suggest_terms(kind, prefix)[cursor:cursor + 10]
    else:
        raise ServiceError(404, f"no suggest service for {kind!r}", "use entity, type or property")
    return respond({"result": result})


def _terms(kind: str) -> list[tuple[URIRef, str, str]]:
    """The ontology's classes or properties: (IRI, label, definition)."""
    from rdflib.namespace import OWL

    ontology = _ontology()
    kinds = (OWL.Class,) if kind == "type" else (OWL.ObjectProperty, OWL.DatatypeProperty)
    found = set()
    for cls in kinds:
        found.update(s for s in ontology.subjects(RDF.type, cls)
                     if isinstance(s, URIRef) and str(s).startswith(SCHEMA))
    return sorted((s, _label(ontology, s) or term_id(s),
                   str(ontology.value(s, SKOS.definition) or "")) for s in found)


def _suggest_terms(kind: str, prefix: str) -> list[dict]:
    key = normalise(prefix)
    out = []
    for node, label, definition in _terms(kind):
        names_ = (normalise(label), normalise(term_id(node)))
        if not key or any(n.startswith(key) or f" {key}" in f" {n}" for n in names_):
            item = {"id": term_id(node), "name": label}
            if definition:
                item["description"] = definition
            out.append(item)
    return out


@blueprint.route("/reconcile/flyout/<kind>")
def flyout(kind: str) -> Response:
    identifier = request.args.get("id", "")
    if kind == "entity":
        node = entity_iri(identifier)
        label = names(Lookup(_state()), {node}).get(node, identifier)
    elif kind in ("type", "property"):
        node = term_iri(identifier)
        label = _label(_ontology(), node) or identifier
    else:
        raise ServiceError(404, f"no flyout service for {kind!r}", "use entity, type or property")
    return respond({"id": identifier, "html": f"<p><strong>{escape(label)}</strong><br>"
                                              f"<code>{escape(str(node))}</code></p>"})


# --- §7 data extension ----------------------------------------------------------------

@blueprint.route("/reconcile/propose_properties")
def propose_properties() -> Response:
    type_id = request.args.get("type", "")
    limit = int_arg("limit", 20, 1, 100)
    ontology = _ontology()
    cls = term_iri(type_id) if type_id else None
    lineage = set(ontology.transitive_objects(cls, RDFS.subClassOf)) if cls else set()
    proposed = [(AKG.iso3166Alpha2, "ISO 3166-1 alpha-2"), (AKG.iso3166Alpha3, "ISO 3166-1 alpha-3"),
                (SKOS.exactMatch, "exact match (Wikidata, GeoNames)")] if cls in (AKG.State, AKG.Polity) else []
    for node, label, _ in _terms("property"):
        domains = set(ontology.objects(node, RDFS.domain))
        if not cls or domains & lineage:
            proposed.append((node, label))
    seen, properties = set(), []
    for node, label in proposed:
        if node not in seen:
            seen.add(node)
            properties.append({"id": term_id(node), "name": label})
    answer = {"properties": properties[:limit], "limit": limit}
    if type_id:
        answer["type"] = type_id
    return respond(answer)


def extend(query) -> dict:
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) \
            or not isinstance(query.get("properties"), list):
        raise ServiceError(400, "a data extension query has 'ids' and 'properties'",
                           'e.g. {"ids": ["japan"], "properties": [{"id": "iso3166Alpha2"}]}')
    if len(query["ids"]) > 1000:
        raise ServiceError(400, "at most 1000 ids per extension query", "send smaller batches")
    nodes = [entity_iri(str(i)) for i in query["ids"]]
    properties = [term_iri(str(p["id"])) for p in query["properties"] if isinstance(p, dict) and "id" in p]
    lookup = Lookup(_state())
    values = _values_of(lookup, nodes, properties)
    linked = {v for vs in values.values() for v in vs if isinstance(v, URIRef)
              and str(v).startswith(str(ID))}
    labels = names(lookup, linked | set(properties))
    ontology = _ontology()
    meta = [{"id": term_id(p), "name": _label(ontology, p) or labels.get(p, term_id(p))}
            for p in properties]
    rows = {}
    for identifier, node in zip(query["ids"], nodes):
        row = {}
        for prop in properties:
            cells = sorted(values.get((node, prop), []), key=str)
            row[term_id(prop)] = [_cell(v, labels) for v in cells]
        rows[str(identifier)] = row
    return {"meta": meta, "rows": rows}


def _cell(value, labels) -> dict:
    if isinstance(value, URIRef):
        if str(value).startswith(str(ID)):
            return {"id": entity_id(value), "name": labels.get(value, entity_id(value))}
        return {"str": str(value)}
    if isinstance(value, Literal):
        if value.datatype in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger):
            return {"int": int(value)}
        if value.datatype in (XSD.decimal, XSD.double, XSD.float):
            return {"float": float(value)}
        if value.datatype == XSD.dateTime:
            return {"date": str(value) if "Z" in str(value) or "+" in str(value)[10:] else f"{value}Z"}
        if value.datatype == XSD.date:
            return {"date": f"{value}T00:00:00Z"}
    return {"str": str(value)}
