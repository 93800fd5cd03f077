"""Read RDF files with errors that name the file, the line and the problem.

rdflib's own exceptions carry the line as an attribute or bury it in a message; every
project file (ontology, shapes, reference data, fixtures) is read through here so a
malformed one is reported the same way everywhere.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from allianceskg.errors import InputFileError

# Every extension `allianceskg export` writes, and the usual aliases.
_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt",
            ".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".rdf": "xml",
            ".xml": "xml", ".owl": "xml", ".jsonld": "json-ld", ".json": "json-ld"}
DATASET_SUFFIXES = (".trig", ".nq", ".nquads", ".jsonld", ".json")


def rdf_format(path: Path) -> str:
    """Return rdflib's parser name for a file, from its extension."""
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InputFileError(path, f"unknown RDF file extension {path.suffix!r}",
                             hint=f"use one of {known}") from None


def read_graph(path: Path | str, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new Graph by default) and return it.

    A syntax error becomes an :class:`InputFileError` naming the file and the 1-based
    line; a missing file names the path.
    """
    path = Path(path)
    target = graph if graph is not None else Graph()
    try:
        data = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        target.parse(data=data, format=rdf_format(path), publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        # BadSyntax.lines counts the newlines before the error: 0-based.
        raise InputFileError(path, f"syntax error: {exc._why}", line=exc.lines + 1) from None
    except InputFileError:
        raise
    except Exception as exc:  # rdflib raises many types; every one is the file's fault
        raise InputFileError(path, f"cannot parse: {exc}", line=_line_of(exc)) from None
    return target


def read_graphs(paths: list[Path]) -> Graph:
    """Parse several RDF files into one graph."""
    graph = Graph()
    for path in paths:
        read_graph(path, graph)
    return graph


def read_dataset(path: Path | str) -> Dataset:
    """Parse a TriG or N-Quads file into a Dataset (named graphs kept apart)."""
    path = Path(path)
    dataset = Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's own TriG and N-Quads parsers use its deprecated ConjunctiveGraph
        # API internally; the warning is rdflib's to fix, not our callers'.
        warnings.simplefilter("ignore", DeprecationWarning)
        read_graph(path, dataset)
    return dataset


def _line_of(exc: Exception) -> int | None:
    """The line number an rdflib exception carries, if it carries one."""
    for attribute in ("lines", "lineno", "line"):
        value = getattr(exc, attribute, None)
        if isinstance(value, int):
            return value
    return None
