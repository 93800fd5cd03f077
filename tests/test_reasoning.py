"""The reasoning filter keeps every real entailment: a second OWL 2 RL reasoner
(``reasonable``, written in Rust) run over the same asserted graphs derives nothing
about the project's entities and individuals that the release lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from allianceskg.build.reasoning import tentative_triples
from allianceskg.build.release import release_graphs
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


def test_reasoning_equals_owlrl_over_everything(tmp_path: Path):
    """The build closes facts, model and provenance with the direct rule engine; its
    established and tentative entailments equal owlrl's over everything at once."""
    from allianceskg.build.pipeline import ProjectPaths, build
    from allianceskg.build.reasoning import owlrl_infer

    from conftest import FIXTURES, make_home

    seed = ProjectPaths.default().seeds / "000_d4fee536fbe95bae.txt"
    home = make_home(tmp_path / "home", [seed, FIXTURES / "articles" / "india-eu-tech.md"])
    result = build(ProjectPaths(home))
    skip = {GRAPH["ontology"], GRAPH["mentions"], GRAPH["links"], GRAPH["inferred"],
            GRAPH["inferred-tentative"]}
    everything = Graph()
    for name, graph in result.graphs.items():
        if name not in skip:
            for triple in graph:
                everything.add(triple)
    tentative = Graph()  # the premises no source states as fact, as the build sets them apart
    provenance = result.graphs[GRAPH["provenance"]]
    claimed = {}
    for claim in provenance.subjects(RDF.type, AKG.Claim):
        triple = (provenance.value(claim, RDF.subject), provenance.value(claim, RDF.predicate),
                  provenance.value(claim, RDF.object))
        claimed.setdefault(triple, set()).add(provenance.value(claim, AKG.modality))
    for triple, modalities in claimed.items():
        if AKG.ReportedFact not in modalities and triple not in result.graphs[GRAPH["reference"]]:
            tentative.add(triple)
    expected = owlrl_infer(result.graphs[GRAPH["ontology"]], everything - tentative, tentative)
    assert set(result.graphs[GRAPH["inferred"]]) == set(expected.triples)
    ours = tentative_triples(result.graphs[GRAPH["inferred-tentative"]])
    assert set(ours) == set(expected.tentative)  # the tentative entailments too


def test_the_rule_closure_matches_owlrl_on_provenance(release_dir: Path):
    from allianceskg.build.reasoning import owlrl_infer, rule_closure

    graphs = release_graphs(release_dir)
    ontology, provenance = graphs[GRAPH["ontology"]], graphs[GRAPH["provenance"]]
    about_data = lambda t: (t[0], None, None) not in ontology  # noqa: E731 (not the ontology's own)
    ours = set(filter(about_data, rule_closure(ontology, provenance)))
    theirs = set(filter(about_data, owlrl_infer(ontology, provenance).triples))
    assert ours == theirs and len(ours) > 100



def test_the_rule_engine_equals_owlrl_on_a_synthetic_corpus(tmp_path: Path):
    """Agreements, measures, stances and memberships of synthetic articles: the same
    entailments and the same verdict on consistency from both reasoners."""
    import importlib.util
    import sys

    from allianceskg.model.load import load_ontology
    from allianceskg.build.pipeline import ProjectPaths, build
    from allianceskg.build.reasoning import infer, owlrl_infer

    from conftest import make_home

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("synthetic_for_reasoning", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    home = make_home(tmp_path / "home", module.write_corpus(3, tmp_path / "c", seed=3),
                     claims=False)
    result = build(ProjectPaths(home))
    data = Graph()
    for name, graph in result.graphs.items():
        if name not in (GRAPH["ontology"], GRAPH["mentions"], GRAPH["links"], GRAPH["inferred"],
                        GRAPH["inferred-tentative"]):
            for triple in graph:
                data.add(triple)
    ontology = load_ontology()
    ours, theirs = infer(ontology, data), owlrl_infer(ontology, data)
    assert set(ours.triples) == set(theirs.triples)
    assert ours.consistent == theirs.consistent
