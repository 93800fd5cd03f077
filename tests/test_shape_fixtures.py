"""SHACL shapes, shape by shape: a conforming fixture and non-conforming ones for every
node shape of ontology/shapes.ttl (tests/fixtures/shapes/), each invalid fixture
asserted to give its expected severity, focus node, shape and message; and every
constraint of the shapes carries a message and a severity."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from allianceskg.rdfio import read_graph
from allianceskg.validation import ValidationReport, validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPES = "https://w3id.org/allianceskg/shapes#"
_REPORTS: dict[str, ValidationReport] = {}

# Node shape → the prefix of its fixture files.
PREFIX = {
    "ActorShape": "actor", "PolityShape": "polity", "ExternalLinkShape": "external-link",
    "PlaceShape": "place", "EventShape": "event", "AgreementShape": "agreement",
    "StrategicPillarShape": "strategic-pillar", "RiskShape": "risk", "PolicyShape": "policy",
    "ConceptShape": "concept", "StanceShape": "stance", "DocumentShape": "document",
    "ClaimShape": "claim", "ClaimTripleShape": "claim-triple", "EvidenceShape": "evidence",
    "EvidenceQuoteShape": "evidence-quote", "MentionShape": "mention",
    "TextQuoteSelectorShape": "text-quote-selector",
    "TextPositionSelectorShape": "text-position-selector",
}

# (fixture, severity, focus node's last path segment, shape, start of the message)
INVALID = [
    ("actor-invalid-duplicate-label", "Violation", "japan", "EnglishLabel", 'Needs exactly one English rdfs:label ("..."@e'),
    ("actor-invalid-member-of-state", "Violation", "okinawa-prefecture", "ActorShape", 'An actor can only be a member of an organisat'),
    ("actor-invalid-missing-label", "Violation", "japan", "EnglishLabel", 'Needs exactly one English rdfs:label ("..."@e'),
    ("actor-invalid-partner-place", "Violation", "japan", "ActorShape", 'A partner must be an actor (akg:Actor).'),
    ("actor-invalid-seat-not-place", "Violation", "european-union", "ActorShape", 'The seat of an actor must be a place (akg:Pla'),
    ("actor-invalid-untagged-altlabel", "Violation", "japan", "AltLabelsTagged", 'Every skos:altLabel needs a language tag.'),
    ("actor-invalid-untagged-demonym", "Violation", "japan", "ActorShape", 'A demonym needs a language tag ("Japanese"@en'),
    ("actor-invalid-untagged-label", "Violation", "japan", "LabelsTagged", 'Every rdfs:label needs a language tag, one pe'),
    ("agreement-invalid-announced-at-place", "Violation", "eu-japan-competitiveness-alliance", "AgreementShape", 'An agreement is announced at an event (akg:Ev'),
    ("agreement-invalid-bad-status", "Violation", "eu-japan-competitiveness-alliance", "AgreementShape", 'An agreement has at most one status: akg:Spec'),
    ("agreement-invalid-date-string", "Violation", "eu-japan-competitiveness-alliance", "AgreementShape", 'An agreement date is an xsd:date.'),
    ("agreement-invalid-one-party", "Violation", "japan-us-trade-agreement", "AgreementShape", 'An agreement needs at least two parties (akg:'),
    ("agreement-invalid-party-place", "Violation", "japan-us-trade-agreement", "AgreementShape", 'A party to an agreement must be an actor (akg'),
    ("agreement-invalid-pillar-is-theme", "Violation", "eu-japan-competitiveness-alliance", "AgreementShape", 'A pillar of an agreement must be an akg:Strat'),
    ("agreement-invalid-two-statuses", "Violation", "eu-japan-competitiveness-alliance", "AgreementShape", 'An agreement has at most one status: akg:Spec'),
    ("claim-invalid-bad-modality", "Violation", "member-of", "ClaimShape", 'A claim has exactly one modality: akg:Reporte'),
    ("claim-invalid-confidence-above-one", "Violation", "member-of", "ClaimShape", 'A claim has exactly one akg:confidence, an xs'),
    ("claim-invalid-confidence-double", "Violation", "member-of", "ClaimShape", 'A claim has exactly one akg:confidence, an xs'),
    ("claim-invalid-missing-extraction-method", "Violation", "member-of", "ClaimShape", 'A claim has exactly one akg:extractionMethod '),
    ("claim-invalid-no-evidence", "Violation", "member-of", "ClaimShape", 'Every claim needs evidence: at least one akg:'),
    ("claim-triple-invalid-not-asserted", "Violation", "member-of", "ClaimTripleShape", 'The claim describes the triple https://w3id.o'),
    ("concept-invalid-contrasts-with-topic", "Violation", "de-risking", "ConceptShape", 'A doctrine contrasts with another doctrine (a'),
    ("concept-invalid-missing-label", "Violation", "supply-chain-resilience", "EnglishLabel", 'Needs exactly one English rdfs:label ("..."@e'),
    ("concept-invalid-missing-scheme", "Warning", "quantum-computing", "ConceptShape", 'A concept should belong to a concept scheme ('),
    ("document-invalid-bad-sha256", "Violation", "test-article", "DocumentShape", 'A document has exactly one akg:sha256: 64 low'),
    ("document-invalid-missing-language", "Violation", "test-article", "DocumentShape", 'A document has exactly one dcterms:language.'),
    ("document-invalid-missing-text", "Violation", "test-article", "DocumentShape", 'A document keeps its full text in exactly one'),
    ("document-invalid-text-language-tagged", "Violation", "test-article", "DocumentShape", 'A document keeps its full text in exactly one'),
    ("event-invalid-start-date-string", "Violation", "eu-japan-summit-2025", "EventShape", 'An event has at most one start date, an xsd:d'),
    ("event-invalid-two-venues", "Violation", "eu-japan-summit-2025", "EventShape", 'An event has at most one venue, and it is a p'),
    ("event-invalid-venue-actor", "Violation", "eu-japan-summit-2025", "EventShape", 'An event has at most one venue, and it is a p'),
    ("evidence-invalid-no-quote-selector", "Violation", "member-of", "EvidenceShape", 'Evidence has exactly one oa:hasTarget: an oa:'),
    ("evidence-invalid-no-target", "Violation", "member-of", "EvidenceShape", 'Evidence has exactly one oa:hasTarget: an oa:'),
    ("evidence-invalid-source-not-document", "Violation", "member-of", "EvidenceShape", 'Evidence has exactly one oa:hasTarget: an oa:'),
    ("evidence-quote-invalid-byte-offsets", "Violation", "commission", "EvidenceQuoteShape", 'The evidence quote "the Commission’s hopes" i'),
    ("evidence-quote-invalid-wrong-offsets", "Violation", "brussels", "EvidenceQuoteShape", 'The evidence quote "Brussels" is not the docu'),
    ("external-link-invalid-close-match-wikipedia", "Violation", "tokyo", "ExternalLinkShape", 'A close match must be a Wikidata entity, GeoN'),
    ("external-link-invalid-literal", "Violation", "tokyo", "ExternalLinkShape", 'An exact match must be a Wikidata entity (htt'),
    ("external-link-invalid-wikidata-page", "Violation", "japan", "ExternalLinkShape", 'An exact match must be a Wikidata entity (htt'),
    ("mention-invalid-no-body-bad-recognition", "Violation", "0-5", "MentionShape", 'A mention names exactly one entity (oa:hasBod'),
    ("place-invalid-located-in-actor", "Violation", "tokyo", "PlaceShape", 'A place can only lie in another place (akg:Pl'),
    ("place-invalid-missing-label", "Violation", "tokyo", "EnglishLabel", 'Needs exactly one English rdfs:label ("..."@e'),
    ("policy-invalid-concerns-actor", "Violation", "inflation-reduction-act", "PolicyShape", 'A policy concerns topics (akg:Topic).'),
    ("policy-invalid-introduced-by-place", "Violation", "inflation-reduction-act", "PolicyShape", 'A policy is introduced by an actor (akg:Actor'),
    ("polity-invalid-alpha2-three-letters", "Violation", "japan", "PolityShape", 'The ISO 3166-1 alpha-2 code is one string of '),
    ("polity-invalid-alpha3", "Violation", "japan", "PolityShape", 'The ISO 3166-1 alpha-3 code is one string of '),
    ("polity-invalid-missing-alpha2", "Warning", "japan", "PolityShape", 'A country or territory should carry its ISO 3'),
    ("polity-invalid-numeric-not-padded", "Violation", "afghanistan", "PolityShape", 'The ISO 3166-1 numeric code is one string of '),
    ("polity-invalid-region-not-region", "Violation", "japan", "PolityShape", 'A country or territory lies in a region (akg:'),
    ("polity-invalid-two-alpha2", "Violation", "japan", "PolityShape", 'The ISO 3166-1 alpha-2 code is one string of '),
    ("risk-invalid-exposed-by-policy", "Violation", "chinese-rare-earth-export-controls", "RiskShape", 'A risk is exposed by a crisis (akg:Crisis).'),
    ("risk-invalid-posed-by-non-actor", "Violation", "chinese-rare-earth-export-controls", "RiskShape", 'A risk is posed by an actor (akg:Actor).'),
    ("stance-invalid-bad-attitude", "Violation", "stance-japan-scepticism-about-united-states", "StanceShape", 'A stance has exactly one attitude: akg:Approv'),
    ("stance-invalid-holder-not-actor", "Violation", "stance-japan-scepticism-about-united-states", "StanceShape", 'A stance has exactly one holder, an actor (ak'),
    ("stance-invalid-missing-holder", "Violation", "stance-japan-scepticism-about-united-states", "StanceShape", 'A stance has exactly one holder, an actor (ak'),
    ("stance-invalid-target-literal", "Violation", "stance-japan-scepticism-about-united-states", "StanceShape", 'A stance is about exactly one thing, named by'),
    ("strategic-pillar-invalid-concerns-risk", "Violation", "supply-chain-pillar", "StrategicPillarShape", 'A pillar concerns topics (akg:Topic: sector, '),
    ("strategic-pillar-invalid-missing-theme", "Violation", "supply-chain-pillar", "StrategicPillarShape", 'A strategic pillar has exactly one theme (akg'),
    ("strategic-pillar-invalid-no-agreement", "Violation", "supply-chain-pillar", "StrategicPillarShape", 'A strategic pillar belongs to exactly one agr'),
    ("strategic-pillar-invalid-two-agreements", "Violation", "supply-chain-pillar", "StrategicPillarShape", 'A strategic pillar belongs to exactly one agr'),
    ("text-position-selector-invalid-integer-start", "Violation", "brussels", "TextPositionSelectorShape", 'A position selector has exactly one oa:start,'),
    ("text-position-selector-invalid-missing-end", "Violation", "brussels", "TextPositionSelectorShape", 'A position selector has exactly one oa:end, a'),
    ("text-position-selector-invalid-start-not-below-end", "Violation", "brussels", "TextPositionSelectorShape", 'A position selector has exactly one oa:start,'),
    ("text-quote-selector-invalid-empty-exact", "Violation", "brussels", "TextQuoteSelectorShape", 'A quote selector has exactly one non-empty oa'),
    ("text-quote-selector-invalid-two-prefixes", "Violation", "brussels", "TextQuoteSelectorShape", 'A quote selector has at most one oa:prefix st'),
]


def report(name: str, shapes: Graph, ontology: Graph) -> ValidationReport:
    if name not in _REPORTS:
        _REPORTS[name] = validate(read_graph(FIXTURES / f"{name}.ttl"), shapes, ontology)
    return _REPORTS[name]


@pytest.mark.parametrize("name, severity, focus, shape, message", INVALID, ids=[i[0] for i in INVALID])
def test_invalid_fixture_gives_its_result(shapes, ontology, name, severity, focus, shape, message):
    result = report(name, shapes, ontology)
    matching = [r for r in result.results
                if r.severity == severity and str(r.focus_node).rsplit("/", 1)[-1] == focus
                and r.source_shape == URIRef(SHAPES + shape) and r.message.startswith(message)]
    assert matching, [r.describe() for r in result.results]
    assert result.conforms is (severity != "Violation")


VALID = sorted(p.stem for p in FIXTURES.glob("*-valid.ttl"))


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_conforms(shapes, ontology, name):
    result = report(name, shapes, ontology)
    assert result.conforms and not result.results, [r.describe() for r in result.results]


def _targeted_node_shapes(shapes: Graph) -> set[str]:
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    return {str(s)[len(SHAPES):] for s in shapes.subjects(RDF.type, SH.NodeShape)
            if any((s, t, None) in shapes for t in targets)}


def test_every_node_shape_has_valid_and_invalid_fixtures(shapes):
    assert _targeted_node_shapes(shapes) == set(PREFIX)
    files = {p.stem for p in FIXTURES.glob("*.ttl")}
    tested = {i[0] for i in INVALID}
    for shape, prefix in PREFIX.items():
        assert f"{prefix}-valid" in files, shape
        assert any(name.startswith(f"{prefix}-invalid-") for name in tested), shape
    assert tested == {name for name in files if "-invalid-" in name}


def test_every_constraint_has_a_message_and_a_severity(shapes):
    constraints = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    assert len(constraints) > 60
    for constraint in constraints:
        assert (constraint, SH.message, None) in shapes, constraint
        assert (constraint, SH.severity, None) in shapes, constraint
