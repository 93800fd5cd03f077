"""The build's per-document stages as a map, run where the caller says: in this
process, over local processes (one per core), or on a Dask ``distributed`` cluster.

The stages hand this module a plain function and plain values (texts, N-Triples,
dictionaries), so the same map runs anywhere and returns the same results in the same
order; the reduce (the union, cross-document validation, reasoning, writing) stays in
the calling process. Local processes are forked, so the items (which may be large)
reach them by inheritance, not by pickling.

``ALLIANCESKG_EXECUTOR`` chooses: ``local`` (the default: processes when there is more
than one item and core), ``serial``, or ``dask:ADDRESS`` (a running scheduler, such as
``dask:tcp://10.0.0.5:8786``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from allianceskg.errors import AllianceskgError

_ITEMS: Sequence = ()  # the items of the map being run, inherited by forked workers
_FUNCTION: Callable | None = None
_SHARED: object = None


@dataclass(frozen=True)
class Executor:
    """Where a map runs: ``serial``, ``local`` (``workers`` processes) or ``dask``."""

    kind: str = "local"
    workers: int = 0  # 0: one per core
    address: str = ""

    @classmethod
    def from_environment(cls) -> Executor:
        text = os.environ.get("ALLIANCESKG_EXECUTOR", "local").strip()
        if text in ("local", "serial"):
            return cls(text)
        if text.startswith("dask:") and len(text) > 5:
            return cls("dask", address=text[5:])
        raise AllianceskgError(f"ALLIANCESKG_EXECUTOR={text!r} is not an executor",
                               hint="use local, serial or dask:ADDRESS (a Dask scheduler)")


def run_map(function: Callable, items: Sequence, shared: object = None, *,
            executor: Executor | None = None) -> list:
    """``[function(item, shared) for item in items]``, in order, run by ``executor``."""
    executor = executor or Executor.from_environment()
    if not items:
        return []
    if executor.kind == "dask":
        return _dask_map(function, items, shared, executor.address)
    workers = min(executor.workers or os.cpu_count() or 1, len(items))
    if executor.kind == "serial" or workers <= 1:
        return [function(item, shared) for item in items]
    global _ITEMS, _FUNCTION, _SHARED
    _ITEMS, _FUNCTION, _SHARED = items, function, shared
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run_one, range(len(items)), chunksize=max(1, len(items) // (workers * 4)))
    finally:
        _ITEMS, _FUNCTION, _SHARED = (), None, None


def _run_one(index: int):
    return _FUNCTION(_ITEMS[index], _SHARED)


def _dask_map(function: Callable, items: Sequence, shared: object, address: str) -> list:
    try:
        from distributed import Client
    except ImportError:
        raise AllianceskgError("the Dask executor needs the distributed package",
                               hint="pip install 'allianceskg[distributed]'") from None
    try:
        client = Client(address, timeout=30)
    except OSError as exc:
        raise AllianceskgError(f"cannot reach the Dask scheduler at {address}: {exc}",
                               hint="start it (dask scheduler), or set ALLIANCESKG_EXECUTOR=local") from None
    try:
        [shared_future] = client.scatter([shared], broadcast=True)
        futures = client.map(function, list(items), [shared_future] * len(items), pure=False)
        try:
            return client.gather(futures)
        except Exception as exc:  # noqa: BLE001 (a task's own error, raised on a worker)
            raise AllianceskgError(f"a task of the build failed on the Dask cluster at "
                                   f"{address}: {type(exc).__name__}: {exc}",
                                   hint="check that the workers run the same allianceskg "
                                        "version, installed with its dependencies") from None
    finally:
        client.close()
