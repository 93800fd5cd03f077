"""What the service holds while it runs: settings, the dataset and its graphs, the
worker pool, the response cache and the metrics. One :class:`ServiceState` per app."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Graph, URIRef

from allianceskg.build.pipeline import ProjectPaths
from allianceskg.rdf.rdfio import read_graph
from allianceskg.build.release import recover_release
from allianceskg.settings import Settings
from allianceskg.store import Ready, prepare
from allianceskg.store.remote import release_graphs
from allianceskg.sparql.engine import QueryRequest, QueryResponse, error
from allianceskg.sparql.pool import PoolLimits, WorkerPool
from allianceskg.web.metrics import Metrics


class ResponseCache:
    """Successful responses by request, bounded by count and by bytes; the release
    never changes while it is served."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self._entries_limit, self._max_bytes = entries, max_bytes
        self._entries: OrderedDict[QueryRequest, QueryResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, request: QueryRequest) -> QueryResponse | None:
        with self._lock:
            found = self._entries.get(request)
            if found is not None:
                self._entries.move_to_end(request)
            return found

    def put(self, request: QueryRequest, response: QueryResponse) -> None:
        size = len(response.body) + len(request.query)
        if self._entries_limit <= 0 or not response.ok or size > self._max_bytes // 4:
            return  # one response never takes more than a quarter of the cache
        with self._lock:
            if request in self._entries:
                return
            self._entries[request] = response
            self._bytes += size
            while len(self._entries) > self._entries_limit or self._bytes > self._max_bytes:
                old_request, old = self._entries.popitem(last=False)
                self._bytes -= len(old.body) + len(old_request.query)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class _Flight:
    """One evaluation that identical concurrent requests share."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.response: QueryResponse | None = None


@dataclass
class ServiceState:
    """The release being served: its graphs' names and sizes (from the manifest), its
    VoID, and the store the workers query. The server process itself never loads the
    dataset: queries go to the workers, graph downloads come from the release's files."""

    settings: Settings
    store: Ready
    graphs: dict[URIRef, int]
    void: Graph
    pool: WorkerPool
    cache: ResponseCache
    metrics: Metrics = field(default_factory=Metrics)
    rendered: dict = field(default_factory=dict)  # serialised graphs, by (graph, format)
    _flights: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, request: QueryRequest) -> tuple[QueryResponse, bool]:
        """The response to ``request``, and whether it came from the cache.

        Identical requests that arrive while one is evaluated wait for its answer
        instead of taking a worker each; they count against the queue's bound, so
        they never hold every HTTP thread either."""
        cached = self.cache.get(request)
        if cached is not None:
            return cached, True
        with self._lock:
            flight = self._flights.get(request)
            owner = flight is None
            if owner:
                flight = self._flights[request] = _Flight()
            elif not self.pool.reserve_slot():  # sharers count against the queue's bound
                return replace(error(503, "the same query is already being answered and the queue "
                                          "is full", "retry after the number of seconds in "
                                                     "Retry-After"), retry_after=1), False
        if not owner:
            try:
                flight.done.wait(self.settings.query_timeout + 1)
            finally:
                self.pool.free_slot()
            if flight.response is not None:
                return flight.response, flight.response.ok
            return replace(error(503, "the shared evaluation of this query did not finish",
                                 "retry after the number of seconds in Retry-After"),
                           retry_after=1), False
        try:
            response = self.pool.run(request, self.settings.query_timeout)
            self.cache.put(request, response)
            flight.response = response
            return response, False
        finally:
            flight.done.set()
            with self._lock:
                self._flights.pop(request, None)

    def close(self) -> None:
        self.pool.close()

    @property
    def distinct_triples(self) -> int | None:
        """The union's distinct triples, as the release's VoID counts them."""
        from rdflib.namespace import VOID

        from allianceskg.build.release import DATASET

        value = self.void.value(DATASET, VOID.triples)
        return int(value) if value is not None else None


    @property
    def release(self) -> Path:
        return self.store.release


def load_state(settings: Settings, *, metrics: Metrics | None = None) -> ServiceState:
    release = Path(settings.data or ProjectPaths.default().release)
    recover_release(release, clean=False)
    ready = prepare(settings.store, release)
    graphs = {URIRef(name): count for name, count in release_graphs(release).items()}
    limits = PoolLimits(workers=settings.workers, queue_size=settings.queue_size,
                        memory_mb=settings.worker_memory_mb)
    pool = WorkerPool(ready, limits, max_response_bytes=settings.max_response_bytes)
    return ServiceState(settings=settings, store=ready, graphs=graphs,
                        void=read_graph(release / "void.ttl"), pool=pool,
                        cache=ResponseCache(settings.cache_entries, settings.cache_bytes),
                        metrics=metrics or Metrics())
