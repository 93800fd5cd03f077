"""A dataset description tools trust: the VoID and DCAT of the release as served, and
the SPARQL Service Description — counts that match the data, one predicate per
linkset, every vocabulary used, the endpoint and dumps resolvable, distributions with
the sizes and checksums of /dumps/, the predeclared prefixes and the entailment regime."""

from __future__ import annotations

import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from allianceskg.build.release import DATASET, release_graphs
from allianceskg.vocab import PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
SPDX = "http://spdx.org/rdf/terms#"


def fetch(server, path: str) -> Graph:
    response = requests.get(server.base + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    return Graph().parse(data=response.text, format="turtle")


def test_counts_match_the_data(server, release_dir):
    graphs = release_graphs(release_dir)
    distinct = len({t for g in graphs.values() for t in g})
    void = fetch(server, "/.well-known/void")
    assert int(void.value(DATASET, VOID.triples)) == distinct
    described = fetch(server, "/sparql")
    service = described.value(None, RDF.type, URIRef(SD + "Service"))
    default = described.value(described.value(service, URIRef(SD + "defaultDataset")),
                              URIRef(SD + "defaultGraph"))
    assert int(described.value(default, VOID.triples)) == distinct
    for node in described.subjects(URIRef(SD + "name"), None):
        name = described.value(node, URIRef(SD + "name"))
        inner = described.value(node, URIRef(SD + "graph"))
        assert int(described.value(inner, VOID.triples)) == len(graphs[name])


def test_every_vocabulary_used_is_listed(server, release_dir):
    graphs = release_graphs(release_dir)
    void = fetch(server, "/.well-known/void")
    listed = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    triples = {t for g in graphs.values() for t in g}
    terms = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type}
    for term in terms:  # every predicate and class lies in a listed vocabulary
        assert any(str(term).startswith(v) for v in listed), term
    for vocabulary in listed:  # and each listed one is used
        assert any(str(term).startswith(vocabulary) for term in terms), vocabulary
    assert PREFIXES["akg"] in listed and PREFIXES["skos"] in listed
    assert str(void.value(DATASET, VOID.uriSpace)) == "https://w3id.org/allianceskg/id/"
    for example in void.objects(DATASET, VOID.exampleResource):
        local = str(example).replace("https://w3id.org/allianceskg", "")
        assert requests.get(server.base + local, timeout=10).status_code == 200


def test_the_endpoint_and_the_dumps_resolve_and_match_the_distributions(server):
    void = fetch(server, "/.well-known/void")
    endpoint = void.value(DATASET, VOID.sparqlEndpoint)
    assert requests.get(str(endpoint), params={"query": "ASK {}"}, timeout=10).json()["boolean"]
    dump = requests.get(str(void.value(DATASET, VOID.dataDump)), timeout=60)
    assert dump.status_code == 200 and dump.headers["Content-Type"].startswith("application/trig")
    listing = {f["name"]: f for f in requests.get(server.base + "/dumps/", timeout=30,
                                                   headers={"Accept": "application/json"}).json()["files"]}
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(listing)
    for node in distributions:
        name = str(node).split("/dumps/", 1)[1]
        assert int(void.value(node, DCAT.byteSize)) == listing[name]["bytes"]
        checksum = void.value(node, URIRef(SPDX + "checksum"))
        assert str(void.value(checksum, URIRef(SPDX + "checksumValue"))) == listing[name]["sha256"]
        assert void.value(node, DCTERMS.license) is not None
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    service = void.value(DATASET, DCAT.accessService)
    assert void.value(service, DCAT.endpointURL) == endpoint
    modified = void.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime
    assert void.value(DATASET, DCTERMS.license) is not None


def test_the_service_description_declares_prefixes_and_the_entailment_regime(server):
    described = fetch(server, "/sparql")
    service = described.value(None, RDF.type, URIRef(SD + "Service"))
    declared = {str(described.value(d, URIRef(SH + "prefix"))): str(described.value(d, URIRef(SH + "namespace")))
                for d in described.objects(service, URIRef(SH + "declare"))}
    assert declared == PREFIXES
    inferred = described.value(None, URIRef(SD + "name"),
                               URIRef("https://w3id.org/allianceskg/graph/inferred"))
    assert described.value(inferred, URIRef(SD + "entailmentRegime")) == \
        URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
    assert described.value(inferred, URIRef(SD + "supportedEntailmentProfile")) == \
        URIRef("http://www.w3.org/ns/owl-profile/RL")
    # A declared prefix works undeclared in a query.
    answer = requests.get(server.endpoint, params={"query": "ASK { id:japan a akg:State }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert answer.json()["boolean"] is True
