"""Rising repos: those gaining fastest against their own usual pace, over each trend window.

Over a window (analysis.history.timeline: clipped to the data present, at least the latest
interval), a repo's pace is what it gained per day measured (`per_day`: its downloadsAllTime
differences, see analysis.history.walk). Its usual pace is read at the window's start from its
level, the Hub's rolling 30-day downloads for models (the repo type's `Trend` says which column
and over how many days), spread over those days or over the repo's age when it is younger:

    usual_per_day = level at the start / min(level_days, age at the start in days, at least 1)
    rise          = per_day / max(usual_per_day, floor)

So a repo keeping its pace rises about 1x and one gaining ten times its usual pace 10x. The
floor (the repo type's, 100 downloads a day for models, `RISING_FLOOR_DOWNLOADS`) keeps a repo
going from 3 downloads to 30 off the top: its usual pace counts as the floor, so it rises 0.3x.
A repo needs a level at the window's start, a gain measured inside the window and a place in the
latest snapshot (a deleted repo rises no more); repos created inside the window are the new
entrants (analysis.snapshot.entrants), not risers.

The walk hands over its running sums as it passes each window's first interval: this module adds
one read of one column of the snapshot at the window's start (and, once, of the creation dates of
the latest snapshot, which a repo keeps) and a few numpy operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.history.rankings import leaders, top_rows
from analysis.store.repo_types import Trend

RISING_COLUMNS = [
    "window_days",
    "rank",
    "id",
    "start",
    "end",
    "days",
    "gained",
    "per_day",
    "usual_per_day",
    "rise",
]
_MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class Trends:
    """What the walk ranks risers with: the windows (days), how many it keeps, the repo type's
    `Trend`, and each snapshot's cache by date."""

    windows: tuple[int, ...]
    top: int
    trend: Trend
    caches: dict[date, Path]


def creation_days(cache: Path, rows: np.ndarray) -> np.ndarray:
    """When the snapshot's `rows` (its cache) were created, in days since 1970 (NaN: unknown)."""
    created = pq.read_table(cache, columns=["created_at"])["created_at"].take(pa.array(rows))
    days = pc.divide(pc.cast(pc.cast(created, pa.int64()), pa.float64()), _MS_PER_DAY)
    return days.to_numpy(zero_copy_only=False)


def usual_pace(
    cache: Path, rows: np.ndarray, created: np.ndarray, start: date, trend: Trend
) -> np.ndarray:
    """The usual pace per day, at `start`, of the snapshot's `rows` (its cache), created on the
    days `created` (NaN: unknown, counted as old); NaN without a level."""
    level = pq.read_table(cache, columns=[trend.level])[trend.level].take(pa.array(rows))
    midnight = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() * 1000
    age = np.maximum(midnight / _MS_PER_DAY - created, 1.0)
    # fmin: an unknown age (NaN) leaves the level's own days.
    days = np.fmin(trend.level_days, age)
    return pc.cast(level, pa.float64()).to_numpy(zero_copy_only=False) / days


def rising(
    ids: pa.ChunkedArray,
    gained: np.ndarray,
    measured: np.ndarray,
    usual: np.ndarray,
    *,
    trend: Trend,
    top: int,
) -> pa.Table:
    """The `top` risers among the slots named by `ids`: their gain and days measured in the
    window, and their usual pace at its start (NaN: none)."""
    eligible = np.flatnonzero((measured > 0) & (gained > 0) & ~np.isnan(usual))
    per_day = gained[eligible] / measured[eligible]
    rise = per_day / np.maximum(usual[eligible], trend.floor)
    best = np.flatnonzero(leaders(rise, np.ones(len(rise), dtype=bool), top))
    chosen = eligible[best]
    table = pa.table(
        {
            "name": ids.take(pa.array(chosen)),
            "gained": gained[chosen],
            "days": measured[chosen].astype(np.int64),
            "per_day": per_day[best],
            "usual_per_day": usual[chosen],
            "rise": rise[best],
        }
    )
    return top_rows(table, "rise", top)


def rising_frame(table: pa.Table, window_days: int, start: date, end: date) -> pd.DataFrame:
    """The risers of the window of `window_days` (`rising`'s table) as CSV rows."""
    frame = table.to_pandas().rename(columns={"name": "id"})
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(0, "window_days", window_days)
    frame["start"], frame["end"] = start.isoformat(), end.isoformat()
    return frame[RISING_COLUMNS]
