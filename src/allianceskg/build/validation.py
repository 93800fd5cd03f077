"""SHACL validation with pySHACL, reported as plain dataclasses.

Input: a data graph, a shapes graph and (optionally) the ontology. Output: a
:class:`ValidationReport` whose results each name the focus node, path, value, shape,
severity and message. pySHACL lives in this module only. Reasoning is never run
here: inference belongs to allianceskg.build.reasoning, and the caller validates what it
means to publish.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, SH

from allianceskg.build.cache import write_entry
from allianceskg.vocab import PREFIXES

_CHUNK = 12  # documents per pySHACL run of the document-scoped shapes
AKGSH_DOCUMENT_SCOPED = URIRef("https://w3id.org/allianceskg/shapes#DocumentScopedShape")
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node broke which shape, and why."""

    focus_node: Node
    path: Node | None
    value: Node | None
    source_shape: Node
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    component: Node | None = None  # the SHACL constraint component

    def describe(self, graph: Graph | None = None) -> str:
        """One line for people: severity, focus node, path, shape and message.

        Terms are shortened with the project's prefixes (and ``graph``'s, if given).
        """
        prefixes = dict(PREFIXES)
        if graph is not None:
            prefixes.update((p, str(ns)) for p, ns in graph.namespaces() if p)
        value = f" value {_show(self.value, prefixes)}" if self.value is not None else ""
        return (f"{self.severity}: {_show(self.focus_node, prefixes)} path "
                f"{_show(self.path, prefixes)}{value} (shape {_show(self.source_shape, prefixes)}): "
                f"{self.message}")


def _show(node: Node | None, prefixes: dict[str, str]) -> str:
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        best = max(((p, ns) for p, ns in prefixes.items() if str(node).startswith(ns)),
                   key=lambda item: len(item[1]), default=None)
        if best and str(node)[len(best[1]):].replace("-", "").replace("_", "").isalnum():
            return f"{best[0]}:{str(node)[len(best[1]):]}"
        return f"<{node}>"
    return node.n3() if hasattr(node, "n3") else str(node)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conformance, the results, and the report graph."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity != "Violation")


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, *,
             inplace: bool = False) -> ValidationReport:
    """Validate ``data`` against ``shapes``; warnings and infos do not break conformance.

    The ontology, when given, lets ``sh:class`` constraints see subclass axioms
    (pySHACL mixes it into a copy of the data, or, with ``inplace``, into ``data``
    itself, which saves the copy when the caller made ``data`` for this).
    """
    conforms, report_graph, _ = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, allow_infos=True, inplace=inplace,
    )
    results = tuple(sorted((_result(report_graph, node, shapes)
                            for node in report_graph.subjects(SH.resultSeverity, None)),
                           key=result_order))
    return ValidationReport(conforms=bool(conforms), results=results, graph=report_graph)


def result_order(result: ValidationResult) -> tuple:
    """The order of a report's results (of :func:`validate`'s)."""
    return (result.severity, str(result.focus_node), str(result.source_shape), result.message)


def shapes_problems(shapes: Graph) -> list[str]:
    """Validate a shapes graph against SHACL's own shapes (SHACL-SHACL, §C of the spec).

    Returns one line per problem; an empty list when the shapes are well-formed.
    """
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=shapes, meta_shacl=True,
                                         advanced=True)
    return [] if conforms else [line for line in text.splitlines() if line.strip()]


def _result(report: Graph, node: Node, shapes: Graph) -> ValidationResult:
    severity = report.value(node, SH.resultSeverity)
    message = report.value(node, SH.resultMessage)
    return ValidationResult(
        focus_node=report.value(node, SH.focusNode),
        path=report.value(node, SH.resultPath),
        value=report.value(node, SH.value),
        source_shape=_named_shape(report.value(node, SH.sourceShape), shapes),
        severity=str(severity).rsplit("#", 1)[-1],
        message=str(message) if message is not None else "",
        component=report.value(node, SH.sourceConstraintComponent),
    )


