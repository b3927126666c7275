"""Rankings of adoption velocity, shared by the models and authors walk and the base-model families.

A window of W days holds the intervals that start no earlier than W days before the latest
snapshot, and at least the latest one (analysis.history.timeline.window_start), and says how many
days it really covers (`start`, `end`). A ranking lists the `top` gainers of a window by
downloads gained (absolute: a model missing from a snapshot and listed again is ranked once, its
gains over every stretch it was listed added up) and by the gain relative to the downloadsAllTime
at the window's start, ranked only from `RELATIVE_FLOOR` downloads on: a model going from 1
download to 10 says nothing. A series lists the gains per interval of the few names followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.defaults import RELATIVE_FLOOR
from analysis.history.intervals import Interval
from analysis.history.timeline import window_start

RANKED_COLUMNS = ["start", "end", "days", "gained", "per_day", "start_all_time", "relative_gain"]


def window(spans: list[Interval], days: int) -> list[Interval]:
    """The intervals of the window of `days` before the latest snapshot."""
    if not spans:
        return []
    first = window_start([span.start for span in spans], spans[-1].end, days)
    return [span for span in spans if span.start >= first]


def span_frame(gains: pa.Table, key: str, span: Interval) -> pd.DataFrame:
    """The gains of `span` (by `key`) as rows of a series."""
    return (
        gains.select([key, "gained"])
        .to_pandas()
        .assign(start=span.start.isoformat(), end=span.end.isoformat(), days=span.days)
    )


def series_frame(frames: list[pd.DataFrame], key: str, names: list[str]) -> pd.DataFrame:
    """The series of `names` from their `span_frame`s: by name (in the order followed), by date,
    with the rate per day of each interval."""
    columns = [key, "start", "end", "days", "gained"]
    frame = (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )
    frame["gained"] = frame["gained"].astype("Int64")
    frame["per_day"] = frame["gained"].astype("Float64") / frame["days"].astype("float64")
    frame["order"] = frame[key].map({name: n for n, name in enumerate(names)})
    frame = frame.sort_values(["order", "start"], ignore_index=True)
    return frame.drop(columns="order")


def leaders(values: np.ndarray, eligible: np.ndarray, top: int) -> np.ndarray:
    """Whether each value is eligible and at least the `top`-th largest eligible one (ties
    included, so the exact order, by name among equals, is left to `top_rows`)."""
    candidates = values[eligible]
    if len(candidates) <= top:
        return eligible
    threshold = np.partition(candidates, len(candidates) - top)[len(candidates) - top]
    return eligible & (values >= threshold)


def top_rows(table: pa.Table, by: str, top: int) -> pa.Table:
    """The `top` rows by `by` (descending), ties by name."""
    keys = [(by, "descending"), ("name", "ascending")]
    chosen = pc.select_k_unstable(table, k=min(top, table.num_rows), sort_keys=keys)
    return table.take(chosen).sort_by(keys)


def ranking_frame(
    table: pa.Table, key: str, window_days: int, top: int, chosen: list[Interval]
) -> pd.DataFrame:
    """Absolute and relative rankings of `table` (name, gained, start_all_time; days per model)."""
    if key != "id":
        # An author's or a family's rate is per day of the whole window.
        days = (chosen[-1].end - chosen[0].start).days
        table = table.append_column("days", pa.array(np.full(table.num_rows, days, np.int64)))
    per_day = pc.divide(pc.cast(table["gained"], pa.float64()), table["days"])
    above = pc.greater_equal(pc.fill_null(table["start_all_time"], 0), RELATIVE_FLOOR)
    relative = pc.if_else(
        above,
        pc.divide(pc.cast(table["gained"], pa.float64()), table["start_all_time"]),
        pa.scalar(None, pa.float64()),
    )
    table = table.append_column("per_day", per_day).append_column("relative_gain", relative)
    frames = []
    for ranking, by, rows in (
        ("absolute", "gained", table),
        ("relative", "relative_gain", table.filter(above)),
    ):
        ranked = top_rows(rows, by, top).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
        ranked.insert(0, "ranking", ranking)
        frames.append(ranked)
    frame = pd.concat(frames, ignore_index=True).rename(columns={"name": key})
    frame["start"], frame["end"] = chosen[0].start.isoformat(), chosen[-1].end.isoformat()
    frame["gained"] = frame["gained"].astype("int64")
    frame["days"] = frame["days"].astype("int64")
    frame.insert(0, "window_days", window_days)
    return frame[["window_days", "ranking", "rank", key, *RANKED_COLUMNS]]


def empty_ranking(key: str, window_days: int) -> pd.DataFrame:
    """The ranking of a window that holds no interval."""
    frame = pd.DataFrame(columns=["ranking", "rank", key, *RANKED_COLUMNS])
    frame.insert(0, "window_days", window_days)
    return frame


@dataclass(frozen=True)
class Velocity:
    """The rankings of every window (concatenated, in the order of the windows) and the daily
    series of the fastest gainers, each by key: "id" (models), "author" or `FAMILY`; and the
    rising repos of every trend window (analysis.history.rising), which only the walk ranks."""

    rankings: dict[str, pd.DataFrame]
    series: dict[str, pd.DataFrame]
    rising: pd.DataFrame | None = None


def fastest_names(ranked: pd.DataFrame, key: str, follow: int) -> list[str]:
    """The names of the `follow` first of `ranked`'s absolute ranking."""
    absolute = ranked[ranked["ranking"] == "absolute"]
    return [str(name) for name in absolute[key].head(follow)]
