"""allianceskg explain: every inferred triple of the release is justified by a named
OWL 2 RL rule whose premises lead down to asserted triples."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import RDF

from allianceskg.analysis.explain import Explanation, KnowledgeBase, explain, knowledge_base
from allianceskg.build.reasoning import tentative_triples
from allianceskg.build.release import release_graphs
from allianceskg.vocab import AKG, GRAPH, ID


@pytest.fixture(scope="module")
def kb(release_dir: Path) -> KnowledgeBase:
    return knowledge_base(release_graphs(release_dir))


def _leaves(node: Explanation) -> list[Explanation]:
    if node.status != "inferred":
        return [node]
    return [leaf for premise in node.premises for leaf in _leaves(premise)]


FACT, ASSESSED = AKG.ReportedFact, AKG.AuthorAssessment


@pytest.mark.parametrize("triple, rule, modality", [
    ((ID["japan"], AKG.isPartyTo, ID["eu-japan-competitiveness-alliance"]), "prp-inv2", FACT),
    ((ID["european-union"], AKG.partnerOf, ID["japan"]), "prp-symp", FACT),
    # the seed only assesses the contrast ("rather than decoupling"), so its mirror is tentative
    ((ID["decoupling"], AKG.contrastsWith, ID["de-risking"]), "prp-symp", ASSESSED),
    ((ID["region-eastern-asia"], AKG.locatedIn, ID["region-world"]), "prp-trp", FACT),
    ((ID["eu-japan-competitiveness-alliance"], AKG.announcedIn, ID["tokyo"]), "prp-spo2", FACT),
    ((ID["us-protectionist-subsidies"], AKG.posedBy, ID["united-states"]), "prp-spo2", FACT),
    ((ID["japan"], RDF.type, AKG.Actor), "cax-sco", FACT),
])
def test_inferences_name_their_rule(kb: KnowledgeBase, triple, rule, modality):
    explanation = explain(kb, triple)
    assert (explanation.status, explanation.rule) == ("inferred", rule)
    assert all(leaf.status == "asserted" for leaf in _leaves(explanation))
    assert explanation.modality == modality
    assert (triple in kb.inferred) == (modality == FACT)  # graph/inferred holds only established


def test_asserted_triples_carry_their_quotes(kb: KnowledgeBase):
    explanation = explain(kb, (ID["chinese-export-controls"], AKG.posedBy, ID["china"]))
    assert explanation.status == "asserted"
    assert explanation.graphs == (GRAPH["doc/000_d4fee536fbe95bae"],)
    (quote,) = explanation.quotes
    assert "Japan from Chinese export controls" in quote.exact
    assert quote.modality == AKG.ReportedFact and quote.method == AKG.Curation


def test_every_inferred_fact_about_the_alliance_is_explained(kb: KnowledgeBase):
    alliance = ID["eu-japan-competitiveness-alliance"]
    inferred = [t for t in kb.inferred.triples((alliance, None, None))]
    inferred += [t for t in kb.inferred.triples((None, None, alliance))]
    assert len(inferred) > 5
    for triple in inferred:
        explanation = explain(kb, triple)
        assert explanation.status == "inferred", triple
        assert all(leaf.status == "asserted" for leaf in _leaves(explanation)), triple


def test_a_triple_that_does_not_hold(kb: KnowledgeBase):
    assert explain(kb, (ID["japan"], AKG.partnerOf, ID["china"])).status == "unknown"



def test_every_tentative_entailment_is_explained_with_its_weak_premise(release_dir: Path,
                                                                      kb: KnowledgeBase):
    """graph/inferred-tentative: each entailment's best derivation needs a premise no
    source states as fact, and the explanation says which modality it rests on."""
    tentative = tentative_triples(release_graphs(release_dir)[GRAPH["inferred-tentative"]])
    assert tentative, "the seed's speculation gives tentative entailments"
    for triple, modality in tentative.items():
        explanation = explain(kb, triple)
        assert explanation.status == "inferred", triple
        assert explanation.modality == modality, triple
        assert any(leaf.modality == modality for leaf in _leaves(explanation)), triple
        assert triple not in kb.inferred
