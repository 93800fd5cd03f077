"""The ``memory`` store: rdflib's SPARQL engine over the release's TriG, loaded once
in the pool's zygote and shared copy-on-write by its workers.

FROM, FROM NAMED and the protocol's graph parameters never fetch anything (rdflib's
``SPARQL_LOAD_GRAPHS`` is off): graphs the release does not hold are empty.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from allianceskg.store.base import Boolean, Prepared, Rows, Triples


class MemoryStore:
    needs_parse = True

    def __init__(self, dataset: Dataset) -> None:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # never fetch FROM <…> or LOAD
        rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = True  # decided: union of all graphs
        self.dataset = dataset

    @classmethod
    def open(cls, release: Path) -> MemoryStore:
        from allianceskg.build.release import load_release

        return cls(load_release(release))

    def start(self) -> None:
        """Nothing to open: the dataset came with the fork."""

    def evaluate(self, query: Prepared):
        parsed = _with_dataset(query.parsed, query)
        if parsed.algebra.name == "ConstructQuery":
            graph, truncated = _construct(self.dataset, parsed, query.max_rows)
            return Triples(graph, truncated)
        result = evalQuery(self.dataset, parsed, {})
        if result["type_"] == "ASK":
            return Boolean(bool(result["askAnswer"]))
        if result["type_"] == "SELECT":
            variables = list(result["vars_"])
            solutions = itertools.islice(result["bindings"], query.max_rows + 1)
            rows = [tuple(s.get(v) for v in variables) for s in solutions]
            return Rows([str(v) for v in variables], rows[:query.max_rows],
                        len(rows) > query.max_rows)
        graph = result["graph"]
        return Triples(first(graph, query.max_rows), len(graph) > query.max_rows)


def _construct(dataset: Dataset, query: Query, cap: int) -> tuple[Graph, bool]:
    """CONSTRUCT evaluated solution by solution, stopping once ``cap`` triples are
    built (rdflib builds the whole graph first), and ``CONSTRUCT WHERE`` with
    modifiers (LIMIT, ORDER BY) too (SPARQL 1.1 §16.2.4: the template is the pattern)."""
    from rdflib.plugins.sparql.evaluate import _fillTemplate, evalPart
    from rdflib.plugins.sparql.sparql import QueryContext

    algebra = query.algebra
    context = QueryContext(dataset, initBindings={}, datasetClause=algebra.datasetClause)
    context.prologue = query.prologue
    template = algebra.template or _where_triples(algebra.p)
    graph = Graph()
    for solution in evalPart(context, algebra.p):
        for triple in _fillTemplate(template, solution):
            graph.add(triple)
            if len(graph) > cap:
                graph.remove(triple)
                return graph, True
    return graph, False


def _where_triples(node) -> list:
    """The triples of a CONSTRUCT WHERE's pattern, below any Slice/Project/OrderBy."""
    while isinstance(node, CompValue):
        if node.name == "BGP":
            return node.triples
        node = node.get("p")
    return []


def first(graph: Graph, count: int) -> Graph:
    """At most ``count`` triples of ``graph``."""
    if len(graph) <= count:
        return graph
    capped = Graph()
    for triple in itertools.islice(iter(graph), count):
        capped.add(triple)
    return capped


def _with_dataset(query: Query, prepared: Prepared) -> Query:
    """Apply default-graph-uri / named-graph-uri: they replace FROM and FROM NAMED
    (SPARQL 1.1 Protocol, §2.1.4). Graphs the release does not hold are empty."""
    if not prepared.default_graphs and not prepared.named_graphs:
        return query
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in prepared.default_graphs]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in prepared.named_graphs]
    algebra = CompValue(query.algebra.name)
    algebra.update(query.algebra)
    algebra.__dict__.update(query.algebra.__dict__)  # the cached query stays untouched
    algebra["datasetClause"] = clause
    changed = copy.copy(query)
    changed.algebra = algebra
    return changed
