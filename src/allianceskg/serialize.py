"""Canonical Turtle and TriG: the same graph always gives the same bytes.

rdflib's serializers order subjects and objects by Python's hash order, which changes
between processes, so a rebuild from unchanged inputs would not be byte-identical.
This writer sorts everything by its N3 text: subjects, then predicates (``rdf:type``
first), then objects. Blank nodes (found only in the ontology's axioms) are written
inline, as ``[ … ]`` or as a ``( … )`` collection, never with generated labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, NamespaceManager
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

_INDENT = "    "


def turtle(graph: Graph, prefixes: Mapping[str, str]) -> str:
    """Serialize ``graph`` as canonical Turtle with the given prefixes."""
    manager = _manager(prefixes)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))
    body = "\n".join(_statements(graph, manager, level=0))
    return header + ("\n" + body if body else "")


def trig(graphs: Iterable[Graph], prefixes: Mapping[str, str]) -> str:
    """Serialize named graphs as canonical TriG, the graphs ordered by name."""
    manager = _manager(prefixes)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))
    blocks = []
    for graph in sorted(graphs, key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        statements = "\n".join(_statements(graph, manager, level=1))
        blocks.append(f"{_term(graph.identifier, manager)} {{\n{statements}}}\n")
    return header + "".join("\n" + block for block in blocks)


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax: literals on one line, escapes as the spec says."""
    return _quoteLiteral(term) if isinstance(term, Literal) else term.n3()


def nquads_sorted(graphs: Iterable[Graph]) -> str:
    """N-Quads, one sorted line per quad (canonical for graphs without blank nodes)."""
    return "".join(sorted(
        f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {nt_term(g.identifier)} .\n"
        for g in graphs for s, p, o in g))


def _manager(prefixes: Mapping[str, str]) -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return manager


def _statements(graph: Graph, manager: NamespaceManager, level: int) -> list[str]:
    """One block per top-level subject: IRIs, and blank nodes no triple points to."""
    referenced = {o for o in graph.objects() if isinstance(o, BNode)}
    blocks = []
    for subject in set(graph.subjects()):
        if isinstance(subject, BNode) and subject in referenced:
            continue  # written inline where it is used
        if isinstance(subject, BNode):
            head = "[ " + _predicate_list(graph, subject, manager, level + 1, inline=True) + " ]"
            blocks.append(_INDENT * level + head + " .\n")
        else:
            head = _term(subject, manager)
            body = _predicate_list(graph, subject, manager, level + 1, inline=False)
            blocks.append(_INDENT * level + head + " " + body + " .\n")
    return sorted(blocks, key=_sort_key)


def _sort_key(block: str) -> tuple[int, str]:
    """IRI subjects first, in order; anonymous ones after, by their text."""
    return (1 if block.lstrip().startswith("[") else 0, block)


def _predicate_list(graph: Graph, subject: Node, manager: NamespaceManager, level: int,
                    inline: bool) -> str:
    predicates = sorted(set(graph.predicates(subject)),
                        key=lambda p: (p != RDF.type, _term(p, manager)))
    parts = []
    for predicate in predicates:
        objects = sorted(_object(graph, o, manager, level + 1)
                         for o in graph.objects(subject, predicate))
        name = "a" if predicate == RDF.type else _term(predicate, manager)
        joiner = ", " if inline else ",\n" + _INDENT * (level + 1)
        parts.append(f"{name} {joiner.join(objects)}")
    separator = " ; " if inline else " ;\n" + _INDENT * level
    return separator.join(parts)


def _object(graph: Graph, node: Node, manager: NamespaceManager, level: int) -> str:
    if isinstance(node, BNode):
        items = _collection(graph, node)
        if items is not None:
            return "( " + " ".join(_object(graph, i, manager, level) for i in items) + " )"
        return "[ " + _predicate_list(graph, node, manager, level, inline=True) + " ]"
    return _term(node, manager)


def _collection(graph: Graph, node: BNode) -> list[Node] | None:
    """The members of an RDF list starting at ``node``, or None if it is not one."""
    items = []
    while node != RDF.nil:
        first = list(graph.objects(node, RDF.first))
        rest = list(graph.objects(node, RDF.rest))
        extra = set(graph.predicates(node)) - {RDF.first, RDF.rest}
        if len(first) != 1 or len(rest) != 1 or extra:
            return None
        items.append(first[0])
        node = rest[0]
    return items


def _term(node: Node, manager: NamespaceManager) -> str:
    if isinstance(node, URIRef):
        prefixed = _prefixed(node, manager)
        return prefixed or node.n3()
    if isinstance(node, Literal):
        return node._literal_n3(use_plain=True, qname_callback=manager.normalizeUri)
    raise ValueError(f"cannot write {node!r} here")


def _prefixed(node: URIRef, manager: NamespaceManager) -> str | None:
    """``prefix:local`` when the local part is a safe Turtle name, else None."""
    best = None
    for prefix, namespace in manager.namespaces():
        text, ns = str(node), str(namespace)
        if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    if best is None:
        return None
    local = str(node)[len(best[1]):]
    if local and all(c.isalnum() or c in "_-" for c in local) and not local[0] in "-":
        return f"{best[0]}:{local}"
    return None
