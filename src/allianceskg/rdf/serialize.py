"""Canonical Turtle and TriG: the same graph always gives the same bytes.

rdflib's serializers order subjects and objects by Python's hash order, which changes
between processes, so a rebuild from unchanged inputs would not be byte-identical.
This writer sorts everything by its N3 text: subjects, then predicates (``rdf:type``
first), then objects. Blank nodes (found only in the ontology's axioms) are written
inline, as ``[ … ]`` or as a ``( … )`` collection, never with generated labels.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, NamespaceManager
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

_INDENT = "    "
_RDF_TYPE = RDF.type


def turtle(graph: Graph, prefixes: Mapping[str, str]) -> str:
    """Serialize ``graph`` as canonical Turtle with the given prefixes."""
    return Writer(prefixes).turtle(graph)


def trig(graphs: Iterable[Graph], prefixes: Mapping[str, str]) -> str:
    """Serialize named graphs as canonical TriG, the graphs ordered by name."""
    return Writer(prefixes).trig([(g.identifier, g) for g in graphs])


class Writer:
    """Canonical Turtle and TriG for many graphs with one set of prefixes: each term
    is rendered once, and a graph's statements are rendered once for both its Turtle
    file and its block of the TriG file (:meth:`release`).

    Graphs without blank nodes (every graph of a release but the ontology) take a
    direct path: triples grouped by subject in one pass, terms from a cache. Graphs
    with blank nodes go through the general path (inline ``[ … ]``, collections,
    labels). Both give the same bytes (tests/test_serialize.py)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.manager = _manager(prefixes)
        self.header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))
        self._namespaces = sorted(((str(ns), p) for p, ns in self.manager.namespaces()),
                                  key=lambda item: -len(item[0]))
        self._terms: dict[Node, str] = {}

    def turtle(self, graph: Graph) -> str:
        body = "\n".join(self.blocks(graph, level=0))
        return self.header + ("\n" + body if body else "")

    def trig(self, graphs: Iterable[tuple[Node, Graph]]) -> str:
        return self.header + "".join(
            self.trig_block(name, self.blocks(graph, 1, label_prefix=f"g{number}b"))
            for number, (name, graph) in enumerate(sorted(graphs, key=lambda g: str(g[0])), start=1)
            if len(graph))

    def release(self, graphs: Iterable[tuple[Node, Graph]]) -> tuple[str, dict[Node, str]]:
        """The TriG of ``graphs`` and each graph's Turtle, rendering each graph's
        statements once where it has no blank nodes (graphs with blank nodes are
        rendered for each: their labels differ)."""
        combined, documents, _ = self.indexed_release(graphs)
        return combined, documents

    def indexed_release(self, graphs: Iterable[tuple[Node, Graph]]
                        ) -> tuple[str, dict[Node, str], dict[Node, BlockIndex | None]]:
        """:meth:`release`, with where each subject's block sits in the texts
        (:class:`BlockIndex`; None for graphs with blank nodes), so that a later
        release can splice blocks in (allianceskg.build.incremental.splice)."""
        documents, parts, indexes = {}, [self.header], {}
        for number, (name, graph) in enumerate(sorted(graphs, key=lambda g: str(g[0])), start=1):
            if _has_blank_nodes(graph):
                documents[name] = self.turtle(graph)
                indexes[name] = None
                if len(graph):
                    parts.append(self.trig_block(
                        name, self.blocks(graph, 1, label_prefix=f"g{number}b")))
                continue
            keys, top, nested = self.keyed_blocks(graph)
            documents[name] = self.header + ("\n" + "\n".join(top) if top else "")
            indexes[name] = BlockIndex.of(keys, top, nested)
            if top:
                parts.append(self.trig_block(name, nested))
        return "".join(parts), documents, indexes

    def keyed_blocks(self, graph) -> tuple[list[str], list[str], list[str]]:
        """For a graph (or iterable of triples) without blank nodes: its subjects'
        texts and their blocks at levels 0 (Turtle) and 1 (TriG), in canonical order.
        A block starts with its subject and a space, so ordering by ``subject + " "``
        is ordering by block."""
        subjects = sorted(self._plain_subjects(graph), key=lambda item: item[0] + " ")
        return [s for s, _ in subjects], _format(subjects, 0, ordered=True), \
            _format(subjects, 1, ordered=True)

    def graph_header(self, name: Node) -> str:
        """What opens a graph's block in the TriG text."""
        return f"\n{self.term(name)} {{\n"

    def trig_block(self, name: Node, blocks: list[str]) -> str:
        """A graph's block of the TriG text, from its nested blocks."""
        return self.graph_header(name) + "\n".join(blocks) + "}\n"

    def blocks(self, graph: Graph, level: int, label_prefix: str = "b") -> list[str]:
        if _has_blank_nodes(graph):
            return _statements(graph, self.manager, level, label_prefix)
        return _format(self._plain_subjects(graph), level)

    def _plain_subjects(self, graph: Graph) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        """For a graph without blank nodes: each subject's text with its predicates'
        texts and sorted object texts, in the general path's order."""
        term = self.term
        by_subject: dict[Node, dict[Node, list[str]]] = {}
        for s, p, o in graph:
            by_subject.setdefault(s, {}).setdefault(p, []).append(term(o))
        subjects = []
        rdf_type = _RDF_TYPE  # rdflib's namespace attribute lookup is slow in a loop
        for subject, properties in by_subject.items():
            ordered = sorted(properties, key=lambda p: (p != rdf_type, term(p)))
            subjects.append((term(subject), [("a" if p == rdf_type else term(p),
                                              sorted(properties[p])) for p in ordered]))
        return subjects

    def term(self, node: Node) -> str:
        found = self._terms.get(node)
        if found is None:
            if isinstance(node, URIRef):
                found = self._prefixed(node) or node.n3()
            else:
                found = _term(node, self.manager)
            self._terms[node] = found
        return found

    def _prefixed(self, node: URIRef) -> str | None:
        """As :func:`_prefixed`: the longest namespace, if the rest is a safe name."""
        text = str(node)
        for namespace, prefix in self._namespaces:
            if text.startswith(namespace):
                local = text[len(namespace):]
                if local and all(c.isalnum() or c in "_-" for c in local) and local[0] != "-":
                    return f"{prefix}:{local}"
                return None
        return None


