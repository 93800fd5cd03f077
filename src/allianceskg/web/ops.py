"""Operations: ``/healthz``, ``/metrics`` (Prometheus), ``/.well-known/void``, the
index ``/``, and the hooks every response passes through: CORS for configured
origins only, request-size limits, metrics and a structured (JSON) access log."""

from __future__ import annotations

import json
import logging
import time

from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from allianceskg import __version__
from allianceskg.rdf.formats import write_graph
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
    """The release's VoID and DCAT description (RFC 5785 well-known location, VoID
    §6.2), with what depends on where it is served: the SPARQL endpoint, the data dumps
    (one DCAT distribution per file of /dumps/, with size and checksum), when the
    release was built."""
    state = _state()
    fmt = graph_format("the VoID description")
    base = (state.settings.public_url or request.url_root).rstrip("/")
    key = ("void", fmt.name, base)
    body = state.rendered.get(key)
    if body is None:
        body = write_graph(served_void(state, base), fmt.name).encode("utf-8")
        if state.settings.public_url:  # one rendering per format, whatever Host clients send
            state.rendered[key] = body
    return Response(body, content_type=f"{fmt.media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def served_void(state: ServiceState, base: str) -> Graph:
    from allianceskg.build.release import DATASET
    from allianceskg.web.ui.pages import dump_listing

    graph = Graph()
    for triple in state.void:
        graph.add(triple)
    endpoint = URIRef(f"{base}/sparql")
    graph.add((DATASET, VOID.sparqlEndpoint, endpoint))
    graph.add((DATASET, VOID.dataDump, URIRef(f"{base}/dumps/allianceskg.trig")))
    graph.add((DATASET, VOID.rootResource, URIRef("https://w3id.org/allianceskg/ontology")))
    built = datetime.fromtimestamp((state.release / "manifest.json").stat().st_mtime, timezone.utc)
    graph.add((DATASET, DCTERMS.modified, Literal(built.replace(microsecond=0).isoformat(),
                                                  datatype=XSD.dateTime)))
    service = URIRef(f"{base}/sparql#service")
    graph.add((DATASET, DCAT.accessService, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCAT.servesDataset, DATASET))
    for item in dump_listing(state):
        node = URIRef(f"{base}/dumps/{item['name']}")
        checksum = URIRef(f"{node}#sha256")
        graph.add((DATASET, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, DCAT.downloadURL, node))
        graph.add((node, DCAT.mediaType,
                   URIRef(f"https://www.iana.org/assignments/media-types/{item['media_type']}")))
        graph.add((node, DCAT.byteSize, Literal(item["bytes"], datatype=XSD.nonNegativeInteger)))
        graph.add((node, DCTERMS.license, URIRef(item["license"])))
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(item["sha256"], datatype=XSD.hexBinary)))
    return graph


SPDX = Namespace("http://spdx.org/rdf/terms#")


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
        # A page may set its own (the reconciliation preview is shown in an iframe).
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
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
