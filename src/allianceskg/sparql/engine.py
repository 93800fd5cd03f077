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
from allianceskg.serialize import NotRdfXmlError
from allianceskg.sparql.results import NotXmlError, write_boolean, write_rdf, write_tabular
from allianceskg.vocab import PREFIXES

_PARSE_CACHE_SIZE = 256
_PARSE_CACHE_CHARS = 2_000_000  # total characters of the query texts kept parsed


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
    max_response_bytes: int = 16_000_000


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
    out_of_memory: bool = False
    retry_after: int | None = None  # seconds, for a 503 the client may retry

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
        self._parsed_chars = 0

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
        except MemoryError:
            raise
        except Exception as exc:  # rdflib's translation raises plain exceptions for bad queries
            return error(400, f"the query cannot be translated: {_plain(exc)}",
                         "check the query against the SPARQL 1.1 grammar")
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
        except MemoryError:
            raise  # the worker answers 503 naming the memory limit
        except NotXmlError as exc:
            return error(406, f"the result holds a character XML 1.0 cannot carry ({exc})",
                         "ask for JSON, CSV or TSV results (or N-Triples, Turtle for graphs)")
        except NotRdfXmlError as exc:
            return error(406, f"the graph cannot be written as RDF/XML: {exc}",
                         "ask for Turtle, N-Triples or JSON-LD")
        except Exception as exc:  # evaluation errors come from the query's content
            return error(400, f"the query could not be evaluated: {_plain(exc)}",
                         "check the functions and types the query uses (SPARQL 1.1 §17)")

    def _parse(self, text: str) -> Query:
        """Parsed queries, kept by text; bounded by count and by the texts' total size
        (a parsed query grows with its text)."""
        cached = self._parsed.get(text)
        if cached is not None:
            self._parsed.move_to_end(text)
            return cached
        query = translateQuery(parseQuery(text), initNs=PREFIXES)
        self._parsed[text] = query
        self._parsed_chars += len(text)
        while len(self._parsed) > _PARSE_CACHE_SIZE or self._parsed_chars > _PARSE_CACHE_CHARS:
            old, _ = self._parsed.popitem(last=False)
            self._parsed_chars -= len(old)
        return query

    def _evaluate(self, query: Query, request: QueryRequest) -> QueryResponse:
        kind = query.algebra.name.removesuffix("Query").upper()
        fmt = choose("graph" if kind in ("CONSTRUCT", "DESCRIBE") else "tabular",
                     request.accept, request.format)
        if fmt is None:
            offered = GRAPH if kind in ("CONSTRUCT", "DESCRIBE") else TABULAR
            return error(406, f"cannot answer a {kind} query in the requested format",
                         "accept one of: " + ", ".join(f.media_type for f in offered))
        if kind == "CONSTRUCT":
            graph, truncated = _construct(self.dataset, query, request.max_rows)
            return _sized(request, lambda n: write_rdf(_first(graph, n), fmt), len(graph), truncated,
                          fmt.media_type)
        result = evalQuery(self.dataset, query, {})
        if result["type_"] == "ASK":
            return QueryResponse(200, fmt.media_type, write_boolean(bool(result["askAnswer"]), fmt), 1)
        if result["type_"] == "SELECT":
            projected = in_order(list(result["vars_"]), request.query)
            variables = [str(v) for v in projected]
            solutions = itertools.islice(result["bindings"], request.max_rows + 1)
            rows = [tuple(s.get(v) for v in projected) for s in solutions]
            truncated = len(rows) > request.max_rows
            rows = rows[:request.max_rows]
            return _sized(request, lambda n: write_tabular(variables, rows[:n], fmt, n < len(rows) or truncated),
                          len(rows), truncated, fmt.media_type)
        graph = result["graph"]
        truncated = len(graph) > request.max_rows
        graph = _first(graph, request.max_rows)
        return _sized(request, lambda n: write_rdf(_first(graph, n), fmt), len(graph), truncated,
                      fmt.media_type)


def _plain(exc: Exception) -> str:
    """An evaluation error in words, without Python's internals (class names, reprs)."""
    text = str(exc)
    if isinstance(exc, (AttributeError, TypeError, KeyError, IndexError)) or "object" in text:
        return "an operation was applied to a value of the wrong type (a literal where an IRI " \
               "is needed, a number where a string is needed, or an unbound variable)"
    return text or type(exc).__name__


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


def _first(graph: Graph, count: int) -> Graph:
    if len(graph) <= count:
        return graph
    capped = Graph()
    for triple in itertools.islice(iter(graph), count):
        capped.add(triple)
    return capped


def _sized(request: QueryRequest, render, count: int, truncated: bool,
           media_type: str) -> QueryResponse:
    """Render ``count`` results, fewer if the body would pass max_response_bytes (then
    the response says it was cut, as for the row cap)."""
    body = render(count)
    shown = count
    while len(body) > request.max_response_bytes and shown > 0:
        shown = int(shown * request.max_response_bytes / len(body) * 0.9)
        body = render(shown)
        truncated = True
    return QueryResponse(200, media_type, body, shown, truncated)


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


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')  # SPARQL 1.1 grammar [139]


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    quote = None
    in_comment = False
    iri_end = -1
    for index, char in enumerate(text):
        if index < iri_end:
            continue  # inside <…>: '#' and brackets are part of the IRI
        if in_comment:
            in_comment = char != "\n"
        elif char == "<" and not quote:
            match = _IRIREF.match(text, index)
            if match:
                iri_end = match.end()
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