@dataclass(frozen=True)
class BlockIndex:
    """Where each subject's block sits in a graph's Turtle text and in its block of the
    TriG text: the subjects' texts in order and the UTF-8 length of each block (the
    Turtle text is the header, a newline and the blocks joined by newlines; the TriG
    block is the graph's header line and the nested blocks joined by newlines)."""

    keys: tuple[str, ...]
    top: array      # UTF-8 bytes of each level-0 block
    nested: array   # UTF-8 bytes of each level-1 block

    @classmethod
    def of(cls, keys: list[str], top: list[str], nested: list[str]) -> BlockIndex:
        return cls(tuple(keys), array("q", (len(b.encode()) for b in top)),
                   array("q", (len(b.encode()) for b in nested)))


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in graph)


def _format(subjects: list, level: int, ordered: bool = False) -> list[str]:
    """Blocks as :func:`_statements` writes them at ``level``, sorted as it sorts them
    (no anonymous subjects here, so by their text; ``ordered``: ``subjects`` are in
    that order already)."""
    indent = _INDENT * level
    continuation = " ;\n" + _INDENT * (level + 1)
    joiner = ",\n" + _INDENT * (level + 2)
    blocks = [indent + subject + " " + continuation.join(f"{name} {joiner.join(objects)}"
                                                         for name, objects in properties) + " .\n"
              for subject, properties in subjects]
    if not ordered:
        blocks.sort()
    return blocks


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax: literals on one line, escapes as the spec says."""
    return _quoteLiteral(term) if isinstance(term, Literal) else term.n3()


class NTriples:
    """Sorted N-Triples of graphs, each term written once (a canonical text, for
    hashing and for handing graphs to other processes)."""

    def __init__(self) -> None:
        self._terms: dict[Node, str] = {}

    def term(self, node: Node) -> str:
        found = self._terms.get(node)
        if found is None:
            found = self._terms[node] = nt_term(node)
        return found

    def lines(self, graphs: Iterable[Graph]) -> str:
        term = self.term
        return "".join(sorted({f"{term(s)} {term(p)} {term(o)} .\n"
                               for graph in graphs for s, p, o in graph}))


def ntriples(graphs: Iterable[Graph]) -> str:
    return NTriples().lines(graphs)


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


def _statements(graph: Graph, manager: NamespaceManager, level: int,
                label_prefix: str = "b") -> list[str]:
    """One block per top-level subject: IRIs, blank nodes no triple points to, and
    labelled blank nodes. A blank node is written inline (``[ … ]``) only when exactly
    one triple points to it and it is on no cycle; any other is labelled (``_:b1``), so
    shared and cyclic blank nodes keep their identity."""
    labels = _blank_labels(graph, label_prefix)
    blocks = []
    for subject in set(graph.subjects()):
        if isinstance(subject, BNode) and subject not in labels and _referenced(graph, subject):
            continue  # written inline where it is used
        if isinstance(subject, BNode) and subject not in labels:
            head = "[ " + _predicate_list(graph, subject, manager, level + 1, True, labels) + " ]"
            blocks.append(_INDENT * level + head + " .\n")
        else:
            head = labels[subject] if isinstance(subject, BNode) else _term(subject, manager)
            body = _predicate_list(graph, subject, manager, level + 1, False, labels)
            blocks.append(_INDENT * level + head + " " + body + " .\n")
    return sorted(blocks, key=_sort_key)


def _referenced(graph: Graph, node: BNode) -> bool:
    return next(iter(graph.subjects(None, node)), None) is not None


def _blank_labels(graph: Graph, prefix: str = "b") -> dict[BNode, str]:
    """Labels for the blank nodes that cannot be written inline: pointed to by more
    than one triple, or not reachable from a written subject through single-use blank
    nodes (they sit on a cycle). Numbered in a stable order; ``prefix`` keeps labels of
    different graphs of one TriG document apart."""
    references: dict[BNode, int] = {}
    for obj in graph.objects():
        if isinstance(obj, BNode):
            references[obj] = references.get(obj, 0) + 1
    labelled = {b for b, n in references.items() if n > 1}
    inline = set(references) - labelled

    def signature(node: BNode) -> str:
        out = sorted(f"{p} {o if not isinstance(o, BNode) else '_'}" for p, o in graph.predicate_objects(node))
        into = sorted(f"{s if not isinstance(s, BNode) else '_'} {p}" for s, p in graph.subject_predicates(node))
        return "|".join(out) + "||" + "|".join(into)

    def reach(roots) -> set:
        seen, todo = set(), list(roots)
        while todo:
            node = todo.pop()
            for obj in graph.objects(node):
                if isinstance(obj, BNode) and obj in inline and obj not in seen:
                    seen.add(obj)
                    todo.append(obj)
        return seen

    roots = {s for s in graph.subjects() if not isinstance(s, BNode) or s not in references}
    reached = reach(roots | labelled)
    while inline - reached:  # only cycles of single-use blank nodes are left: label one
        chosen = min(inline - reached, key=lambda b: (signature(b), str(b)))
        inline.discard(chosen)
        labelled.add(chosen)
        reached = reach(roots | labelled)
    ordered = sorted(labelled, key=lambda b: (signature(b), str(b)))
    return {node: f"_:{prefix}{index}" for index, node in enumerate(ordered, start=1)}


def _sort_key(block: str) -> tuple[int, str]:
    """IRI subjects first, in order; anonymous ones after, by their text."""
    return (1 if block.lstrip().startswith("[") else 0, block)


def _predicate_list(graph: Graph, subject: Node, manager: NamespaceManager, level: int,
                    inline: bool, labels: dict[BNode, str]) -> str:
    predicates = sorted(set(graph.predicates(subject)),
                        key=lambda p: (p != RDF.type, _term(p, manager)))
    parts = []
    for predicate in predicates:
        objects = sorted(_object(graph, o, manager, level + 1, labels)
                         for o in graph.objects(subject, predicate))
        name = "a" if predicate == RDF.type else _term(predicate, manager)
        joiner = ", " if inline else ",\n" + _INDENT * (level + 1)
        parts.append(f"{name} {joiner.join(objects)}")
    separator = " ; " if inline else " ;\n" + _INDENT * level
    return separator.join(parts)


def _object(graph: Graph, node: Node, manager: NamespaceManager, level: int,
            labels: dict[BNode, str]) -> str:
    if isinstance(node, BNode):
        if node in labels:
            return labels[node]
        items = _collection(graph, node, labels)
        if items is not None:
            return "( " + " ".join(_object(graph, i, manager, level, labels) for i in items) + " )"
        return "[ " + _predicate_list(graph, node, manager, level, True, labels) + " ]"
    return _term(node, manager)


def _collection(graph: Graph, node: BNode, labels: dict[BNode, str]) -> list[Node] | None:
    """The members of an RDF list starting at ``node``, or None if it is not one."""
    items = []
    while node != RDF.nil:
        if node in labels or not isinstance(node, BNode):
            return None
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


# XML 1.0 §2.2: no C0 control but tab, LF, CR; no U+FFFE, U+FFFF (not even escaped).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NotRdfXmlError(ValueError):
    """A graph RDF/XML cannot express (a property IRI that ends in no XML name)."""


def rdf_xml(graph: Graph, prefixes: Mapping[str, str]) -> str:
    """RDF/XML (W3C RDF 1.1 XML Syntax), one ``rdf:Description`` per subject, subjects
    and properties sorted: byte-stable, unlike rdflib's serializer, whose order follows
    Python's per-process string hashing. Blank nodes are written with ``rdf:nodeID``."""
    from xml.sax.saxutils import escape, quoteattr

    namespaces = dict(prefixes)
    rdf_ns = str(RDF)

    def qname(predicate: URIRef) -> str:
        text = str(predicate)
        split = max(text.rfind("#"), text.rfind("/")) + 1
        namespace, local = text[:split], text[split:]
        if not local or not (local[0].isalpha() or local[0] == "_") or not all(
                c.isalnum() or c in "_-." for c in local):
            raise NotRdfXmlError(f"{predicate} cannot be written as an RDF/XML property name")
        prefix = next((p for p, ns in namespaces.items() if ns == namespace), None)
        if prefix is None:
            prefix = f"ns{len(namespaces)}"
            namespaces[prefix] = namespace
        return f"{prefix}:{local}"

    def node(term) -> str:
        return f"rdf:nodeID={quoteattr(str(term))}" if isinstance(term, BNode) else \
            f"rdf:about={quoteattr(str(term))}"

    blocks = []
    for subject in sorted(set(graph.subjects()), key=lambda t: (isinstance(t, BNode), str(t))):
        lines = [f"  <rdf:Description {node(subject)}>"]
        for predicate, obj in sorted(graph.predicate_objects(subject), key=lambda po: (
                str(po[0]), nt_term(po[1]))):
            name = qname(predicate)
            if isinstance(obj, BNode):
                lines.append(f"    <{name} rdf:nodeID={quoteattr(str(obj))}/>")
            elif isinstance(obj, URIRef):
                lines.append(f"    <{name} rdf:resource={quoteattr(str(obj))}/>")
            else:
                attributes = f" xml:lang={quoteattr(obj.language)}" if obj.language else (
                    f" rdf:datatype={quoteattr(str(obj.datatype))}" if obj.datatype else "")
                # XML parsers turn a raw CR into LF (XML 1.0 §2.11): keep it as &#13;
                text = escape(str(obj), {"\r": "&#13;"})
                lines.append(f"    <{name}{attributes}>{text}</{name}>")
        lines.append("  </rdf:Description>")
        blocks.append("\n".join(lines))
    used = {p: ns for p, ns in namespaces.items()}
    used["rdf"] = rdf_ns
    header = "".join(f"\n    xmlns:{p}={quoteattr(ns)}" for p, ns in sorted(used.items()))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{header}>\n'
            + "\n".join(blocks) + "\n</rdf:RDF>\n")
