"""Adoption velocity of base-model families: the base models whose derivatives gained most lately.

A base model's family gain over a window (see analysis.history.rankings) is the sum of the gains of
the models declaring it as a base, per day of the whole window. Each interval already sums them
per family (`families.parquet`, see analysis.history.intervals): no walk over the models is needed,
so this runs apart from the models and authors walk (analysis.history.walk).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.history.intervals import FAMILY, Interval
from analysis.history.rankings import (
    Velocity,
    empty_ranking,
    fastest_names,
    ranking_frame,
    series_frame,
    span_frame,
    window,
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


def _family_series(spans: list[Interval], names: list[str]) -> pd.DataFrame:
    """Downloads gained per interval by the derivatives of each base model of `names`."""
    wanted = pa.array(names, pa.string())
    frames = []
    for span in spans:
        gains = span.families([FAMILY, "gained"])
        gains = gains.filter(pc.is_in(pc.field(FAMILY), value_set=wanted))
        frames.append(span_frame(gains, FAMILY, span))
    return series_frame(frames, FAMILY, names)


def family_velocity(
    spans: list[Interval], windows: tuple[int, ...], top: int, follow: int
) -> Velocity:
    """Rank base-model families by the downloads their derivatives gained over each window, and
    follow the `follow` fastest of the shortest window day by day over the longest one. Each
    interval's sums per family (`families.parquet`) are all it takes: no walk."""
    spans = window(spans, max(windows))
    frames = []
    for days in windows:
        chosen = window(spans, days)
        frames.append(
            ranking_frame(_families_table(chosen), FAMILY, days, top, chosen)
            if chosen
            else empty_ranking(FAMILY, days)
        )
    ranked = pd.concat(frames, ignore_index=True)
    fastest = fastest_names(ranked[ranked["window_days"] == min(windows)], FAMILY, follow)
    return Velocity({FAMILY: ranked}, {FAMILY: _family_series(spans, fastest)})
