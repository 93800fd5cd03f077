"""Stores behind one interface: ``memory`` (rdflib), ``oxigraph`` (pyoxigraph,
persistent) and ``remote`` (any SPARQL 1.1 endpoint). :func:`prepare` makes a store
hold a release (load, push) and says where it is; :func:`open_store` gives the query
workers the store's :class:`~allianceskg.store.base.Store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allianceskg.store.base import StoreSpec, oxigraph_folder, parse_spec

__all__ = ["Ready", "StoreSpec", "open_store", "parse_spec", "prepare"]


@dataclass(frozen=True)
class Ready:
    """A store that holds one release: what the pool's zygote needs to open it."""

    spec: StoreSpec
    release: Path
    path: Path | None = None  # the oxigraph store of this release
    pushed: int = 0  # triples sent to a remote store (0: it held the release already)


def prepare(spec: StoreSpec, release: Path, *, force_push: bool = False) -> Ready:
    """Make the store hold ``release``: load it into the oxigraph folder, or push it
    to the remote store unless that holds it already."""
    if spec.kind == "oxigraph":
        from allianceskg.store import oxigraph

        return Ready(spec, release, oxigraph.prepare(oxigraph_folder(spec, release), release))
    if spec.kind == "remote":
        from allianceskg.store import remote

        if force_push or not remote.holds(spec, release):
            return Ready(spec, release, pushed=remote.push(spec, release))
    return Ready(spec, release)


def open_store(ready: Ready, *, max_response_bytes: int = 16_000_000):
    """The store's query interface (called in the pool's zygote)."""
    if ready.spec.kind == "oxigraph":
        from allianceskg.store.oxigraph import OxigraphStore

        return OxigraphStore(ready.path)
    if ready.spec.kind == "remote":
        from allianceskg.store.remote import RemoteStore

        return RemoteStore.open(ready.spec, ready.release, max_response_bytes=max_response_bytes)
    from allianceskg.store.memory import MemoryStore

    return MemoryStore.open(ready.release)
