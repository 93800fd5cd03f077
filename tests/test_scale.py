"""The build at scale: shapes validated per document (in parallel, cached by content)
and across documents give the same results as all shapes over everything; the cache
and the executors (serial, local processes) never change a result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

import allianceskg.build.pipeline as pipeline
from allianceskg.build.mapreduce import Executor, run_map
from allianceskg.model.load import load_ontology, load_shapes
from allianceskg.build.pipeline import ProjectPaths
from allianceskg.reading.layer import constructions_graph
from allianceskg.build.validation import split_shapes, validate, validate_documents
from allianceskg.rdf.serialize import ntriples, turtle
from allianceskg.vocab import AKG, OA, PREFIXES

from conftest import FIXTURES, make_home


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """The per-document graphs and context the build validates, captured as the build
    hands them over (the seed corpus and two fixture articles read automatically)."""
    project = ProjectPaths.default().root
    articles = FIXTURES / "articles"
    home = make_home(tmp_path_factory.mktemp("scale") / "home", [
        *sorted((project / "seeds").glob("000_*.txt")),
        articles / "canada-australia-minerals.txt", articles / "india-eu-tech.md"])
    seen = {}
    original = pipeline.validate_documents

    def spy(documents, context, cache):
        seen["documents"], seen["context"] = documents, context
        return original(documents, context, cache)

    pipeline.validate_documents = spy
    try:
        result = pipeline.build(ProjectPaths(home))
    finally:
        pipeline.validate_documents = original
    return home, result, seen["documents"], seen["context"]


def _key(result) -> tuple:
    return (result.severity, str(result.focus_node), str(result.path), str(result.value),
            str(result.source_shape))


def _broken(graphs: tuple[Graph, ...]) -> tuple[Graph, ...]:
    """A copy of a document's graphs with one evidence quote changed and one claim
    without its modality: two document-scoped violations."""
    copies = tuple(_graph(g) for g in graphs)
    provenance = copies[1]
    selector = next(provenance.subjects(OA.exact, None))
    provenance.set((selector, OA.exact, Literal("words the document does not have")))
    claim = next(provenance.subjects(RDF.type, AKG.Claim))
    provenance.remove((claim, AKG.modality, None))
    return copies


def _graph(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_per_document_and_cross_document_shapes_equal_all_shapes_over_everything(captured):
    home, _, documents, _ = captured
    ontology, shapes = load_ontology(home / "ontology" / "allianceskg.ttl"), load_shapes(
        home / "ontology" / "shapes.ttl")
    document_shapes, corpus_shapes = split_shapes(shapes)
    graphs = _broken(documents[0][1])
    everything = Graph()
    for g in (*graphs, constructions_graph()):
        everything += g
    whole = {_key(r) for r in validate(everything, shapes, ontology).results}
    split = {_key(r) for r in validate(Graph() + everything, document_shapes, ontology).results}
    split |= {_key(r) for r in validate(graphs[0], corpus_shapes, ontology).results}
    assert whole == split and len([k for k in whole if k[0] == "Violation"]) >= 2


def test_the_cache_and_the_executors_never_change_a_result(captured, tmp_path: Path):
    _, _, documents, context = captured
    assert len(documents) >= 3
    broken = _broken(documents[0][1])

    items = [(ntriples(broken), broken), *documents[1:]]
    cache = tmp_path / "cache"
    cold = validate_documents(items, context, cache)
    assert len(list(cache.glob("*.json"))) == len(items)
    warm = validate_documents(items, context, cache)
    uncached = validate_documents(items, context, None)
    assert [_key(r) for r in cold.results] == [_key(r) for r in warm.results] == \
        [_key(r) for r in uncached.results]
    assert {r.source_shape.rsplit("#", 1)[-1] for r in cold.violations} >= {
        "EvidenceQuoteShape", "ClaimShape"}
    entry = json.loads(next(cache.glob("*.json")).read_text())
    assert isinstance(entry, list)


def test_maps_give_the_same_results_in_order_serially_and_over_processes():
    items = list(range(40))
    serial = run_map(_square_plus, items, 3, executor=Executor("serial"))
    local = run_map(_square_plus, items, 3, executor=Executor("local", workers=2))
    assert serial == local == [i * i + 3 for i in items]


def _square_plus(item: int, shared: int) -> int:
    return item * item + shared


def test_a_bad_executor_is_a_clear_error(monkeypatch):
    from allianceskg.errors import AllianceskgError

    monkeypatch.setenv("ALLIANCESKG_EXECUTOR", "cluster-please")
    with pytest.raises(AllianceskgError, match="dask:ADDRESS"):
        Executor.from_environment()


def test_a_rebuild_from_the_caches_and_a_serial_build_without_them_are_the_same(
        captured, monkeypatch):
    home, first, _, _ = captured
    assert list((home / "data" / "cache" / "nlp").glob("*.spacy"))  # the parses were kept
    assert list((home / "data" / "cache" / "shacl").glob("*.json"))
    warm = pipeline.build(ProjectPaths(home))
    monkeypatch.setenv("ALLIANCESKG_EXECUTOR", "serial")
    monkeypatch.setattr(ProjectPaths, "cache", property(lambda self: None))
    serial = pipeline.build(ProjectPaths(home))
    for other in (warm, serial):
        assert set(other.graphs) == set(first.graphs)
        for name, graph in first.graphs.items():  # canonical text: blank nodes compare too
            assert turtle(other.graphs[name], PREFIXES) == turtle(graph, PREFIXES), name
        assert [r.describe() for r in other.validation.results] == \
            [r.describe() for r in first.validation.results]
        assert [d.dropped for d in other.documents] == [d.dropped for d in first.documents]


def test_the_map_on_a_dask_cluster_gives_the_same_release(captured, tmp_path: Path):
    """The per-document stages (parsing, document-scoped SHACL) on a real Dask
    cluster the test starts (a scheduler and two worker processes on loopback): the
    release equals the local build's, byte for byte (but the manifest's timings)."""
    distributed = pytest.importorskip("distributed")
    from conftest import run_cli

    home = captured[0]
    local = run_cli("build", "-q", "-o", str(tmp_path / "local"), "--store", "memory", home=home)
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        import os
        import shutil

        shutil.rmtree(home / "data" / "cache", ignore_errors=True)  # nothing from the local run
        os.environ["ALLIANCESKG_EXECUTOR"] = f"dask:{cluster.scheduler_address}"
        try:
            remote = run_cli("build", "-q", "-o", str(tmp_path / "dask"), "--store", "memory",
                             home=home)
        finally:
            del os.environ["ALLIANCESKG_EXECUTOR"]
        assert remote.returncode == 0, remote.stderr
        with distributed.Client(cluster) as client:  # the workers did the work
            assert any(client.run(lambda: __import__("sys").modules.get("spacy") is not None)
                       .values())
    for path in sorted((tmp_path / "local").rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            twin = tmp_path / "dask" / path.relative_to(tmp_path / "local")
            assert twin.read_bytes() == path.read_bytes(), path.name


def test_a_chunk_of_documents_gives_each_the_results_it_gets_alone(captured):
    from allianceskg.build.validation import result_from_json, validate_chunk

    _, _, documents, context = captured
    graphs = [_broken(documents[0][1]), *(d[1] for d in documents[1:])]
    together = validate_chunk(graphs, context)
    alone = [validate_chunk([g], context)[0] for g in graphs]
    assert len(together) == len(graphs)
    for mine, single in zip(together, alone):
        assert sorted(map(_key, map(result_from_json, mine))) == \
            sorted(map(_key, map(result_from_json, single)))
    assert together[0] and not any(together[1:])  # the broken document's, and only its
    texts = [ntriples(g) for g in graphs]  # as Dask workers get them: N-Triples
    assert [sorted(map(_key, map(result_from_json, r))) for r in validate_chunk(texts, context)] \
        == [sorted(map(_key, map(result_from_json, r))) for r in together]


def test_an_ingest_from_warm_caches_equals_a_full_rebuild_from_cold(tmp_path: Path):
    """Incremental add: ingest reads every earlier document from the caches (parse,
    document-scoped SHACL) and processes only the new one; its release is the one a
    full build of the same corpus from empty caches writes, byte for byte."""
    from conftest import run_cli

    project = ProjectPaths.default().root
    articles = FIXTURES / "articles"
    home = make_home(tmp_path / "home", [*sorted((project / "seeds").glob("000_*.txt")),
                                         articles / "india-eu-tech.md"])
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    entries = {p.name for p in (home / "data" / "cache").rglob("*") if p.is_file()}
    result = run_cli("ingest", str(articles / "canada-australia-minerals.txt"), "--title",
                     "Minerals", home=home)
    assert result.returncode == 0, result.stderr
    new = {p.name for p in (home / "data" / "cache").rglob("*") if p.is_file()} - entries
    assert len([n for n in new if n.endswith(".spacy")]) == 1  # only the new document parsed
    assert len([n for n in new if n.endswith(".json")]) == 1   # and validated
    fresh = tmp_path / "fresh"
    shutil.copytree(home, fresh, ignore=shutil.ignore_patterns("kg", "cache", "oxigraph"))
    assert run_cli("build", "-q", "--store", "memory", home=fresh).returncode == 0
    for path in sorted((home / "data" / "kg").rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            twin = fresh / "data" / "kg" / path.relative_to(home / "data" / "kg")
            assert twin.read_bytes() == path.read_bytes(), path.name
