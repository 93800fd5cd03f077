"""Documents nobody curated: the automatic layer alone (spaCy parse, gazetteer, dependency
constructions, clause modality)
must give a useful, valid graph for an article it has never seen — what it must find,
and what it must not invent. The two articles under tests/fixtures/articles/ were
written for this test, on alliances other than the seed's."""

from __future__ import annotations


import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from allianceskg.build.pipeline import Build, ProjectPaths, build
from allianceskg.vocab import AKG, DOC, GRAPH, ID, OA

from conftest import FIXTURES, make_home

ARTICLES = FIXTURES / "articles"
CANADA, INDIA = "canada-australia-minerals", "india-eu-tech"


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> Build:
    home = make_home(tmp_path_factory.mktemp("new") / "home",
                     [ARTICLES / f"{CANADA}.txt", ARTICLES / f"{INDIA}.md"], claims=False)
    return build(ProjectPaths(home))


def facts(result: Build, doc_id: str) -> Graph:
    return result.graphs[GRAPH[f"doc/{doc_id}"]]


def claims_for(result: Build, triple) -> list[URIRef]:
    prov = result.graphs[GRAPH["provenance"]]
    s, p, o = triple
    return [c for c in prov.subjects(RDF.subject, s)
            if (c, RDF.predicate, p) in prov and (c, RDF.object, o) in prov]


def parties(result: Build, doc_id: str, agreement: URIRef) -> set[URIRef]:
    return set(facts(result, doc_id).objects(agreement, AKG.hasParty))


def test_the_automatic_graph_conforms(result: Build):
    assert result.validation.conforms and not result.validation.violations
    assert all(not d.curated for d in result.documents)


def test_known_entities_are_found_with_their_offsets(result: Build):
    mentions = result.graphs[GRAPH["mentions"]]
    text = (ARTICLES / f"{CANADA}.txt").read_text(encoding="utf-8")
    bodies = {}
    for mention in mentions.subjects(RDF.type, AKG.Mention):
        if not str(mention).startswith(str(DOC[CANADA])):
            continue
        target = mentions.value(mention, OA.hasTarget)
        selectors = list(mentions.objects(target, OA.hasSelector))
        start = next(int(mentions.value(s, OA.start)) for s in selectors if mentions.value(s, OA.start) is not None)
        exact = next(str(mentions.value(s, OA.exact)) for s in selectors if mentions.value(s, OA.exact) is not None)
        assert text[start:start + len(exact)] == exact
        bodies.setdefault(exact, set()).add(mentions.value(mention, OA.hasBody))
    assert bodies["Canada"] == {ID["canada"]} and bodies["Australia"] == {ID["australia"]}
    assert bodies["rare earths"] == {ID["rare-earths"]}
    assert bodies["Beijing"] == {ID["china"]}            # metonym
    assert bodies["Ottawa"] == {ID["ottawa"], ID["canada"]}  # venue once, metonym once
    assert bodies["G7"] == {ID["g7"]}


def test_a_new_agreement_with_the_right_parties(result: Build):
    agreement = ID["canada-australia-critical-minerals-partnership"]
    graph = facts(result, CANADA)
    # a "partnership" is typed no more specifically than its words support
    assert (agreement, RDF.type, AKG.Agreement) in graph
    assert (agreement, RDF.type, AKG.Alliance) not in graph
    assert (agreement, RDFS.label, Literal("Canada–Australia critical minerals partnership", lang="en")) in graph
    assert parties(result, CANADA, agreement) == {ID["canada"], ID["australia"]}
    assert (agreement, AKG.status, AKG.Concluded) in graph
    (claim,) = claims_for(result, (agreement, AKG.hasParty, ID["canada"]))
    prov = result.graphs[GRAPH["provenance"]]
    assert prov.value(claim, AKG.extractionMethod) == ID["rule/agreement"]
    assert (agreement, AKG.mintedBy, ID["rule/agreement"]) in graph
    assert prov.value(claim, AKG.modality) == AKG.ReportedFact


