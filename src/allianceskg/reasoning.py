"""OWL 2 RL reasoning with owlrl: only the new triples, without owlrl's noise.

Input: the ontology, the established data (reference data, and facts some source
states as a reported fact) and, optionally, tiers of tentative facts (those only
assessed, those only speculated). Output: an :class:`Inference` holding the
entailments not already asserted, minus the axiomatic noise owlrl emits (reflexive
``owl:sameAs``, typings of literals and of everything as ``owl:Thing``/``rdfs:Resource``,
schema-level facts about vocabulary terms), and the inconsistencies owlrl found (a
disjointness violated, a member of ``owl:Nothing``).

Modality survives reasoning: the closure is computed first over the established
data, then again with the tentative facts added, so an entailment is established
only if it follows from established premises (:attr:`Inference.triples`); the others
(:attr:`Inference.tentative`) are described in graph/inferred-tentative with the
weakest modality their strongest derivation needs (found by
:mod:`allianceskg.explain`). No entailment repeats an asserted triple; ``explain``
shows when a triple stated only tentatively also follows from established facts. A
speculative ``hasParty`` thus never comes back from the inverse rule as a plain
``isPartyTo``. owlrl lives in this module only; no input graph is modified.
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

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies


class InconsistencyError(AllianceskgError):
    """The data contradicts the ontology (disjoint classes, owl:Nothing, …)."""


def infer(ontology: Graph, data: Graph, tentative: Graph | None = None) -> Inference:
    """Run the OWL 2 RL closure over ontology + data; then, if there are tentative
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


def rule_closure(ontology: Graph, data: Graph) -> Graph:
    """The OWL 2 RL entailments of ``data`` under ``ontology``'s class and property
    axioms, computed directly (a worklist over the data, linear in its size) rather
    than by owlrl's repeated passes — for graphs such as the provenance graph, whose
    nodes no fact touches. Returns the new, non-noise triples; falls back to owlrl for
    ontologies with constructs this does not implement."""
    if any((None, p, None) in ontology or (None, RDF.type, p) in ontology for p in _UNSUPPORTED):
        return infer(ontology, data).triples
    supers = _closure({(a, b) for a, b in ontology.subject_objects(RDFS.subClassOf)} |
                      {(a, b) for a, b in ontology.subject_objects(OWL.equivalentClass)} |
                      {(b, a) for a, b in ontology.subject_objects(OWL.equivalentClass)})
    superprops = _closure({(a, b) for a, b in ontology.subject_objects(RDFS.subPropertyOf)} |
                          {(a, b) for a, b in ontology.subject_objects(OWL.equivalentProperty)} |
                          {(b, a) for a, b in ontology.subject_objects(OWL.equivalentProperty)})
    domains = _multimap(ontology.subject_objects(RDFS.domain))
    ranges = _multimap(ontology.subject_objects(RDFS.range))
    inverses = _multimap(list(ontology.subject_objects(OWL.inverseOf)) +
                         [(b, a) for a, b in ontology.subject_objects(OWL.inverseOf)])
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    chains = [(prop, list(Collection(ontology, head)))
              for prop, head in ontology.subject_objects(OWL.propertyChainAxiom)]
    known = set(data)
    out: dict = {}  # subject -> predicate -> objects, of everything known
    todo = list(known)
    for triple in known:
        _index(out, triple)

    def add(triple) -> None:
        if triple not in known and not isinstance(triple[0], Literal):
            known.add(triple)
            _index(out, triple)
            todo.append(triple)

    while todo:
        s, p, o = todo.pop()
        if p == RDF.type:
            for sup in supers.get(o, ()):
                add((s, RDF.type, sup))
            continue
        for sup in superprops.get(p, ()):
            add((s, sup, o))
        for cls in domains.get(p, ()):
            add((s, RDF.type, cls))
        if not isinstance(o, Literal):
            for cls in ranges.get(p, ()):
                add((o, RDF.type, cls))
            for inverse in inverses.get(p, ()):
                add((o, inverse, s))
            if p in symmetric:
                add((o, p, s))
        if p in transitive:
            for further in list(out.get(o, {}).get(p, ())):
                add((s, p, further))
            for earlier in [x for x, preds in out.items() if s in preds.get(p, ())]:
                add((earlier, p, o))
        for prop, chain in chains:
            if p in chain:
                for start in list(out):
                    for end in _follow(out, start, chain):
                        add((start, prop, end))
    return _new_triples_of(known - set(data) - set(ontology), ontology)


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
    for triple in triples:
        if not _is_noise(triple, ontology):
            graph.add(triple)
    return graph


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


def _is_noise(triple: tuple, ontology: Graph) -> bool:
    """True for axiomatic or schema-level triples that carry no answer for analysts."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return True
    if predicate == OWL.sameAs and subject == obj:
        return True
    if predicate == RDF.type and obj in _NOISE_TYPES:
        return True
    if isinstance(subject, URIRef) and str(subject).startswith(_VOCABULARY_NAMESPACES):
        return True
    # Entailments about the ontology's own classes and properties (scm-* rules: a class
    # is its own subclass, equivalences, property characteristics) stay out of
    # graph/inferred; its named individuals (statuses, attitudes, modalities) are data,
    # and their entailed types (akg:Launched a skos:Concept) are kept.
    return predicate in _SCHEMA_PREDICATES and _is_term(subject, ontology)


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
