"""The build at scale: shapes validated per document (in parallel, cached by content)
and across documents give the same results as all shapes over everything; the cache
and the executors (serial, local processes) never change a result."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
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
    graph += triples
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


def _same_release(home: Path, tmp_path: Path) -> None:
    """The release at ``home`` is the one a full build of its corpus from empty caches
    writes, byte for byte (the manifest's timings aside)."""
    from conftest import run_cli

    fresh = tmp_path / "fresh"
    shutil.copytree(home, fresh, ignore=shutil.ignore_patterns("kg", "cache", "oxigraph"))
    assert run_cli("build", "-q", "--store", "memory", home=fresh).returncode == 0
    ours = sorted(p.relative_to(home / "data" / "kg")
                  for p in (home / "data" / "kg").rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(fresh / "data" / "kg")
                    for p in (fresh / "data" / "kg").rglob("*") if p.is_file())
    assert ours == theirs
    for relative in ours:
        if relative.name != "manifest.json":
            assert (fresh / "data" / "kg" / relative).read_bytes() == \
                (home / "data" / "kg" / relative).read_bytes(), relative
    manifests = [json.loads((h / "data" / "kg" / "manifest.json").read_text()) for h in (home, fresh)]
    for manifest in manifests:
        del manifest["timings_seconds"]
    assert manifests[0] == manifests[1]


@pytest.mark.parametrize("name", ["canada-australia-minerals.txt",  # between two documents
                                  "zz-minerals.txt"])                 # after every document
def test_an_incremental_ingest_equals_a_full_rebuild_from_cold(tmp_path: Path, name: str):
    """Incremental add (issue 9 §3): ingest continues from the last build's state —
    only the new document is parsed, read and validated, its facts closed against the
    previous closure, its blocks spliced into the previous release — and writes the
    release a full build of the same corpus from empty caches writes, byte for byte."""
    from conftest import run_cli

    project = ProjectPaths.default().root
    articles = FIXTURES / "articles"
    home = make_home(tmp_path / "home", [*sorted((project / "seeds").glob("000_*.txt")),
                                         articles / "india-eu-tech.md"])
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    assert (home / "data" / "cache" / "release-state.pickle").is_file()
    entries = {p.name for p in (home / "data" / "cache").rglob("*") if p.is_file()}
    article = tmp_path / name
    shutil.copy(articles / "canada-australia-minerals.txt", article)
    result = run_cli("ingest", str(article), "--title", "Minerals", home=home)
    assert result.returncode == 0, result.stderr
    assert "incrementally" in result.stdout and "a full build" not in result.stderr
    new = {p.name for p in (home / "data" / "cache").rglob("*") if p.is_file()} - entries
    assert len([n for n in new if n.endswith(".spacy")]) == 1  # only the new document parsed
    assert len([n for n in new if n.endswith(".json")]) == 1   # and validated
    _same_release(home, tmp_path)


def test_ingests_continue_from_the_state_an_ingest_leaves(tmp_path: Path):
    """Two incremental adds in a row (the second reads the state the first wrote), then
    a third after the state is removed, which builds in full and says why."""
    from conftest import run_cli

    project = ProjectPaths.default().root
    articles = FIXTURES / "articles"
    home = make_home(tmp_path / "home", sorted((project / "seeds").glob("000_*.txt")))
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    for name in ("india-eu-tech.md", "canada-australia-minerals.txt"):
        result = run_cli("ingest", str(articles / name), "--title", name, home=home)
        assert result.returncode == 0, result.stderr
        assert "incrementally" in result.stdout, result.stderr
    _same_release(home, tmp_path)
    (home / "data" / "cache" / "release-state.pickle").unlink()
    extra = tmp_path / "zz-again.txt"
    extra.write_text("Japan and Australia signed a hydrogen supply agreement in Tokyo.\n",
                     encoding="utf-8")
    result = run_cli("ingest", str(extra), "--title", "Hydrogen", home=home)
    assert result.returncode == 0, result.stderr
    assert "… a full build: the release has no state from its build" in result.stderr
    assert "incrementally" not in result.stdout


def test_an_ingest_after_an_input_changed_builds_in_full(tmp_path: Path):
    """The state describes the release it was saved with: an input edited since (here
    the reference data) makes the ingest a full build, which says so."""
    from conftest import run_cli

    project = ProjectPaths.default().root
    home = make_home(tmp_path / "home", sorted((project / "seeds").glob("000_*.txt")))
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    reference = sorted((home / "data" / "reference").glob("*.ttl"))[0]
    reference.write_text(reference.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    result = run_cli("ingest", str(FIXTURES / "articles" / "india-eu-tech.md"), "--title", "T",
                     home=home)
    assert result.returncode == 0, result.stderr
    assert "… a full build: inputs changed since the last build: data/reference/" in result.stderr
    _same_release(home, tmp_path)


def _synthetic():
    spec = importlib.util.spec_from_file_location(
        "synthetic_corpus", Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["aaa-new.txt", "zzz-new.txt"])
def test_an_incremental_ingest_replays_the_drop_rounds(tmp_path: Path, name: str):
    """Synthetic articles propose what the shapes that span documents refuse (an
    agreement with one party, a summit with two venues): the build drops it, in rounds.
    An ingest replays those rounds with the new document's proposals, validating only
    the nodes they touch, and still writes the release a full build writes."""
    from conftest import run_cli

    synthetic = _synthetic()
    home = make_home(tmp_path / "home", [], claims=False)
    for path in synthetic.write_corpus(12, tmp_path / "corpus", seed=11):
        for file in (path, path.with_name(path.stem + ".meta.yaml")):
            shutil.copy(file, home / "seeds" / file.name)
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    report = json.loads((home / "data" / "kg" / "build-report.json").read_text())
    assert any(d["dropped"] for d in report["documents"].values())  # the case this is about
    article = synthetic.write_corpus(1, tmp_path / "new", seed=99)[0]
    shutil.copy(article, tmp_path / name)
    result = run_cli("ingest", str(tmp_path / name), "--title", "New", home=home)
    assert result.returncode == 0, result.stderr
    assert "incrementally" in result.stdout, result.stderr
    report = json.loads((home / "data" / "kg" / "build-report.json").read_text())
    assert report["documents"][Path(name).stem]["dropped"]
    _same_release(home, tmp_path)


def test_the_minting_check_refuses_what_a_later_document_minted_first_in_other_words():
    """A node first proposed by a document the new one precedes takes the new one's
    words in a full build (even if its proposal was never stated): the incremental
    add must refuse unless the words are the same; a node that needs a suffix which
    depends on the order of documents is refused too."""
    from types import SimpleNamespace

    from allianceskg.build.incremental.add import _check_minting
    from allianceskg.build.incremental.rounds import NotIncremental
    from allianceskg.reading.entities import Minted
    from allianceskg.vocab import ID

    quad = ID["the-quad"]
    theirs = Minted(quad, AKG.Agreement, "The Quad", "membership")
    state = SimpleNamespace(doc_ids=("a", "c"), minted_by={"a": {}, "c": {quad: theirs}})
    ours = Minted(quad, AKG.Agreement, "Quad", "membership")
    with pytest.raises(NotIncremental, match="first minted by c"):
        _check_minting({quad: ours}, {quad: theirs}, state, later={"c"})
    _check_minting({quad: ours}, {quad: theirs}, state, later=set())  # after c: as a full build
    _check_minting({quad: theirs}, {quad: theirs}, state, later={"c"})  # the same words
    suffixed = ID["quad-agreement"]
    with pytest.raises(NotIncremental, match="suffix"):
        _check_minting({suffixed: Minted(suffixed, AKG.Agreement, "Quad", "x")}, {}, state,
                       later=set())


def test_shapes_that_read_beyond_a_node_are_validated_whole():
    """The incremental drop rounds rely on shapes that read a focus node's own triples,
    those pointing to it along an inverse path, and its values' types; a sequence path
    or a class constraint on an inverse path reads further, so every round then
    validates the whole union."""
    from allianceskg.build.incremental.rounds import inverse_predicates

    _, corpus = split_shapes(load_shapes(ProjectPaths.default().shapes))
    assert inverse_predicates(corpus) == {AKG.hasPillar}
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix akg: <%s> .\n" % AKG._NS
    for shape in ("[ sh:path ( akg:hasParty akg:memberOf ) ; sh:minCount 1 ]",
                  "[ sh:path [ sh:inversePath akg:hasParty ] ; sh:class akg:Actor ]"):
        graph = Graph().parse(data=prefixes + f"akg:S sh:targetClass akg:Agreement ; "
                                              f"sh:property {shape} .", format="turtle")
        assert inverse_predicates(graph) is None, shape
