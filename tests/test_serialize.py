"""The project's Turtle writer keeps blank-node identity: shared blank nodes are
labelled, cycles terminate, single-use ones stay inline; compared with
rdflib.compare.isomorphic after a round trip through rdflib's parser."""

from __future__ import annotations

import warnings

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from allianceskg.rdf.formats import write_graph
from allianceskg.vocab import ID

EX = Namespace("http://example.org/")


def _round_trip(graph: Graph) -> Graph:
    return Graph().parse(data=write_graph(graph, "turtle"), format="turtle")


def test_shared_cyclic_and_nested_blank_nodes_survive():
    graph = Graph()
    shared, a, b, single, head = BNode(), BNode(), BNode(), BNode(), BNode()
    graph.add((ID["japan"], EX.p, shared))
    graph.add((ID["china"], EX.p, shared))
    graph.add((shared, EX.q, Literal("v")))
    graph.add((a, EX.next, b))  # a cycle of two blank nodes
    graph.add((b, EX.next, a))
    loop = BNode()
    graph.add((loop, EX.self, loop))  # a blank node pointing to itself
    graph.add((EX.s, EX.r, single))
    graph.add((single, EX.q, Literal(1)))
    graph.add((EX.s, EX.list, head))  # an RDF list stays a collection
    second = BNode()
    graph.add((head, RDF.first, Literal("x")))
    graph.add((head, RDF.rest, second))
    graph.add((second, RDF.first, Literal("y")))
    graph.add((second, RDF.rest, RDF.nil))
    text = write_graph(graph, "turtle")
    back = Graph().parse(data=text, format="turtle")
    assert len(back) == len(graph) and isomorphic(back, graph)
    assert '( "x" "y" )' in text and "[ <http://example.org/q> 1 ]" in text


def test_the_writer_is_deterministic():
    graph = Graph()
    shared = BNode()
    graph.add((ID["japan"], EX.p, shared))
    graph.add((ID["china"], EX.p, shared))
    graph.add((shared, EX.q, Literal("v")))
    assert write_graph(graph, "turtle") == write_graph(_round_trip(graph), "turtle")


def test_a_cycle_behind_a_single_use_blank_node_is_written():
    """_:a points to _:x first and to _:b, which points back to _:a: every node has
    one incoming reference, and none may be lost."""
    graph = Graph()
    a, b, x = BNode(), BNode(), BNode()
    graph.add((a, EX.p, x))
    graph.add((a, EX.q, b))
    graph.add((b, EX.r, a))
    graph.add((x, EX.s, Literal(1)))
    assert isomorphic(_round_trip(graph), graph)


def test_datasets_keep_the_blank_nodes_of_each_graph_apart():
    from rdflib import Dataset, URIRef

    from allianceskg.rdf.formats import write_dataset

    graphs = []
    for name in ("g1", "g2"):
        graph = Graph(identifier=URIRef(f"http://example.org/{name}"))
        shared = BNode()
        graph.add((EX.a, EX.p, shared))
        graph.add((EX.b, EX.p, shared))
        graph.add((shared, EX.v, Literal("x")))
        graphs.append(graph)
    for fmt, parser in (("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")):
        dataset = Dataset()
        with warnings.catch_warnings():  # rdflib's own parsers use its deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=write_dataset(graphs, fmt), format=parser)
        blanks = {o for _, _, o, _ in dataset.quads() if isinstance(o, BNode)}
        assert len(list(dataset.quads())) == 6 and len(blanks) == 2, fmt


def test_rdf_xml_keeps_carriage_returns():
    graph = Graph()
    graph.add((EX.s, EX.p, Literal("a\r\nb")))
    back = Graph().parse(data=write_graph(graph, "xml"), format="xml")
    assert next(back.objects()) == Literal("a\r\nb")


def test_the_direct_path_writes_the_bytes_of_the_general_one(kg):
    """Graphs without blank nodes are written by a direct path (terms cached, each graph
    rendered once for its Turtle file and its TriG block); it must give exactly the
    bytes of the general path, multi-line literals inside TriG blocks included."""
    from allianceskg.build.release import named_graphs
    from allianceskg.rdf.serialize import Writer, _manager, _statements, _term
    from allianceskg.vocab import PREFIXES

    graphs = dict(named_graphs(kg))
    extra = Graph()
    extra.add((ID["x"], RDF.value, Literal("two\nlines, \"quoted\"\n  indented", lang="en")))
    extra.add((ID["x"], RDF.type, ID["Thing"]))
    extra.add((ID["x-y"], RDF.value, Literal(3)))
    graphs[ID["graph-extra"]] = extra
    manager = _manager(PREFIXES)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))

    def general_turtle(graph):
        body = "\n".join(_statements(graph, manager, level=0))
        return header + ("\n" + body if body else "")

    general_trig = header + "".join(
        f"\n{_term(name, manager)} {{\n"
        + "\n".join(_statements(graph, manager, 1, label_prefix=f"g{number}b")) + "}\n"
        for number, (name, graph) in enumerate(sorted(graphs.items(), key=lambda g: str(g[0])), 1))
    combined, documents = Writer(PREFIXES).release(list(graphs.items()))
    assert combined == general_trig
    assert all(documents[name] == general_turtle(graph) for name, graph in graphs.items())
    assert '"""two\nlines' in combined  # a long string, not indented inside
