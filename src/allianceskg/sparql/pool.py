"""Query worker processes: started clean, bounded in time, memory and queue length.

rdflib has no timeout and cannot be cancelled, and a catastrophic REGEX holds the GIL
(DESIGN.md §8), so every query runs in a worker process that is killed when its time
is up. The workers are forked from a *zygote*: one process started with the ``spawn``
method (a fresh interpreter: no server socket, no client socket, no threads), which
prepares the store once (the memory store loads the release) and forks a worker
whenever the pool asks. So every worker shares the zygote's dataset copy-on-write (an
oxigraph store is opened by each worker, read-only, after the fork), inherits no
descriptor of the HTTP server, and starts in milliseconds. The zygote asks the kernel to kill it when the server
dies, and each worker to kill it when the zygote dies (``PR_SET_PDEATHSIG``): a server
killed with SIGKILL leaves nothing behind that holds its port or runs its queries.

Each worker caps its address space (``RLIMIT_AS``) at what it was born with plus
``memory_mb``; a query that needs more gets a 503 naming the limit and the worker is
replaced. The pool admits a query at once when a worker is idle, lets at most
``queue_size`` more wait, and answers the rest with an immediate 503 and
``Retry-After`` — so HTTP threads are never all blocked and ``/healthz``, ``/metrics``
and cached answers are always served. A query text that recently ran out of time is
*heavy*: heavy queries may occupy all workers but one, so light queries always find
one.

Input: a store holding a release (allianceskg.store.Ready), the pool's :class:`PoolLimits`, the
:class:`~allianceskg.sparql.engine.QueryRequest` values of the web layer. Output:
:class:`~allianceskg.sparql.engine.QueryResponse`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import select
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict, deque
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path

from allianceskg.sparql.engine import QueryRequest, QueryResponse, error

_PR_SET_PDEATHSIG = 1
_MIN_BUDGET = 0.05  # seconds: less than this left after waiting is not worth starting
_HEAVY_MEMORY = 256  # query texts remembered as heavy
_LONG = 0.25  # seconds: a query running this long makes its worker a long-running one
_EXPRESS = 1.0  # seconds an express worker gives a query while the others run long ones
_LONG_NICE = 10  # niceness of workers running long queries, so express ones get the CPU
_EXPRESS_MARK = object()


@dataclass(frozen=True)
class PoolLimits:
    workers: int = 2
    queue_size: int = 4
    memory_mb: int = 512


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (a no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _zygote(ready, control: Connection, server: int, memory_mb: int,
            max_response_bytes: int) -> None:
    """Open the store (the memory store loads the release here), then fork one worker per request on ``control``: answer
    ``("ok", pid)`` followed by the worker's pipe end, or ``("error", why)``."""
    _die_with_parent()
    if os.getppid() != server:  # the server died before the call above took effect
        os._exit(0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps dead workers
    for name in ("SIGINT", "SIGHUP", "SIGTERM"):  # the server's to handle; it kills us
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    from allianceskg.sparql.engine import Engine
    from allianceskg.store import open_store

    engine = Engine(open_store(ready, max_response_bytes=max_response_bytes))
    control.send(("ready", os.getpid()))
    while True:
        try:
            command = control.recv()
        except (EOFError, OSError):
            os._exit(0)
        if command != "fork":
            continue
        ours, theirs = multiprocessing.Pipe()
        try:
            pid = os.fork()
        except OSError as exc:  # EAGAIN, ENOMEM: say so, keep serving
            control.send(("error", f"cannot start a query worker: {exc.strerror}"))
            ours.close()
            theirs.close()
            continue
        if pid == 0:
            try:
                control.close()
                ours.close()
                _worker(engine, theirs, memory_mb)
            finally:
                os._exit(0)  # never return into the zygote's loop
        theirs.close()
        control.send(("ok", pid))
        send_handle(control, ours.fileno(), server)
        ours.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """An allow-listed SERVICE endpoint must answer itself: a redirect could point
    anywhere, so it is an error, never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused",
                                     headers, fp)


def _worker(engine, connection: Connection, memory_mb: int) -> None:
    """Evaluate each request and send back the response, within the memory limit."""
    _die_with_parent()
    urllib.request.install_opener(urllib.request.build_opener(_NoRedirect))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    engine.store.start()  # opened after the fork: a store's threads do not survive one
    _limit_memory(memory_mb)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            response = engine.execute(request)
        except MemoryError:
            response = replace(error(
                503, f"the query needed more memory than the limit of {memory_mb} MB per query "
                     "worker and was stopped",
                "make the query more selective (LIMIT, filters on known IRIs), or ask the "
                "operator to raise worker_memory_mb (ALLIANCESKG_WORKER_MEMORY_MB)"),
                out_of_memory=True)
            try:
                connection.send(response)
            finally:
                os._exit(0)  # after a MemoryError the heap is suspect: let the pool replace us
        except Exception as exc:  # never leave the server without an answer
            response = error(500, f"internal error in the query worker: {type(exc).__name__}")
        try:
            connection.send(response)
        except MemoryError:  # pickling a huge answer: say which limit, then go
            connection.send(replace(error(
                503, f"the answer needed more memory than the limit of {memory_mb} MB per "
                     "query worker", "make the query more selective (LIMIT), or ask the "
                     "operator to raise worker_memory_mb (ALLIANCESKG_WORKER_MEMORY_MB)"),
                out_of_memory=True))
            return
        except (OSError, ValueError):
            return


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at its size now plus ``memory_mb``."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
        cap = current + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError):
        pass


@dataclass
class _Worker:
    pid: int
    connection: Connection
    pidfd: int | None = None  # refers to this process even after its PID is reused
    heavy: bool = False
    started: float = 0.0  # when its current query began (0: idle)
    reniced: bool = False  # lowered priority cannot be raised again: replace after use

    def alive(self) -> bool:
        """The process exists and, idle, has sent nothing (readable means EOF)."""
        if self.exited():
            return False
        try:
            return not self.connection.poll(0)
        except (EOFError, OSError):
            return False

    def exited(self) -> bool:
        if self.pidfd is not None:  # a pidfd is readable once its process has exited
            return bool(select.select([self.pidfd], [], [], 0)[0])
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False

    def kill(self) -> None:
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass
        finally:
            self.connection.close()
            if self.pidfd is not None:
                os.close(self.pidfd)
                self.pidfd = None


class PoolError(Exception):
    """The query workers cannot be started."""


def _pidfd(pid: int) -> int | None:
    """A pidfd for ``pid`` (Linux 5.3+), taken while the worker surely runs: it waits
    for its first request."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


class WorkerPool:
    """A bounded pool of query workers forked from a zygote; thread-safe."""

    def __init__(self, source, limits: PoolLimits, *, start_timeout: float = 900.0,
                 max_response_bytes: int = 16_000_000) -> None:
        from allianceskg.store import Ready, StoreSpec

        self.limits = limits
        self._ready = source if isinstance(source, Ready) else Ready(StoreSpec(), Path(source))
        self._start_timeout, self._max_response_bytes = start_timeout, max_response_bytes
        self._control_lock = threading.Lock()
        self._lock = threading.Condition()
        self._idle: deque[_Worker] = deque()
        self._busy: dict[int, _Worker] = {}
        self._express = 0
        self._waiting = 0  # threads held waiting: queued, express, sharing an evaluation
        self._heavy_running = 0
        self._heavy: OrderedDict[str, float] = OrderedDict()  # query text -> last timeout
        self._closed = False
        self.rejected = 0
        self._zygote = None
        self._start_zygote()
        try:
            for _ in range(limits.workers):
                self._idle.append(self._fork())
        except BaseException:
            self.close()
            raise

    def _start_zygote(self) -> None:
        if self._zygote is not None:
            self._zygote.kill()
            self._zygote.join(timeout=5)
            self._control.close()
        context = multiprocessing.get_context("spawn")
        self._control, child = context.Pipe()
        self._zygote = context.Process(
            target=_zygote, args=(self._ready, child, os.getpid(), self.limits.memory_mb,
                                  self._max_response_bytes),
            name="allianceskg-zygote", daemon=True)
        self._zygote.start()
        child.close()
        if not self._control.poll(self._start_timeout):
            self._zygote.kill()
            raise PoolError(f"the query workers did not start within {self._start_timeout:g} s")
        try:
            self._control.recv()
        except EOFError:
            raise PoolError("the query workers could not load the release") from None

    @property
    def alive_workers(self) -> int:
        with self._lock:
            return len(self._idle) + len(self._busy)

    def reserve_slot(self) -> bool:
        """Take a waiting slot for a thread that will wait outside the pool (sharing
        another request's evaluation); False when the queue is full."""
        with self._lock:
            if self._waiting >= self.limits.queue_size:
                return False
            self._waiting += 1
            return True

    def free_slot(self) -> None:
        with self._lock:
            self._waiting -= 1

    # -- workers -------------------------------------------------------------------
    def _fork(self) -> _Worker:
        """A new worker from the zygote (restarted once if it has died)."""
        try:
            return self._ask_zygote()
        except (EOFError, OSError):
            if self._closed:
                raise PoolError("the pool is closed") from None
        self._start_zygote()
        try:
            return self._ask_zygote()
        except (EOFError, OSError):
            raise PoolError("the query workers' parent process has stopped") from None

    def _ask_zygote(self) -> _Worker:
        with self._control_lock:
            self._control.send("fork")
            status, detail = self._control.recv()
            if status != "ok":
                raise PoolError(str(detail))
            handle = recv_handle(self._control)
        return _Worker(detail, Connection(handle), _pidfd(detail))

    def _kill(self, worker: _Worker) -> None:
        worker.kill()

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        """Give a worker back (or a fresh one in place of a killed one)."""
        with self._lock:
            self._busy.pop(worker.pid, None)
            if worker.heavy:
                self._heavy_running -= 1
                worker.heavy = False
        worker.started = 0.0
        if worker.reniced:
            healthy = False
        if not healthy:
            self._kill(worker)
            if self._closed:
                return
            try:
                worker = self._fork()
            except PoolError:
                worker = None  # the pool shrinks; /healthz reports the workers alive
        with self._lock:
            if worker is not None and not self._closed:
                self._idle.append(worker)
            self._lock.notify_all()  # waiters differ (heavy or not): let each re-check

    # -- admission -----------------------------------------------------------------
    def is_heavy(self, text: str) -> bool:
        with self._lock:
            return text in self._heavy

    def _acquire(self, heavy: bool, deadline: float) -> _Worker | QueryResponse | object:
        """An idle worker; or, when every worker is held by a long-running query, the
        right to an express worker; or a place in the bounded queue; or a 503."""
        with self._lock:
            if not self._usable(heavy):
                if not heavy and self._express_allowed():
                    self._express += 1  # at most `workers` of them (their own thread budget)
                    self._renice_long()
                    return _EXPRESS_MARK
                if self._waiting >= self.limits.queue_size:
                    self.rejected += 1
                    return self._busy_response(heavy)
                self._waiting += 1
                try:
                    while not self._usable(heavy):
                        left = deadline - time.monotonic()
                        if left <= 0 or not self._lock.wait(left):
                            if not self._usable(heavy):
                                return self._busy_response(heavy, waited=True)
                finally:
                    self._waiting -= 1
            worker = self._idle.popleft()
            worker.started = time.monotonic()
            self._busy[worker.pid] = worker
            if heavy:
                worker.heavy = True
                self._heavy_running += 1
            return worker

    def _express_allowed(self) -> bool:
        """Express workers run while every regular worker is busy with a query that has
        already run for a while: a light query then never waits behind heavy ones."""
        if self._express >= self.limits.workers or not self._busy:
            return False
        now = time.monotonic()
        return all(now - w.started >= _LONG for w in self._busy.values())

    def _renice_long(self) -> None:
        for worker in self._busy.values():
            if not worker.reniced and not worker.exited():  # never renice a reused PID
                try:
                    os.setpriority(os.PRIO_PROCESS, worker.pid, _LONG_NICE)
                    worker.reniced = True
                except OSError:
                    pass

    def _run_express(self, request: QueryRequest, budget: float) -> QueryResponse:
        busy = replace(error(503, "every query worker is busy", "retry after the number of "
                                  "seconds in Retry-After"), retry_after=2)
        try:
            worker = self._fork()
        except PoolError:
            with self._lock:
                self._express -= 1
            return busy
        try:
            worker.connection.send(request)
            if worker.connection.poll(budget):
                return worker.connection.recv()
        except Exception:  # noqa: BLE001 (a broken express worker is just busy capacity)
            return busy
        finally:
            self._kill(worker)
            with self._lock:
                self._express -= 1
        self._remember_heavy(request.query)
        return replace(error(503, f"every query worker is busy with long queries, and this one did "
                                  f"not finish within the {budget:g} s an express worker gives",
                             "retry after the number of seconds in Retry-After, or make the query "
                             "more selective"), retry_after=max(1, round(self._retry_after())))

    def _usable(self, heavy: bool) -> bool:
        if not self._idle:
            return False
        return not heavy or self._heavy_running < max(1, self.limits.workers - 1)

    def _busy_response(self, heavy: bool, *, waited: bool = False) -> QueryResponse:
        what = ("every query worker is busy and the queue is full" if not waited
                else "no query worker became free in time")
        if heavy:
            what = "this query recently ran out of time, and the workers it may use are busy"
        return replace(error(503, what, "retry after the number of seconds in Retry-After; "
                                        "the operator can raise workers or queue_size"),
                       retry_after=max(1, round(self._retry_after())))

    def _retry_after(self) -> float:
        return 1.0 if self._idle else 2.0

    def run(self, request: QueryRequest, timeout: float) -> QueryResponse:
        """Evaluate ``request`` within ``timeout`` seconds, counting the wait."""
        started = time.monotonic()
        heavy = self.is_heavy(request.query)
        failures, attempts = 0, 0
        while attempts < self.limits.workers + 2:
            attempts += 1
            worker = self._acquire(heavy, started + timeout)
            if isinstance(worker, QueryResponse):
                return worker
            if worker is _EXPRESS_MARK:
                return self._run_express(request, min(_EXPRESS, timeout))
            remaining = timeout - (time.monotonic() - started)
            if remaining < _MIN_BUDGET:
                self._release(worker, healthy=True)  # the worker is fine; the wait was long
                return replace(error(503, f"waited {timeout - remaining:.2f} s for a query worker, "
                                          f"leaving too little of the {timeout:g} s limit",
                                     "retry after the number of seconds in Retry-After"),
                               retry_after=1)
            if not worker.alive():  # died while idle: replace it and try once more
                self._release(worker, healthy=False)
                continue
            try:
                worker.connection.send(request)
                answered = worker.connection.poll(remaining)
                response = worker.connection.recv() if answered else None
            except Exception:  # noqa: BLE001 (EOF, a broken pipe, an unreadable answer)
                self._release(worker, healthy=False)
                failures += 1
                if failures == 1 and time.monotonic() - started < timeout / 2:
                    continue  # retry once on a fresh worker
                # A native store (oxigraph) aborts its process when an allocation fails
                # under RLIMIT_AS, so a worker that dies twice on one query ran out of memory.
                self._remember_heavy(request.query)
                return replace(error(
                    503, f"the query worker stopped while evaluating this query, most likely "
                         f"because it needed more than the memory limit of "
                         f"{self.limits.memory_mb} MB per query worker",
                    "make the query more selective (LIMIT, filters on known IRIs), or ask the "
                    "operator to raise worker_memory_mb (ALLIANCESKG_WORKER_MEMORY_MB)"),
                    out_of_memory=True, retry_after=1)
            if response is not None:
                # a worker that ran out of memory exits after answering: replace it
                self._release(worker, healthy=not response.out_of_memory)
                return response
            self._release(worker, healthy=False)
            self._remember_heavy(request.query)
            return replace(error(503, f"the query ran longer than the time limit of {timeout:g} s "
                                      "and was stopped",
                                 "make the query more selective (add LIMIT, filters on known "
                                 "IRIs), or ask the operator to raise query_timeout "
                                 "(ALLIANCESKG_QUERY_TIMEOUT)"), timed_out=True, retry_after=0)
        return error(500, "the query workers keep stopping unexpectedly")

    def _remember_heavy(self, text: str) -> None:
        with self._lock:
            self._heavy[text] = time.monotonic()
            self._heavy.move_to_end(text)
            while len(self._heavy) > _HEAVY_MEMORY:
                self._heavy.popitem(last=False)

    def close(self) -> None:
        """Stop the zygote and every idle worker (busy ones die with the zygote)."""
        self._closed = True
        with self._lock:
            idle, self._idle = list(self._idle), deque()
        for worker in idle:
            self._kill(worker)
        if self._zygote is not None:
            self._control.close()
            self._zygote.kill()
            self._zygote.join(timeout=5)
