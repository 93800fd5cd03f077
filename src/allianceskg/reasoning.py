"""OWL 2 RL reasoning with owlrl: only the new triples, without owlrl's noise.

Input: the ontology and the asserted data as rdflib graphs. Output: an
:class:`Inference` holding the entailments not already asserted, minus the axiomatic
noise owlrl emits (reflexive ``owl:sameAs``, typings of literals and of everything as
``owl:Thing``/``rdfs:Resource``, schema-level facts about vocabulary terms), and the
inconsistencies owlrl found (a disjointness violated, a member of ``owl:Nothing``).
owlrl lives in this module only; neither input graph is modified.
"""

from __future__ import annotations

from dataclasses import dataclass

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from allianceskg.errors import AllianceskgError

# Vocabulary namespaces whose terms get schema-level entailments (scm-* rules) that an
# analyst querying the data never needs in graph/inferred.
_VOCABULARY_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)
_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


@dataclass(frozen=True)
class Inference:
    """What reasoning found: the new triples, and any inconsistency messages."""

    triples: Graph
    inconsistencies: tuple[str, ...]

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies


class InconsistencyError(AllianceskgError):
    """The data contradicts the ontology (disjoint classes, owl:Nothing, …)."""


def infer(ontology: Graph, data: Graph) -> Inference:
    """Run the OWL 2 RL closure over ontology + data; return only what is new."""
    working = Graph()
    for triple in ontology:
        working.add(triple)
    for triple in data:
        working.add(triple)
    asserted = set(working)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(working)
    messages = _error_messages(working)
    new = Graph()
    for triple in working:
        if triple not in asserted and not _is_noise(triple, ontology):
            new.add(triple)
    for prefix, namespace in data.namespaces():
        new.bind(prefix, namespace, replace=True)
    return Inference(triples=new, inconsistencies=messages)


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
    # Entailments about the ontology's own terms (scm-* rules: a class is its own
    # subclass, equivalences, property characteristics) stay out of graph/inferred.
    return (subject, None, None) in ontology and predicate in _SCHEMA_PREDICATES


_SCHEMA_PREDICATES = {
    RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
    OWL.equivalentProperty, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.disjointWith,
}
