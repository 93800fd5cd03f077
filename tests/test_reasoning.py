"""The reasoning filter keeps every real entailment: a second OWL 2 RL reasoner
(``reasonable``, written in Rust) run over the same asserted graphs derives nothing
about the project's entities and individuals that the release lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from allianceskg.reasoning import tentative_triples
from allianceskg.release import release_graphs
from allianceskg.vocab import AKG, GRAPH, ID

_SCHEMA = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
           OWL.sameAs, RDFS.domain, RDFS.range, OWL.inverseOf}


def test_a_second_reasoner_finds_no_entailment_we_drop(release_dir: Path):
    reasonable = pytest.importorskip("reasonable")
    graphs = release_graphs(release_dir)
    asserted = Graph()
    for name, graph in graphs.items():
        if name not in (GRAPH["inferred"], GRAPH["inferred-tentative"], GRAPH["mentions"],
                        GRAPH["links"]):
            for triple in graph:
                asserted.add(triple)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(asserted)
    theirs = set(reasoner.reason())
    ontology = graphs[GRAPH["ontology"]]
    individuals = set(ontology.subjects(RDF.type, OWL.NamedIndividual))
    ours = set(asserted) | set(graphs[GRAPH["inferred"]]) | \
        set(tentative_triples(graphs[GRAPH["inferred-tentative"]]))
    missing = [
        (s, p, o) for s, p, o in theirs
        if (str(s).startswith(str(ID)) or s in individuals) and isinstance(o, URIRef)
        and p not in _SCHEMA and o not in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual)
        and (s, p, o) not in ours]
    assert missing == []
    assert (AKG.Launched, RDF.type, SKOS.Concept) in ours  # an individual's entailed type
