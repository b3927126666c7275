"""Adoption velocity: the models, authors and base-model families gaining most downloads lately.

A window of W days holds the intervals that start no earlier than W days before the latest
snapshot, so it covers at most W days and says how many it really covers (`start`, `end`). A
model's gain is the sum of its `gained` over those intervals (an anomaly or a missing count adds
nothing), and its rate divides by the days of the intervals in which it was measured. An author's
gain is the sum of its models' gains, per day of the whole window; a base model's family gain is
the sum of the gains of the models declaring it as a base, likewise. The relative gain divides by
the downloadsAllTime at the window's start and is ranked only from `RELATIVE_FLOOR` downloads on:
a model going from 1 download to 10 says nothing.

Models are followed across the intervals by position (`Alignment`): each interval knows the row of
every continuing model in the snapshots before and after it, so walking back from the latest
interval numbers every model once (its slot) and sums become numpy additions, where matching ids
again, interval after interval, cost a hash join of millions of strings each time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.defaults import RELATIVE_FLOOR
from analysis.intervals import FAMILY, Interval

_TAIL = ["start", "end", "days", "gained", "per_day", "start_all_time", "relative_gain"]


def window(spans: list[Interval], days: int) -> list[Interval]:
    """The intervals that lie within the `days` before the latest snapshot."""
    if not spans:
        return []
    first = spans[-1].end - timedelta(days=days)
    return [span for span in spans if span.start >= first]


def _values(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A nullable integer column as (values with nulls as 0, validity mask)."""
    valid = column.is_valid().to_numpy()
    return column.fill_null(0).to_numpy(), valid


@dataclass(frozen=True)
class Alignment:
    """Every model of some consecutive intervals numbered once: `slots[i][r]` is the slot of row
    `r` of interval `i`'s deltas; `ids` and `authors` are per slot (as last seen)."""

    spans: list[Interval]
    slots: list[np.ndarray]
    ids: pa.Array
    authors: pa.Array


def align(spans: list[Interval], latest_cache: Path) -> Alignment:
    """Number the models of `spans` (consecutive, oldest first), walking back from the latest.

    The latest interval's models take their deltas' row numbers as slots, and their ids and
    authors from the latest snapshot's cache (`latest_cache`); in each earlier interval, a model
    continuing into the next one takes its slot there, and the others (deleted in the next one,
    so listed in its `deleted.parquet`) are numbered after. Only positions are read otherwise.
    """
    # int32: thirty intervals of 2.7M models hold 320 MB of slots rather than 650 MB.
    slots: list[np.ndarray] = [np.empty(0, dtype=np.int32)] * len(spans)
    id_chunks: list[pa.Array] = []
    author_chunks: list[pa.Array] = []
    slot_of_end: np.ndarray | None = None
    count = 0
    for index in reversed(range(len(spans))):
        span = spans[index]
        table = span.deltas(["start_row", "end_row"])
        if slot_of_end is None:
            found = np.arange(table.num_rows, dtype=np.int32)
            count = table.num_rows
            named = pq.read_table(latest_cache, columns=["id", "author"]).take(table["end_row"])
            id_chunks.append(named["id"].combine_chunks())
            author_chunks.append(named["author"].combine_chunks())
        else:
            found = slot_of_end[table["end_row"].to_numpy()]
            new = np.flatnonzero(found < 0)
            found[new] = np.arange(count, count + len(new))
            count += len(new)
            # Their end rows are the rows the next interval lists as deleted.
            gone = spans[index + 1].deleted()
            where = np.searchsorted(gone["start_row"].to_numpy(), table["end_row"].to_numpy()[new])
            id_chunks.append(gone["id"].take(pa.array(where)).combine_chunks())
            author_chunks.append(gone["author"].take(pa.array(where)).combine_chunks())
        slots[index] = found
        slot_of_end = np.full(int(span.totals["models_start"]), -1, dtype=np.int32)
        slot_of_end[table["start_row"].to_numpy()] = found
    return Alignment(
        spans,
        slots,
        pa.concat_arrays(id_chunks) if id_chunks else pa.array([], pa.string()),
        pa.concat_arrays(author_chunks) if author_chunks else pa.array([], pa.string()),
    )


