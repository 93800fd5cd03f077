"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, read side (§5.2
HTTP GET, and HEAD): ``?graph=IRI`` for a named graph of the release, ``?default``
for the default graph (the union of all graphs), with content negotiation. Writes are
answered 405 while the service is read-only."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, request
from rdflib import Graph, URIRef

from allianceskg.rdf.formats import write_graph
from allianceskg.rdf.rdfio import read_graph
from allianceskg.build.release import graph_file_name
from allianceskg.web.errors import ServiceError, graph_format
from allianceskg.web.state import ServiceState

blueprint = Blueprint("graphstore", __name__)


@blueprint.route("/rdf-graph-store", methods=["GET", "HEAD"])
def graph_store() -> Response:
    state: ServiceState = current_app.extensions["allianceskg"]
    names = request.args.getlist("graph")
    wants_default = "default" in request.args
    if wants_default == bool(names) or len(names) > 1:
        raise ServiceError(400, "name exactly one graph: ?graph=IRI or ?default",
                           "SPARQL 1.1 Graph Store HTTP Protocol §4.2")
    fmt = graph_format("the graph")
    name = None if wants_default else URIRef(names[0])
    if name is not None and name not in state.graphs:
        raise ServiceError(404, f"the release has no graph <{name}>",
                           "the service description (GET /sparql) lists the named graphs")
    key = ("graph", "default" if wants_default else names[0], fmt.name)
    body = state.rendered.get(key)
    if body is None:
        body = _render_once(state, key, name, fmt)
    return Response(body, content_type=f"{fmt.media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def _render_once(state: ServiceState, key: tuple, name: URIRef | None, fmt) -> bytes:
    """Render a graph once, in one HTTP thread: while it is being rendered, other
    requests for it get 503 with Retry-After instead of each holding a thread."""
    key = (id(state), *key)  # per release: a reload starts afresh
    with _RENDERING_LOCK:
        if key in _RENDERING:
            raise ServiceError(503, "this graph is being prepared; it is served from memory "
                                    "once ready", "retry after the number of seconds in "
                                                  "Retry-After", headers={"Retry-After": "2"})
        _RENDERING.add(key)
    try:
        body = state.rendered[key[1:]] = _render(state, name, fmt)
        return body
    finally:
        with _RENDERING_LOCK:
            _RENDERING.discard(key)


_RENDERING: set = set()
_RENDERING_LOCK = threading.Lock()


def _render(state: ServiceState, name: URIRef | None, fmt) -> bytes:
    """From the release's canonical files: a named graph's Turtle as written, other
    formats and the union from those files."""
    if name is not None and fmt.name == "turtle":
        return (state.release / "graphs" / graph_file_name(name)).read_bytes()
    graph = Graph()
    for named in ([name] if name is not None else sorted(state.graphs)):
        read_graph(state.release / "graphs" / graph_file_name(named), graph)
    return write_graph(graph, fmt.name).encode("utf-8")
