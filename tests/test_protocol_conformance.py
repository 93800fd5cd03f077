"""The W3C SPARQL 1.1 Protocol test suite (tests/conformance/w3c-sparql11/protocol/
manifest.ttl), every query and bad-request test, sent as raw HTTP to a real server.

Adaptations, as the service is read-only and never fetches: each test's
``ut:graphData`` is served as named graphs of the release (the graph names are the
tests' labels), so a ``default-graph-uri`` the release does not hold is an empty
graph; the update tests, which expect success, must get 403 with a message."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from allianceskg.build.release import write_graphs

from conftest import Server

SUITE = Path(__file__).parent / "conformance" / "w3c-sparql11" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
CNT = Namespace("http://www.w3.org/2011/content#")
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


def _manifest() -> Graph:
    return Graph().parse(SUITE / "manifest.ttl", format="turtle")


def _tests() -> list[tuple[str, list[dict]]]:
    graph = _manifest()
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            if graph.value(request, HT.headers) is not None:
                for header in Collection(graph, graph.value(request, HT.headers)):
                    headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body = graph.value(request, HT.body)
            response = graph.value(request, HT.resp)
            requests.append({
                "method": str(graph.value(request, HT.methodName)),
                "path": str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                "headers": headers,
                "body": str(graph.value(body, CNT.chars)) if body is not None else None,
                "status": {str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus)},
                "format": str(graph.value(response, MF.expectedFormat) or ""),
                "boolean": graph.value(response, MF.expectedBoolean),
            })
        tests.append((str(entry).rsplit("#", 1)[-1], requests))
    return tests


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory) -> Server:
    """Every graph named in the suite's ut:graphData, served as a release."""
    graph = _manifest()
    dataset = Dataset()
    for data in set(graph.objects(None, UT.graphData)):
        name = URIRef(str(graph.value(data, RDFS.label)))
        target = dataset.graph(name)
        target.parse(SUITE / str(graph.value(data, UT.graph)).rsplit("/", 1)[-1], format="nt")
    folder = tmp_path_factory.mktemp("protocol-release")
    folder = write_graphs({g.identifier: g for g in dataset.graphs() if len(g)}, folder / "kg")
    running = Server("--data", str(folder))
    yield running
    running.stop()


def _send(server: Server, request: dict) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    body = request["body"].encode("utf-8") if request["body"] is not None else None
    headers = dict(request["headers"])
    if request["method"] == "POST" and "content-type" not in {k.lower() for k in headers}:
        headers["Content-Type"] = ""  # the test sends none; http.client would add nothing either
    connection.request(request["method"], request["path"], body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type", ""), data


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    assert content_type.startswith("application/sparql-results+xml"), content_type
    return b"<boolean>true</boolean>" in body


def _is_update(request: dict) -> bool:
    media = request["headers"].get("content-type", "")
    return media.startswith("application/sparql-update") or (request["body"] or "").startswith("update=")


@pytest.mark.parametrize("name, requests", _tests(), ids=[t[0] for t in _tests()])
def test_w3c_protocol(protocol_server: Server, name: str, requests: list[dict]):
    for request in requests:
        status, content_type, body = _send(protocol_server, request)
        assert status < 500, f"{name}: a client request must never get {status}"
        if request["status"] == {"StatusCode4xx"}:
            assert 400 <= status < 500, f"{name}: expected 4xx, got {status}"
            error = json.loads(body)
            assert error["ok"] is False and error["status"] == status and error["error"]
            continue
        if _is_update(request):  # adapted: the service is read-only
            assert status == 403, f"{name}: an update must get 403, got {status}"
            assert "read-only" in json.loads(body)["error"]
            return  # the test's later requests check what the update would have written
        assert 200 <= status < 400, f"{name}: expected success, got {status}: {body[:300]!r}"
        if request["format"] == "boolean":
            answer = _boolean(content_type, body)
            if request["boolean"] is not None:
                assert answer == bool(request["boolean"].toPython()), name
        elif request["format"] == "tabular":
            assert content_type.startswith(TABULAR), content_type
        elif request["format"] == "RDF":
            assert content_type.startswith(RDF_TYPES), content_type


def test_the_suite_is_complete():
    names = [name for name, _ in _tests()]
    assert len(names) == 34
    assert sum(1 for n in names if n.startswith("bad_")) == 14
