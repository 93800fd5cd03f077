"""``/sparql``: the SPARQL 1.1 Protocol (W3C Recommendation, 2013), query operation,
read-only.

§2.1.1 query via GET, §2.1.2 via URL-encoded POST, §2.1.3 via POST directly
(``application/sparql-query``); §2.1.4 ``default-graph-uri`` / ``named-graph-uri``
(only the release's graphs count; any other name is an empty graph, never fetched);
§2.2 updates are answered 403 while the service is read-only; a GET without a query
returns the Service Description (SPARQL 1.1 Service Description, §3).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request

from allianceskg.sparql.engine import QueryRequest
from allianceskg.web.description import service_description
from allianceskg.web.errors import ServiceError, error_response, graph_format
from allianceskg.web.state import ServiceState

blueprint = Blueprint("sparql", __name__)
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


def _state() -> ServiceState:
    return current_app.extensions["allianceskg"]


@blueprint.route("/sparql", methods=["GET", "POST", "HEAD"])
def sparql() -> Response:
    params = _url_params()
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise ServiceError(400, "updates cannot be sent with GET (SPARQL 1.1 Protocol §2.2)",
                               "POST the update; note this service is read-only")
        if "query" not in params:
            if _browser():
                from allianceskg.web.ui.pages import ui

                return ui()
            return _description()
        return _answer(_single(params, "query"), params)
    return _post(params)


def _post(params: dict[str, list[str]]) -> Response:
    media, charset = _content_type()
    if media == _FORM:
        body = _form_body(charset)
        merged = {k: params.get(k, []) + body.get(k, []) for k in set(params) | set(body)}
        if "update" in body:
            _single(body, "update")
            raise _read_only()
        if "query" not in body:
            raise ServiceError(400, "the form has no 'query' parameter",
                               "send query=… (SPARQL 1.1 Protocol §2.1.2)")
        return _answer(_single(body, "query"), merged)
    if media == _QUERY:
        return _answer(_text_body(charset), params)
    if media == _UPDATE:
        _text_body(charset)
        raise _read_only()
    if not media:
        raise ServiceError(400, "the POST has no Content-Type",
                           f"use {_FORM}, {_QUERY} (SPARQL 1.1 Protocol §2.1)")
    raise ServiceError(415, f"unsupported Content-Type {media!r}",
                       f"use {_FORM} or {_QUERY} (SPARQL 1.1 Protocol §2.1)")


def _answer(query: str, params: dict[str, list[str]]) -> Response:
    state = _state()
    settings = state.settings
    if len(query) > settings.max_query_chars:
        raise ServiceError(400, f"the query is {len(query)} characters long; the limit is "
                                f"{settings.max_query_chars}", "raise max_query_chars, or shorten it")
    query_request = QueryRequest(
        query=query, default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        accept=request.headers.get("Accept"), format=tuple(params.get("format", [])),
        max_rows=settings.max_rows, max_nesting=settings.max_nesting,
        service_allowlist=settings.service_allowlist,
        max_response_bytes=settings.max_response_bytes, timeout=settings.query_timeout)
    started = time.perf_counter()
    response, cached = state.run(query_request)
    state.metrics.query(time.perf_counter() - started, response.rows,
                        timed_out=response.timed_out,
                        cached=cached)
    if not response.ok:
        headers = {"Retry-After": str(response.retry_after)} if response.retry_after else {}
        return error_response(response.status, response.message, response.hint, headers)
    result = Response(response.body, status=200, content_type=_with_charset(response.content_type))
    result.headers["Vary"] = "Accept"
    if response.truncated:
        result.headers["X-Result-Truncated"] = f"true; limit={settings.max_rows}"
    return result


def _description() -> Response:
    state = _state()
    fmt = graph_format("the service description")
    public = state.settings.public_url.rstrip("/")
    endpoint = (public or request.url_root.rstrip("/")) + "/sparql"
    if public:  # one rendering per format, whatever Host header clients send
        key = ("service-description", fmt.name)
        if key not in state.rendered:
            state.rendered[key] = service_description(endpoint, state.graphs, fmt,
                                                      state.distinct_triples)
        body = state.rendered[key]
    else:  # the endpoint is the client's Host: render it per request, keep nothing
        body = service_description(endpoint, state.graphs, fmt, state.distinct_triples)
    return Response(body, content_type=_with_charset(fmt.media_type), headers={"Vary": "Accept"})


def _browser() -> bool:
    """A browser asking for a page (Accept prefers text/html to every RDF format and
    no ``format`` parameter): it gets the query UI, tools the service description."""
    if request.args.get("format"):
        return False
    accept = request.accept_mimetypes
    html = accept["text/html"] if "text/html" in accept.values() else 0
    return html > 0 and all(accept[m] < html for m in (
        "text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"))


def _url_params() -> dict[str, list[str]]:
    try:
        return parse_qs(request.query_string.decode("utf-8", errors="strict"),
                        keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ServiceError(400, "the query string is not UTF-8") from None


def _content_type() -> tuple[str, str | None]:
    header = request.headers.get("Content-Type", "")
    media, *parameters = [p.strip() for p in header.split(";")]
    charset = None
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _check_charset(charset: str | None) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise ServiceError(415, f"unsupported charset {charset!r}",
                           "send the request in UTF-8 (SPARQL 1.1 Protocol §2.1)")


def _text_body(charset: str | None) -> str:
    _check_charset(charset)
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(400, "the request body is not UTF-8") from None


def _form_body(charset: str | None) -> dict[str, list[str]]:
    text = _text_body(charset)
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ServiceError(400, "the form is not UTF-8") from None


def _single(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise ServiceError(400, f"exactly one '{name}' parameter is allowed; got {len(values)}",
                           "send one operation per request (SPARQL 1.1 Protocol §2.1)")
    return values[0]


def _read_only() -> ServiceError:
    return ServiceError(403, "this service is read-only: SPARQL Update is not accepted",
                        "query with SELECT, ASK, CONSTRUCT or DESCRIBE; the data is rebuilt "
                        "with 'allianceskg build'")


def _with_charset(media_type: str) -> str:
    return media_type if "charset" in media_type else f"{media_type}; charset=utf-8"
