"""Where the parallel work of a run happens: worker processes for large snapshots, else a thread.

Each worker reads one part at a time with a one-thread DuckDB, and matplotlib draws on one thread,
so processes put both cores to work: one pool compacts the parts, computes the history, tallies
the snapshot and draws the charts, while the main process assembles the report. A worker costs a
second or two of imports, which pays off only from `PARALLEL_FROM_MODELS` models on
(analysis.defaults); smaller snapshots use one thread. Workers are spawned, not forked: the parent
already runs pyarrow's thread pools. The run (analysis.run) starts them (`worker_pool`) before it
loads its own libraries, so both load at once, and shuts them down when it ends.

pyarrow's allocator keeps what a job freed for later (a worker stayed at 1.4 GB after computing an
interval that needed that much for a moment), so each job gives it back when it ends; otherwise
two workers would each hold the peak of their largest job so far.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from analysis.defaults import PARALLEL_FROM_MODELS

WORKERS = 2


def _released(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run `function`, then return the memory pyarrow's allocator kept to the system."""
    try:
        return function(*args, **kwargs)
    finally:
        pa.default_memory_pool().release_unused()


class _WorkerPool(ProcessPoolExecutor):
    """Worker processes whose jobs give their memory back when they end."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Schedule `fn(*args, **kwargs)` in a worker."""
        return super().submit(_released, fn, *args, **kwargs)


# What the workers run. Loaded as each starts: the main process's own imports and its scan of the
# partitions leave the workers idle for about a second then, where matplotlib's import and font
# map (a second of CPU) would otherwise wait in front of the first chart, after the tallies.
_WORKER_MODULES = (
    "analysis.store.compact",
    "analysis.history.digests",
    "analysis.history.followed",
    "analysis.history.intervals",
    "analysis.history.walk",
    "analysis.snapshot.hub",
    "analysis.snapshot.tallies",
    "analysis.render.history_charts",
)


def _load() -> None:
    """Load what a worker's jobs need, fonts included; what it loaded is kept out of the garbage
    collector's walks (it lives as long as the worker): a full collection walked matplotlib's and
    pandas' objects every time, a quarter to half a second of a +1 day run's two workers."""
    for name in _WORKER_MODULES:
        importlib.import_module(name)
    importlib.import_module("analysis.render.charts").prepare()
    gc.freeze()


def _executor_for(records: int) -> Executor:
    """An executor suited to a snapshot of `records` records, its worker processes (if any)
    started and loading their libraries in the background."""
    if records < PARALLEL_FROM_MODELS:
        return ThreadPoolExecutor(max_workers=1)
    executor = _WorkerPool(WORKERS, mp_context=multiprocessing.get_context("spawn"))
    for _ in range(WORKERS):
        executor.submit(_load)
    return executor


@contextmanager
def worker_pool(records: int) -> Iterator[Executor]:
    """The executor of a run on a snapshot of `records` records; its jobs still pending are
    cancelled, and its workers stopped, when the run ends."""
    executor = _executor_for(records)
    try:
        yield executor
    finally:
        executor.shutdown(cancel_futures=True)
