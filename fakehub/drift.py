"""Live drift of the volatile sort keys while a crawl runs (`--drift RATE`).

Every listing request bumps a random RATE fraction of the live repos: downloads, likes and
lastModified only grow, trendingScore moves both ways. Keyset pagination over these keys then
skips and repeats items exactly like the real Hub; createdAt never moves.
"""

import numpy as np

from fakehub.table import NONE, RepoTable


class Drift:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self._rng = np.random.default_rng([seed, 5150])
        self._tick = 0

    def apply(self, table: RepoTable, now: int) -> None:
        if self.rate <= 0 or len(table) == 0:
            return
        rng = self._rng
        rows = np.flatnonzero(table.alive & (rng.random(len(table)) < self.rate))
        counted = rows[table.downloads[rows] != NONE]
        # Large enough jumps to carry a repo across many pages of a downloads-sorted walk.
        extra = np.floor(np.exp(rng.normal(4, 2.5, len(counted)))).astype(np.int64)
        table.downloads[counted] += extra
        table.downloads_all_time[counted] += extra
        table.likes[rows] += rng.poisson(3, len(rows))
        table.trending[rows] = np.round(table.trending[rows] * rng.uniform(0.3, 3, len(rows)), 1)
        self._tick += 1
        table.modified[rows] = now + self._tick
        table.version += 1
