"""OWL 2 RL reasoning: only the new triples, without axiomatic noise.

The closure is computed by a direct rule engine (:class:`_RuleEngine`, the OWL 2 RL
rules this ontology uses, as a worklist over the triples) — an order of magnitude
faster than owlrl, which stays as the reference the tests compare against and as the
fallback for ontologies with constructs the engine does not implement.

Input: the ontology, the established data (reference data, and facts some source
states as a reported fact) and, optionally, the tentative facts (those only assessed
or speculated). Output: an :class:`Inference` holding the
entailments not already asserted, minus the axiomatic noise owlrl emits (reflexive
``owl:sameAs``, typings of literals and of everything as ``owl:Thing``/``rdfs:Resource``,
schema-level facts about vocabulary terms), and the inconsistencies owlrl found (a
disjointness violated, a member of ``owl:Nothing``).

Modality survives reasoning: the closure is computed first over the established
data, then continued with the tentative facts added, so an entailment is established
only if it follows from established premises (:attr:`Inference.triples`); the others
(:attr:`Inference.tentative`) are described in graph/inferred-tentative with the
weakest modality their strongest derivation needs (found by
:mod:`allianceskg.analysis.explain`). No entailment repeats an asserted triple; ``explain``
shows when a triple stated only tentatively also follows from established facts. A
speculative ``hasParty`` thus never comes back from the inverse rule as a plain
``isPartyTo``. owlrl is used in this module only; no input graph is modified.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from allianceskg.errors import AllianceskgError
from allianceskg.vocab import AKG

# Vocabulary namespaces whose terms get schema-level entailments (scm-* rules) that an
# analyst querying the data never needs in graph/inferred.
_VOCABULARY_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)
_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


@dataclass(frozen=True)
class Inference:
    """What reasoning found: the new triples that follow from established premises,
    those that need an assessed or speculated premise (by the weakest modality they
    need, in tier order), and any inconsistency messages."""

    triples: Graph
    inconsistencies: tuple[str, ...]
    tentative: Graph = field(default_factory=Graph)
    # The rule engine's established closure and what it added to the input: what an
    # incremental add continues from (empty where owlrl reasoned).
    closure: set = field(default_factory=set)
    added: set = field(default_factory=set)

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies


class InconsistencyError(AllianceskgError):
    """The data contradicts the ontology (disjoint classes, owl:Nothing, …)."""


def infer(ontology: Graph, data: Graph, tentative: Graph | None = None) -> Inference:
    """The OWL 2 RL closure of ontology + data (then with the tentative facts added):
    by the direct rule engine when the ontology uses only the constructs it implements
    (this ontology does), else by owlrl. Both give the same entailments and the same
    inconsistencies (tests/test_reasoning.py checks it against owlrl)."""
    if _supported(ontology):
        return _rules_infer(ontology, data, tentative)
    return owlrl_infer(ontology, data, tentative)


def owlrl_infer(ontology: Graph, data: Graph, tentative: Graph | None = None) -> Inference:
    """Run owlrl's OWL 2 RL closure over ontology + data; then, if there are tentative
    facts (assessed or speculated), add them and close again. Return only what is
    new: :attr:`Inference.triples` follow from ``data``, :attr:`Inference.tentative`
    need a tentative fact (which modality, :func:`classify` tells)."""
    working = Graph()
    for triple in ontology:
        working.add(triple)
    for triple in data:
        working.add(triple)
    asserted = set(working)
    _close(working)
    messages = list(_error_messages(working))
    new = _new_triples(working, asserted, ontology)
    weak = Graph()
    if tentative is not None:
        for triple in tentative:  # stated (tentatively) already: asserted, not entailed
            new.remove(triple)
    if tentative is not None and len(tentative):
        before = set(working)
        for triple in tentative:
            working.add(triple)
        _close(working)
        messages.extend(_error_messages(working))
        weak = _new_triples(working, before | set(tentative), ontology)
    for graph in (new, weak):
        for prefix, namespace in data.namespaces():
            graph.bind(prefix, namespace, replace=True)
    return Inference(triples=new, inconsistencies=tuple(sorted(set(messages))), tentative=weak)


def _close(graph: Graph) -> None:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)


def _new_triples(working: Graph, known: set, ontology: Graph) -> Graph:
    new = Graph()
    for triple in working:
        if triple not in known and not _is_noise(triple, ontology):
            new.add(triple)
    return new


# The constructs rule_closure implements (OWL 2 RL profile §4.3: cax-sco, cax-eqc,
# prp-spo1, prp-eqp, prp-dom, prp-rng, prp-inv1/2, prp-symp, prp-trp, prp-spo2); an
# ontology using any other class or property axiom is closed by owlrl instead.
_UNSUPPORTED = (OWL.Restriction, OWL.unionOf, OWL.intersectionOf, OWL.complementOf,
                OWL.oneOf, OWL.hasKey, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.sameAs,
                OWL.propertyDisjointWith, OWL.IrreflexiveProperty, OWL.AsymmetricProperty)


def _supported(ontology: Graph) -> bool:
    return not any((None, p, None) in ontology or (None, RDF.type, p) in ontology
                   for p in _UNSUPPORTED)


def rule_closure(ontology: Graph, data: Graph) -> Graph:
    """The OWL 2 RL entailments of ``data`` under ``ontology``'s class and property
    axioms (the new, non-noise triples), computed by the direct rule engine; owlrl for
    ontologies with constructs the engine does not implement."""
    if not _supported(ontology):
        return owlrl_infer(ontology, data).triples
    known = set(data)
    added = _RuleEngine(ontology).close(known, list(known))
    return _new_triples_of(added - set(ontology), ontology)


def _rules_infer(ontology: Graph, data: Graph, tentative: Graph | None) -> Inference:
    engine = _RuleEngine(ontology)
    known = set(ontology) | set(data)
    established = engine.close(known, list(known))
    closure = set(known)
    return _tiers(engine, ontology, known, established, tentative, closure, data.namespaces())


def continue_inference(ontology: Graph, closure: set, added: set, data: set,
                       tentative: set) -> Inference:
    """An :func:`infer` that continues from an earlier one: ``closure`` and ``added``
    are its established closure and what the engine added; ``data`` are new
    established triples, ``tentative`` every tentative fact (old and new). OWL 2 RL's
    rules are monotone, so closing the new triples against the old closure (the
    worklist starts with them alone) gives the closure of everything; an added triple
    that is now asserted is no longer an entailment."""
    engine = _RuleEngine(ontology)
    known = set(closure)
    for triple in known:
        engine._index(triple)
    fresh = [t for t in data if t not in known]
    known.update(fresh)
    established = (added - data) | engine.close(known, fresh)
    return _tiers(engine, ontology, known, established, tentative, set(known), ())


def _tiers(engine: _RuleEngine, ontology: Graph, known: set, established: set,
           tentative, closure: set, namespaces) -> Inference:
    """The tentative tier on top of the established closure ``known``, and the result."""
    weak: set = set()
    if tentative is not None and len(tentative):
        fresh = [t for t in tentative if t not in known]
        known.update(fresh)
        weak = engine.close(known, fresh)
    new = _new_triples_of(established - set(tentative or ()), ontology)
    weak_graph = _new_triples_of(weak - set(tentative or ()) - established, ontology)
    for graph in (new, weak_graph):
        for prefix, namespace in namespaces:
            graph.bind(prefix, namespace, replace=True)
    return Inference(triples=new, inconsistencies=engine.inconsistencies(known),
                     tentative=weak_graph, closure=closure, added=established)


class _RuleEngine:
    """OWL 2 RL rules as a worklist over a set of triples: each derived triple is
    added once and queued, so the closure is reached in time linear in what it adds
    (property chains aside, which look along their chain from the new triple)."""

    def __init__(self, ontology: Graph) -> None:
        self.supers = _closure({(a, b) for a, b in ontology.subject_objects(RDFS.subClassOf)} |
                               {(a, b) for a, b in ontology.subject_objects(OWL.equivalentClass)} |
                               {(b, a) for a, b in ontology.subject_objects(OWL.equivalentClass)})
        self.superprops = _closure(
            {(a, b) for a, b in ontology.subject_objects(RDFS.subPropertyOf)} |
            {(a, b) for a, b in ontology.subject_objects(OWL.equivalentProperty)} |
            {(b, a) for a, b in ontology.subject_objects(OWL.equivalentProperty)})
        self.domains = _multimap(ontology.subject_objects(RDFS.domain))
        self.ranges = _multimap(ontology.subject_objects(RDFS.range))
        self.inverses = _multimap(list(ontology.subject_objects(OWL.inverseOf)) +
                                  [(b, a) for a, b in ontology.subject_objects(OWL.inverseOf)])
        self.symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
        self.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
        self.chains = [(prop, list(Collection(ontology, head)))
                       for prop, head in ontology.subject_objects(OWL.propertyChainAxiom)]
        self.disjoint: set = set()
        for a, b in ontology.subject_objects(OWL.disjointWith):
            self.disjoint |= {(a, b), (b, a)}
        for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            for head in ontology.objects(group, OWL.members):
                members = list(Collection(ontology, head))
                self.disjoint |= {(a, b) for a in members for b in members if a != b}
        self.out: dict = {}   # subject -> predicate -> objects
        self.into: dict = {}  # object -> predicate -> subjects

    def close(self, known: set, todo: list) -> set:
        """Add to ``known`` everything ``todo`` entails; return what was added."""
        for triple in todo:
            self._index(triple)
        added: set = set()

        def add(triple) -> None:
            if triple not in known and not isinstance(triple[0], Literal):
                known.add(triple)
                added.add(triple)
                self._index(triple)
                todo.append(triple)

        rdf_type = RDF.type  # rdflib's namespace attribute lookup is slow in this loop
        while todo:
            s, p, o = todo.pop()
            if p == rdf_type:
                for sup in self.supers.get(o, ()):
                    add((s, rdf_type, sup))
                continue
            for sup in self.superprops.get(p, ()):
                add((s, sup, o))
            for cls in self.domains.get(p, ()):
                add((s, rdf_type, cls))
            if isinstance(o, Literal):
                continue
            for cls in self.ranges.get(p, ()):
                add((o, rdf_type, cls))
            for inverse in self.inverses.get(p, ()):
                add((o, inverse, s))
            if p in self.symmetric:
                add((o, p, s))
            if p in self.transitive:
                for further in list(self.out.get(o, {}).get(p, ())):
                    add((s, p, further))
                for earlier in list(self.into.get(s, {}).get(p, ())):
                    add((earlier, p, o))
            for prop, chain in self.chains:
                for position, step in enumerate(chain):
                    if step == p:
                        for start in self._back(s, chain[:position]):
                            for end in self._forward(o, chain[position + 1:]):
                                add((start, prop, end))
        return added

    def inconsistencies(self, known: set) -> tuple[str, ...]:
        """cax-dw, cax-adc and cls-nothing2: a node in two disjoint classes, or in owl:Nothing."""
        types: dict = {}
        rdf_type = RDF.type
        for s, p, o in known:
            if p == rdf_type:
                types.setdefault(s, set()).add(o)
        messages = set()
        for node, classes in types.items():
            if OWL.Nothing in classes:
                messages.add(f"{node} is a member of owl:Nothing")
            for a in classes:
                for b in classes:
                    if (a, b) in self.disjoint and str(a) < str(b):
                        messages.add(f"Disjoint classes {a} and {b} have a common individual {node}")
        return tuple(sorted(messages))

    def _index(self, triple) -> None:
        s, p, o = triple
        self.out.setdefault(s, {}).setdefault(p, set()).add(o)
        self.into.setdefault(o, {}).setdefault(p, set()).add(s)

    def _forward(self, node, steps: list) -> set:
        nodes = {node}
        for step in steps:
            nodes = {o for n in nodes for o in self.out.get(n, {}).get(step, ())}
        return nodes

    def _back(self, node, steps: list) -> set:
        nodes = {node}
        for step in reversed(steps):
            nodes = {s for n in nodes for s in self.into.get(n, {}).get(step, ())}
        return nodes


def _closure(pairs: set) -> dict:
    """Each node with everything reachable from it (reflexive pairs dropped)."""
    direct: dict = {}
    for a, b in pairs:
        direct.setdefault(a, set()).add(b)
    result = {}
    for start in direct:
        seen, todo = set(), list(direct[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(direct.get(node, ()))
        seen.discard(start)
        result[start] = seen
    return result


def _multimap(pairs) -> dict:
    found: dict = {}
    for a, b in pairs:
        found.setdefault(a, set()).add(b)
    return found


def _index(out: dict, triple) -> None:
    s, p, o = triple
    out.setdefault(s, {}).setdefault(p, set()).add(o)


def _follow(out: dict, start, chain: list) -> set:
    nodes = {start}
    for step in chain:
        nodes = {o for n in nodes for o in out.get(n, {}).get(step, ())}
        if not nodes:
            return set()
    return nodes


def _new_triples_of(triples: set, ontology: Graph) -> Graph:
    graph = Graph()
    terms = ontology_terms(ontology)  # once, not a dozen lookups per triple
    for triple in triples:
        if not _is_noise(triple, ontology, terms):
            graph.add(triple)
    return graph


def ontology_terms(ontology: Graph) -> frozenset:
    """The ontology's classes and properties (what :func:`_is_term` recognises)."""
    return frozenset(s for kind in _TERM_TYPES for s in ontology.subjects(RDF.type, kind))


