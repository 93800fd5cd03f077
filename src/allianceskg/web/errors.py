"""One error body for every error: ``{"ok": false, "status": N, "error": "…", "hint":
"…"}``, as JSON. Client errors get 4xx with a message that says what to change;
only the service's own faults get 5xx, and no message ever shows a server path."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from allianceskg.rdf.serialize import NotRdfXmlError

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


def prefers_html() -> bool:
    """A browser navigating: Accept names text/html, above JSON."""
    from flask import has_request_context, request

    if not has_request_context() or "text/html" not in request.accept_mimetypes.values():
        return False
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"] or \
        "application/json" not in accept.values()


def error_response(status: int, message: str, hint: str = "", headers: dict | None = None) -> Response:
    body = {"ok": False, "status": status, "error": message}
    if hint:
        body["hint"] = hint
    if prefers_html():
        response = _html_error(status, message, hint)
    else:
        response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _html_error(status: int, message: str, hint: str) -> Response:
    from flask import render_template
    from werkzeug.http import HTTP_STATUS_CODES

    from allianceskg import __version__

    try:
        text = render_template("error.html", status=status, message=message, hint=hint,
                               reason=HTTP_STATUS_CODES.get(status, "Error"), version=__version__,
                               review=False, query="")
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("error page")
        return jsonify({"ok": False, "status": status, "error": message, "hint": hint})
    return Response(text, content_type="text/html; charset=utf-8")


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
