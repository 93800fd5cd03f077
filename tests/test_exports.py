"""Exports any tool loads the same way: every format `allianceskg export` writes is
read back by independent parsers — rapper (Raptor, Debian raptor2-utils), serdi
(Serd, Debian serdi) and pyoxigraph — and gives a dataset isomorphic to the release.
A parser that is not installed skips its cases; .ci/run installs them."""

from __future__ import annotations

import shutil
import subprocess
import pyoxigraph
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from allianceskg.build.release import release_graphs
from allianceskg.vocab import GRAPH, ID
from conftest import run_cli

# format → (rapper's name, serdi's name, pyoxigraph's format); None: that parser cannot
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "xml": "rdfxml", "trig": "trig",
          "nquads": "nquads"}
SERDI = {"turtle": "turtle", "ntriples": "ntriples", "trig": "trig", "nquads": "nquads"}
OXIGRAPH = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
            "xml": pyoxigraph.RdfFormat.RDF_XML, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
            "trig": pyoxigraph.RdfFormat.TRIG, "nquads": pyoxigraph.RdfFormat.N_QUADS}
DATASETS = ("trig", "nquads")
BASE = "https://w3id.org/allianceskg/"


@pytest.fixture(scope="module")
def graphs(release_dir):
    return release_graphs(release_dir)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every export, written once by the CLI: the whole release in each format, one
    document's graph, and one entity's description."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in ("turtle", "ntriples", "xml", "jsonld", "trig", "nquads"):
        target = folder / f"all.{fmt}"
        done = run_cli("export", "--format", fmt, "-o", str(target))
        assert done.returncode == 0, done.stderr
        files[("all", fmt)] = target
    for fmt in ("turtle", "jsonld", "xml"):
        target = folder / f"doc.{fmt}"
        done = run_cli("export", "--graph", "doc/000_d4fee536fbe95bae", "--format", fmt,
                       "-o", str(target))
        assert done.returncode == 0, done.stderr
        files[("doc", fmt)] = target
        target = folder / f"japan.{fmt}"
        done = run_cli("export", "--entity", "id:japan", "--format", fmt, "-o", str(target))
        assert done.returncode == 0, done.stderr
        files[("japan", fmt)] = target
    return files


def expected(graphs, what: str) -> Dataset:
    dataset = Dataset()
    if what == "all":
        for name, graph in graphs.items():
            target = dataset.graph(name)
            for triple in graph:
                target.add(triple)
    elif what == "doc":
        for triple in graphs[GRAPH["doc/000_d4fee536fbe95bae"]]:
            dataset.default_graph.add(triple)
    else:
        japan = ID["japan"]
        for name, graph in graphs.items():
            if name in (GRAPH["mentions"], GRAPH["inferred-tentative"]):
                continue
            for triple in graph.triples((japan, None, None)):
                dataset.default_graph.add(triple)
            for triple in graph.triples((None, None, japan)):
                dataset.default_graph.add(triple)
    return dataset


def read_nquads(text: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    return dataset


def same(got: Dataset, want: Dataset, *, named: bool) -> bool:
    """Isomorphic graph by graph (named), or as one merged graph."""
    def by_name(dataset):
        found = {}
        for context in dataset.graphs():
            if len(context):
                found[str(context.identifier)] = context
        return found

    if named:
        a, b = by_name(got), by_name(want)
        return a.keys() == b.keys() and all(isomorphic(a[k], b[k]) for k in a)
    return isomorphic(_merge(got), _merge(want))


def _merge(dataset: Dataset) -> Graph:
    graph = Graph()
    for context in dataset.graphs():
        for triple in context:
            graph.add(triple)
    return graph


CASES = [("all", f) for f in ("turtle", "ntriples", "xml", "jsonld", "trig", "nquads")] + \
        [(w, f) for w in ("doc", "japan") for f in ("turtle", "jsonld", "xml")]


TABLES = {"rapper": RAPPER, "serdi": SERDI, "pyoxigraph": OXIGRAPH}
# Each parser on every format it reads (rapper reads no JSON-LD, serdi no RDF/XML or JSON-LD).
READS = [(p, w, f) for p in TABLES for w, f in CASES if f in TABLES[p]]


@pytest.mark.parametrize("parser,what,fmt", READS, ids=[f"{p}-{w}-{f}" for p, w, f in READS])
def test_every_export_round_trips_through_independent_parsers(exported, graphs, what, fmt, parser):
    table = TABLES[parser]
    if parser != "pyoxigraph" and shutil.which(parser) is None:
        pytest.skip(f"{parser} is not installed (apt install "
                    f"{'raptor2-utils' if parser == 'rapper' else 'serdi'})")
    path = exported[(what, fmt)]
    quads = fmt in DATASETS
    if parser in ("rapper", "serdi"):  # both: -q -i SYNTAX -o SYNTAX FILE BASE
        done = subprocess.run([parser, "-q", "-i", table[fmt], "-o",
                               "nquads" if quads else "ntriples", str(path), BASE],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        text = done.stdout
    else:
        parsed = pyoxigraph.parse(path=str(path), format=table[fmt], base_iri=BASE)
        text = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.N_QUADS).decode()
    got = read_nquads(text)
    named = quads or (fmt == "jsonld" and what == "all")
    assert same(got, expected(graphs, what), named=named)


def test_turtle_export_is_prefixed_readable_and_deterministic(exported, tmp_path):
    text = exported[("all", "turtle")].read_text(encoding="utf-8")
    assert "@prefix id: <https://w3id.org/allianceskg/id/> ." in text
    assert "id:japan" in text and "<https://w3id.org/allianceskg/id/japan>" not in text
    again = tmp_path / "again.ttl"
    assert run_cli("export", "--format", "turtle", "-o", str(again)).returncode == 0
    assert again.read_bytes() == exported[("all", "turtle")].read_bytes()


def test_json_ld_uses_the_published_context(exported, release_dir):
    import json

    context = json.loads((release_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert context["akg"] == "https://w3id.org/allianceskg/ontology#"
    document = json.loads(exported[("all", "jsonld")].read_text(encoding="utf-8"))
    assert document["@context"] == context


def test_an_unknown_entity_or_format_is_a_clear_error():
    missing = run_cli("export", "--entity", "id:atlantis")
    assert missing.returncode != 0 and "atlantis" in missing.stderr
    assert "Traceback" not in missing.stderr
    wrong = run_cli("export", "--format", "yaml")
    assert wrong.returncode != 0 and "turtle" in wrong.stderr
