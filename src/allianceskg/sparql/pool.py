"""A pool of query worker processes, each killed when its query runs out of time.

rdflib has no timeout and cannot be cancelled, and a catastrophic REGEX holds the GIL
(DESIGN.md §8), so every query runs in a worker process forked from the server
process, which holds the dataset in memory (forking shares it at no cost). A query
that exceeds the time limit gets its worker killed and replaced by a fresh fork;
other queries keep running on the other workers.

Input: a dataset, a pool size, the :class:`~allianceskg.sparql.engine.QueryRequest`
values of the web layer. Output: :class:`~allianceskg.sparql.engine.QueryResponse`.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from rdflib import Dataset

from allianceskg.sparql.engine import Engine, QueryRequest, QueryResponse, error


def _serve(dataset: Dataset, connection: Connection, parent: int) -> None:
    """The worker's loop: evaluate each request, send back the response; stop when the
    server process is gone (forked workers hold each other's pipe ends, so EOF alone
    does not tell them when the server was killed)."""
    engine = Engine(dataset)
    while True:
        try:
            if not connection.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            response = engine.execute(request)
        except Exception as exc:  # never leave the parent without an answer
            response = error(500, f"internal error in the query worker: {type(exc).__name__}")
        connection.send(response)


@dataclass
class _Worker:
    process: multiprocessing.Process
    connection: Connection


class WorkerPool:
    """Fixed-size pool; thread-safe; each call waits for a free worker."""

    def __init__(self, dataset: Dataset, size: int) -> None:
        self._dataset = dataset
        self._context = multiprocessing.get_context("fork")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(self._dataset, child, os.getpid()),
                                        daemon=True,
                                        name="allianceskg-query-worker")
        process.start()
        child.close()
        return _Worker(process, parent)

    def run(self, request: QueryRequest, timeout: float) -> QueryResponse:
        """Evaluate ``request`` within ``timeout`` seconds, counting the wait for a worker."""
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return error(503, f"every query worker is busy; waited {timeout:g} s",
                         "retry later; the operator can raise workers (ALLIANCESKG_WORKERS)")
        remaining = max(0.0, timeout - (time.monotonic() - started))
        try:
            worker.connection.send(request)
            if worker.connection.poll(remaining):
                response = worker.connection.recv()
                self._idle.put(worker)
                return response
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return error(500, "the query worker stopped unexpectedly")
        self._replace(worker)
        return replace(error(503, f"the query ran longer than the time limit of {timeout:g} s and was "
                          "stopped", "make the query more selective (add LIMIT, filters on "
                                     "known IRIs), or ask the operator to raise query_timeout "
                                     "(ALLIANCESKG_QUERY_TIMEOUT)"), timed_out=True)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        if not self._closed:
            self._idle.put(self._start())

    def close(self) -> None:
        """Stop every worker (idle ones; busy ones are killed by their caller's timeout)."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.process.kill()
            worker.process.join(timeout=5)
            worker.connection.close()
