"""Competition ranks: where a repo stands among a snapshot's repos by one of its counts.

A repo's rank is 1 plus the number of repos with strictly more (30-day downloads, likes), so
repos with equal counts share one and a repo without a count has none. The top lists, the new
entrants, the rank changes and `show` all number repos this way.
"""

from __future__ import annotations

import numpy as np


def competition_ranks(values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """1 plus how many of `values` exceed each of `queries`. Only the values above the smallest
    query are sorted: for the leaders of a list, a few among millions."""
    queries = np.asarray(queries)
    if len(queries) == 0:
        return np.zeros(0, dtype=np.int64)
    above = np.sort(values[values > queries.min()])
    return len(above) - np.searchsorted(above, queries, side="right") + 1
