"""What the service holds while it runs: settings, the dataset and its graphs, the
worker pool, the response cache and the metrics. One :class:`ServiceState` per app."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef

from allianceskg.pipeline import ProjectPaths
from allianceskg.release import load_release, named_graphs, void_graph
from allianceskg.settings import Settings
from allianceskg.sparql.engine import QueryRequest, QueryResponse
from allianceskg.sparql.pool import WorkerPool
from allianceskg.web.metrics import Metrics


class ResponseCache:
    """Successful responses by request; the release never changes while served."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[QueryRequest, QueryResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, request: QueryRequest) -> QueryResponse | None:
        with self._lock:
            found = self._entries.get(request)
            if found is not None:
                self._entries.move_to_end(request)
            return found

    def put(self, request: QueryRequest, response: QueryResponse) -> None:
        if self._size <= 0 or not response.ok:
            return
        with self._lock:
            self._entries[request] = response
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)


@dataclass
class ServiceState:
    settings: Settings
    dataset: Dataset
    graphs: dict[URIRef, Graph]
    void: Graph
    pool: WorkerPool
    cache: ResponseCache
    metrics: Metrics = field(default_factory=Metrics)
    rendered: dict = field(default_factory=dict)  # serialised graphs, by (graph, format)

    def run(self, request: QueryRequest) -> tuple[QueryResponse, bool]:
        """The response to ``request``, and whether it came from the cache."""
        cached = self.cache.get(request)
        if cached is not None:
            return cached, True
        response = self.pool.run(request, self.settings.query_timeout)
        self.cache.put(request, response)
        return response, False

    def close(self) -> None:
        self.pool.close()


def load_state(settings: Settings, dataset: Dataset | None) -> ServiceState:
    if dataset is None:
        dataset = load_release(settings.data or ProjectPaths.default().release)
    graphs = named_graphs(dataset)
    return ServiceState(settings=settings, dataset=dataset, graphs=graphs,
                        void=void_graph(graphs), pool=WorkerPool(dataset, settings.workers),
                        cache=ResponseCache(settings.cache_entries))
