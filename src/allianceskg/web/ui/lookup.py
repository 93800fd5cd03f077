"""What the pages read: SELECT queries sent through the service's own worker pool, so
that a page shows what ``/sparql`` answers, whichever store serves (memory, oxigraph,
remote), under the same time limit, row cap and response cache.

Input: the :class:`ServiceState` and a query. Output: rows as dicts of rdflib terms
(SPARQL 1.1 Query Results JSON Format, §3.2.2, read back into terms).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from allianceskg.sparql.engine import QueryRequest
from allianceskg.web.errors import ServiceError
from allianceskg.web.state import ServiceState

Row = dict[str, Node]
_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Lookup:
    """Run the pages' queries for one request."""

    state: ServiceState

    def select(self, query: str, *, max_rows: int | None = None) -> list[Row]:
        settings = self.state.settings
        request = QueryRequest(query=query, accept=_JSON, max_rows=max_rows or settings.max_rows,
                               max_nesting=settings.max_nesting,
                               max_response_bytes=settings.max_response_bytes,
                               timeout=settings.query_timeout)
        response, _ = self.state.run(request)
        if not response.ok:
            raise ServiceError(response.status, response.message, response.hint,
                               {"Retry-After": str(response.retry_after)}
                               if response.retry_after else None)
        data = json.loads(response.body)
        return [{name: term(value) for name, value in binding.items()}
                for binding in data["results"]["bindings"]]

    def ask(self, query: str) -> bool:
        settings = self.state.settings
        request = QueryRequest(query=query, accept=_JSON, timeout=settings.query_timeout,
                               max_nesting=settings.max_nesting)
        response, _ = self.state.run(request)
        if not response.ok:
            raise ServiceError(response.status, response.message, response.hint)
        return bool(json.loads(response.body)["boolean"])


def term(value: dict) -> Node:
    """One RDF term of the JSON results format (§3.2.2)."""
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    if "datatype" in value:
        return Literal(value["value"], datatype=URIRef(value["datatype"]))
    return Literal(value["value"])


def iri(node: Node) -> str:
    """``node`` as a SPARQL IRI reference; refuses what could break out of ``<…>``."""
    text = str(node)
    if any(c in text for c in '<>"{}|^`\\ \n\r\t'):
        raise ServiceError(400, f"not an IRI: {text[:80]!r}",
                           "give an absolute IRI without spaces, quotes or angle brackets")
    return f"<{text}>"


def literal(node: Node) -> str:
    """``node`` (an IRI or a literal) as SPARQL term text: IRIs checked as :func:`iri`
    does, literals escaped by rdflib (N-Triples syntax is valid SPARQL)."""
    if isinstance(node, URIRef):
        return iri(node)
    if isinstance(node, Literal):
        return node.n3()
    raise ServiceError(400, "blank nodes cannot be looked up", "give an IRI or a literal")
