"""Write HTML documentation of the ontology with pyLODE.

Input: the ontology file. Output: ``index.html`` in the given folder, one section per
class, property and named individual with its label, definition, examples
(``skos:example``), super-terms, domain and range. pyLODE is imported here only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rdflib import Graph


def write_docs(ontology: Graph, out_dir: Path) -> Path:
    """Render ``ontology`` to ``out_dir/index.html`` and return that path."""
    OntPub = _import_pylode()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    # pyLODE reads the graph it is given; hand it a copy so it cannot change ours.
    copy = Graph()
    for triple in ontology:
        copy.add(triple)
    for prefix, namespace in ontology.namespaces():
        copy.bind(prefix, namespace, replace=True)
    OntPub(ontology=copy).make_html(destination=target)
    return target


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
