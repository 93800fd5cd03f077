"""The three stores behind one interface (allianceskg.store): the competency questions
give the same answers through the service on memory (rdflib), oxigraph (pyoxigraph,
persistent) and remote (a real Virtuoso the tests start), and the service's rules hold
on the remote store too (the local ones: test_service_safety.py runs on both)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import URIRef

from allianceskg.analysis.queries import load_queries
from allianceskg.store import parse_spec, prepare
from allianceskg.store.remote import stored_counts

from conftest import Server, run_cli

QUERIES = {q.name: q for q in load_queries()}
PARAMETERS = {
    "12-evidence-for-a-fact": {"subject": URIRef("https://w3id.org/allianceskg/id/chinese-export-controls"),
                               "predicate": URIRef("https://w3id.org/allianceskg/ontology#posedBy"),
                               "object": URIRef("https://w3id.org/allianceskg/id/china")},
}


# Virtuoso 7.2 orders Arabic (and other non-Latin) strings by its own collation, not
# by code point as SPARQL 1.1 §15.1 (fn:compare) asks: the same rows, another order.
COLLATION = {("remote", "24-labels-in-all-languages")}


@pytest.fixture(scope="module")
def remote(virtuoso, release_dir: Path):
    spec = parse_spec(f"remote:{virtuoso.endpoint}", graph_store_url=virtuoso.graph_store)
    ready = prepare(spec, release_dir, force_push=True)
    assert ready.pushed > 0
    running = Server("--store", f"remote:{virtuoso.endpoint}", "--remote-graph-store-url",
                     virtuoso.graph_store, "--query-timeout", "5", "--cache-entries", "0",
                     "--max-rows", "1000")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def local():
    servers = {store: Server("--store", store, "--cache-entries", "0", "--max-rows", "1000")
               for store in ("memory", "oxigraph")}
    yield servers
    for running in servers.values():
        running.stop()


def _text(name: str) -> str:
    """The query's text with its parameters bound by VALUES at the start of WHERE."""
    bindings = PARAMETERS.get(name, {})
    text = QUERIES[name].text
    if bindings:
        names = " ".join(f"?{k}" for k in bindings)
        values = " ".join(v.n3() for v in bindings.values())
        where = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
        text = f"{text[:where.end()]} VALUES ({names}) {{ ({values}) }} {text[where.end():]}"
    return text


