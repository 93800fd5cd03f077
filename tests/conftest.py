"""Shared fixtures: the model files, and a knowledge graph assembled from the
hand-curated fixture (tests/fixtures/kg.trig) with the reference data and the
OWL 2 RL inferences, laid out in the named graphs of DESIGN.md §4."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from allianceskg.model import load_hygiene_shapes, load_ontology, load_reference, load_shapes
from allianceskg.rdfio import read_dataset
from allianceskg.reasoning import infer
from allianceskg.vocab import GRAPH

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def hygiene_shapes() -> Graph:
    return load_hygiene_shapes()


@pytest.fixture(scope="session")
def reference() -> Graph:
    return load_reference()


@pytest.fixture(scope="session")
def fixture_facts() -> Dataset:
    """The curated document and provenance graphs of the seed article."""
    return read_dataset(FIXTURES / "kg.trig")


@pytest.fixture(scope="session")
def asserted(reference: Graph, fixture_facts: Dataset) -> Graph:
    """Everything asserted: reference data, document facts and provenance, merged."""
    graph = Graph()
    for triple in reference:
        graph.add(triple)
    for s, p, o, _ in fixture_facts.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="session")
def kg(ontology: Graph, reference: Graph, fixture_facts: Dataset, asserted: Graph) -> Dataset:
    """The fixture knowledge graph as a release would hold it: one named graph per
    source plus graph/inferred; the default graph is the union of them all."""
    dataset = Dataset(default_union=True)
    _copy(ontology, dataset.graph(GRAPH["ontology"]))
    _copy(reference, dataset.graph(GRAPH["reference"]))
    for graph in fixture_facts.graphs():
        if len(graph):
            _copy(graph, dataset.graph(graph.identifier))
    _copy(infer(ontology, asserted).triples, dataset.graph(GRAPH["inferred"]))
    return dataset


def _copy(source: Graph, target: Graph) -> None:
    for triple in source:
        target.add(triple)
