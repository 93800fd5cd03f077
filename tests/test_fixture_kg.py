"""The hand-curated fixture is itself valid: it conforms to the shapes and is
consistent with the ontology, so query tests run on data the model accepts."""

from rdflib import Dataset, Graph

from allianceskg.reasoning import infer
from allianceskg.validation import validate
from allianceskg.vocab import GRAPH


def test_fixture_conforms_to_the_shapes(asserted: Graph, shapes: Graph, ontology: Graph):
    report = validate(asserted, shapes, ontology)
    assert report.conforms, "\n".join(r.describe(asserted) for r in report.violations)


def test_fixture_is_consistent_with_the_ontology(asserted: Graph, ontology: Graph):
    assert infer(ontology, asserted).inconsistencies == ()


def test_fixture_keeps_facts_and_provenance_apart(fixture_facts: Dataset):
    names = {str(g.identifier) for g in fixture_facts.graphs() if len(g)}
    assert names == {str(GRAPH["doc/000_d4fee536fbe95bae"]), str(GRAPH["provenance"])}
