"""The ``oxigraph`` store: the release loaded once into a persistent pyoxigraph store
(RocksDB) in a folder, then opened read-only, in milliseconds, by every query worker.

The folder holds one store per release, ``release-KEY`` (KEY: the hash of the
release's manifest), loaded beside it in ``.loading-PID`` and renamed into place when
complete, so a store that exists is whole and an interrupted load leaves nothing a
server would open. The two newest stores are kept (a server still serving the
previous release keeps reading it while it reloads).

A store opened by a process that then forks is not safe to use in the child (RocksDB
runs threads), so the pool's zygote never opens it: each worker does
(:meth:`OxigraphStore.start`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from rdflib import Graph

from allianceskg.errors import AllianceskgError
from allianceskg.build.release import TRIG_FILE, pid_alive
from allianceskg.store.base import Boolean, Prepared, QueryFailed, Rows, Triples
from allianceskg.store.terms import OxigraphTerms
from allianceskg.vocab import PREFIXES

_KEEP = 2
BASE_IRI = "https://w3id.org/allianceskg/"


def release_key(release: Path) -> str:
    """Names the store of one release: the hash of its manifest (written last) and
    the TriG file's size and modification time (a changed file is another release)."""
    try:
        trig = (release / TRIG_FILE).stat()
        digest = hashlib.sha256((release / "manifest.json").read_bytes())
        digest.update(f"{trig.st_size}:{trig.st_mtime_ns}".encode())
        return digest.hexdigest()[:16]
    except OSError:
        raise AllianceskgError(f"no release at {release}",
                               hint="run 'allianceskg build' first, or pass --data") from None


def prepare(folder: Path, release: Path) -> Path:
    """The store holding ``release`` in ``folder``, loaded now if it is not there yet."""
    import pyoxigraph

    target = folder / f"release-{release_key(release)}"
    if target.is_dir():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AllianceskgError(f"cannot create the oxigraph store folder {folder}: {exc.strerror}",
                               hint="pass --store oxigraph:DIR with a folder you can write") from None
    _clean(folder)
    loading = folder / f".loading-{os.getpid()}"
    shutil.rmtree(loading, ignore_errors=True)
    try:
        store = pyoxigraph.Store(str(loading))
        store.bulk_load(path=str(release / TRIG_FILE), format=pyoxigraph.RdfFormat.TRIG)
        store.flush()
        del store
        try:
            loading.rename(target)
        except OSError:
            if not target.is_dir():  # another process's load won the race: use that
                raise
    finally:
        shutil.rmtree(loading, ignore_errors=True)
    _prune(folder, keep=target)
    return target


def _clean(folder: Path) -> None:
    """Remove loads that a dead process left behind."""
    for leftover in folder.glob(".loading-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _prune(folder: Path, keep: Path) -> None:
    stores = sorted((p for p in folder.glob("release-*") if p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[_KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)


class OxigraphStore:
    needs_parse = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store = None
        self._terms = None

    def start(self) -> None:
        import pyoxigraph

        self._store = pyoxigraph.Store.read_only(str(self.path))
        self._terms = OxigraphTerms()
        self._pyoxigraph = pyoxigraph

    def evaluate(self, query: Prepared):
        if self._store is None:
            self.start()
        ox = self._pyoxigraph
        # Relative IRIs in a query without BASE resolve against the project's namespace
        # (SPARQL 1.1 §4.1.1; rdflib leaves them relative, oxigraph needs a base).
        options = {"prefixes": dict(PREFIXES), "base_iri": BASE_IRI}
        if query.default_graphs or query.named_graphs:  # the Protocol's §2.1.4 dataset
            options["default_graph"] = [ox.NamedNode(g) for g in query.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in query.named_graphs]
        else:
            options["use_default_graph_as_union"] = True
        try:
            result = self._store.query(query.text, **options)
        except SyntaxError as exc:
            raise QueryFailed(400, f"syntax error: {exc}",
                              "check the query against the SPARQL 1.1 grammar") from None
        except ValueError as exc:
            raise QueryFailed(400, f"the query cannot be evaluated: {exc}",
                              "check the query against the SPARQL 1.1 grammar") from None
        terms, cap = self._terms, query.max_rows
        if isinstance(result, ox.QueryBoolean):
            return Boolean(bool(result))
        try:
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = []
                for solution in result:
                    if len(rows) == cap:
                        return Rows(variables, rows, True)
                    rows.append(tuple(terms(solution[i]) for i in range(len(variables))))
                return Rows(variables, rows, False)
            graph = Graph()
            for triple in result:
                converted = (terms(triple.subject), terms(triple.predicate), terms(triple.object))
                if converted in graph:
                    continue
                if len(graph) == cap:
                    return Triples(graph, True)
                graph.add(converted)
            return Triples(graph, False)
        except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while iterating
            raise QueryFailed(400, f"the query could not be evaluated: {exc}",
                              "check the functions and types the query uses (SPARQL 1.1 §17)") from None
