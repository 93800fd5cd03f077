"""The formats allianceskg reads and writes, in one table, and the writers.

One source of truth for format names, media types and rdflib plugin names, used by
the CLI (``query``, ``export``) and later the HTTP service. SPARQL results: JSON, XML,
CSV, TSV (and a text table for people); graphs: Turtle, N-Triples, JSON-LD, RDF/XML;
datasets: TriG, N-Quads.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from allianceskg.errors import AllianceskgError
from allianceskg.serialize import nquads_sorted, nt_term, trig, turtle
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


def write_results(result: Result, name: str) -> str:
    """SELECT or ASK results in a SPARQL results format, or as a text table."""
    if name == "table":
        return results_table(result)
    if name not in RESULT_FORMATS:
        raise unknown_format(name, {**RESULT_FORMATS, "table": Format("table", "", "", "")})
    if name == "tsv":
        return results_tsv(result)
    data = result.serialize(format=RESULT_FORMATS[name].plugin)
    return data.decode("utf-8") if isinstance(data, bytes) else data


def write_graph(graph: Graph, name: str) -> str:
    """A graph in one of the graph formats; Turtle is canonical (sorted)."""
    if name == "turtle":
        return turtle(graph, PREFIXES)
    if name not in GRAPH_FORMATS:
        raise unknown_format(name, GRAPH_FORMATS)
    copy = _with_prefixes(graph)
    if name == "jsonld":
        return copy.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return copy.serialize(format=GRAPH_FORMATS[name].plugin)


def write_dataset(graphs: list[Graph], name: str) -> str:
    """Named graphs in TriG (canonical) or N-Quads (sorted lines)."""
    if name == "trig":
        return trig(graphs, PREFIXES)
    if name != "nquads":
        raise unknown_format(name, DATASET_FORMATS)
    return nquads_sorted(graphs)


def _with_prefixes(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in PREFIXES.items():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        copy.add(triple)
    return copy


def results_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV (W3C, §3): a header of ?variables, then one line
    per solution with each term in Turtle/N-Triples syntax; unbound is empty."""
    if result.type == "ASK":
        return "?_askResult\n" + ("true" if result.askAnswer else "false") + "\n"
    names = [str(v) for v in result.vars]
    lines = ["\t".join(f"?{n}" for n in names)]
    for row in result:
        lines.append("\t".join("" if row[i] is None else _tsv_term(row[i])
                               for i in range(len(names))))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Node) -> str:
    return nt_term(term).replace("\t", "\\t")


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
