"""One error body for every error: ``{"ok": false, "status": N, "error": "…", "hint":
"…"}``, as JSON. Client errors get 4xx with a message that says what to change;
only the service's own faults get 5xx, and no message ever shows a server path."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from allianceskg.serialize import NotRdfXmlError

log = logging.getLogger("allianceskg.web")

_HINTS = {
    404: "see / for the service's endpoints",
    405: "see the Allow header for the methods this endpoint accepts",
    413: "send a smaller request; the limit is max_request_bytes (ALLIANCESKG_MAX_REQUEST_BYTES)",
}


class ServiceError(Exception):
    """A request the service refuses, with its status and a hint."""

    def __init__(self, status: int, message: str, hint: str = "", headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint
        self.headers = headers or {}


def graph_format(what: str):
    """The RDF format to send ``what`` in, from Accept or ``format``; 406 otherwise."""
    from flask import request

    from allianceskg.sparql.negotiation import choose

    fmt = choose("graph", request.headers.get("Accept"), tuple(request.args.getlist("format")))
    if fmt is None:
        raise ServiceError(406, f"cannot produce {what} in the requested format",
                           "accept text/turtle, application/n-triples, application/ld+json or "
                           "application/rdf+xml")
    return fmt


def error_response(status: int, message: str, hint: str = "", headers: dict | None = None) -> Response:
    body = {"ok": False, "status": status, "error": message}
    if hint:
        body["hint"] = hint
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError) -> Response:
        return error_response(exc.status, exc.message, exc.hint, exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        return error_response(exc.code or 500, exc.description or exc.name,
                              _HINTS.get(exc.code or 0, ""), headers)

    @app.errorhandler(NotRdfXmlError)
    def not_rdf_xml(exc: NotRdfXmlError) -> Response:
        return error_response(406, f"the graph cannot be written as RDF/XML: {exc}",
                              "ask for Turtle, N-Triples or JSON-LD")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal error; the operator's log has the details")
