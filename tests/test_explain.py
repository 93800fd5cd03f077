"""allianceskg explain: every inferred triple of the release is justified by a named
OWL 2 RL rule whose premises lead down to asserted triples."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import RDF

from allianceskg.explain import Explanation, KnowledgeBase, explain
from allianceskg.release import release_graphs
from allianceskg.vocab import AKG, GRAPH, ID


@pytest.fixture(scope="module")
def kb(release_dir: Path) -> KnowledgeBase:
    graphs = release_graphs(release_dir)
    return KnowledgeBase(
        asserted={n: g for n, g in graphs.items() if n not in (GRAPH["inferred"], GRAPH["ontology"])},
        inferred=graphs[GRAPH["inferred"]], ontology=graphs[GRAPH["ontology"]],
        provenance=graphs[GRAPH["provenance"]])


def _leaves(node: Explanation) -> list[Explanation]:
    if node.status != "inferred":
        return [node]
    return [leaf for premise in node.premises for leaf in _leaves(premise)]


@pytest.mark.parametrize("triple, rule", [
    ((ID["japan"], AKG.isPartyTo, ID["eu-japan-competitiveness-alliance"]), "prp-inv2"),
    ((ID["european-union"], AKG.partnerOf, ID["japan"]), "prp-symp"),
    ((ID["decoupling"], AKG.contrastsWith, ID["de-risking"]), "prp-symp"),
    ((ID["region-eastern-asia"], AKG.locatedIn, ID["region-world"]), "prp-trp"),
    ((ID["eu-japan-competitiveness-alliance"], AKG.announcedIn, ID["tokyo"]), "prp-spo2"),
    ((ID["us-protectionist-subsidies"], AKG.posedBy, ID["united-states"]), "prp-spo2"),
    ((ID["japan"], RDF.type, AKG.Actor), "cax-sco"),
])
def test_inferences_name_their_rule(kb: KnowledgeBase, triple, rule):
    explanation = explain(kb, triple)
    assert (explanation.status, explanation.rule) == ("inferred", rule)
    assert all(leaf.status == "asserted" for leaf in _leaves(explanation))


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
