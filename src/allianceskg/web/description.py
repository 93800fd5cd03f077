"""The SPARQL 1.1 Service Description (W3C Recommendation, §3) of the endpoint:
``sd:endpoint``, the supported language, result formats, features, and the dataset
with its named graphs (``sd:name``) and their sizes; the default graph (the union) sized
by its distinct triples; the prefixes every query may use without declaring them, as
SHACL prefix declarations (``sh:declare``, SHACL §5.2.1); and the entailment regime of
the inferred graph (§3.2.7 ``sd:entailmentRegime``: OWL 2 RDF-Based semantics,
materialised for the OWL 2 RL profile)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID, XSD

from allianceskg.rdf.formats import Format, write_graph

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


SH = Namespace("http://www.w3.org/ns/shacl#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
PROFILE = Namespace("http://www.w3.org/ns/owl-profile/")
INFERRED = URIRef("https://w3id.org/allianceskg/graph/inferred")


def description_graph(endpoint: str, graphs: dict[URIRef, int],
                      default_triples: int | None = None) -> Graph:
    from allianceskg.vocab import PREFIXES

    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("sh", SH)
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
    total = default_triples if default_triples is not None else sum(graphs.values())
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT["Simple"]))
    for prefix, namespace in sorted(PREFIXES.items()):
        declaration = BNode()
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    for name, size in sorted(graphs.items()):
        node, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, name))
        if name == INFERRED:
            graph.add((node, SD.entailmentRegime, ENTAILMENT["OWL-RDF-Based"]))
            graph.add((node, SD.supportedEntailmentProfile, PROFILE["RL"]))
        graph.add((node, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph


def service_description(endpoint: str, graphs: dict[URIRef, int], fmt: Format,
                        default_triples: int | None = None) -> bytes:
    return write_graph(description_graph(endpoint, graphs, default_triples),
                       fmt.name).encode("utf-8")
