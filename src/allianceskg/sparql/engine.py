"""Evaluate one SPARQL query with the service's guards, whichever store holds the data.

Runs inside a worker process (allianceskg.sparql.pool), so a time limit can kill it.
Input: a store (allianceskg.store) and a :class:`QueryRequest`. Output: a
:class:`QueryResponse` holding the HTTP status, media type and body, ready to send.
Guards, in order, before the store sees the query: the nesting depth of the text (the
parser recurses); for stores that need it, and for any query that names SERVICE,
rdflib's parse (syntax, and only queries: never an update or LOAD); SERVICE endpoints
(refused unless allowed). After: the row cap, the response size cap and content
negotiation (406), by the same writers for every store.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from pyparsing.exceptions import ParseBaseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from allianceskg.rdf.serialize import NotRdfXmlError
from allianceskg.sparql.lexical import mentions_service, nesting_depth
from allianceskg.sparql.negotiation import GRAPH, TABULAR, choose
from allianceskg.sparql.results import NotXmlError, write_boolean, write_rdf, write_tabular
from allianceskg.store.base import (Answer, Boolean, Prepared, QueryFailed, Rows, Store,
                                    Triples)
from allianceskg.store.memory import first
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
    timeout: float = 10.0


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
    """Applies the service's rules to each query, lets the store evaluate it, and
    writes the answer; rdflib's parses are kept by text."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._parsed: OrderedDict[str, Query] = OrderedDict()
        self._parsed_chars = 0

    def execute(self, request: QueryRequest) -> QueryResponse:
        depth = nesting_depth(request.query)
        if depth > request.max_nesting:
            return error(400, f"the query nests {{, ( or [ {depth} deep; the limit is "
                              f"{request.max_nesting}", "simplify the query, or raise max_nesting")
        parsed = None
        if self.store.needs_parse or mentions_service(request.query):
            try:
                parsed = self._parse(request.query)
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
            refused = _refused_service(parsed, request.service_allowlist)
            if refused:  # refused before any store sees the query (pyoxigraph would call it)
                return error(403, f"SERVICE <{refused}> is not allowed: this service makes no "
                                  "outbound requests", "ask the operator to add the endpoint to "
                                  "service_allowlist (ALLIANCESKG_SERVICE_ALLOWLIST)")
        prepared = Prepared(request.query, parsed, request.default_graphs, request.named_graphs,
                            request.max_rows, request.timeout)
        try:
            return self._answer(self.store.evaluate(prepared), request)
        except QueryFailed as exc:
            return error(exc.status, exc.message, exc.hint)
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

    def _answer(self, answer: Answer, request: QueryRequest) -> QueryResponse:
        graph_like = isinstance(answer, Triples)
        fmt = choose("graph" if graph_like else "tabular", request.accept, request.format)
        if fmt is None:
            kind = "CONSTRUCT or DESCRIBE" if graph_like else \
                ("ASK" if isinstance(answer, Boolean) else "SELECT")
            offered = GRAPH if graph_like else TABULAR
            return error(406, f"cannot answer a {kind} query in the requested format",
                         "accept one of: " + ", ".join(f.media_type for f in offered))
        if isinstance(answer, Boolean):
            return QueryResponse(200, fmt.media_type, write_boolean(answer.value, fmt), 1)
        if isinstance(answer, Rows):
            order = in_order(answer.variables, request.query)
            if order != answer.variables:
                index = [answer.variables.index(v) for v in order]
                rows = [tuple(row[i] for i in index) for row in answer.rows]
            else:
                rows = answer.rows
            return _sized(request, lambda n: write_tabular(order, rows[:n], fmt,
                                                           n < len(rows) or answer.truncated),
                          len(rows), answer.truncated, fmt.media_type)
        graph = answer.graph
        return _sized(request, lambda n: write_rdf(first(graph, n), fmt), len(graph),
                      answer.truncated, fmt.media_type)


def _plain(exc: Exception) -> str:
    """An evaluation error in words, without Python's internals (class names, reprs)."""
    text = str(exc)
    if isinstance(exc, (AttributeError, TypeError, KeyError, IndexError)) or "object" in text:
        return "an operation was applied to a value of the wrong type (a literal where an IRI " \
               "is needed, a number where a string is needed, or an unbound variable)"
    return text or type(exc).__name__


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
