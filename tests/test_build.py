"""The build and its release: byte-identical rebuilds, the committed release equal to
a fresh build, the release layout, and a failed build that names the node, shape and
quote and leaves the previous release untouched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import VOID

from allianceskg.build.pipeline import BuildError, ProjectPaths, build
from allianceskg.rdf.rdfio import read_dataset, read_graph
from allianceskg.build.release import DATASET, write_release
from allianceskg.vocab import GRAPH

from conftest import make_home

GRAPHS = {"ontology", "reference", "links", "provenance", "mentions", "inferred",
          "inferred-tentative", "doc/000_d4fee536fbe95bae"}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _without_timings(files: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(files["manifest.json"])
    assert set(manifest["timings_seconds"]) == {"model", "corpus", "nlp", "mentions", "claims",
                                                "graphs", "validate", "links", "reason"}
    manifest.pop("timings_seconds")
    return {**files, "manifest.json": json.dumps(manifest, sort_keys=True).encode()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A fresh build of the project, in a separate process with its own hash seed."""
    out = tmp_path_factory.mktemp("fresh") / "kg"
    env = dict(os.environ, PYTHONHASHSEED="1")
    env.pop("ALLIANCESKG_HOME", None)
    result = subprocess.run([sys.executable, "-m", "allianceskg", "build", "-q", "-o", str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def test_the_committed_release_equals_a_fresh_build(fresh: Path, release_dir: Path):
    committed, rebuilt = _without_timings(_files(release_dir)), _without_timings(_files(fresh))
    assert sorted(committed) == sorted(rebuilt)
    stale = [name for name in committed if committed[name] != rebuilt[name]]
    assert stale == [], f"data/kg/ is stale: run 'allianceskg build' ({stale})"


def test_a_rebuild_is_byte_identical_whatever_the_hash_seed(fresh: Path, tmp_path: Path):
    env = dict(os.environ, PYTHONHASHSEED="4242")
    env.pop("ALLIANCESKG_HOME", None)
    out = tmp_path / "kg"
    subprocess.run([sys.executable, "-m", "allianceskg", "build", "-q", "-o", str(out)],
                   check=True, capture_output=True, env=env, timeout=600)
    assert _without_timings(_files(out)) == _without_timings(_files(fresh))


def test_release_layout(fresh: Path):
    names = set(_files(fresh))
    assert {"allianceskg.trig", "void.ttl", "validation-report.ttl", "manifest.json",
            "build-report.json"} <= names
    assert {f"graphs/{g.replace('/', '-')}.ttl" for g in GRAPHS} <= names
    dataset = read_dataset(fresh / "allianceskg.trig")
    by_name = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert set(by_name) == {str(GRAPH[g]) for g in GRAPHS}
    for name in GRAPHS:
        graph = read_graph(fresh / "graphs" / f"{name.replace('/', '-')}.ttl")
        assert len(graph) == by_name[str(GRAPH[name])]
    manifest = json.loads((fresh / "manifest.json").read_text())
    assert manifest["graphs"] == by_name
    assert manifest["violations"] == 0 and manifest["documents"] == 1


def test_manifest_hashes_the_inputs(fresh: Path):
    manifest = json.loads((fresh / "manifest.json").read_text())
    root = ProjectPaths.default().root
    assert "seeds/000_d4fee536fbe95bae.txt" in manifest["inputs_sha256"]
    for name, digest in manifest["inputs_sha256"].items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest


def test_void_counts_the_release(fresh: Path):
    void = read_graph(fresh / "void.ttl")
    dataset = read_dataset(fresh / "allianceskg.trig")
    for graph in dataset.graphs():
        if len(graph):
            assert int(void.value(graph.identifier, VOID.triples)) == len(graph)
    linksets = set(void.objects(DATASET, VOID.subset)) - {g.identifier for g in dataset.graphs()}
    links = read_graph(fresh / "graphs" / "links.ttl")
    for linkset in linksets:  # one link predicate each (VoID §4.3), counted exactly
        predicate, = void.objects(linkset, VOID.linkPredicate)
        target = str(void.value(linkset, VOID.objectsTarget))
        prefix = {"http://www.wikidata.org/": "http://www.wikidata.org/entity/"}.get(target, target)
        count = len([o for o in links.objects(None, predicate) if str(o).startswith(prefix)])
        assert count > 0 and int(void.value(linkset, VOID.triples)) == count
    assert any("wikidata" in str(ls) for ls in linksets) and not any("dbpedia" in str(ls)
                                                                    for ls in linksets)


def test_no_blank_nodes_in_the_published_data(fresh: Path):
    dataset = read_dataset(fresh / "allianceskg.trig")
    for graph in dataset.graphs():
        if graph.identifier != GRAPH["ontology"]:  # OWL axioms need their anonymous lists
            assert not [t for t in graph if any(type(x).__name__ == "BNode" for x in t)]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


def _break_claims(home: Path, extra: str) -> None:
    path = home / "data" / "claims" / "000_d4fee536fbe95bae.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_a_violation_stops_the_build_and_keeps_the_release(home: Path):
    paths = ProjectPaths(home)
    write_release(build(paths), paths.release)
    before = _files(paths.release)
    _break_claims(home, "  - quote: Japan finalized a bilateral trade agreement with Washington\n"
                        "    modality: fact\n"
                        "    facts:\n"
                        "      - [Japan-United States trade agreement, status, approval]\n")
    with pytest.raises(BuildError) as caught:
        build(paths)
    message = str(caught.value)
    assert "id:japan-us-trade-agreement path akg:status" in message
    assert "AgreementShape" in message and "at most one status" in message
    assert "source: 000_d4fee536fbe95bae: “Japan finalized a bilateral trade agreement" in message
    assert _files(paths.release) == before


def test_an_inconsistency_stops_the_build_naming_the_node(home: Path):
    _break_claims(home, "  - quote: the 30th EU-Japan Summit in Tokyo\n"
                        "    modality: fact\n"
                        "    facts:\n      - [Tokyo, memberOf, G7]\n")
    with pytest.raises(BuildError) as caught:
        build(ProjectPaths(home))
    assert "contradicts the ontology" in str(caught.value)
    assert "https://w3id.org/allianceskg/id/tokyo" in str(caught.value)


def test_warnings_are_printed_and_kept(home: Path):
    path = home / "data" / "claims" / "000_d4fee536fbe95bae.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "entities:\n", "entities:\n  - id: buzzword-tech\n    type: Technology\n"
                       "    label: buzzword technology\n", 1)
    path.write_text(text, encoding="utf-8")
    paths = ProjectPaths(home)
    result = build(paths)
    write_release(result, paths.release)
    assert [w.focus_node for w in result.validation.warnings] == [
        __import__("rdflib").URIRef("https://w3id.org/allianceskg/id/buzzword-tech")]
    report = read_graph(paths.release / "validation-report.ttl")
    assert "concept scheme" in report.serialize(format="nt")
    assert json.loads((paths.release / "manifest.json").read_text())["warnings"] == 1


def test_an_interrupted_write_keeps_the_release(home: Path, monkeypatch):
    paths = ProjectPaths(home)
    result = build(paths)
    write_release(result, paths.release)
    before = _files(paths.release)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("allianceskg.build.release.build_report", fail)
    with pytest.raises(OSError, match="disk full"):
        write_release(result, paths.release)
    assert _files(paths.release) == before
    assert not [p for p in paths.release.parent.iterdir() if p.name.startswith(".kg")]


def test_graph_counts_are_consistent(fresh: Path):
    inferred = read_graph(fresh / "graphs" / "inferred.ttl")
    asserted = Graph()
    for name in GRAPHS - {"inferred", "inferred-tentative", "ontology"}:
        read_graph(fresh / "graphs" / f"{name.replace('/', '-')}.ttl", asserted)
    assert not set(inferred) & set(asserted), "graph/inferred repeats asserted triples"


def test_each_fact_is_asserted_in_one_graph_only(fresh: Path):
    """Stores that union named graphs as bags (Oxigraph, Virtuoso) would return a
    triple held by two graphs twice."""
    seen: dict = {}
    for name in GRAPHS - {"ontology"}:
        for triple in read_graph(fresh / "graphs" / f"{name.replace('/', '-')}.ttl"):
            assert triple not in seen, f"{triple} is in graph/{seen[triple]} and graph/{name}"
            seen[triple] = name


def test_a_crash_between_the_two_renames_is_recovered(tmp_path: Path):
    """Without an atomic exchange the switch is two renames; a build killed between
    them leaves no release folder. The next reader rolls back to the previous one, and
    the next build removes what killed builds left behind."""
    from allianceskg.build.release import load_release, recover_release

    project = ProjectPaths.default().release
    previous = tmp_path / ".kg.old-999999"  # a PID no process has
    shutil.copytree(project, previous)
    half_written = tmp_path / ".kg.new-999998"
    (half_written / "graphs").mkdir(parents=True)  # no manifest: incomplete
    target = tmp_path / "kg"
    assert not target.exists()
    dataset = load_release(target)  # a reader rolls back, and deletes nothing of others
    assert len(dataset) > 10_000 and (target / "manifest.json").is_file()
    assert not previous.exists() and half_written.exists()
    recover_release(target)  # the builder's clean-up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]


def test_the_switch_is_one_atomic_exchange(tmp_path: Path, monkeypatch):
    home = make_home(tmp_path / "home")
    result = build(ProjectPaths(home))
    target = tmp_path / "kg"
    write_release(result, target)
    renames = []
    original = Path.rename
    monkeypatch.setattr(Path, "rename", lambda self, new: renames.append((self, new)) or original(self, new))
    write_release(result, target)
    assert renames == []  # the exchange needs no rename (Linux renameat2)
    assert (target / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "kg"]