def test_who_imposes_what_on_whom_through_a_metonym(result: Build):
    risk = ID["china-export-controls-on-japan"]
    graph = facts(result, CANADA)
    assert (risk, RDF.type, AKG.ExportControls) in graph
    assert (risk, AKG.imposedBy, ID["china"]) in graph and (risk, AKG.imposedOn, ID["japan"]) in graph
    inferred = result.graphs[GRAPH["inferred"]]  # imposedBy ⊑ posedBy, imposedOn ⊑ facedBy
    assert (risk, AKG.posedBy, ID["china"]) in inferred and (risk, AKG.facedBy, ID["japan"]) in inferred


def test_membership(result: Build):
    assert (ID["canada"], AKG.memberOf, ID["g7"]) in facts(result, CANADA)
    assert (ID["australia"], AKG.memberOf, ID["oecd"]) in facts(result, CANADA)
    assert (ID["germany"], AKG.memberOf, ID["european-union"]) in facts(result, INDIA)


def test_hedges_make_speculation(result: Build):
    agreement = ID["vietnam-indonesia-maritime-security-framework"]
    graph = facts(result, INDIA)
    assert parties(result, INDIA, agreement) == {ID["vietnam"], ID["indonesia"]}
    assert (agreement, AKG.status, AKG.Speculative) in graph
    prov = result.graphs[GRAPH["provenance"]]
    for claim in claims_for(result, (agreement, AKG.hasParty, ID["vietnam"])):
        assert prov.value(claim, AKG.modality) == AKG.Speculation


def test_crisis_and_tariffs_in_markdown(result: Build):
    graph = facts(result, INDIA)
    exposed = [r for r in graph.subjects(AKG.exposedBy, ID["covid-19-pandemic"])]
    assert len(exposed) == 1 and (exposed[0], AKG.facedBy, ID["india"]) in graph
    prov = result.graphs[GRAPH["provenance"]]
    (claim,) = claims_for(result, (exposed[0], AKG.facedBy, ID["india"]))
    assert prov.value(claim, AKG.modality) == AKG.AuthorAssessment  # "Observers argue …"
    assert str(prov.value(claim, AKG.attributedTo)) == "Observers"
    tariffs = ID["united-states-tariffs-on-india"]
    assert (tariffs, RDF.type, AKG.Tariff) in graph
    assert (tariffs, AKG.imposedBy, ID["united-states"]) in graph
    assert (tariffs, AKG.imposedOn, ID["india"]) in graph


def test_nothing_is_invented(result: Build):
    canada = facts(result, CANADA)
    agreements = set(canada.subjects(AKG.hasParty, None))
    assert agreements == {ID["canada-australia-critical-minerals-partnership"]}
    for actor in ("mexico", "brazil", "united-kingdom"):  # talks, or a hedged "may join"
        assert not list(canada.subjects(None, ID[actor])) and not list(canada.triples((ID[actor], None, None)))
    india = facts(result, INDIA)
    assert set(india.subjects(AKG.hasParty, None)) == {
        ID["vietnam-indonesia-maritime-security-framework"]}
    assert not list(india.triples((None, AKG.partnerOf, ID["japan"])))  # "partners in … Tokyo"


def test_every_fact_has_a_rule_claim_in_its_sentence(result: Build):
    prov = result.graphs[GRAPH["provenance"]]
    for doc_id in (CANADA, INDIA):
        for triple in facts(result, doc_id):
            if triple[1] in (RDFS.label, AKG.mintedBy):
                continue
            if triple[1] == RDF.type:  # a minted node says which construction minted it
                assert (triple[0], AKG.mintedBy, None) in facts(result, doc_id), triple
                continue
            found = claims_for(result, triple)
            assert found, triple
            assert all(str(prov.value(c, AKG.extractionMethod)).startswith(str(ID["rule/"]))
                       for c in found)