def _named_shape(shape: Node, shapes: Graph) -> Node:
    """The nearest named shape: an anonymous property shape is reported by the node
    shape that holds it, so the message can point at a shape people can find."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(predicate=SH.property, object=shape) or shapes.value(
            predicate=SH.node, object=shape)
        if parent is None:
            break
        shape = parent
    return shape


def split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """The shapes validated per document (``akgsh:DocumentScopedShape``) and those
    that span documents: two copies of ``shapes``, each without the other's targets
    (a shape without a target checks nothing unless another shape refers to it)."""
    scoped = set(shapes.subjects(RDF.type, AKGSH_DOCUMENT_SCOPED))
    document, corpus = Graph(), Graph()
    for prefix, namespace in shapes.namespaces():
        document.bind(prefix, namespace)
        corpus.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] in _TARGETS:
            (document if triple[0] in scoped else corpus).add(triple)
        else:
            document.add(triple)
            corpus.add(triple)
    return document, corpus


def merged(reports: list[ValidationReport]) -> ValidationReport:
    """One report of several validations (a SHACL validation report graph of all
    their results, in a stable order)."""
    results = tuple(sorted({r for report in reports for r in report.results},
                           key=lambda r: (r.severity, str(r.focus_node), str(r.source_shape),
                                          r.message, str(r.path), str(r.value))))
    conforms = not any(r.severity == "Violation" for r in results)
    graph = Graph()
    graph.bind("sh", SH)
    report_node = BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.add((report_node, SH.conforms, Literal(conforms)))
    for result in results:
        node = BNode()
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, result.focus_node))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.sourceShape, result.source_shape))
        graph.add((node, SH.resultMessage, Literal(result.message)))
        for predicate, value in ((SH.resultPath, result.path), (SH.value, result.value),
                                 (SH.sourceConstraintComponent, result.component)):
            if value is not None:
                graph.add((node, predicate, value))
    return ValidationReport(conforms=conforms, results=results, graph=graph)


# Per-document validation, as a map (allianceskg.build.mapreduce): plain values in and out.

@dataclass(frozen=True)
class DocumentContext:
    """What every document's validation shares, as N-Triples: the document-scoped
    shapes, the ontology (pySHACL's ``ont_graph``: its classes, properties and named
    individuals), and ``common`` data added to each document's (the extraction
    methods); ``key`` hashes the files and code they come from (the texts carry
    blank-node labels that change from run to run, so they cannot be hashed)."""

    shapes: str
    model: str
    common: str
    key: str


def validate_chunk(chunk: list, context: DocumentContext) -> list[list[dict]]:
    """Validate a few documents' graphs against the document-scoped shapes in one
    pySHACL run (its fixed cost, ~80 ms of shapes and ontology set-up, is paid once per
    chunk), and give each document its results, by the document whose graphs hold the
    focus node. Each item is a document's N-Triples (sent to another machine) or its
    graphs (handed to a forked process). The results are JSON-ready dictionaries.

    The document-scoped shapes read only a node's own document (claims, evidence,
    mentions have IRIs of their document), so a chunk gives every document what it
    alone would; the one shape that looks further, that a claim's triple is asserted,
    is by definition satisfied by any graph (tests/test_scale.py compares)."""
    shapes, model, common = _context_graphs(context.key, context.shapes, context.model,
                                            context.common)
    graph, owners = Graph(), {}
    for index, data in enumerate(chunk):
        if isinstance(data, str):
            data = [Graph().parse(data=data, format="nt")]
        for part in data:
            for triple in part:
                graph.add(triple)
                owners.setdefault(triple[0], index)
    for triple in common:
        graph.add(triple)
    report = validate(graph, shapes, model, inplace=True)
    results: list[list[dict]] = [[] for _ in chunk]
    for result in report.results:
        results[owners.get(result.focus_node, 0)].append(result_json(result))
    return results


@lru_cache(maxsize=2)
def _context_graphs(key: str, shapes: str, model: str, common: str) -> tuple[Graph, Graph, Graph]:
    return (Graph().parse(data=shapes, format="nt"), Graph().parse(data=model, format="nt"),
            Graph().parse(data=common, format="nt"))


def validate_documents(documents: list[tuple[str, tuple[Graph, ...]]], context: DocumentContext,
                       cache: Path | None) -> ValidationReport:
    """Validate each document, given as its sorted N-Triples and its graphs, against
    the document-scoped shapes: cached by content under ``cache``, the rest as a
    map (allianceskg.build.mapreduce) — the graphs to forked processes, the text to Dask."""
    from allianceskg.build.mapreduce import Executor, run_map

    keys = [hashlib.sha256((context.key + "\0" + text).encode()).hexdigest() for text, _ in documents]
    found: dict[int, list[dict]] = {}
    if cache is not None:
        for index, key in enumerate(keys):
            path = cache / f"{key}.json"
            if path.is_file():
                try:
                    found[index] = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    pass  # a damaged entry is recomputed
    missing = [i for i in range(len(documents)) if i not in found]
    executor = Executor.from_environment()
    size = max(1, min(_CHUNK, len(missing) // (2 * (os.cpu_count() or 1)) or 1))
    chunks = [missing[i:i + size] for i in range(0, len(missing), size)]
    items = [[documents[i][0] if executor.kind == "dask" else documents[i][1] for i in chunk]
             for chunk in chunks]
    for chunk, results in zip(chunks, run_map(validate_chunk, items, context, executor=executor)):
        for index, found_results in zip(chunk, results):
            found[index] = found_results
            if cache is not None:
                write_entry(cache / f"{keys[index]}.json",
                            json.dumps(found_results, sort_keys=True).encode("utf-8"))
    return merged([ValidationReport(True, tuple(result_from_json(r) for r in found[i]), Graph())
                   for i in range(len(documents))])


def _term_json(term: Node | None):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"iri": str(term)}
    if isinstance(term, BNode):
        return {"bnode": str(term)}
    return {"literal": str(term), "lang": term.language,
            "datatype": str(term.datatype) if term.datatype else None}


def _term_from_json(value):
    if value is None:
        return None
    if "iri" in value:
        return URIRef(value["iri"])
    if "bnode" in value:
        return BNode(value["bnode"])
    datatype = URIRef(value["datatype"]) if value.get("datatype") else None
    return Literal(value["literal"], lang=value.get("lang"), datatype=datatype)


def result_json(result: ValidationResult) -> dict:
    return {"focus": _term_json(result.focus_node), "path": _term_json(result.path),
            "value": _term_json(result.value), "shape": _term_json(result.source_shape),
            "severity": result.severity, "message": result.message,
            "component": _term_json(result.component)}


def result_from_json(value: dict) -> ValidationResult:
    return ValidationResult(focus_node=_term_from_json(value["focus"]),
                            path=_term_from_json(value["path"]),
                            value=_term_from_json(value["value"]),
                            source_shape=_term_from_json(value["shape"]),
                            severity=value["severity"], message=value["message"],
                            component=_term_from_json(value["component"]))
