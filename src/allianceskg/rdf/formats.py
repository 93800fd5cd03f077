"""The formats allianceskg reads and writes, in one table, and the writers.

One source of truth for format names, media types and rdflib plugin names, used by
the CLI (``query``, ``export``) and later the HTTP service. SPARQL results: JSON, XML,
CSV, TSV (and a text table for people); graphs: Turtle, N-Triples, JSON-LD, RDF/XML;
datasets: TriG, N-Quads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.query import Result
from rdflib.term import Node

from allianceskg.errors import AllianceskgError
from allianceskg.rdf.serialize import nquads_sorted, nt_term, rdf_xml, trig, turtle
from allianceskg.vocab import PREFIXES


@dataclass(frozen=True)
class Format:
    """A format: its name, media type, file extension and rdflib plugin."""

    name: str
    media_type: str
    extension: str
    plugin: str


RESULT_FORMATS = {f.name: f for f in (
    Format("json", "application/sparql-results+json", ".srj", "json"),
    Format("xml", "application/sparql-results+xml", ".srx", "xml"),
    Format("csv", "text/csv", ".csv", "csv"),
    Format("tsv", "text/tab-separated-values", ".tsv", "tsv"),
)}
GRAPH_FORMATS = {f.name: f for f in (
    Format("turtle", "text/turtle", ".ttl", "turtle"),
    Format("ntriples", "application/n-triples", ".nt", "nt"),
    Format("jsonld", "application/ld+json", ".jsonld", "json-ld"),
    Format("xml", "application/rdf+xml", ".rdf", "xml"),
)}
DATASET_FORMATS = {f.name: f for f in (
    Format("trig", "application/trig", ".trig", "trig"),
    Format("nquads", "application/n-quads", ".nq", "nquads"),
)}


def unknown_format(name: str, table: dict[str, Format]) -> AllianceskgError:
    return AllianceskgError(f"unknown format {name!r}",
                            hint=f"use one of: {', '.join(sorted(table))}")


def write_graph(graph: Graph, name: str) -> str:
    """A graph in one of the graph formats, byte-stable from run to run: Turtle by the
    project's canonical writer; N-Triples as sorted lines; JSON-LD and RDF/XML by
    rdflib from a copy whose blank nodes are canonically named
    (``rdflib.compare.to_canonical_graph``) and whose triples are added in order."""
    if name == "turtle":
        return turtle(graph, PREFIXES)
    if name not in GRAPH_FORMATS:
        raise unknown_format(name, GRAPH_FORMATS)
    if name == "ntriples":
        return "".join(sorted(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n"
                              for s, p, o in _canonical(graph)))
    if name == "xml":
        return rdf_xml(_canonical(graph), PREFIXES)
    copy = _with_prefixes(_canonical(graph))
    return _stable_json(copy.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True))


def write_dataset(graphs: list[Graph], name: str) -> str:
    """Named graphs in TriG (canonical), N-Quads (sorted lines) or JSON-LD (one
    ``@graph`` per named graph, names kept)."""
    if name == "trig":
        return trig(graphs, PREFIXES)
    if name == "jsonld":
        dataset = Dataset()
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace, override=True, replace=True)
        for number, graph in enumerate(sorted(graphs, key=lambda g: str(g.identifier))):
            target = dataset.graph(graph.identifier)
            for triple in sorted(_canonical(graph, f"g{number}"), key=_order):
                target.add(triple)
        return _stable_json(dataset.serialize(format="json-ld", context=dict(PREFIXES),
                                              auto_compact=True))
    if name != "nquads":
        raise unknown_format(name, DATASET_FORMATS)
    ordered = sorted(graphs, key=lambda g: str(g.identifier))
    return nquads_sorted([_named(g.identifier, _canonical(g, f"g{n}")) for n, g in enumerate(ordered)])


def _stable_json(text: str) -> str:
    """JSON-LD in a stable order: keys sorted, and every array sorted by its items'
    text except ``@list`` values (JSON-LD arrays are unordered sets otherwise)."""
    def order(value, in_list: bool = False):
        if isinstance(value, dict):
            return {k: order(v, k == "@list") for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [order(v) for v in value]
            return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return value

    return json.dumps(order(json.loads(text)), indent=2, ensure_ascii=False) + "\n"


def _canonical(graph: Graph, scope: str = "") -> Graph:
    """The graph with canonical blank-node names, its triples added in sorted order.
    ``scope`` prefixes the names so that the graphs of one dataset never share a blank
    node by accident (each graph is canonicalised on its own)."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        source = graph
    else:
        source = to_canonical_graph(graph)
        if scope:
            rename = lambda t: BNode(f"{scope}{t}") if isinstance(t, BNode) else t  # noqa: E731
            source = [tuple(rename(t) for t in triple) for triple in source]
    copy = Graph()
    for triple in sorted(source, key=_order):
        copy.add(triple)
    return copy


def _order(triple) -> tuple:
    return tuple(nt_term(t) for t in triple)


def _named(identifier, graph: Graph) -> Graph:
    named = Graph(identifier=identifier)
    for triple in graph:
        named.add(triple)
    return named


def _with_prefixes(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in PREFIXES.items():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        copy.add(triple)
    return copy


def results_table(result: Result) -> str:
    """A plain-text table of SELECT results, or true/false for ASK."""
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\n"
    names = [str(v) for v in result.vars]
    rows = [[_cell(row[i]) for i in range(len(names))] for row in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join([line, rule, *body, f"({len(rows)} row{'s' if len(rows) != 1 else ''})"]) + "\n"


def _cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(namespace):
                return f"{prefix}:{str(term)[len(namespace):]}"
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term)
        return text if len(text) <= 80 else text[:77] + "…"
    return str(term)


def parse_term(text: str) -> Node:
    """A term as people type it: ``a``, ``id:japan``, ``<https://…>``, a bare IRI,
    ``"text"@en``, ``42``; prefixes are the project's (akg, id, doc, skos, …)."""
    from rdflib.namespace import RDF, NamespaceManager
    from rdflib.util import from_n3

    text = text.strip()
    if text == "a":
        return RDF.type
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace)
    try:
        term = from_n3(text, nsm=manager)
    except Exception:  # from_n3 raises several types for text it cannot read
        term = None
    if term is None or (isinstance(term, URIRef) and ":" in text and not text.startswith("<")
                        and text.split(":", 1)[0] not in PREFIXES):
        raise AllianceskgError(f"cannot read the term {text!r}",
                               hint="write id:slug, akg:Term, <https://…> or \"text\"@en; "
                                    f"known prefixes: {', '.join(sorted(PREFIXES))}")
    return term
