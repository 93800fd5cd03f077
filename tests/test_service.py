"""The SPARQL service over a real loopback port, with the clients analysts use
(SPARQLWrapper, rdflib's SPARQLStore) and raw requests for each protocol rule:
content negotiation, the format parameter, the service description, the graph store,
VoID, health and metrics; then a concurrent soak."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from allianceskg.analysis.queries import load_queries
from allianceskg.vocab import AKG, GRAPH, ID

from conftest import Server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PARTIES = "SELECT ?party WHERE { id:eu-japan-competitiveness-alliance akg:hasParty ?party } ORDER BY ?party"
EXPECTED_PARTIES = [str(ID["european-union"]), str(ID["japan"])]


def get(server: Server, path: str, params: dict | None = None, headers: dict | None = None):
    url = server.base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(server: Server, fmt):
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(PARTIES)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        parties = [b["party"]["value"] for b in result["results"]["bindings"]]
    elif fmt == XML:
        parties = [e.firstChild.data for e in result.getElementsByTagName("uri")]
    elif fmt == CSV:
        parties = [row["party"] for row in csv.DictReader(io.StringIO(result.decode()))]
    else:
        parties = [line.strip("<>") for line in result.decode().splitlines()[1:]]
    assert parties == EXPECTED_PARTIES


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: Server, fmt):
    client = SPARQLWrapper(server.endpoint)
    client.setQuery("ASK { id:japan akg:partnerOf id:european-union }")
    client.setReturnFormat(fmt)
    result = client.query().convert()
    answer = result["boolean"] if fmt == JSON else (
        result.getElementsByTagName("boolean")[0].firstChild.data == "true")
    assert answer is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_graph_results(server: Server, fmt, form):
    client = SPARQLWrapper(server.endpoint)
    client.setQuery("CONSTRUCT { ?a akg:hasParty ?p } WHERE { ?a akg:hasParty ?p }" if form == "CONSTRUCT"
                    else "DESCRIBE id:eu-japan-competitiveness-alliance")
    client.setReturnFormat(fmt)
    result = client.query().convert()
    graph = result if isinstance(result, Graph) else Graph().parse(
        data=result, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}.get(fmt, "xml"))
    assert (ID["eu-japan-competitiveness-alliance"], AKG.hasParty, ID["japan"]) in graph


def test_rdflib_sparqlstore(server: Server):
    graph = Graph(store=SPARQLStore(server.endpoint))  # its default: XML results, RDF/XML graphs
    rows = list(graph.query(PARTIES))
    assert [str(r.party) for r in rows] == EXPECTED_PARTIES
    assert graph.query("ASK { id:japan akg:partnerOf id:european-union }").askAnswer is True
    constructed = graph.query("CONSTRUCT { ?a akg:hasParty ?p } WHERE { ?a akg:hasParty ?p }").graph
    assert (ID["japan-us-trade-agreement"], AKG.hasParty, ID["united-states"]) in constructed
    described = graph.query("DESCRIBE id:japan").graph
    assert (ID["japan"], AKG.iso3166Alpha2, Literal("JP")) in described


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_sparqlstore_with_json_results_and_every_method(server: Server, method):
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="json", method=method))
    assert [str(r.party) for r in graph.query(PARTIES)] == EXPECTED_PARTIES


def test_a_construct_accepting_only_json_results_gets_406(server: Server):
    status, _, body = get(server, "/sparql", {"query": "CONSTRUCT WHERE { ?s akg:hasParty ?o }"},
                          {"Accept": "application/sparql-results+json"})
    assert status == 406 and "text/turtle" in json.loads(body)["hint"]


@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    # RFC 9110 §12.5.1: the most specific range decides; text/csv has only q=0.2
    ("text/*, text/csv;q=0.2", "text/tab-separated-values"),
])
def test_content_negotiation_with_quality_values(server: Server, accept, expected):
    status, headers, _ = get(server, "/sparql", {"query": "ASK {}"}, {"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(expected)


def test_format_parameter_overrides_accept(server: Server):
    status, headers, body = get(server, "/sparql", {"query": PARTIES, "format": "csv"},
                                {"Accept": "application/sparql-results+json"})
    assert headers["Content-Type"].startswith("text/csv") and b"party" in body
    status, headers, _ = get(server, "/sparql", {"query": "CONSTRUCT WHERE { ?s akg:hasParty ?o }",
                                                 "format": "application/n-triples"})
    assert headers["Content-Type"].startswith("application/n-triples")


def test_406_when_nothing_acceptable(server: Server):
    status, _, body = get(server, "/sparql", {"query": "ASK {}"}, {"Accept": "text/turtle"})
    assert status == 406 and "application/sparql-results+json" in json.loads(body)["hint"]


def test_service_description(server: Server):
    status, headers, body = get(server, "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    description = Graph().parse(data=body, format="turtle")
    service = next(description.subjects(RDF.type, SD.Service))
    assert (service, SD.endpoint, URIRef(server.endpoint)) in description
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    names = set(description.objects(None, SD.name))
    assert {GRAPH["reference"], GRAPH["inferred"], GRAPH["doc/000_d4fee536fbe95bae"]} <= names
    formats = set(description.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats


def test_default_graph_uri_selects_release_graphs(server: Server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, _, only_doc = get(server, "/sparql", {"query": query,
                                              "default-graph-uri": str(GRAPH["doc/000_d4fee536fbe95bae"])})
    _, _, unknown = get(server, "/sparql", {"query": query, "default-graph-uri": "http://example.org/none"})
    count = lambda body: int(json.loads(body)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert 50 < count(only_doc) < 200
    assert count(unknown) == 0


def test_graph_store_read_side(server: Server):
    status, headers, body = get(server, "/rdf-graph-store", {"graph": str(GRAPH["doc/000_d4fee536fbe95bae"])},
                                {"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    graph = Graph().parse(data=body, format="nt")
    assert (ID["chinese-export-controls"], AKG.posedBy, ID["china"]) in graph
    status, headers, body = get(server, "/rdf-graph-store", {"default": ""})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=body, format="turtle")) > 9000
    assert get(server, "/rdf-graph-store", {"graph": "http://example.org/none"})[0] == 404


def test_void_and_health_and_metrics(server: Server):
    status, _, body = get(server, "/.well-known/void")
    void = Graph().parse(data=body, format="turtle")
    assert status == 200 and (None, RDF.type, VOID.Linkset) in void
    health = json.loads(get(server, "/healthz")[2])
    assert health["ok"] is True and health["triples"] > 9000
    get(server, "/sparql", {"query": "ASK {}"})
    metrics = get(server, "/metrics")[2].decode()
    assert 'allianceskg_http_requests_total{endpoint="sparql.sparql",status="200"}' in metrics
    assert "allianceskg_query_duration_seconds_bucket" in metrics
    assert "allianceskg_query_timeouts_total" in metrics and "allianceskg_result_rows_total" in metrics


def test_access_log_is_structured(server: Server):
    get(server, "/healthz", headers={"User-Agent": "log-probe"})
    time.sleep(0.2)
    entries = [json.loads(line) for line in server.log if line.startswith("{")]
    probe = [e for e in entries if e.get("agent") == "log-probe"]
    assert probe and probe[-1]["path"] == "/healthz" and probe[-1]["status"] == 200


def test_soak_fifty_clients_no_5xx(server: Server):
    queries = [q for q in load_queries() if not q.parameters]
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 20

    def client(index: int) -> None:
        position = index
        while time.monotonic() < deadline:
            query = queries[position % len(queries)]
            position += 1
            status, headers, _ = get(server, "/sparql", {"query": query.text})
            with lock:
                statuses.append(status)
            if status == 503:  # overloaded: the server says when to come back
                assert int(headers["Retry-After"]) >= 1
                time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) > 500
    assert set(statuses) <= {200, 503}  # never a 500; a 503 only with Retry-After


def test_construct_with_a_shared_blank_node_keeps_it_in_turtle(server: Server):
    from rdflib.compare import isomorphic

    query = ('PREFIX ex: <http://example.org/> CONSTRUCT { id:japan ex:p _:x . id:china ex:p _:x . '
             '_:x ex:q "v" } WHERE {}')
    graphs = {}
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        status, _, body = get(server, "/sparql", {"query": query}, {"Accept": accept})
        assert status == 200
        graphs[fmt] = Graph().parse(data=body.decode(), format=fmt)
    turtle = graphs["turtle"]
    assert len(turtle) == 3 and len({o for o in turtle.objects() if isinstance(o, BNode)}) == 1
    assert isomorphic(turtle, graphs["nt"])


def test_xml_results_refuse_characters_xml_cannot_carry(server: Server):
    query = 'SELECT ?x WHERE { BIND ("a\\u0001b" AS ?x) }'
    status, _, body = get(server, "/sparql", {"query": query},
                          {"Accept": "application/sparql-results+xml"})
    assert status == 406 and "U+0001" in json.loads(body)["error"]
    status, _, body = get(server, "/sparql", {"query": query},
                          {"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "a\x01b"
