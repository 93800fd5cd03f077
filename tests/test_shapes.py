"""The SHACL shapes (ontology/shapes.ttl) against small hand-written fixtures.

Each file in tests/fixtures/shapes/ is validated once with the ontology (which
supplies the subclass axioms sh:class follows):

* ``<shape>-valid.ttl`` must conform with no result at all, warnings included;
* ``<shape>-invalid-<what>.ttl`` breaks one rule and must report exactly the results
  listed for it in ``CASES`` (focus node, source shape, severity, message), nothing
  else; a Violation makes the graph non-conforming, a Warning does not.

Every targeted node shape needs a valid and an invalid fixture, so a new shape
without fixtures fails here, and every constraint must carry a message and a
severity.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from allianceskg.rdf.rdfio import read_graph
from allianceskg.build.validation import ValidationReport, validate

SHAPE_FIXTURES = Path(__file__).parent / "fixtures" / "shapes"

AKGSH = Namespace("https://w3id.org/allianceskg/shapes#")
ID = Namespace("https://w3id.org/allianceskg/id/")
ART = Namespace("https://w3id.org/allianceskg/doc/test-article/")
OPED = Namespace("https://w3id.org/allianceskg/doc/alliance-op-ed/")
DOC = Namespace("https://w3id.org/allianceskg/doc/")

VIOLATION, WARNING = "Violation", "Warning"
BLANK = "a blank node"  # expected focus node that is a blank node (no IRI to name)


class Case(NamedTuple):
    file: str
    severity: str
    focus: URIRef | str
    shape: URIRef
    message: str


CASES = [
    # Actors. The label rules are the reusable named property shapes, so results
    # name them (akgsh:EnglishLabel, akgsh:LabelsTagged) rather than akgsh:ActorShape.
    Case("actor-invalid-missing-label.ttl", VIOLATION, ID["japan"], AKGSH.EnglishLabel,
         "Needs exactly one English rdfs:label"),
    Case("actor-invalid-duplicate-label.ttl", VIOLATION, ID["japan"], AKGSH.EnglishLabel,
         "Needs exactly one English rdfs:label"),
    Case("actor-invalid-duplicate-label.ttl", VIOLATION, ID["japan"], AKGSH.LabelsTagged,
         "one per language"),
    Case("actor-invalid-untagged-label.ttl", VIOLATION, ID["japan"], AKGSH.LabelsTagged,
         "Every rdfs:label needs a language tag"),
    Case("actor-invalid-untagged-altlabel.ttl", VIOLATION, ID["japan"], AKGSH.AltLabelsTagged,
         "Every skos:altLabel needs a language tag"),
    Case("actor-invalid-seat-not-place.ttl", VIOLATION, ID["european-union"], AKGSH.ActorShape,
         "The seat of an actor must be a place"),
    Case("actor-invalid-member-of-state.ttl", VIOLATION, ID["okinawa-prefecture"],
         AKGSH.ActorShape, "can only be a member of an organisation"),
    Case("actor-invalid-partner-place.ttl", VIOLATION, ID["japan"], AKGSH.ActorShape,
         "A partner must be an actor"),
    Case("actor-invalid-untagged-demonym.ttl", VIOLATION, ID["japan"], AKGSH.ActorShape,
         "A demonym needs a language tag"),
    # Polities
    Case("polity-invalid-alpha2-three-letters.ttl", VIOLATION, ID["japan"], AKGSH.PolityShape,
         "alpha-2 code is one string of two capital letters"),
    Case("polity-invalid-two-alpha2.ttl", VIOLATION, ID["japan"], AKGSH.PolityShape,
         "alpha-2 code is one string of two capital letters"),
    Case("polity-invalid-missing-alpha2.ttl", WARNING, ID["japan"], AKGSH.PolityShape,
         "should carry its ISO 3166-1 alpha-2 code"),
    Case("polity-invalid-alpha3.ttl", VIOLATION, ID["japan"], AKGSH.PolityShape,
         "alpha-3 code is one string of three capital letters"),
    Case("polity-invalid-numeric-not-padded.ttl", VIOLATION, ID["afghanistan"],
         AKGSH.PolityShape, "numeric code is one string of three digits, zero-padded"),
    Case("polity-invalid-region-not-region.ttl", VIOLATION, ID["japan"], AKGSH.PolityShape,
         "lies in a region (akg:Region)"),
    # External links
    Case("external-link-invalid-wikidata-page.ttl", VIOLATION, ID["japan"],
         AKGSH.ExternalLinkShape, "An exact match must be a Wikidata entity"),
    Case("external-link-invalid-literal.ttl", VIOLATION, ID["tokyo"], AKGSH.ExternalLinkShape,
         "An exact match must be a Wikidata entity"),
    Case("external-link-invalid-close-match-wikipedia.ttl", VIOLATION, ID["tokyo"],
         AKGSH.ExternalLinkShape, "A close match must be a Wikidata entity"),
    Case("external-link-invalid-self.ttl", VIOLATION, ID["japan"], AKGSH.ExternalLinkShape,
         "another dataset's http(s) IRI"),
    # Literal identifiers
    Case("identifier-invalid-wikidata-url.ttl", VIOLATION, ID["japan"], AKGSH.IdentifierShape,
         "A Wikidata identifier is a QID"),
    Case("identifier-invalid-geonames.ttl", VIOLATION, ID["japan"], AKGSH.IdentifierShape,
         "A GeoNames identifier is a positive number"),
    # Places
    Case("place-invalid-located-in-actor.ttl", VIOLATION, ID["tokyo"], AKGSH.PlaceShape,
         "A place can only lie in another place"),
    Case("place-invalid-missing-label.ttl", VIOLATION, ID["tokyo"], AKGSH.EnglishLabel,
         "Needs exactly one English rdfs:label"),
    # Events
    Case("event-invalid-start-date-string.ttl", VIOLATION, ID["eu-japan-summit-2025"],
         AKGSH.EventShape, "at most one start date, an xsd:date"),
    Case("event-invalid-two-venues.ttl", VIOLATION, ID["eu-japan-summit-2025"],
         AKGSH.EventShape, "at most one venue"),
    Case("event-invalid-venue-actor.ttl", VIOLATION, ID["eu-japan-summit-2025"],
         AKGSH.EventShape, "it is a place (akg:Place)"),
    # Agreements
    Case("agreement-invalid-one-party.ttl", VIOLATION, ID["japan-us-trade-agreement"],
         AKGSH.AgreementShape, "An agreement needs at least two parties"),
    Case("agreement-invalid-party-place.ttl", VIOLATION, ID["japan-us-trade-agreement"],
         AKGSH.AgreementShape, "A party to an agreement must be an actor"),
    Case("agreement-invalid-bad-status.ttl", VIOLATION, ID["eu-japan-competitiveness-alliance"],
         AKGSH.AgreementShape, "An agreement has at most one status"),
    Case("agreement-invalid-two-statuses.ttl", VIOLATION,
         ID["eu-japan-competitiveness-alliance"], AKGSH.AgreementShape,
         "An agreement has at most one status"),
    Case("agreement-invalid-announced-at-place.ttl", VIOLATION,
         ID["eu-japan-competitiveness-alliance"], AKGSH.AgreementShape,
         "An agreement is announced at an event"),
    Case("agreement-invalid-pillar-is-theme.ttl", VIOLATION,
         ID["eu-japan-competitiveness-alliance"], AKGSH.AgreementShape,
         "A pillar of an agreement must be an akg:StrategicPillar"),
    Case("agreement-invalid-date-string.ttl", VIOLATION, ID["eu-japan-competitiveness-alliance"],
         AKGSH.AgreementShape, "An agreement date is an xsd:date"),
    # Strategic pillars
    Case("strategic-pillar-invalid-no-agreement.ttl", VIOLATION, ID["supply-chain-pillar"],
         AKGSH.StrategicPillarShape, "belongs to exactly one agreement"),
    Case("strategic-pillar-invalid-two-agreements.ttl", VIOLATION, ID["supply-chain-pillar"],
         AKGSH.StrategicPillarShape, "belongs to exactly one agreement"),
    Case("strategic-pillar-invalid-missing-theme.ttl", VIOLATION, ID["supply-chain-pillar"],
         AKGSH.StrategicPillarShape, "has exactly one theme"),
    Case("strategic-pillar-invalid-concerns-risk.ttl", VIOLATION, ID["supply-chain-pillar"],
         AKGSH.StrategicPillarShape, "A pillar concerns topics"),
    # Risks and policies
    Case("risk-invalid-posed-by-non-actor.ttl", VIOLATION,
         ID["chinese-rare-earth-export-controls"], AKGSH.RiskShape,
         "A risk is posed by an actor"),
    Case("risk-invalid-exposed-by-policy.ttl", VIOLATION,
         ID["chinese-rare-earth-export-controls"], AKGSH.RiskShape,
         "A risk is exposed by a crisis"),
    Case("policy-invalid-introduced-by-place.ttl", VIOLATION, ID["inflation-reduction-act"],
         AKGSH.PolicyShape, "A policy is introduced by an actor"),
    Case("policy-invalid-concerns-actor.ttl", VIOLATION, ID["inflation-reduction-act"],
         AKGSH.PolicyShape, "A policy concerns topics"),
    # Concepts
    Case("concept-invalid-missing-scheme.ttl", WARNING, ID["quantum-computing"],
         AKGSH.ConceptShape, "should belong to a concept scheme"),
    Case("concept-invalid-contrasts-with-topic.ttl", VIOLATION, ID["de-risking"],
         AKGSH.ConceptShape, "A doctrine contrasts with another doctrine"),
    Case("concept-invalid-missing-label.ttl", VIOLATION, ID["supply-chain-resilience"],
         AKGSH.EnglishLabel, "Needs exactly one English rdfs:label"),
    # Stances
    Case("stance-invalid-missing-holder.ttl", VIOLATION,
         ID["stance-japan-scepticism-about-united-states"], AKGSH.StanceShape,
         "A stance has exactly one holder"),
    Case("stance-invalid-holder-not-actor.ttl", VIOLATION,
         ID["stance-japan-scepticism-about-united-states"], AKGSH.StanceShape,
         "A stance has exactly one holder, an actor"),
    Case("stance-invalid-bad-attitude.ttl", VIOLATION,
         ID["stance-japan-scepticism-about-united-states"], AKGSH.StanceShape,
         "A stance has exactly one attitude"),
    Case("stance-invalid-target-literal.ttl", VIOLATION,
         ID["stance-japan-scepticism-about-united-states"], AKGSH.StanceShape,
         "named by an IRI (akg:stanceTarget)"),
    # Documents
    Case("document-invalid-missing-text.ttl", VIOLATION, DOC["test-article"],
         AKGSH.DocumentShape, "keeps its full text in exactly one nif:isString"),
    Case("document-invalid-text-language-tagged.ttl", VIOLATION, DOC["test-article"],
         AKGSH.DocumentShape, "keeps its full text in exactly one nif:isString"),
    Case("document-invalid-bad-sha256.ttl", VIOLATION, DOC["test-article"],
         AKGSH.DocumentShape, "64 lowercase hex digits"),
    Case("document-invalid-missing-language.ttl", VIOLATION, DOC["test-article"],
         AKGSH.DocumentShape, "exactly one dcterms:language"),
    # Claims
    Case("claim-invalid-no-evidence.ttl", VIOLATION, ART["claim/member-of"], AKGSH.ClaimShape,
         "Every claim needs evidence"),
    Case("entailment-invalid-established.ttl", VIOLATION,
         URIRef("https://w3id.org/allianceskg/entailment/0123456789abcdef"),
         AKGSH.EntailmentShape, "An entailment rests on exactly one weakest modality"),
    Case("claim-invalid-bad-modality.ttl", VIOLATION, ART["claim/member-of"],
         AKGSH.ClaimShape, "A claim has exactly one modality"),
    Case("claim-invalid-confidence-above-one.ttl", VIOLATION, ART["claim/member-of"],
         AKGSH.ClaimShape, "an xsd:decimal from 0 to 1"),
    Case("claim-invalid-confidence-double.ttl", VIOLATION, ART["claim/member-of"],
         AKGSH.ClaimShape, "an xsd:decimal from 0 to 1"),
    Case("claim-invalid-missing-extraction-method.ttl", VIOLATION, ART["claim/member-of"],
         AKGSH.ClaimShape, "exactly one akg:extractionMethod"),
    Case("claim-triple-invalid-not-asserted.ttl", VIOLATION, ART["claim/member-of"],
         AKGSH.ClaimTripleShape,
         "The claim describes the triple https://w3id.org/allianceskg/id/japan "
         "https://w3id.org/allianceskg/ontology#memberOf https://w3id.org/allianceskg/id/g7, "
         "which no graph asserts"),
    # Evidence. A failed sh:node reports the evidence (akgsh:EvidenceShape) and, as its
    # sh:detail, the target and the akgsh:QuotedTargetShape rule it breaks;
    # allianceskg.build.validation lists the detail as a result of its own.
    Case("evidence-invalid-no-target.ttl", VIOLATION, ART["evidence/member-of"],
         AKGSH.EvidenceShape, "Evidence has exactly one oa:hasTarget"),
    Case("evidence-invalid-no-quote-selector.ttl", VIOLATION, ART["evidence/member-of"],
         AKGSH.EvidenceShape, "Evidence has exactly one oa:hasTarget"),
    Case("evidence-invalid-no-quote-selector.ttl", VIOLATION, ART["target/member-of"],
         AKGSH.QuotedTargetShape, "exactly one oa:TextQuoteSelector"),
    Case("evidence-invalid-source-not-document.ttl", VIOLATION, ART["evidence/member-of"],
         AKGSH.EvidenceShape, "Evidence has exactly one oa:hasTarget"),
    Case("evidence-invalid-source-not-document.ttl", VIOLATION, ART["target/member-of"],
         AKGSH.QuotedTargetShape, "exactly one oa:hasSource, an akg:Document"),
    Case("evidence-quote-invalid-wrong-offsets.ttl", VIOLATION, OPED["evidence/brussels"],
         AKGSH.EvidenceQuoteShape,
         'The evidence quote "Brussels" is not the document\'s text at offsets 8-16 '
         '(the text has 73 characters), which reads "alliance"'),
    Case("evidence-quote-invalid-byte-offsets.ttl", VIOLATION, OPED["evidence/commission"],
         AKGSH.EvidenceQuoteShape,
         'The evidence quote "the Commission’s hopes" is not the document\'s text at '
         'offsets 49-73 (the text has 73 characters), which reads "Commission’s hopes rise."'),
    Case("evidence-quote-invalid-end-past-text.ttl", VIOLATION, OPED["evidence/commission"],
         AKGSH.EvidenceQuoteShape,
         'The evidence quote "rise." is not the document\'s text at offsets 68-100 '
         '(the text has 73 characters)'),
    # Mentions (this fixture breaks two rules of the one shape)
    Case("mention-invalid-no-body-bad-recognition.ttl", VIOLATION, DOC["m/mention/0-5"],
         AKGSH.MentionShape, "A mention names exactly one entity (oa:hasBody, an IRI)"),
    Case("mention-invalid-no-body-bad-recognition.ttl", VIOLATION, DOC["m/mention/0-5"],
         AKGSH.MentionShape, "akg:recognition is one of"),
    # Selectors
    Case("text-quote-selector-invalid-empty-exact.ttl", VIOLATION, OPED["quote/brussels"],
         AKGSH.TextQuoteSelectorShape, "exactly one non-empty oa:exact"),
    Case("text-quote-selector-invalid-two-prefixes.ttl", VIOLATION, OPED["quote/brussels"],
         AKGSH.TextQuoteSelectorShape, "at most one oa:prefix"),
    Case("text-position-selector-invalid-start-not-below-end.ttl", VIOLATION,
         OPED["position/brussels"], AKGSH.TextPositionSelectorShape,
         "below its oa:end"),
    Case("text-position-selector-invalid-integer-start.ttl", VIOLATION,
         OPED["position/brussels"], AKGSH.TextPositionSelectorShape,
         "exactly one oa:start, an xsd:nonNegativeInteger"),
    Case("text-position-selector-invalid-missing-end.ttl", VIOLATION,
         OPED["position/brussels"], AKGSH.TextPositionSelectorShape,
         "exactly one oa:end"),
]

INVALID_FILES = sorted({case.file for case in CASES})
VALID_FILES = sorted(path.name for path in SHAPE_FIXTURES.glob("*-valid.ttl"))
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)

# Reports by fixture file name: each fixture is validated once per test session.
_REPORTS: dict[str, ValidationReport] = {}


@pytest.fixture
def report_of(shapes: Graph, ontology: Graph):
    def report(name: str) -> ValidationReport:
        if name not in _REPORTS:
            _REPORTS[name] = validate(read_graph(SHAPE_FIXTURES / name), shapes, ontology)
        return _REPORTS[name]
    return report


def _focus(node) -> URIRef | str:
    return BLANK if isinstance(node, BNode) else node


def _listing(report: ValidationReport) -> str:
    return "\n".join(result.describe() for result in report.results) or "(no results)"


def _fixture_stem(shape: URIRef) -> str:
    """akgsh:ClaimTripleShape -> claim-triple, the stem of its fixture files."""
    name = str(shape).rsplit("#", 1)[-1].removesuffix("Shape")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _targeted_node_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(shape for shape in shapes.subjects(RDF.type, SH.NodeShape)
                  if any(shapes.value(shape, target) is not None for target in TARGETS))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.file}:{c.shape.rsplit('#', 1)[-1]}")
def test_invalid_fixture_reports_expected_result(case: Case, report_of) -> None:
    report = report_of(case.file)
    matches = [r for r in report.results
               if _focus(r.focus_node) == case.focus and r.source_shape == case.shape
               and r.severity == case.severity and case.message in r.message]
    assert matches, (f"expected a {case.severity} on {case.focus} from {case.shape} "
                     f"saying {case.message!r}; got:\n{_listing(report)}")
    if case.severity == VIOLATION:
        assert report.conforms is False
    else:
        assert report.violations == (), _listing(report)
        assert report.conforms is True


@pytest.mark.parametrize("name", INVALID_FILES)
def test_invalid_fixture_breaks_only_its_rule(name: str, report_of) -> None:
    """No result beyond those listed in CASES: the fixture breaks one rule only."""
    report = report_of(name)
    expected = {(c.severity, c.focus, c.shape) for c in CASES if c.file == name}
    found = {(r.severity, _focus(r.focus_node), r.source_shape) for r in report.results}
    assert found == expected, _listing(report)


@pytest.mark.parametrize("name", VALID_FILES)
def test_valid_fixture_conforms(name: str, report_of) -> None:
    report = report_of(name)
    assert report.conforms is True, _listing(report)
    assert report.violations == (), _listing(report)
    assert report.results == (), _listing(report)


@pytest.mark.parametrize("kind, shape, message", [
    ("akg:State ; akg:iso3166Alpha2 \"JP\"", AKGSH.ActorShape,
     "An actor must be named by an IRI, not a blank node"),
    ("akg:City", AKGSH.PlaceShape, "A place must be named by an IRI, not a blank node"),
])
def test_blank_node_entity_is_reported(kind: str, shape: URIRef, message: str,
                                       shapes: Graph, ontology: Graph) -> None:
    """Kept inline: the fixture files name every entity by an IRI."""
    data = Graph().parse(format="turtle", data=f"""
        @prefix akg: <https://w3id.org/allianceskg/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        [] a {kind} ; rdfs:label "Tokyo"@en .""")
    report = validate(data, shapes, ontology)
    found = {(r.severity, _focus(r.focus_node), r.source_shape, r.message)
             for r in report.results}
    assert found == {(VIOLATION, BLANK, shape, message + ".")}, _listing(report)
    assert report.conforms is False


