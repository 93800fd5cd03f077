"""Evaluate one SPARQL query against an in-memory dataset, with the service's guards.

Runs inside a worker process (allianceskg.sparql.pool), so a time limit can kill it.
Input: the dataset and a :class:`QueryRequest`. Output: a :class:`QueryResponse`
holding the HTTP status, media type and body, ready to send. Guards, in order: the
nesting depth of the text (the parser recurses), the syntax, SERVICE endpoints
(refused unless allowed), the dataset (only graphs the release holds; FROM,
FROM NAMED and the protocol's graph parameters never fetch anything: rdflib's
``SPARQL_LOAD_GRAPHS`` is off), the row cap, and content negotiation (406).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import OrderedDict
from dataclasses import dataclass

import rdflib.plugins.sparql
from pyparsing.exceptions import ParseBaseException
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from allianceskg.sparql.negotiation import GRAPH, TABULAR, choose
from allianceskg.sparql.results import write_boolean, write_rdf, write_tabular
from allianceskg.vocab import PREFIXES

_PARSE_CACHE_SIZE = 256


@dataclass(frozen=True)
class QueryRequest:
    """A query as the protocol layer received it."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: tuple[str, ...] = ()
    max_rows: int = 10000
    max_nesting: int = 40
    service_allowlist: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResponse:
    """What to send back: a success with its body, or an error with its message."""

    status: int
    content_type: str = ""
    body: bytes = b""
    rows: int = 0
    truncated: bool = False
    message: str = ""
    hint: str = ""
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.status < 400


def error(status: int, message: str, hint: str = "") -> QueryResponse:
    return QueryResponse(status=status, message=message, hint=hint)


class Engine:
    """Evaluates queries over one dataset, caching parsed queries."""

    def __init__(self, dataset: Dataset) -> None:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # never fetch FROM <…> or LOAD
        rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = True  # decided: union of all graphs
        self.dataset = dataset
        self._parsed: OrderedDict[str, Query] = OrderedDict()

    def execute(self, request: QueryRequest) -> QueryResponse:
        depth = nesting_depth(request.query)
        if depth > request.max_nesting:
            return error(400, f"the query nests {{, ( or [ {depth} deep; the limit is "
                              f"{request.max_nesting}", "simplify the query, or raise max_nesting")
        try:
            query = self._parse(request.query)
        except ParseBaseException as exc:
            return error(400, f"syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
                         "check the query against the SPARQL 1.1 grammar")
        except RecursionError:
            return error(400, "the query is nested too deeply to parse", "simplify the query")
        except Exception as exc:  # rdflib's translation raises plain exceptions for bad queries
            return error(400, f"the query cannot be translated: {exc}")
        refused = _refused_service(query, request.service_allowlist)
        if refused:
            return error(403, f"SERVICE <{refused}> is not allowed: this service makes no "
                              "outbound requests", "ask the operator to add the endpoint to "
                              "service_allowlist (ALLIANCESKG_SERVICE_ALLOWLIST)")
        query = _with_dataset(query, request)
        try:
            return self._evaluate(query, request)
        except RecursionError:
            return error(400, "the query is nested too deeply to evaluate", "simplify the query")
        except Exception as exc:  # evaluation errors come from the query's content
            return error(400, f"the query could not be evaluated: {type(exc).__name__}: {exc}")

    def _parse(self, text: str) -> Query:
        cached = self._parsed.get(text)
        if cached is not None:
            self._parsed.move_to_end(text)
            return cached
        query = translateQuery(parseQuery(text), initNs=PREFIXES)
        self._parsed[text] = query
        if len(self._parsed) > _PARSE_CACHE_SIZE:
            self._parsed.popitem(last=False)
        return query

    def _evaluate(self, query: Query, request: QueryRequest) -> QueryResponse:
        result = evalQuery(self.dataset, query, {})
        kind = result["type_"]
        fmt = choose("graph" if kind in ("CONSTRUCT", "DESCRIBE") else "tabular",
                     request.accept, request.format)
        if fmt is None:
            offered = GRAPH if kind in ("CONSTRUCT", "DESCRIBE") else TABULAR
            return error(406, f"cannot answer a {kind} query in the requested format",
                         "accept one of: " + ", ".join(f.media_type for f in offered))
        if kind == "ASK":
            return QueryResponse(200, fmt.media_type, write_boolean(bool(result["askAnswer"]), fmt), 1)
        if kind == "SELECT":
            projected = in_order(list(result["vars_"]), request.query)
            variables = [str(v) for v in projected]
            solutions = itertools.islice(result["bindings"], request.max_rows + 1)
            rows = [tuple(s.get(v) for v in projected) for s in solutions]
            truncated = len(rows) > request.max_rows
            rows = rows[:request.max_rows]
            body = write_tabular(variables, rows, fmt, truncated)
            return QueryResponse(200, fmt.media_type, body, len(rows), truncated)
        graph = result["graph"]
        truncated = len(graph) > request.max_rows
        if truncated:
            capped = Graph()
            for triple in itertools.islice(iter(graph), request.max_rows):
                capped.add(triple)
            graph = capped
        return QueryResponse(200, fmt.media_type, write_rdf(graph, fmt), len(graph), truncated)


_SELECT_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)


def in_order(variables: list, text: str) -> list:
    """For SELECT *, rdflib gathers the variables in a set, so their order changes from
    process to process; put them in order of first appearance in the query, as people
    (and the W3C result-format tests) expect."""
    if not _SELECT_STAR.search(text):
        return variables

    def first(variable) -> int:
        found = re.search(r"[?$]" + re.escape(str(variable)) + r"\b", text)
        return found.start() if found else len(text)

    return sorted(variables, key=lambda v: (first(v), str(v)))


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    quote = None
    in_comment = False
    for index, char in enumerate(text):
        if in_comment:
            in_comment = char != "\n"
        elif quote:
            if char == quote and text[index - 1] != "\\":
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            in_comment = True
        elif char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    return deepest


def _walk(node: object):
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)


def _refused_service(query: Query, allowlist: tuple[str, ...]) -> str | None:
    for node in _walk(query.algebra):
        if node.name == "ServiceGraphPattern":
            endpoint = str(node.get("term"))
            if endpoint not in allowlist:
                return endpoint
    return None


def _with_dataset(query: Query, request: QueryRequest) -> Query:
    """Apply default-graph-uri / named-graph-uri: they replace FROM and FROM NAMED
    (SPARQL 1.1 Protocol, §2.1.4). Graphs the release does not hold are empty."""
    if not request.default_graphs and not request.named_graphs:
        return query
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in request.default_graphs]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in request.named_graphs]
    algebra = CompValue(query.algebra.name)
    algebra.update(query.algebra)
    algebra.__dict__.update(query.algebra.__dict__)  # the cached query stays untouched
    algebra["datasetClause"] = clause
    changed = copy.copy(query)
    changed.algebra = algebra
    return changed