@dataclass(frozen=True)
class WindowSums:
    """Per slot over a window: downloads gained, days measured, downloadsAllTime at its start."""

    gained: np.ndarray
    days: np.ndarray
    start: np.ndarray
    has_start: np.ndarray


def window_sums(alignment: Alignment, windows: Iterable[int]) -> dict[int, WindowSums]:
    """The sums over each window (in days) of the intervals of `alignment`, in one pass from the
    latest interval back (the windows are nested); a window holding no interval has none."""
    spans = alignment.spans
    # The index of each window's first interval; windows of the same intervals share it.
    firsts: dict[int, list[int]] = {}
    for days in windows:
        if window(spans, days):
            firsts.setdefault(len(spans) - len(window(spans, days)), []).append(days)
    if not firsts:
        return {}
    size = len(alignment.ids)
    gained = np.zeros(size, dtype=np.int64)
    days = np.zeros(size, dtype=np.int64)
    sums: dict[int, WindowSums] = {}
    for index in reversed(range(min(firsts), len(alignment.spans))):
        span = alignment.spans[index]
        table = span.deltas(["before", "gained"])
        values, valid = _values(table["gained"])
        slots = alignment.slots[index][valid]
        # A model has one row per interval, so these slots are distinct.
        gained[slots] += values[valid]
        days[slots] += span.days
        if index in firsts:
            before, known = _values(table["before"])
            start = np.zeros(size, dtype=np.int64)
            has_start = np.zeros(size, dtype=bool)
            start[alignment.slots[index][known]] = before[known]
            has_start[alignment.slots[index][known]] = True
            summed = WindowSums(gained.copy(), days.copy(), start, has_start)
            sums.update(dict.fromkeys(firsts[index], summed))
    return sums


def _top(table: pa.Table, by: str, top: int) -> pa.Table:
    """The `top` rows by `by` (descending), ties by name."""
    keys = [(by, "descending"), ("name", "ascending")]
    chosen = pc.select_k_unstable(table, k=min(top, table.num_rows), sort_keys=keys)
    return table.take(chosen).sort_by(keys)