ENTAILMENT = Namespace("https://w3id.org/allianceskg/entailment/")


def entailment_iri(triple: tuple) -> URIRef:
    """Content-derived: the same triple gives the same node in every build."""
    key = " ".join(term.n3() for term in triple)
    return ENTAILMENT[hashlib.sha256(key.encode()).hexdigest()[:16]]


def entailments_graph(tentative: dict[tuple, URIRef]) -> Graph:
    """Tentative entailments described, not asserted: each an ``akg:Entailment`` node
    (rdf:subject, rdf:predicate, rdf:object) with ``akg:premiseModality`` the weakest
    modality it needs, so no query for the plain triple finds it as a fact."""
    graph = Graph()
    for triple, modality in tentative.items():
        node = entailment_iri(triple)
        graph.add((node, RDF.type, AKG.Entailment))
        graph.add((node, RDF.subject, triple[0]))
        graph.add((node, RDF.predicate, triple[1]))
        graph.add((node, RDF.object, triple[2]))
        graph.add((node, AKG.premiseModality, modality))
    return graph


def tentative_triples(graph: Graph) -> dict[tuple, URIRef]:
    """The plain triples an entailments graph describes, with their premise modality."""
    found = {}
    for node in graph.subjects(RDF.type, AKG.Entailment):
        triple = tuple(graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        found[triple] = graph.value(node, AKG.premiseModality)
    return found


def check_consistent(inference: Inference) -> None:
    """Raise :class:`InconsistencyError` naming every contradiction found."""
    if inference.consistent:
        return
    listed = "\n  ".join(inference.inconsistencies)
    raise InconsistencyError(
        f"the data contradicts the ontology:\n  {listed}",
        hint="fix the types or statements of the nodes named above; "
             "disjoint classes are listed in ontology/allianceskg.ttl under 'Disjointness'",
    )


def _error_messages(graph: Graph) -> tuple[str, ...]:
    """Collect and remove owlrl's error nodes (it writes them into the graph)."""
    messages = []
    for node in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):
        messages.extend(str(m) for m in graph.objects(node, ERRNS.error))
        graph.remove((node, None, None))
    members_of_nothing = sorted(str(s) for s in graph.subjects(RDF.type, OWL.Nothing))
    messages.extend(f"{node} is a member of owl:Nothing" for node in members_of_nothing)
    return tuple(sorted(set(messages)))


