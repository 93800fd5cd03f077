"""The SPARQL 1.1 Service Description (W3C Recommendation, §3) of the endpoint:
``sd:endpoint``, the supported language, result formats, features, and the dataset
with its named graphs (``sd:name``) and their sizes."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID, XSD

from allianceskg.formats import Format, write_graph

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def description_graph(endpoint: str, graphs: dict[URIRef, int]) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in _RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(graphs.values()), datatype=XSD.integer)))
    for name, size in sorted(graphs.items()):
        node, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, name))
        graph.add((node, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph


def service_description(endpoint: str, graphs: dict[URIRef, int], fmt: Format) -> bytes:
    return write_graph(description_graph(endpoint, graphs), fmt.name).encode("utf-8")
