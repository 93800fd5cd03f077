"""The drop rounds of a build, replayed with one more document.

pipeline.build validates the union of every document's facts with the shapes that
span documents; when every violating node was minted by the automatic layer, the
claims about them are dropped and the union validated again, until nothing more is
dropped. Input: the state of the last build (each document's proposals before any
drop, each round's results) and the new document's proposals. Output: :class:`Rounds`
— the last round's report, and what was dropped from which document — equal to what a
full build decides. Each round is validated incrementally: its results are those of
the last build's corresponding round, except at the nodes whose results the
differences between the two unions can change, which are validated again over their
neighbourhood. That holds while every constraint of the shapes reads only a focus
node's own triples, those pointing to it along a predicate read backwards, and the
types of its values (:func:`inverse_predicates` checks the shapes; where it does not
hold, each round validates the whole union).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from allianceskg.build import pipeline
from allianceskg.build.validation import ValidationReport, result_order, validate


class NotIncremental(Exception):
    """The addition cannot be made from the state alone; the reason says why."""


@dataclass
class Rounds:
    report: ValidationReport       # the last round's: the release's corpus-level results
    results: tuple                 # every round's results
    dropped: dict                  # doc id -> the report's lines on what was dropped
    removed: dict                  # doc id -> the nodes its claims were dropped for
    minted_after: dict             # doc id -> its minted entities, after the drops


class _Replay:
    """Documents' facts, automatic claims and minted entities through drop rounds."""

    def __init__(self, base: frozenset, facts: dict, claims: dict, minted: dict) -> None:
        self.base = base
        self.facts = {d: set(f) for d, f in facts.items()}
        self.claims = {d: set(c) for d, c in claims.items()}
        self.minted = {d: set(m) for d, m in minted.items()}
        self.dropped: dict = {}
        self.removed: dict = {}

    def union(self) -> set:
        return set(self.base).union(*self.facts.values())

    def drop(self, results) -> bool:
        """pipeline._drop_unfit_proposals on triples; whether anything was dropped."""
        bad = {r.focus_node: r.message for r in results if r.severity == "Violation"}
        if not bad or not set(bad) <= set().union(*self.minted.values()):
            return False
        more = False
        for doc_id, claims in self.claims.items():
            gone = {t for t in claims if t[0] in bad or t[2] in bad}
            if not gone:
                continue
            more = True
            claims -= gone
            self.facts[doc_id] = {t for t in self.facts[doc_id] if t[0] not in bad and t[2] not in bad}
            self.minted[doc_id] -= set(bad)
            self.removed.setdefault(doc_id, set()).update(bad)
            lines = {f"{pipeline._short(node)}: {bad[node]}" for t in gone
                     for node in (t[0], t[2]) if node in bad}
            self.dropped[doc_id] = tuple(sorted(set(self.dropped.get(doc_id, ())) | lines))
        return more


def drop_rounds(state, base: frozenset, doc_id: str, facts: set, claims: set, minted: set,
                shapes: Graph, ontology: Graph) -> Rounds:
    """The rounds with the new document's ``facts``, automatic ``claims`` and ``minted``
    entities (before any drop) added to the state's; ``base`` the reference data and
    its links, which every round's union holds."""
    old = _Replay(base, state.raw_facts, state.proposed, state.minted)
    new = _Replay(base, {**state.raw_facts, doc_id: facts},
                  {**state.proposed, doc_id: claims}, {**state.minted, doc_id: minted})
    inverse = inverse_predicates(shapes)
    local = inverse is not None
    rounds, applied = [], 0
    old_union = old.union()
    for number in range(pipeline._DROP_ROUNDS):
        union = new.union()
        baseline = state.rounds[min(number, len(state.rounds) - 1)]
        affected = _affected(union ^ old_union, union | old_union, inverse) if local else None
        if affected is None:
            results = validate(graph_of(union), shapes, ontology).results
        else:
            # The whole neighbourhood is validated and only the affected nodes' results
            # kept (the others in it lack their own triples): pySHACL's focus_nodes
            # option also filters the value nodes of nested shapes, so a label checked
            # by sh:qualifiedValueShape fails there.
            fresh = [r for r in validate(_neighbourhood(union, affected, inverse), shapes,
                                         ontology).results
                     if r.focus_node in affected] if affected else []
            results = tuple(sorted([r for r in baseline if r.focus_node not in affected]
                                   + fresh, key=result_order))
        rounds.append(results)
        if number < len(state.rounds) - 1:
            old.drop(state.rounds[number])
            applied += 1
            old_union = old.union()
        if not new.drop(results):
            break
    while applied < len(state.rounds) - 1:  # the last build's drops, to its end
        old.drop(state.rounds[applied])
        applied += 1
    report = _report_of(rounds[-1])
    if report.violations:
        raise NotIncremental("the shapes that span documents find violations the automatic "
                             "layer cannot drop")
    for other in state.raw_facts:
        if new.facts[other] != old.facts[other] or new.dropped.get(other) != old.dropped.get(other):
            raise NotIncremental(f"the new document changes which proposals of {other} "
                                 f"are dropped")
    return Rounds(report=report, results=tuple(rounds), dropped=new.dropped,
                  removed=new.removed, minted_after=new.minted)


