"""Adoption velocity: the models, authors and base-model families gaining most downloads lately.

A window of W days holds the intervals that start no earlier than W days before the latest
snapshot, so it covers at most W days and says how many it really covers (`start`, `end`). A
model's gain is the sum of its `gained` over those intervals (an anomaly or a missing count adds
nothing), and its rate divides by the days of the intervals in which it was measured. An author's
gain is the sum of its models' gains, per day of the whole window; a base model's family gain is
the sum of the gains of the models declaring it as a base, likewise. The relative gain divides by
the downloadsAllTime at the window's start and is ranked only from `RELATIVE_FLOOR` downloads on:
a model going from 1 download to 10 says nothing.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.defaults import RELATIVE_FLOOR
from analysis.intervals import Interval

_TAIL = ["start", "end", "days", "gained", "per_day", "start_all_time", "relative_gain"]


def window(spans: list[Interval], days: int) -> list[Interval]:
    """The intervals that lie within the `days` before the latest snapshot."""
    if not spans:
        return []
    first = spans[-1].end - timedelta(days=days)
    return [span for span in spans if span.start >= first]


def _summed(table: pa.Table, key: str, columns: list[str]) -> pa.Table:
    """`table` grouped by `key`, with `columns` summed under their own names."""
    grouped = table.group_by(key).aggregate([(column, "sum") for column in columns])
    return pa.table({key: grouped[key], **{c: grouped[f"{c}_sum"] for c in columns}})


def _interval_gains(span: Interval, key: str) -> pa.Table:
    """Per `key`: the downloads gained in `span` and the days they were measured over."""
    deltas = span.gains(key, [key, "gained"])
    deltas = deltas.filter(pc.and_(pc.is_valid(deltas[key]), pc.is_valid(deltas["gained"])))
    days = pa.array(np.full(deltas.num_rows, span.days, dtype=np.int64))
    return _summed(deltas.append_column("days", days), key, ["gained", "days"])


def _gains(spans: list[Interval], key: str) -> pd.DataFrame:
    """Per `key` (id, author or base model): gained, days measured, downloadsAllTime at start.

    The sums are folded interval by interval, so memory follows two intervals' rows rather than
    the whole window's.
    """
    running = _interval_gains(spans[0], key)
    for span in spans[1:]:
        both = pa.concat_tables([running, _interval_gains(span, key)])
        running = _summed(both, key, ["gained", "days"])
    first = spans[0].gains(key, [key, "before"])
    at_start = _summed(first.filter(pc.is_valid(first[key])), key, ["before"])
    joined = running.join(at_start, keys=key, join_type="left outer").to_pandas()
    return pd.DataFrame(
        {
            "name": joined[key],
            "gained": joined["gained"].astype("int64"),
            "days": joined["days"].astype("int64"),
            "start_all_time": joined["before"].astype("Int64"),
        }
    )


def _ranked(frame: pd.DataFrame, by: str, ranking: str, top: int) -> pd.DataFrame:
    ranked = frame.sort_values([by, "name"], ascending=[False, True], ignore_index=True).head(top)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    ranked.insert(0, "ranking", ranking)
    return ranked


def velocity(spans: list[Interval], key: str, window_days: int, top: int) -> pd.DataFrame:
    """The `top` gainers by `key` (id, author or `FAMILY`) in the window, absolute and relative."""
    chosen = window(spans, window_days)
    if not chosen:
        frame = pd.DataFrame(columns=["ranking", "rank", key, *_TAIL])
        frame.insert(0, "window_days", window_days)
        return frame
    frame = _gains(chosen, key)
    if key != "id":
        frame["days"] = (chosen[-1].end - chosen[0].start).days
    frame["per_day"] = frame["gained"] / frame["days"]
    frame["start"], frame["end"] = chosen[0].start.isoformat(), chosen[-1].end.isoformat()
    floor = frame["start_all_time"].fillna(0) >= RELATIVE_FLOOR
    frame["relative_gain"] = (frame["gained"] / frame["start_all_time"].astype("float64")).where(
        floor
    )
    result = pd.concat(
        [
            _ranked(frame, "gained", "absolute", top),
            _ranked(frame[floor], "relative_gain", "relative", top),
        ],
        ignore_index=True,
    ).rename(columns={"name": key})
    result.insert(0, "window_days", window_days)
    return result[["window_days", "ranking", "rank", key, *_TAIL]]


def series(spans: list[Interval], ids: list[str]) -> pd.DataFrame:
    """Downloads gained per interval, and per day, by each of the models `ids` (in that order)."""
    wanted = pa.array(ids, pa.string())
    frames = [
        span.deltas(["id", "gained"])
        .filter(pc.is_in(pc.field("id"), value_set=wanted))
        .to_pandas()
        .assign(start=span.start.isoformat(), end=span.end.isoformat(), days=span.days)
        for span in spans
    ]
    columns = ["id", "start", "end", "days", "gained"]
    frame = (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )
    frame["gained"] = frame["gained"].astype("Int64")
    frame["per_day"] = frame["gained"].astype("Float64") / frame["days"].astype("float64")
    frame["order"] = frame["id"].map({model: n for n, model in enumerate(ids)})
    frame = frame.sort_values(["order", "start"], ignore_index=True)
    return frame.drop(columns="order")