def test_unknown_names_are_reported_as_candidates(result: Build):
    by_doc = {d.doc_id: {c.surface: c.kind for c in d.candidates} for d in result.documents}
    assert by_doc[INDIA].get("Trade and Technology Council") == "organisation"
    named = list(by_doc[INDIA]) + list(by_doc[CANADA])
    assert set(by_doc[INDIA].values()) | set(by_doc[CANADA].values()) <= {
        "organisation", "place", "law", "event", "person", "nationality"}
    for name in named:
        assert not list(result.graphs[GRAPH["reference"]].subjects(RDFS.label, Literal(name, lang="en")))
    for candidates in by_doc.values():  # no months, no names joined by "and"
        assert not any(name.split()[0] in ("January", "March", "May") for name in candidates)
        assert "Arizona and Samsung" not in candidates


def _single(tmp_path, name: str, text: str, language: str = "en"):
    source = tmp_path / "in"
    source.mkdir()
    (source / f"{name}.txt").write_text(text, encoding="utf-8")
    (source / f"{name}.meta.yaml").write_text(f"title: t\nlanguage: {language}\ndocument_type: news\n")
    return make_home(tmp_path / "home", [source / f"{name}.txt"], claims=False)


def test_an_unsupported_language_is_a_warning_not_a_guess(tmp_path):
    home = _single(tmp_path, "de", "Deutschland und Frankreich unterzeichneten ein Abkommen.\n", "de")
    (report,) = build(ProjectPaths(home)).documents
    assert any("'de' is not supported" in w and "supported: en" in w for w in report.warnings)
    assert report.claims_by_method == {}


def test_a_document_above_the_size_limit_is_refused_with_the_setting(tmp_path):
    from allianceskg.build.pipeline import BuildError

    home = _single(tmp_path, "big", "The EU and Japan met. " * 200)
    with pytest.raises(BuildError) as failed:
        build(ProjectPaths(home), max_document_chars=1_000)
    assert "big.txt" in failed.value.message and "1,000" in failed.value.message
    assert "ALLIANCESKG_MAX_DOCUMENT_CHARS" in failed.value.hint


def test_a_speculation_stays_tentative_through_reasoning(result: Build):
    """A hedged hasParty is asserted with its speculative claim, but its inverse
    isPartyTo is no plain triple anywhere: it is described in graph/inferred-tentative
    with the modality it rests on, while a reported agreement's inverse is established."""
    from allianceskg.build.reasoning import tentative_triples

    framework = ID["vietnam-indonesia-maritime-security-framework"]
    inverse = (ID["vietnam"], AKG.isPartyTo, framework)
    assert (framework, AKG.hasParty, ID["vietnam"]) in facts(result, INDIA)
    assert all(inverse not in g for n, g in result.graphs.items() if n != GRAPH["inferred-tentative"])
    tentative = tentative_triples(result.graphs[GRAPH["inferred-tentative"]])
    assert tentative[inverse] == AKG.Speculation
    established = (ID["canada"], AKG.isPartyTo, ID["canada-australia-critical-minerals-partnership"])
    assert established in result.graphs[GRAPH["inferred"]] and established not in tentative


def test_an_attributed_claim_gives_assessed_entailments(result: Build):
    from allianceskg.build.reasoning import tentative_triples

    tentative = tentative_triples(result.graphs[GRAPH["inferred-tentative"]])
    dependency = ID["india-dependency-on-imported-active-pharmaceutical-ingredients"]
    assessed = {t for t, m in tentative.items() if m == AKG.AuthorAssessment}
    assert any(dependency in (s, o) for s, _, o in assessed)
    assert not any(dependency in (s, o) for s, _, o in result.graphs[GRAPH["inferred"]]
                   if _ != RDF.type)


def test_a_proposal_the_shapes_refuse_is_dropped_and_reported_not_fatal(tmp_path):
    """An agreement the layer found only one party of breaks AgreementShape: its
    claims are dropped from the release and listed, and the build goes on."""
    home = _single(tmp_path, "one-party", "Monaco and Côte d’Ivoire launched a partnership on "
                                          "clean energy at a summit in Phnom Penh.\n")
    result = build(ProjectPaths(home))
    (report,) = result.documents
    assert any("at least two parties" in line for line in report.dropped), report.dropped
    assert result.validation.conforms