def _report_of(results) -> ValidationReport:
    return ValidationReport(not any(r.severity == "Violation" for r in results), results, Graph())


_SCHEMA = {RDFS.subClassOf}  # what sh:class and sh:targetClass follow besides rdf:type


def inverse_predicates(shapes: Graph) -> set | None:
    """The predicates the shapes follow backwards, if every constraint of a targeted
    shape reads only a focus node's own triples, those pointing to it along such a
    predicate, and the types of its values (what :func:`_affected` assumes); else None."""
    targeted = {s for p in _LOCAL_TARGETS for s in shapes.subjects(p, None)}
    if any(p in _OTHER_TARGETS for s in targeted for p in shapes.predicates(s)):
        return None
    inverse = set()
    todo, seen = list(targeted), set()
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.add(shape)
        value_shape = shape not in targeted and (shape, SH.path, None) not in shapes
        for predicate, value in shapes.predicate_objects(shape):
            if predicate in (SH.sparql, SH.node) or (value_shape and predicate == SH.property):
                return None  # reads beyond the focus node's own triples
            if predicate == SH.property:
                todo.append(value)
            elif predicate in (SH.qualifiedValueShape, SH["or"], SH["and"], SH["not"], SH.xone):
                nested = _members(shapes, value)
                if any((n, SH.path, None) in shapes or (n, SH.property, None) in shapes
                       for n in nested):
                    return None  # a value's own properties
            elif predicate == SH.path:
                alternatives = shapes.value(value, SH.alternativePath)
                if alternatives is None and (value, RDF.first, None) in shapes:
                    return None  # a sequence path: more than one step
                for step in _members(shapes, alternatives) if alternatives is not None else [value]:
                    if isinstance(step, URIRef):
                        continue
                    target = shapes.value(step, SH.inversePath)
                    if not isinstance(target, URIRef):
                        return None  # a longer path
                    if any((shape, p, None) in shapes for p in _VALUE_READERS):
                        return None  # the types of nodes pointing to the focus node
                    inverse.add(target)
    return inverse


_LOCAL_TARGETS = (SH.targetClass, SH.targetSubjectsOf)
_VALUE_READERS = (SH["class"], SH.node, SH.qualifiedValueShape, SH["or"], SH["and"],
                  SH["not"], SH.xone)
_OTHER_TARGETS = (SH.targetNode, SH.targetObjectsOf, SH.target)


def _members(shapes: Graph, node) -> list:
    """The members of an RDF list, or the node itself."""
    if (node, RDF.first, None) in shapes:
        return list(Collection(shapes, node))
    return [node]


def _affected(changed: set, union: set, inverse: set) -> set | None:
    """The nodes whose results can differ between two unions that differ by ``changed``:
    the subjects of the changes, the objects of changes along predicates read
    backwards, and whatever points to a node whose types changed (sh:class reads
    them). None when a change is to the schema itself (a subclass axiom in the data)."""
    nodes, retyped = set(), set()
    for s, p, o in changed:
        if p in _SCHEMA:
            return None
        nodes.add(s)
        if p in inverse and isinstance(o, URIRef):
            nodes.add(o)
        if p == RDF.type:
            retyped.add(s)
    if retyped:
        nodes.update(s for s, _, o in union if o in retyped)
    return {n for n in nodes if isinstance(n, URIRef)}


def _neighbourhood(union: set, focus: set, inverse: set) -> Graph:
    """What validating ``focus`` reads: their triples, those pointing to them along
    predicates read backwards, and the types of every node these reach."""
    graph = Graph()
    reached = set()
    for triple in union:
        s, p, o = triple
        if s in focus or (p in inverse and o in focus):
            graph.add(triple)
            reached.add(o)
            reached.add(s)
    for triple in union:
        if triple[1] == RDF.type and triple[0] in reached:
            graph.add(triple)
    return graph


def graph_of(triples) -> Graph:
    """An rdflib graph of a set of triples."""
    graph = Graph()
    graph += triples  # Graph.__iadd__ takes any iterable of triples
    return graph
