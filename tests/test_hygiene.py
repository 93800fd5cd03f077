"""The hygiene shapes (ontology/hygiene-shapes.ttl) on the ontology itself.

The real ontology must pass them without a single result. Each defect case copies the
ontology into a new graph, breaks one thing (a class without a label, a property with
two definitions, a term without rdfs:isDefinedBy, a label that is not English, a
class without a skos:example, a header without owl:versionIRI …) and expects one Violation naming the broken term
and the rule, and nothing about any other node.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from allianceskg.build.validation import ValidationReport, validate
from allianceskg.vocab import AKG, ONTOLOGY_IRI

AKGHY = "https://w3id.org/allianceskg/hygiene#"
TERM_SHAPE = URIRef(AKGHY + "TermShape")
HEADER_SHAPE = URIRef(AKGHY + "OntologyHeaderShape")
EXAMPLE_SHAPE = URIRef(AKGHY + "ExampleShape")


def _listing(report: ValidationReport) -> str:
    return "\n".join(result.describe() for result in report.results) or "(no results)"


def _copy(ontology: Graph) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    return graph


def _remove(subject: URIRef, predicate: URIRef) -> Callable[[Graph], None]:
    def defect(graph: Graph) -> None:
        assert (subject, predicate, None) in graph, f"{subject} has no {predicate} to remove"
        graph.remove((subject, predicate, None))
    return defect


def _add(subject: URIRef, predicate: URIRef, value) -> Callable[[Graph], None]:
    def defect(graph: Graph) -> None:
        assert (subject, predicate, None) in graph, f"{subject} has no {predicate} yet"
        graph.add((subject, predicate, value))
    return defect


def _relabel(subject: URIRef, label: Literal) -> Callable[[Graph], None]:
    def defect(graph: Graph) -> None:
        assert (subject, RDFS.label, None) in graph
        graph.set((subject, RDFS.label, label))
    return defect


DEFECTS = [
    pytest.param(_remove(AKG.Risk, RDFS.label), AKG.Risk, TERM_SHAPE,
                 "exactly one rdfs:label, in English", id="class-without-label"),
    pytest.param(_add(AKG.hasParty, SKOS.definition,
                      Literal("The actor signed the agreement.", lang="en")),
                 AKG.hasParty, TERM_SHAPE, "exactly one skos:definition",
                 id="property-with-two-definitions"),
    pytest.param(_remove(AKG.Approval, RDFS.isDefinedBy), AKG.Approval, TERM_SHAPE,
                 "needs rdfs:isDefinedBy <https://w3id.org/allianceskg/ontology>",
                 id="individual-without-isDefinedBy"),
    pytest.param(_relabel(AKG.confidence, Literal("confidence", lang="fr")), AKG.confidence,
                 TERM_SHAPE, "in English (@en)", id="label-in-french"),
    pytest.param(_relabel(AKG.Actor, Literal("actor")), AKG.Actor, TERM_SHAPE,
                 "in English (@en)", id="label-without-language-tag"),
    pytest.param(_add(AKG.Actor, RDFS.label, Literal("agent", lang="en")), AKG.Actor,
                 TERM_SHAPE, "exactly one rdfs:label", id="class-with-two-labels"),
    pytest.param(_remove(AKG.Agreement, SKOS.example), AKG.Agreement, EXAMPLE_SHAPE,
                 "needs a skos:example", id="class-without-example"),
    pytest.param(_remove(ONTOLOGY_IRI, OWL.versionIRI), ONTOLOGY_IRI, HEADER_SHAPE,
                 "exactly one owl:versionIRI", id="header-without-versionIRI"),
    pytest.param(_remove(ONTOLOGY_IRI, DCTERMS.license), ONTOLOGY_IRI, HEADER_SHAPE,
                 "a dcterms:license IRI", id="header-without-license"),
]


def test_ontology_passes_hygiene(ontology: Graph, hygiene_shapes: Graph) -> None:
    report = validate(ontology, hygiene_shapes)
    assert report.conforms is True, _listing(report)
    assert report.results == (), _listing(report)


@pytest.mark.parametrize("defect, focus, shape, message", DEFECTS)
def test_defect_is_reported(defect: Callable[[Graph], None], focus: URIRef, shape: URIRef,
                            message: str, ontology: Graph, hygiene_shapes: Graph) -> None:
    broken = _copy(ontology)
    defect(broken)
    report = validate(broken, hygiene_shapes)
    assert report.conforms is False, _listing(report)
    assert any(r.focus_node == focus and r.source_shape == shape and r.severity == "Violation"
               and message in r.message for r in report.results), _listing(report)
    assert {r.focus_node for r in report.results} == {focus}, _listing(report)
    assert len(ontology) != len(broken) or set(ontology) != set(broken)  # the copy changed
    assert (focus, None, None) in ontology  # and the fixture ontology did not


def test_terms_of_other_vocabularies_are_left_alone(ontology: Graph,
                                                    hygiene_shapes: Graph) -> None:
    """Only akg: terms need labels and definitions; a class copied from another
    vocabulary (owlrl does not follow owl:imports) carries neither."""
    graph = _copy(ontology)
    graph.add((URIRef("http://www.w3.org/ns/org#Post"), RDF.type, OWL.Class))
    report = validate(graph, hygiene_shapes)
    assert report.results == (), _listing(report)
    # the same bare class in the akg: namespace is reported
    graph.add((AKG._NS["Unlabelled"], RDF.type, OWL.Class))
    report = validate(graph, hygiene_shapes)
    assert {r.focus_node for r in report.results} == {AKG._NS["Unlabelled"]}, _listing(report)
    assert {r.path for r in report.results if r.source_shape == TERM_SHAPE} == {
        RDFS.label, SKOS.definition, RDFS.isDefinedBy}, _listing(report)


def test_every_hygiene_constraint_has_message_and_severity(hygiene_shapes: Graph) -> None:
    constraints = set(hygiene_shapes.subjects(SH.path, None))
    assert len(constraints) >= 9
    lacking = [str(c) for c in constraints
               if hygiene_shapes.value(c, SH.message) is None
               or hygiene_shapes.value(c, SH.severity) is None]
    assert not lacking, lacking


def test_the_ontology_meets_the_owl2_dl_conditions_the_profile_checker_tests():
    from allianceskg.model.checks import check_profile
    from allianceskg.model.load import load_ontology

    assert check_profile(load_ontology()) == []


@pytest.mark.parametrize("extra, needle", [
    ("akg:Claim rdfs:subClassOf rdf:Statement .", "reserved vocabulary"),
    ("akg:startDate rdfs:range xsd:date .", "not in the OWL 2 datatype map"),
    ("akg:demonym rdfs:range rdf:langString .", "not in the OWL 2 datatype map"),
    ('akg:Actor <http://example.org/note> "x" .', "not declared"),
])
def test_the_profile_check_finds_each_known_breach(extra: str, needle: str):
    from rdflib import Graph

    from allianceskg.model.checks import check_profile
    from allianceskg.model.load import load_ontology
    from allianceskg.vocab import PREFIXES

    graph = Graph()
    for triple in load_ontology():
        graph.add(triple)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    graph.parse(data=header + extra, format="turtle")
    assert any(needle in problem for problem in check_profile(graph))
