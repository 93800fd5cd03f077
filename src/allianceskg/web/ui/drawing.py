"""A picture of an entity's neighbourhood: the entity in the middle, the nodes its
facts link it to on a circle around it, one labelled arrow per fact, each node a link
to its own page. Plain SVG rendered on the server (no script, no network), with a
``<title>`` per node and edge for screen readers and hover.

Input: the page's :class:`~allianceskg.web.ui.entity.EntityView`. Output: SVG markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

MAX_NEIGHBOURS = 16
_SKIPPED = {RDF.type, RDFS.label, SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, RDFS.seeAlso,
            RDFS.isDefinedBy}
_WIDTH, _ROW, _PAD, _BOX, _CENTRE = 860, 32, 24, 190, 210


@dataclass(frozen=True)
class Edge:
    predicate: str
    neighbour: URIRef
    incoming: bool
    status: str  # asserted | inferred | tentative


def neighbourhood(view, href) -> str:
    """SVG of ``view``'s IRI-valued facts; ``href(iri)`` gives each node's link. Nodes
    the entity points to stand on the right, nodes pointing to it on the left (a node
    linked both ways on the right), at most MAX_NEIGHBOURS per side, so that no label
    overlaps another."""
    edges: list[Edge] = []
    for fact in view.facts():
        if fact.predicate in _SKIPPED or not isinstance(fact.value, URIRef):
            continue
        edges.append(Edge(view.names.get(fact.predicate, str(fact.predicate)), fact.value,
                          fact.incoming, fact.status))
    outgoing = {e.neighbour for e in edges if not e.incoming}
    sides = {False: sorted(outgoing, key=lambda n: view.names.get(n, str(n))),
             True: sorted({e.neighbour for e in edges} - outgoing,
                          key=lambda n: view.names.get(n, str(n)))}
    hidden = sum(max(0, len(nodes) - MAX_NEIGHBOURS) for nodes in sides.values())
    sides = {side: nodes[:MAX_NEIGHBOURS] for side, nodes in sides.items()}
    if not any(sides.values()):
        return ""
    rows = max(len(nodes) for nodes in sides.values())
    height = max(120, rows * _ROW + 2 * _PAD)
    cx, cy = _WIDTH / 2, height / 2
    where = {}
    for incoming, nodes in sides.items():
        x = _BOX / 2 + 8 if incoming else _WIDTH - _BOX / 2 - 8
        top = cy - (len(nodes) - 1) * _ROW / 2
        for i, node in enumerate(nodes):
            where[node] = (x, top + i * _ROW, incoming)
    parts = [f'<svg class="neighbourhood" viewBox="0 0 {_WIDTH} {height}" role="img" '
             f'aria-labelledby="nb-title" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="nb-title">Neighbourhood of {escape(view.title)}: '
             f'{len(where)} linked nodes</title>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/>'
             '</marker></defs>']
    for node, (x, y, incoming) in where.items():
        labels = sorted({(e.predicate, e.incoming, e.status) for e in edges if e.neighbour == node})
        status = "asserted" if any(st == "asserted" for _, _, st in labels) else labels[0][2]
        text = "; ".join(("← " if inc else "") + p for p, inc, _ in labels)
        near = x + (_BOX / 2 if incoming else -_BOX / 2)   # the box edge facing the centre
        far = cx + (-_CENTRE / 2 if incoming else _CENTRE / 2)
        x1, y1, x2, y2 = (near, y, far, cy) if incoming else (far, cy, near, y)
        anchor = "start" if incoming else "end"
        parts.append(f'<g class="edge {status}"><title>{escape(text)}</title>'
                     f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'marker-end="url(#arrow)"/>'
                     f'<text x="{near + (6 if incoming else -6):.1f}" y="{y - 5:.1f}" '
                     f'text-anchor="{anchor}">{escape(_short(text, 30))}</text></g>')
    for node, (x, y, _) in where.items():
        name = view.names.get(node, str(node))
        parts.append(f'<a href="{escape(href(node))}"><g class="node"><title>{escape(name)}</title>'
                     f'<rect x="{x - _BOX / 2:.1f}" y="{y - 13:.1f}" width="{_BOX}" height="26" rx="6"/>'
                     f'<text x="{x:.1f}" y="{y + 4:.1f}">{escape(_short(name, 27))}</text></g></a>')
    parts.append(f'<g class="node centre"><title>{escape(view.title)}</title>'
                 f'<rect x="{cx - _CENTRE / 2:.1f}" y="{cy - 18:.1f}" width="{_CENTRE}" height="36" rx="8"/>'
                 f'<text x="{cx:.1f}" y="{cy + 5:.1f}">{escape(_short(view.title, 26))}</text></g>')
    if hidden:
        parts.append(f'<text class="more" x="{cx:.1f}" y="{height - 6}">and {hidden} more '
                     f'(listed below)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
