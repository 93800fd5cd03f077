"""Operations: ``/healthz``, ``/metrics`` (Prometheus), ``/.well-known/void``, the
index ``/``, and the hooks every response passes through: CORS for configured
origins only, request-size limits, metrics and a structured (JSON) access log."""

from __future__ import annotations

import json
import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from allianceskg import __version__
from allianceskg.formats import write_graph
from allianceskg.web.errors import ServiceError, graph_format
from allianceskg.web.state import ServiceState

blueprint = Blueprint("ops", __name__)
access_log = logging.getLogger("allianceskg.access")


def _state() -> ServiceState:
    return current_app.extensions["allianceskg"]


@blueprint.route("/healthz")
def healthz() -> Response:
    state = _state()
    alive = state.pool.alive_workers
    body = jsonify({"ok": alive > 0, "version": __version__, "graphs": len(state.graphs),
                    "triples": sum(state.graphs.values()),
                    "store": str(state.settings.store),
                    "workers": state.settings.workers, "workers_alive": alive})
    body.status_code = 200 if alive > 0 else 503
    return body


@blueprint.route("/metrics")
def metrics() -> Response:
    return Response(_state().metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


@blueprint.route("/.well-known/void")
def void() -> Response:
    state = _state()
    fmt = graph_format("the VoID description")
    key = ("void", fmt.name)
    if key not in state.rendered:
        state.rendered[key] = write_graph(state.void, fmt.name).encode("utf-8")
    return Response(state.rendered[key], content_type=f"{fmt.media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        limit = _state().settings.max_request_bytes
        if len(request.full_path) > limit:
            raise ServiceError(414, f"the URL is longer than {limit} bytes",
                               "POST the query instead (SPARQL 1.1 Protocol §2.1.2)")

    @app.after_request
    def finish(response: Response) -> Response:
        state = _state()
        _cors(state, response)
        _page_security(response)
        state.metrics.request(request.endpoint or "unknown", response.status_code)
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # W3C Server Timing: the time the service spent on the request, for clients and
        # the page benchmark (benchmarks/pages.py).
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        access_log.info(json.dumps({
            "method": request.method, "path": request.path, "status": response.status_code,
            "ms": round(elapsed, 2),
            "bytes": response.calculate_content_length(), "remote": request.remote_addr,
            "agent": request.headers.get("User-Agent", "")}))
        return response


# Pages load nothing from elsewhere: scripts, styles, fonts and images come from this
# service only (inline styles are allowed for YASGUI's editor and pyLODE's page).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")


def _page_security(response: Response) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype in ("text/html", "image/svg+xml"):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "same-origin"


def _cors(state: ServiceState, response: Response) -> None:
    """CORS only for the configured origins (no wildcard, no credentials)."""
    origin = request.headers.get("Origin")
    if origin and origin in state.settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Expose-Headers"] = "X-Result-Truncated"
        response.headers.add("Vary", "Origin")
