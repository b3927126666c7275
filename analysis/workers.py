"""Where the parallel work of a run happens: worker processes for large snapshots, else a thread.

pyarrow's JSON reader holds the GIL while it parses and matplotlib draws on one thread, so only
processes put both cores to work: one pool on the parts of a partition, then another on the
charts (drawn while the main process aggregates). A worker costs a second or two of imports, which
pays off only from `PARALLEL_FROM_MODELS` models on (analysis.defaults); smaller snapshots use one
thread. Workers are spawned, not forked: the parent already runs pyarrow's thread pools.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from analysis.defaults import PARALLEL_FROM_MODELS

WORKERS = 2


def executor_for(models: int) -> Executor:
    """An executor suited to a snapshot of `models` records."""
    if models >= PARALLEL_FROM_MODELS:
        return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=1)
