"""Write HTML documentation of the ontology with pyLODE.

Input: the ontology file. Output: ``index.html`` in the given folder, one section per
class, property and named individual with its label, definition, examples
(``skos:example``), super-terms, domain and range. pyLODE is imported here only.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from rdflib import Graph


def write_docs(ontology: Graph, out_dir: Path) -> Path:
    """Render ``ontology`` to ``out_dir/index.html`` and return that path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    target.write_text(render_html(ontology), encoding="utf-8")
    return target


def render_html(ontology: Graph) -> str:
    """The ontology's documentation as one HTML page, each term's section anchored by
    the term's local name (``#Actor``), so that the term's IRI lands on it."""
    OntPub = _import_pylode()
    # pyLODE reads the graph it is given; hand it a copy so it cannot change ours.
    copy = Graph()
    for triple in ontology:
        copy.add(triple)
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace, replace=True)
    html = OntPub(ontology=copy).make_html()
    return anchor_terms(html, namespace_of(ontology), ontology)


def namespace_of(ontology: Graph) -> str:
    from allianceskg.vocab import AKG

    return str(AKG._NS)


_SECTION = re.compile(r'(<div class="[^"]*\bentity\b[^"]*" id=")([^"]*)(">)')
_HREF = re.compile(r'href="#([^"]*)"')


def anchor_terms(html: str, namespace: str, ontology: Graph | None = None) -> str:
    """pyLODE derives some section ids from labels ("agreementstatus") and numbers
    clashes ("Legislation1"): give each section of the ontology's own terms the local
    name of its IRI, move any other section off those names, and point the in-page
    links at the new ids. Named individuals, which pyLODE leaves out, get a section of
    their own (with ``ontology``)."""
    sections = []
    for match in _SECTION.finditer(html):
        code = html.find("<code>", match.end())
        documented = html[code + 6:html.find("</code>", code)] if code >= 0 else ""
        sections.append((match, documented))
    ours = {documented[len(namespace):] for _, documented in sections
            if documented.startswith(namespace)}
    renamed: dict[str, str] = {}
    for match, documented in sections:
        old = match[2]
        if documented.startswith(namespace):
            renamed[old] = documented[len(namespace):]
        elif old in ours:
            renamed[old] = f"{old}-external"
    out, last = [], 0
    for match, _ in sections:
        out.append(html[last:match.start()] + match[1] + renamed.get(match[2], match[2]) + match[3])
        last = match.end()
    out.append(html[last:])
    html = _HREF.sub(lambda m: f'href="#{renamed.get(m[1], m[1])}"', "".join(out))
    if ontology is not None:
        html = _with_individuals(html, namespace, ontology, ours)
    return html


def _with_individuals(html: str, namespace: str, ontology: Graph, documented: set[str]) -> str:
    """A "Named individuals" section (label, types, definition) for the ontology's
    individuals pyLODE did not document, before its namespaces section."""
    from html import escape

    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    found = sorted(s for s in set(ontology.subjects(RDF.type, OWL.NamedIndividual))
                   if isinstance(s, URIRef) and str(s).startswith(namespace)
                   and str(s)[len(namespace):] not in documented)
    if not found:
        return html
    parts = ['<div class="section" id="individuals"><h2>Named individuals</h2>']
    for node in found:
        local = str(node)[len(namespace):]
        label = ontology.value(node, RDFS.label) or local
        definition = ontology.value(node, SKOS.definition) or ontology.value(node, RDFS.comment)
        types = sorted(f'<a href="#{escape(str(t)[len(namespace):])}">{escape(str(t)[len(namespace):])}</a>'
                       for t in ontology.objects(node, RDF.type)
                       if str(t).startswith(namespace))
        parts.append(f'<div class="property entity" id="{escape(local)}"><h3>{escape(str(label))}</h3>'
                     f'<table><tr><th>IRI</th><td><code>{escape(str(node))}</code></td></tr>'
                     f'<tr><th>Type</th><td>{", ".join(types)}</td></tr>'
                     + (f'<tr><th>Definition</th><td>{escape(str(definition))}</td></tr>'
                        if definition else "") + '</table></div>')
    parts.append("</div>")
    at = html.find('<div id="namespaces">')
    at = at if at >= 0 else html.find("</body>")
    return html[:at] + "".join(parts) + html[at:]
def _import_pylode():
    """Import pyLODE without keeping the DEBUG root logger it installs at import."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from pylode import OntPub
    finally:
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
    return OntPub
