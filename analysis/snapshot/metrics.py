"""Concentration metrics as pure functions of a vector of non-negative amounts (e.g. downloads).

- Gini coefficient: 0 when everyone holds the same, (n-1)/n when one holds everything. Computed on
  the sorted amounts as sum((2i - n - 1) * x_i) / (n * sum(x)), i = 1..n.
- Lorenz curve: cumulative share of the total held by the poorest share p of the population.
- Top share: the share of the total held by the largest ceil(f * n) members (at least one), so the
  "top 0.1%" of a small population is still its largest member.
Empty or all-zero populations have a Gini of 0 and top shares of 0.
"""

from __future__ import annotations

import math

import numpy as np


def gini(amounts: np.ndarray) -> float:
    """Gini coefficient of `amounts`."""
    ordered = np.sort(np.asarray(amounts, dtype=np.float64))
    n = ordered.size
    total = ordered.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float(np.dot(2 * ranks - n - 1, ordered) / (n * total))


def lorenz(amounts: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve at `points` evenly spaced population shares from 0 to 1."""
    ordered = np.sort(np.asarray(amounts, dtype=np.float64))
    population = np.linspace(0.0, 1.0, points)
    total = ordered.sum()
    if ordered.size == 0 or total == 0:
        return population, population.copy()
    held = np.concatenate([[0.0], np.cumsum(ordered) / total])
    members = np.linspace(0.0, 1.0, ordered.size + 1)
    return population, np.interp(population, members, held)


def top_share(amounts: np.ndarray, fraction: float) -> float:
    """Share of the total held by the largest ceil(fraction * n) members."""
    values = np.asarray(amounts, dtype=np.float64)
    total = values.sum()
    if values.size == 0 or total == 0:
        return 0.0
    # Rounding first keeps 0.07 * 100 from becoming 8 members through float error.
    k = max(1, math.ceil(round(fraction * values.size, 9)))
    largest = np.partition(values, values.size - k)[values.size - k :]
    return float(largest.sum() / total)