def test_shape_stems() -> None:
    assert _fixture_stem(AKGSH.ClaimTripleShape) == "claim-triple"
    assert _fixture_stem(AKGSH.TextPositionSelectorShape) == "text-position-selector"
    assert _fixture_stem(AKGSH.ActorShape) == "actor"


def test_every_targeted_node_shape_has_fixtures(shapes: Graph) -> None:
    node_shapes = _targeted_node_shapes(shapes)
    assert len(node_shapes) >= 18  # the shapes file holds at least these; guard the query
    missing = []
    for shape in node_shapes:
        if f"{_fixture_stem(shape)}-valid.ttl" not in VALID_FILES:
            missing.append(f"{shape}: no {_fixture_stem(shape)}-valid.ttl")
        if not any(case.shape == shape for case in CASES):
            missing.append(f"{shape}: no invalid fixture in CASES")
    assert not missing, "\n".join(missing)


def test_every_fixture_file_is_used() -> None:
    on_disk = {path.name for path in SHAPE_FIXTURES.glob("*.ttl")}
    assert on_disk - set(VALID_FILES) - set(INVALID_FILES) == set()
    assert set(INVALID_FILES) - on_disk == set()
    assert all("-invalid-" in name for name in INVALID_FILES)


def test_valid_fixtures_have_focus_nodes(shapes: Graph, ontology: Graph) -> None:
    """A valid fixture proves something only if its shape targets a node in it. Checked
    for class and subjects-of targets; SPARQL targets select only failing nodes."""
    empty = []
    for shape in _targeted_node_shapes(shapes):
        classes = list(shapes.objects(shape, SH.targetClass))
        properties = list(shapes.objects(shape, SH.targetSubjectsOf))
        if not classes and not properties:
            continue
        data = read_graph(SHAPE_FIXTURES / f"{_fixture_stem(shape)}-valid.ttl")
        typed = {cls for cls in classes
                 if any(data.triples((None, RDF.type, sub))
                        for sub in ontology.transitive_subjects(RDFS.subClassOf, cls))}
        used = {prop for prop in properties if any(data.triples((None, prop, None)))}
        if not typed and not used:
            empty.append(str(shape))
    assert not empty, f"valid fixtures with nothing to validate: {empty}"


def test_every_constraint_has_message_and_severity(shapes: Graph) -> None:
    property_shapes = set(shapes.subjects(SH.path, None))
    sparql_constraints = set(shapes.objects(None, SH.sparql))
    assert len(property_shapes) > 40 and len(sparql_constraints) == 2
    lacking = [f"{shape} ({', '.join(str(p) for p in shapes.objects(shape, SH.path))})"
               for shape in sorted(property_shapes | sparql_constraints)
               if shapes.value(shape, SH.message) is None
               or shapes.value(shape, SH.severity) is None]
    assert not lacking, "constraints without sh:message or sh:severity:\n" + "\n".join(lacking)
