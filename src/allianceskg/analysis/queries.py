"""The competency questions: SPARQL files in queries/ with a comment header.

Each ``queries/NAME.rq`` starts with comment lines ``# title: …`` and
``# description: …`` (and optionally ``# parameters: a, b``). Loading returns
:class:`CompetencyQuery` values; a file without a title or description is refused
with its name and line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pyparsing.exceptions import ParseBaseException
from rdflib import Dataset, Graph
from rdflib.query import Result
from rdflib.term import Node

from allianceskg import resources
from allianceskg.errors import AllianceskgError, InputFileError
from allianceskg.yamlio import read_text

_HEADER_LINE = re.compile(r"^#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*\S)\s*$")
_REQUIRED = ("title", "description")


@dataclass(frozen=True)
class CompetencyQuery:
    """One stored query: its name (file stem), header fields and SPARQL text."""

    name: str
    title: str
    description: str
    parameters: tuple[str, ...]
    text: str
    path: Path


def load_query(path: Path) -> CompetencyQuery:
    """Read one ``.rq`` file and its header."""
    text = read_text(path)
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match:
            header[match["key"]] = match["value"]
    for key in _REQUIRED:
        if key not in header:
            raise InputFileError(path, f"the header has no '# {key}: …' line", line=1,
                                 hint="start the file with '# title: …' and '# description: …'")
    parameters = tuple(p.strip() for p in header.get("parameters", "").split(",") if p.strip())
    return CompetencyQuery(name=path.stem, title=header["title"],
                           description=header["description"], parameters=parameters,
                           text=text, path=path)


def load_queries(folder: Path | None = None) -> list[CompetencyQuery]:
    """Every competency question of ``folder`` (default: the project's queries/)."""
    paths = sorted(folder.glob("*.rq")) if folder else resources.query_files()
    return [load_query(path) for path in paths]


def run_query(query: CompetencyQuery, graph: Graph | Dataset,
              bindings: Mapping[str, Node] | None = None) -> Result:
    """Evaluate a competency question, binding its declared parameters.

    Parameters are bound as values (rdflib ``initBindings``), never pasted into the
    text; a name the query does not declare is refused with the names it does.
    """
    bindings = dict(bindings or {})
    unknown = sorted(set(bindings) - set(query.parameters))
    if unknown:
        declared = ", ".join(query.parameters) or "none"
        raise AllianceskgError(
            f"query {query.name!r} has no parameter {', '.join(unknown)}",
            hint=f"its parameters are: {declared}")
    try:
        return graph.query(query.text, initBindings=bindings)
    except ParseBaseException as exc:
        raise InputFileError(query.path, f"SPARQL syntax error at column {exc.col}: {exc.msg}",
                             line=exc.lineno, hint="check the query against the SPARQL 1.1 "
                                                   "grammar") from None


def find_query(name: str, queries: list[CompetencyQuery]) -> CompetencyQuery:
    """The stored query called ``name``; otherwise an error naming the closest ones."""
    for query in queries:
        if query.name == name:
            return query
    close = difflib.get_close_matches(name, [q.name for q in queries], n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else "list them with 'allianceskg queries'"
    raise AllianceskgError(f"no stored query named {name!r}", hint=hint)