def _is_noise(triple: tuple, ontology: Graph, terms: frozenset | None = None) -> bool:
    """True for axiomatic or schema-level triples that carry no answer for analysts
    (``terms``: the ontology's, from :func:`ontology_terms`, when known)."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return True
    if predicate == _SAME_AS and subject == obj:
        return True
    if predicate == _TYPE and obj in _NOISE_TYPES:
        return True
    if isinstance(subject, URIRef) and str(subject).startswith(_VOCABULARY_NAMESPACES):
        return True
    # Entailments about the ontology's own classes and properties (scm-* rules: a class
    # is its own subclass, equivalences, property characteristics) stay out of
    # graph/inferred; its named individuals (statuses, attitudes, modalities) are data,
    # and their entailed types (akg:Launched a skos:Concept) are kept.
    if predicate not in _SCHEMA_PREDICATES:
        return False
    return subject in terms if terms is not None else _is_term(subject, ontology)


_SAME_AS, _TYPE = OWL.sameAs, RDF.type


def _is_term(node, ontology: Graph) -> bool:
    return any((node, RDF.type, kind) in ontology for kind in _TERM_TYPES)


_TERM_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
               OWL.AnnotationProperty, RDF.Property, OWL.TransitiveProperty,
               OWL.SymmetricProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
               OWL.Ontology, OWL.Restriction, RDFS.Datatype)


_SCHEMA_PREDICATES = {
    RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
    OWL.equivalentProperty, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.disjointWith,
}
