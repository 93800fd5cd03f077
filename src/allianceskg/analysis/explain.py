"""Why does a triple hold? Asserted with its evidence, or inferred by an OWL 2 RL rule
from premises that are explained in turn, down to asserted triples and their quotes.

Input: a release's graphs (asserted, inferred, ontology). Output: an
:class:`Explanation` tree. The rules recognised are those the ontology uses: cax-sco
(subclass), prp-dom / prp-rng (domain, range), prp-spo1 (subproperty), prp-inv1/2
(inverse), prp-symp (symmetric), prp-trp (transitive) and prp-spo2 (property chain),
named as in the OWL 2 RL profile, §4.3 tables 5–9.

Every node carries a modality, carried along the chain: an asserted triple has the
strongest modality of its claims (reference data counts as a reported fact); an
inferred one the weakest of its premises, taking the strongest derivation there is.
A triple of graph/inferred-tentative (an entailment that needs an assessed or
speculated premise) is explained like any other, and its modality says why it is
not stated as a fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from allianceskg.build.reasoning import tentative_triples
from allianceskg.vocab import AKG, GRAPH, OA

Triple = tuple[Node, Node, Node]
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Quote:
    """Evidence for an asserted triple: the words, where they are, how they were read."""

    document: URIRef
    exact: str
    start: int
    end: int
    modality: URIRef
    method: URIRef


@dataclass(frozen=True)
class Explanation:
    """One node of the tree: a triple and why it holds."""

    triple: Triple
    status: str  # "asserted", "inferred" or "unknown"
    graphs: tuple[URIRef, ...] = ()
    quotes: tuple[Quote, ...] = ()
    rule: str | None = None
    axiom: str | None = None
    premises: tuple[Explanation, ...] = field(default=())
    modality: URIRef | None = None  # akg:ReportedFact, akg:AuthorAssessment, akg:Speculation


@dataclass(frozen=True)
class KnowledgeBase:
    """What explanations are computed over."""

    asserted: dict[URIRef, Graph]  # named graph → its triples (no inferred, no ontology)
    inferred: Graph
    ontology: Graph
    provenance: Graph
    tentative: Graph = field(default_factory=Graph)  # entailments needing a weak premise

    @cached_property
    def _index(self) -> tuple[dict, dict, dict]:
        """The asserted graphs indexed once (a corpus has a graph per document):
        triple → the graphs asserting it, (s, p) → objects, (p, o) → subjects."""
        where: dict = {}
        by_sp: dict = {}
        by_po: dict = {}
        for name in sorted(self.asserted):
            for triple in self.asserted[name]:
                where.setdefault(triple, []).append(name)
                s, p, o = triple
                by_sp.setdefault((s, p), set()).add(o)
                by_po.setdefault((p, o), set()).add(s)
        return {t: tuple(names) for t, names in where.items()}, by_sp, by_po

    def asserted_in(self, triple: Triple) -> tuple[URIRef, ...]:
        return self._index[0].get(triple, ())

    def holds(self, triple: Triple) -> bool:
        return (triple in self.inferred or triple in self.ontology or triple in self.tentative
                or triple in self._index[0])

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        found = set(self.inferred.objects(subject, predicate))
        found.update(self.tentative.objects(subject, predicate))
        found.update(self._index[1].get((subject, predicate), ()))
        return found

    def subjects_with(self, predicate: Node, obj: Node) -> set[Node]:
        found = set(self.inferred.subjects(predicate, obj))
        found.update(self.tentative.subjects(predicate, obj))
        found.update(self._index[2].get((predicate, obj), ()))
        return found

    def quotes(self, triple: Triple) -> list[Quote]:
        """The evidence of every claim stating ``triple``, by document and offset."""
        return sorted(self._quotes(triple), key=lambda q: (str(q.document), q.start,
                                                           str(q.method), q.end))

    def _quotes(self, triple: Triple) -> Iterator[Quote]:
        s, p, o = triple
        prov = self.provenance
        for claim in prov.subjects(RDF.subject, s):
            if (claim, RDF.predicate, p) not in prov or (claim, RDF.object, o) not in prov:
                continue
            for evidence in prov.objects(claim, AKG.hasEvidence):
                target = prov.value(evidence, OA.hasTarget)
                selectors = list(prov.objects(target, OA.hasSelector))
                exact, start, end = (_selector_value(prov, selectors, p)
                                     for p in (OA.exact, OA.start, OA.end))
                yield Quote(document=prov.value(target, OA.hasSource), exact=str(exact),
                            start=int(start), end=int(end), modality=prov.value(claim, AKG.modality),
                            method=prov.value(claim, AKG.extractionMethod))


class Knowledge(Protocol):
    """What explaining needs to ask; :class:`KnowledgeBase` answers from rdflib graphs,
    the service's answers through its store (allianceskg.web.ui.explaining)."""

    ontology: Graph

    def asserted_in(self, triple: Triple) -> tuple[URIRef, ...]: ...
    def holds(self, triple: Triple) -> bool: ...
    def objects(self, subject: Node, predicate: Node) -> set[Node]: ...
    def subjects_with(self, predicate: Node, obj: Node) -> set[Node]: ...
    def quotes(self, triple: Triple) -> list[Quote]: ...