def _select(server: Server, text: str, **params) -> tuple[int, dict]:
    data = urllib.parse.urlencode({"query": text, **params}).encode()
    request = urllib.request.Request(server.endpoint, data=data, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _value(term: dict | None):
    """A term compared by value: numbers as numbers (Virtuoso writes 3 as xsd:int where
    others keep xsd:integer), every other literal by lexical form, language and type."""
    if term is None:
        return None
    datatype = term.get("datatype", "")
    if datatype.startswith("http://www.w3.org/2001/XMLSchema#") and datatype.rsplit("#", 1)[1] in (
            "integer", "int", "long", "decimal", "double", "float", "short", "nonNegativeInteger"):
        try:
            return ("number", Decimal(term["value"]).normalize())
        except InvalidOperation:
            pass
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = ""
    return (term["type"].replace("typed-literal", "literal"), term["value"],
            term.get("xml:lang", "").lower(), datatype)


def _rows(answer: dict) -> list[tuple]:
    variables = answer["head"]["vars"]
    return [tuple(_value(b.get(v)) for v in variables) for b in answer["results"]["bindings"]]


def _answers(server: Server, name: str) -> tuple[list[str], list[tuple]]:
    status, answer = _select(server, _text(name))
    assert status == 200, (name, answer)
    return answer["head"]["vars"], _rows(answer)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_competency_questions_give_the_same_answers_on_every_store(local, remote, name: str):
    variables, expected = _answers(local["memory"], name)
    assert expected or name in ("27-tentative-inferences",), f"{name} answers nothing"
    for store, running in (*local.items(), ("remote", remote)):
        theirs_variables, theirs = _answers(running, name)
        assert theirs_variables == variables, store
        assert sorted(theirs, key=repr) == sorted(expected, key=repr), store  # as multisets
        if "ORDER BY" in QUERIES[name].text.upper() and (store, name) not in COLLATION:
            assert [row[0] for row in theirs] == [row[0] for row in expected], store


def test_the_remote_store_holds_exactly_the_release(remote, virtuoso, release_dir: Path):
    manifest = json.loads((release_dir / "manifest.json").read_text())
    spec = parse_spec(f"remote:{virtuoso.endpoint}")
    assert stored_counts(spec) == {g: n for g, n in manifest["graphs"].items() if n}


def test_remote_queries_see_only_the_release(remote):
    # Virtuoso keeps graphs of its own (virtrdf:, ldp:): the service pins the dataset
    status, answer = _select(remote, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs = {b["g"]["value"] for b in answer["results"]["bindings"]}
    assert status == 200 and graphs and all(g.startswith("https://w3id.org/allianceskg/graph/")
                                            for g in graphs)
    status, answer = _select(remote, "SELECT (COUNT(*) AS ?n) FROM "
                                     "<http://www.openlinksw.com/schemas/virtrdf#> "
                                     "WHERE { ?s ?p ?o }")
    assert status == 200 and _rows(answer) == [(("number", Decimal(0)),)]
    status, answer = _select(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                             **{"default-graph-uri": "https://w3id.org/allianceskg/graph/ontology"})
    assert status == 200 and _rows(answer)[0][0][1] > 500


@pytest.mark.parametrize("text", [
    'INSERT DATA { <urn:x> <urn:y> "z" }',
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "DROP GRAPH <https://w3id.org/allianceskg/graph/ontology>",
    'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }',
    "SELECT * WHERE { ?s ?p ?o . FILTER(bif:contains(?o, 'x')) }",
])
def test_updates_and_store_extensions_never_reach_the_remote_store(remote, virtuoso, text: str):
    before = stored_counts(parse_spec(f"remote:{virtuoso.endpoint}"))
    status, answer = _select(remote, text)
    assert status == 400 and answer["ok"] is False
    assert answer["error"].startswith(("syntax error", "the query cannot be translated"))
    assert stored_counts(parse_spec(f"remote:{virtuoso.endpoint}")) == before


def test_service_and_limits_hold_on_the_remote_store(remote):
    status, answer = _select(remote, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                                     "{ ?s ?p ?o } }")
    assert status == 403 and "service_allowlist" in answer["hint"]
    status, answer = _select(remote, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and len(answer["results"]["bindings"]) == 1000 and answer["truncated"]
    started = time.monotonic()
    status, answer = _select(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                     "?g ?h ?i . FILTER(STR(?c) < STR(?f)) }")
    assert time.monotonic() - started < 9 and status in (200, 503)
    if status == 503:
        assert "time limit of 5 s" in answer["error"]


def test_an_unreachable_remote_store_is_a_clear_error():
    result = run_cli("serve", "--store", "remote:http://127.0.0.1:9/sparql", "--port", "0",
                     timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot reach the remote store http://127.0.0.1:9/sparql" in result.stderr


@pytest.mark.parametrize("spec, words", [
    ("bogus", "unknown store 'bogus'"),
    ("remote:ftp://x", "needs the URL of a SPARQL endpoint"),
    ("memory:/tmp/x", "takes no location"),
])
def test_a_bad_store_name_says_which_forms_exist(spec: str, words: str):
    result = run_cli("serve", "--store", spec, "--port", "0", timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert words in result.stderr and "oxigraph" in result.stderr and "remote:URL" in result.stderr


def test_build_loads_an_oxigraph_store_that_serve_then_opens_as_it_is(test_home: Path,
                                                                      tmp_path: Path):
    folder = tmp_path / "store"
    result = run_cli("build", "-q", "-o", str(tmp_path / "kg"), "--store", f"oxigraph:{folder}")
    assert result.returncode == 0, result.stderr
    stores = list(folder.glob("release-*"))
    assert len(stores) == 1 and "oxigraph store:" in result.stderr
    stamp = stores[0].stat().st_ino, stores[0].stat().st_mtime_ns
    running = Server("--data", str(tmp_path / "kg"), "--store", f"oxigraph:{folder}")
    try:
        status, answer = _select(running, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        manifest = json.loads((tmp_path / "kg" / "manifest.json").read_text())
        assert status == 200 and int(answer["results"]["bindings"][0]["n"]["value"]) == \
            manifest["triples"]
    finally:
        running.stop()
    assert list(folder.glob("release-*")) == stores  # opened, not loaded again
    assert (stores[0].stat().st_ino, stores[0].stat().st_mtime_ns) == stamp
