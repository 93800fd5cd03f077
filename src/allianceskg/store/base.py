"""What every store gives the query engine, and how a store is named.

A store answers one guarded query (:class:`Prepared`) with an answer in rdflib terms
(:class:`Boolean`, :class:`Rows` or :class:`Triples`), capped at the row limit; the
engine (allianceskg.sparql.engine) applies the service's rules before and writes the
answer after, so every store answers in the same formats, with the same caps and the
same errors. Stores are opened inside the query workers (:meth:`Store.start`), after
the pool forks them.

A store is named by ``memory``, ``oxigraph:DIR`` or ``remote:URL`` (:func:`parse_spec`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Graph
from rdflib.plugins.sparql.sparql import Query

from allianceskg.errors import AllianceskgError

KINDS = ("memory", "oxigraph", "remote")


@dataclass(frozen=True)
class StoreSpec:
    """Which store serves a release: ``kind`` and, for oxigraph a folder, for remote the
    SPARQL query endpoint (with its update and Graph Store endpoints)."""

    kind: str = "memory"
    location: str = ""
    update_url: str = ""
    graph_store_url: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.location}" if self.location else self.kind


def parse_spec(text: str, *, origin: str = "--store", update_url: str = "",
               graph_store_url: str = "") -> StoreSpec:
    """``memory`` | ``oxigraph`` | ``oxigraph:DIR`` | ``remote:URL``; a bad name says
    which forms exist."""
    kind, _, location = str(text).strip().partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise AllianceskgError(f"unknown store {text!r} (from {origin})",
                               hint="use memory, oxigraph:DIR or remote:URL")
    if kind == "memory" and location:
        raise AllianceskgError(f"the memory store takes no location ({text!r}, from {origin})",
                               hint="use memory, oxigraph:DIR or remote:URL")
    if kind == "remote":
        if not location.startswith(("http://", "https://")):
            raise AllianceskgError(f"the remote store needs the URL of a SPARQL endpoint "
                                   f"({text!r}, from {origin})",
                                   hint="for example remote:http://127.0.0.1:8890/sparql")
        return StoreSpec("remote", location, update_url or location,
                         graph_store_url or location)
    return StoreSpec(kind, location)


def oxigraph_folder(spec: StoreSpec, release: Path) -> Path:
    """The folder of an oxigraph store: the one named, else ``oxigraph/`` beside the
    release folder (``data/oxigraph`` for the project's ``data/kg``), or, where that
    cannot be written (an installed package), the user's cache."""
    if spec.location:
        return Path(spec.location)
    beside = release.parent / "oxigraph"
    if os.access(beside if beside.exists() else release.parent, os.W_OK):
        return beside
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(release.resolve()).encode()).hexdigest()[:12]
    return cache / "allianceskg" / f"oxigraph-{digest}"


@dataclass(frozen=True)
class Prepared:
    """A query that passed the service's checks, ready for a store."""

    text: str
    parsed: Query | None  # rdflib's parse, when the checks needed one
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10000
    timeout: float = 10.0


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Rows:
    variables: list[str]
    rows: list[tuple]
    truncated: bool = False


@dataclass(frozen=True)
class Triples:
    graph: Graph
    truncated: bool = False


Answer = Boolean | Rows | Triples


@dataclass
class QueryFailed(Exception):
    """The store refused or could not evaluate the query; an HTTP status to answer."""

    status: int
    message: str
    hint: str = ""
    extra: dict = field(default_factory=dict)


class Store(Protocol):
    """A store as the query workers use it."""

    needs_parse: bool  # whether evaluate() needs rdflib's parse of every query

    def start(self) -> None:
        """Open what a worker needs (called once per worker, after the fork)."""

    def evaluate(self, query: Prepared) -> Answer:
        """The answer, capped at ``query.max_rows``; raise :class:`QueryFailed`."""