def knowledge_base(graphs: dict[URIRef, Graph]) -> KnowledgeBase:
    """A release's graphs, sorted into what explanations need."""
    described = (GRAPH["inferred"], GRAPH["inferred-tentative"], GRAPH["ontology"])
    tentative = Graph()
    for triple in tentative_triples(graphs.get(GRAPH["inferred-tentative"], Graph())):
        tentative.add(triple)
    return KnowledgeBase(asserted={n: g for n, g in graphs.items() if n not in described},
                         inferred=graphs.get(GRAPH["inferred"], Graph()),
                         ontology=graphs.get(GRAPH["ontology"], Graph()),
                         provenance=graphs.get(GRAPH["provenance"], Graph()),
                         tentative=tentative)


def explain(kb: Knowledge, triple: Triple) -> Explanation:
    """Explain ``triple``; an unknown triple gets status "unknown"."""
    return _explain(kb, triple, depth=0, visiting=frozenset())


def _explain(kb: Knowledge, triple: Triple, depth: int, visiting: frozenset) -> Explanation:
    graphs = kb.asserted_in(triple)
    if graphs:
        quotes = tuple(kb.quotes(triple))
        asserted = Explanation(triple, "asserted", graphs=graphs, quotes=quotes,
                               modality=_asserted_modality(graphs, quotes))
        if asserted.modality == AKG.ReportedFact:
            return asserted
        # Stated only tentatively: if it also follows from firmer premises, show that
        # derivation, keeping the quotes.
        derived = _derive(kb, triple, depth, visiting | {triple})
        if derived is None or MODALITY_RANK[derived.modality] >= MODALITY_RANK[asserted.modality]:
            return asserted
        return Explanation(triple, "inferred", graphs=graphs, quotes=quotes, rule=derived.rule,
                           axiom=derived.axiom, premises=derived.premises,
                           modality=derived.modality)
    if triple in kb.ontology:
        return Explanation(triple, "asserted", graphs=(GRAPH["ontology"],),
                           modality=AKG.ReportedFact)
    if not kb.holds(triple) or depth >= _MAX_DEPTH:
        return Explanation(triple, "unknown")
    return _derive(kb, triple, depth, visiting) or Explanation(triple, "unknown")


def _derive(kb: Knowledge, triple: Triple, depth: int, visiting: frozenset) -> Explanation | None:
    """The strongest derivation of ``triple`` by a rule, or None."""
    if depth >= _MAX_DEPTH:
        return None
    inner = visiting | {triple}
    best = None
    for rule, axiom, premises in _justifications(kb, triple):
        if any(p in inner for p in premises):
            continue
        explained = tuple(_explain(kb, p, depth + 1, inner) for p in premises)
        if all(e.status != "unknown" for e in explained):  # else try the next rule
            modality = max((e.modality for e in explained), key=MODALITY_RANK.__getitem__)
            if best is None or MODALITY_RANK[modality] < MODALITY_RANK[best.modality]:
                best = Explanation(triple, "inferred", rule=rule, axiom=axiom,
                                   premises=explained, modality=modality)
            if modality == AKG.ReportedFact:
                break  # no derivation is stronger
    return best


# The modalities from strongest to weakest.
MODALITY_RANK = {AKG.ReportedFact: 0, AKG.AuthorAssessment: 1, AKG.Speculation: 2}


def _asserted_modality(graphs: tuple[URIRef, ...], quotes) -> URIRef:
    """The strongest modality of the triple's claims; reference data is established."""
    if not quotes or GRAPH["reference"] in graphs:
        return AKG.ReportedFact
    return min((q.modality for q in quotes), key=MODALITY_RANK.__getitem__)


