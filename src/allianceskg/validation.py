"""SHACL validation with pySHACL, reported as plain dataclasses.

Input: a data graph, a shapes graph and (optionally) the ontology. Output: a
:class:`ValidationReport` whose results each name the focus node, path, value, shape,
severity and message. pySHACL lives in this module only. Reasoning is never run
here: inference belongs to allianceskg.reasoning, and the caller validates what it
means to publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Node, URIRef
from rdflib.namespace import SH

from allianceskg.vocab import PREFIXES


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node broke which shape, and why."""

    focus_node: Node
    path: Node | None
    value: Node | None
    source_shape: Node
    severity: str  # "Violation", "Warning" or "Info"
    message: str

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


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationReport:
    """Validate ``data`` against ``shapes``; warnings and infos do not break conformance.

    The ontology, when given, lets ``sh:class`` constraints see subclass axioms
    (pySHACL mixes it into a copy of the data, never into the caller's graph).
    """
    conforms, report_graph, _ = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, allow_infos=True,
    )
    results = tuple(sorted((_result(report_graph, node, shapes)
                            for node in report_graph.subjects(SH.resultSeverity, None)),
                           key=lambda r: (r.severity, str(r.focus_node), str(r.source_shape),
                                          r.message)))
    return ValidationReport(conforms=bool(conforms), results=results, graph=report_graph)


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
