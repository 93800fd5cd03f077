"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, read side (§5.2
HTTP GET, and HEAD): ``?graph=IRI`` for a named graph of the release, ``?default``
for the default graph (the union of all graphs), with content negotiation. Writes are
answered 405 while the service is read-only."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from rdflib import Graph, URIRef

from allianceskg.formats import write_graph
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
    key = ("graph", "default" if wants_default else names[0], fmt.name)
    if key not in state.rendered:
        state.rendered[key] = _render(state, None if wants_default else URIRef(names[0]), fmt)
    return Response(state.rendered[key], content_type=f"{fmt.media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def _render(state: ServiceState, name: URIRef | None, fmt) -> bytes:
    if name is None:
        graph = Graph()
        for named in state.graphs.values():
            for triple in named:
                graph.add(triple)
    elif name in state.graphs:
        graph = state.graphs[name]
    else:
        raise ServiceError(404, f"the release has no graph <{name}>",
                           "the service description (GET /sparql) lists the named graphs")
    return write_graph(graph, fmt.name).encode("utf-8")
