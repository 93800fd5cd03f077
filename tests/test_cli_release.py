"""The release commands as users run them (a subprocess each): query in every format,
export loadable elsewhere, stats, validate's exit codes and formats, explain, build's
summary, and ingest — which rolls back a document that breaks the build."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rdflib import Dataset, Graph

from allianceskg.vocab import AKG, GRAPH, ID

from conftest import FIXTURES, make_home, run_cli


run = run_cli


def test_query_a_stored_question_as_a_table():
    result = run("query", "01-launched-alliances")
    assert result.returncode == 0, result.stderr
    assert "id:eu-japan-competitiveness-alliance" in result.stdout
    assert result.stdout.rstrip().endswith("(2 rows)")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_result_formats(fmt):
    result = run("query", "21-partners", "-p", "actor=id:european-union", "--format", fmt)
    assert result.returncode == 0, result.stderr
    expected = "https://w3id.org/allianceskg/id/japan"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[0]["partner"] == expected
    elif fmt == "tsv":
        assert result.stdout.splitlines()[0].split("\t") == ["?partner", "?agreement"]
        assert f"<{expected}>" in result.stdout
    elif fmt == "json":
        data = json.loads(result.stdout)
        assert data["results"]["bindings"][0]["partner"]["value"] == expected
    else:
        root = ElementTree.fromstring(result.stdout)
        assert expected in "".join(root.itertext())


def test_query_text_with_predeclared_prefixes_and_ask():
    result = run("query", "ASK { id:japan akg:partnerOf id:european-union }")
    assert (result.returncode, result.stdout.strip()) == (0, "true")


def test_construct_results_come_as_turtle():
    result = run("query", "CONSTRUCT { ?a akg:hasParty ?p } WHERE { ?a akg:hasParty ?p }")
    assert result.returncode == 0
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (ID["eu-japan-competitiveness-alliance"], AKG.hasParty, ID["japan"]) in graph


def test_a_bad_query_is_a_clear_error():
    result = run("query", "SELEC * WHERE {}")
    assert result.returncode == 2
    assert "the query cannot be evaluated" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_parameter_value_is_a_clear_error():
    result = run("query", "21-partners", "-p", "actor=nope:thing")
    assert result.returncode == 2 and "cannot read the term 'nope:thing'" in result.stderr


@pytest.mark.parametrize("fmt, parser", [("turtle", "turtle"), ("ntriples", "nt"),
                                         ("jsonld", "json-ld"), ("xml", "xml")])
def test_export_a_graph_loads_elsewhere(tmp_path: Path, fmt, parser):
    out = tmp_path / f"doc.{fmt}"
    result = run("export", "--graph", "doc/000_d4fee536fbe95bae", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(out, format=parser)
    assert (ID["chinese-export-controls"], AKG.posedBy, ID["china"]) in graph
    assert len(graph) > 80


@pytest.mark.parametrize("fmt, parser", [("trig", "trig"), ("nquads", "nquads")])
def test_export_everything_keeps_the_graphs(tmp_path: Path, fmt, parser, release_dir: Path):
    out = tmp_path / f"all.{fmt}"
    assert run("export", "--format", fmt, "-o", str(out)).returncode == 0
    dataset = Dataset()
    dataset.parse(out, format=parser)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    manifest = json.loads((release_dir / "manifest.json").read_text())
    assert names == set(manifest["graphs"])


def test_export_an_unknown_graph_lists_the_known_ones():
    result = run("export", "--graph", "nope")
    assert result.returncode == 2
    assert "the release has no graph 'nope'" in result.stderr and "doc/000_" in result.stderr


def test_stats_counts_the_release():
    result = run("stats")
    assert result.returncode == 0
    assert "documents: 1, claims: 90" in result.stdout
    assert "akg:Speculation" in result.stdout and "akg:State" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "turtle", "json"])
def test_validate_the_release(fmt):
    result = run("validate", "--format", fmt)
    assert result.returncode == 0, result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)["conforms"] is True
    elif fmt == "turtle":
        assert "sh:conforms true" in result.stdout
    else:
        assert result.stdout.strip().endswith("Conforms.")


def test_validate_a_broken_file_exits_1_naming_node_and_shape(tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix akg: <https://w3id.org/allianceskg/ontology#> .\n"
                      "@prefix id: <https://w3id.org/allianceskg/id/> .\n"
                      "id:lonely-pact a akg:Alliance ; akg:hasParty id:japan .\n", encoding="utf-8")
    result = run("validate", str(broken), "--format", "json")
    assert result.returncode == 1
    results = json.loads(result.stdout)["results"]
    assert {(r["focusNode"], r["sourceShape"]) for r in results if r["severity"] == "Violation"} >= {
        ("https://w3id.org/allianceskg/id/lonely-pact", "https://w3id.org/allianceskg/shapes#AgreementShape")}


def test_validate_an_unreadable_file_exits_2(tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle\n", encoding="utf-8")
    result = run("validate", str(broken))
    assert result.returncode == 2 and f"{broken}:1:" in result.stderr


def test_explain_an_inference_down_to_its_quotes():
    result = run("explain", "id:eu-japan-competitiveness-alliance", "akg:counters",
                 "id:economic-coercion")
    assert result.returncode == 0
    assert "inferred by prp-spo2" in result.stdout
    assert "“At the heart of the EU-Japan Competitiveness Alliance" in result.stdout


def test_explain_json_and_unknown_triples():
    result = run("explain", "id:japan", "a", "akg:Actor", "--format", "json")
    tree = json.loads(result.stdout)
    assert tree["rule"] == "cax-sco" and tree["premises"][0]["rule"] == "cax-sco"
    assert tree["premises"][0]["premises"][0]["status"] == "asserted"
    missing = run("explain", "id:japan", "akg:partnerOf", "id:china")
    assert missing.returncode == 1 and "does not hold" in missing.stdout


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


def test_ingest_adds_a_document_and_rebuilds(home: Path, tmp_path: Path):
    article = FIXTURES / "articles" / "canada-australia-minerals.txt"
    result = run("ingest", str(article), "--title", "Minerals", home=home)
    assert result.returncode == 0, result.stderr
    assert (home / "seeds" / "canada-australia-minerals.txt").read_bytes() == article.read_bytes()
    sidecar = (home / "seeds" / "canada-australia-minerals.meta.yaml").read_text()
    assert "title: Minerals" in sidecar and "author: unknown" in sidecar
    assert "Built 2 document(s)" in result.stdout
    answer = run("query", "ASK { id:canada-australia-critical-minerals-partnership akg:hasParty id:canada }",
                 home=home)
    assert answer.stdout.strip() == "true"


def test_ingest_refuses_a_non_utf8_file_and_copies_nothing(home: Path, tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Caf\xe9\n".encode("latin-1"))
    result = run("ingest", str(bad), home=home)
    assert result.returncode == 2 and "not UTF-8" in result.stderr and str(bad) in result.stderr
    assert not (home / "seeds" / "bad.txt").exists()


def test_ingest_rolls_back_a_document_that_breaks_the_build(home: Path, tmp_path: Path):
    assert run("build", "-q", home=home).returncode == 0
    release = home / "data" / "kg" / "allianceskg.trig"
    before = release.read_bytes()
    duplicate = tmp_path / "copy-of-seed.txt"
    duplicate.write_bytes((home / "seeds" / "000_d4fee536fbe95bae.txt").read_bytes())
    result = run("ingest", str(duplicate), home=home)
    assert result.returncode == 2
    assert "duplicate document" in result.stderr
    assert "Did not add copy-of-seed.txt: the build failed" in result.stderr
    assert not (home / "seeds" / "copy-of-seed.txt").exists()
    assert release.read_bytes() == before


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_ingest_leaves_seeds_and_the_release_as_they_were(home: Path, signum):
    assert run("build", "-q", home=home).returncode == 0
    seeds, release = _tree(home / "seeds"), _tree(home / "data" / "kg")
    article = FIXTURES / "articles" / "canada-australia-minerals.txt"
    env = {**os.environ, "ALLIANCESKG_HOME": str(home)}
    with subprocess.Popen([sys.executable, "-m", "allianceskg", "ingest", str(article)],
                          stderr=subprocess.PIPE, text=True, env=env) as process:
        for line in process.stderr:  # the build is under way: interrupt it mid-stage
            if line.startswith("… mentions"):
                process.send_signal(signum)
                break
        rest = process.stderr.read()
        assert process.wait(timeout=120) == 130
    assert "was not added; seeds/ is unchanged" in rest and "Traceback" not in rest
    assert _tree(home / "seeds") == seeds
    assert _tree(home / "data" / "kg") == release
    assert run("build", "-q", home=home).returncode == 0  # nothing left behind to trip on


def test_build_prints_a_summary(home: Path):
    result = run("build", home=home)
    assert result.returncode == 0
    assert "Built 1 document(s): 90 claims" in result.stdout
    assert "graph:inferred" in result.stdout and "time per stage (s): model" in result.stdout
    assert "… reason" in result.stderr  # progress on stderr


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld", "xml"])
def test_every_export_format_is_byte_stable_across_hash_seeds(tmp_path: Path, fmt: str):
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("ALLIANCESKG_HOME", None)
        out = tmp_path / f"{seed}.{fmt}"
        result = subprocess.run([sys.executable, "-m", "allianceskg", "export", "--format", fmt,
                                 "-o", str(out)], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_json_ld_of_all_graphs_keeps_graph_names_and_round_trips(tmp_path: Path):
    from rdflib.compare import isomorphic

    out = tmp_path / "all.jsonld"
    assert run("export", "--format", "jsonld", "-o", str(out)).returncode == 0
    dataset = Dataset()
    dataset.parse(out, format="json-ld")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert str(GRAPH["reference"]) in names and str(GRAPH["doc/000_d4fee536fbe95bae"]) in names
    xml = tmp_path / "all.rdf"
    assert run("export", "--format", "xml", "-o", str(xml)).returncode == 0
    trig = tmp_path / "all.trig"
    assert run("export", "--format", "trig", "-o", str(trig)).returncode == 0
    union = Graph()
    for s, p, o, _ in Dataset().parse(trig, format="trig").quads():
        union.add((s, p, o))
    assert isomorphic(Graph().parse(xml, format="xml"), union)


@pytest.mark.parametrize("fmt, extension", [("turtle", "ttl"), ("ntriples", "nt"), ("nquads", "nquads"),
                                            ("trig", "trig"), ("jsonld", "jsonld"), ("xml", "xml")])
def test_validate_reads_every_format_export_writes(tmp_path: Path, fmt: str, extension: str):
    out = tmp_path / f"release.{extension}"
    assert run("export", "--format", fmt, "-o", str(out)).returncode == 0
    result = run("validate", str(out))
    assert result.returncode == 0 and "Conforms" in result.stdout, result.stderr