def _justifications(kb: Knowledge, triple: Triple) -> Iterator[tuple[str, str, list[Triple]]]:
    """Candidate (rule, axiom, premises) for an inferred triple, simplest first."""
    s, p, o = triple
    ontology = kb.ontology
    if p == RDF.type:
        for sub in ontology.subjects(RDFS.subClassOf, o):
            if kb.holds((s, RDF.type, sub)):
                yield "cax-sco", f"{_n(sub)} rdfs:subClassOf {_n(o)}", [(s, RDF.type, sub)]
        for prop in ontology.subjects(RDFS.domain, o):
            for value in sorted(kb.objects(s, prop), key=str)[:1]:
                yield "prp-dom", f"{_n(prop)} rdfs:domain {_n(o)}", [(s, prop, value)]
        for prop in ontology.subjects(RDFS.range, o):
            for value in sorted(kb.subjects_with(prop, s), key=str)[:1]:
                yield "prp-rng", f"{_n(prop)} rdfs:range {_n(o)}", [(value, prop, s)]
        return
    for sub in ontology.subjects(RDFS.subPropertyOf, p):
        if kb.holds((s, sub, o)):
            yield "prp-spo1", f"{_n(sub)} rdfs:subPropertyOf {_n(p)}", [(s, sub, o)]
    for inverse in set(ontology.objects(p, OWL.inverseOf)) | set(ontology.subjects(OWL.inverseOf, p)):
        if kb.holds((o, inverse, s)):
            rule = "prp-inv1" if (p, OWL.inverseOf, inverse) in ontology else "prp-inv2"
            yield rule, f"{_n(p)} owl:inverseOf {_n(inverse)}", [(o, inverse, s)]
    if (p, RDF.type, OWL.SymmetricProperty) in ontology and kb.holds((o, p, s)):
        yield "prp-symp", f"{_n(p)} a owl:SymmetricProperty", [(o, p, s)]
    if (p, RDF.type, OWL.TransitiveProperty) in ontology:
        middles = sorted(m for m in kb.objects(s, p) if m != o and kb.holds((m, p, o)))
        middles.sort(key=lambda m: not kb.asserted_in((s, p, m)))
        for middle in middles[:1]:
            yield "prp-trp", f"{_n(p)} a owl:TransitiveProperty", [(s, p, middle), (middle, p, o)]
    for chain_head in ontology.objects(p, OWL.propertyChainAxiom):
        chain = list(Collection(ontology, chain_head))
        path = _chain_path(kb, s, o, chain)
        if path:
            names = " ".join(_n(c) for c in chain)
            yield "prp-spo2", f"{_n(p)} owl:propertyChainAxiom ( {names} )", path


def _chain_path(kb: Knowledge, start: Node, end: Node, chain: list[Node]) -> list[Triple] | None:
    """A path start -chain[0]-> … -chain[-1]-> end, if there is one."""
    if len(chain) == 1:
        return [(start, chain[0], end)] if kb.holds((start, chain[0], end)) else None
    for middle in sorted(kb.objects(start, chain[0]), key=str):
        rest = _chain_path(kb, middle, end, chain[1:])
        if rest is not None:
            return [(start, chain[0], middle), *rest]
    return None


def _selector_value(graph: Graph, selectors: list[Node], predicate: URIRef) -> Node | None:
    for selector in selectors:
        value = graph.value(selector, predicate)
        if value is not None:
            return value
    return None


def to_json(node: Explanation) -> dict:
    """The tree as JSON-ready data: triple, status, modality, graphs, rule, evidence,
    premises (recursively)."""
    return {"triple": [str(t) for t in node.triple], "status": node.status,
            "modality": str(node.modality) if node.modality is not None else None,
            "graphs": [str(g) for g in node.graphs], "rule": node.rule, "axiom": node.axiom,
            "evidence": [{"document": str(q.document), "quote": q.exact, "start": q.start,
                          "end": q.end, "modality": str(q.modality), "method": str(q.method)}
                         for q in node.quotes],
            "premises": [to_json(p) for p in node.premises]}


def _n(term: Node) -> str:
    text = str(term)
    for prefix, namespace in (("akg:", str(AKG._NS)), ("owl:", str(OWL)), ("rdfs:", str(RDFS)),
                              ("rdf:", str(RDF))):
        if text.startswith(namespace):
            return prefix + text[len(namespace):]
    return f"<{text}>"