def _frame(
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
        ranked = _top(rows, by, top).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
        ranked.insert(0, "ranking", ranking)
        frames.append(ranked)
    frame = pd.concat(frames, ignore_index=True).rename(columns={"name": key})
    frame["start"], frame["end"] = chosen[0].start.isoformat(), chosen[-1].end.isoformat()
    frame["gained"] = frame["gained"].astype("int64")
    frame["days"] = frame["days"].astype("int64")
    frame.insert(0, "window_days", window_days)
    return frame[["window_days", "ranking", "rank", key, *_TAIL]]


def _models_table(alignment: Alignment, sums: WindowSums) -> pa.Table:
    measured = np.flatnonzero(sums.days > 0)
    return pa.table(
        {
            "name": alignment.ids.take(pa.array(measured)),
            "gained": sums.gained[measured],
            "days": sums.days[measured],
            "start_all_time": pa.array(sums.start[measured], mask=~sums.has_start[measured]),
        }
    )


def _authors_table(alignment: Alignment, sums: WindowSums) -> pa.Table:
    """Per author with at least one model measured: gains summed, start of the models known."""
    kept = np.flatnonzero((sums.days > 0) | sums.has_start)
    grouped = (
        pa.table(
            {
                "name": alignment.authors.take(pa.array(kept)),
                "gained": sums.gained[kept],
                "measured": (sums.days[kept] > 0).astype(np.int64),
                "start": pa.array(sums.start[kept], mask=~sums.has_start[kept]),
            }
        )
        .filter(pc.is_valid(pc.field("name")))
        .group_by("name")
        .aggregate([("gained", "sum"), ("measured", "sum"), ("start", "sum")])
    )
    grouped = grouped.filter(pc.greater(grouped["measured_sum"], 0))
    return pa.table(
        {
            "name": grouped["name"],
            "gained": grouped["gained_sum"],
            "start_all_time": grouped["start_sum"],
        }
    )


def _families_table(chosen: list[Interval]) -> pa.Table:
    """Per base model: its derivatives' gains summed over `chosen`, their count at its start."""
    gains = pa.concat_tables(span.families([FAMILY, "gained"]) for span in chosen)
    gains = gains.filter(pc.and_(pc.is_valid(gains[FAMILY]), pc.is_valid(gains["gained"])))
    summed = gains.group_by(FAMILY).aggregate([("gained", "sum")])
    first = chosen[0].families([FAMILY, "before"])
    start = first.filter(pc.is_valid(first[FAMILY])).group_by(FAMILY).aggregate([("before", "sum")])
    joined = summed.join(start, keys=FAMILY, join_type="left outer")
    return pa.table(
        {
            "name": joined[FAMILY],
            "gained": joined["gained_sum"],
            "start_all_time": joined["before_sum"],
        }
    )


def velocity(
    alignment: Alignment, key: str, window_days: int, top: int, sums: dict[int, WindowSums]
) -> pd.DataFrame:
    """The `top` gainers by `key` (id, author or `FAMILY`) in the window, absolute and relative.

    `alignment` covers at least the window's intervals (the latest ones); `sums` holds its
    `window_sums` under `window_days`.
    """
    chosen = window(alignment.spans, window_days)
    if not chosen:
        frame = pd.DataFrame(columns=["ranking", "rank", key, *_TAIL])
        frame.insert(0, "window_days", window_days)
        return frame
    if key == FAMILY:
        table = _families_table(chosen)
    else:
        summed = sums[window_days]
        table = (
            _models_table(alignment, summed) if key == "id" else _authors_table(alignment, summed)
        )
    return _frame(table, key, window_days, top, chosen)


def series(alignment: Alignment, names: list[str], key: str = "id") -> pd.DataFrame:
    """Downloads gained per interval, and per day, by each of `names` (in that order): models
    (`key` id), authors (their models' gains summed) or base models' families (`FAMILY`)."""
    wanted = pa.array(names, pa.string())
    frames = []
    labels = alignment.ids if key == "id" else alignment.authors
    followed = pc.fill_null(pc.is_in(labels, value_set=wanted), False).to_numpy(
        zero_copy_only=False
    )
    for index, span in enumerate(alignment.spans):
        if key == FAMILY:
            gains = span.families([FAMILY, "gained"])
            gains = gains.filter(pc.is_in(pc.field(FAMILY), value_set=wanted))
        else:
            slots = alignment.slots[index]
            rows = np.flatnonzero(followed[slots])
            gained = span.deltas(["gained"])["gained"].take(pa.array(rows))
            gains = pa.table({key: labels.take(pa.array(slots[rows])), "gained": gained})
            if key == "author":
                # A model's missing gain (anomaly, no count) adds nothing to its author's; an
                # author with no gain measured in the interval has none (null), not zero.
                grouped = gains.group_by(key).aggregate([("gained", "sum")])
                gains = pa.table({key: grouped[key], "gained": grouped["gained_sum"]})
        frames.append(
            gains.select([key, "gained"])
            .to_pandas()
            .assign(start=span.start.isoformat(), end=span.end.isoformat(), days=span.days)
        )
    columns = [key, "start", "end", "days", "gained"]
    frame = (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )
    frame["gained"] = frame["gained"].astype("Int64")
    frame["per_day"] = frame["gained"].astype("Float64") / frame["days"].astype("float64")
    frame["order"] = frame[key].map({name: n for n, name in enumerate(names)})
    frame = frame.sort_values(["order", "start"], ignore_index=True)
    return frame.drop(columns="order")
