"""New entrants: the repos created inside each trend window that already rank.

For the window of N days before the snapshot's date, the repos whose createdAt falls on or after
that day (UTC) and that have a count above zero of the repo type's main measure (30-day downloads
for models), the most first (ties by id), each with its rank among all the snapshot's repos
(analysis.snapshot.ranks). This needs one snapshot only: the Hub dates each repo's creation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.snapshot.ranks import competition_ranks

ENTRANT_COLUMNS = ["window_days", "since", "rank", "id", "created_at"]


def new_entrants(
    table: pa.Table, day: date, windows: tuple[int, ...], by: str, top: int
) -> pd.DataFrame:
    """The `top` repos of `table` (id, created_at, `by` and other columns, shown as they are)
    created in each of the `windows` (days) before `day`, by `by`."""
    shown = [name for name in table.column_names if name not in {"id", "created_at"}]
    values = pc.drop_null(table[by]).to_numpy()
    frames = []
    for days in windows:
        since = day - timedelta(days=days)
        midnight = pa.scalar(datetime(since.year, since.month, since.day, tzinfo=UTC))
        recent = pc.and_(
            pc.greater_equal(table["created_at"], midnight.cast(table["created_at"].type)),
            pc.greater(table[by], 0),
        )
        chosen = table.filter(pc.fill_null(recent, False))
        keys = [(by, "descending"), ("id", "ascending")]
        if chosen.num_rows > top:
            chosen = chosen.take(pc.select_k_unstable(chosen, k=top, sort_keys=keys))
        chosen = chosen.sort_by(keys)
        frame = chosen.to_pandas()
        frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d")
        frame.insert(0, "rank", competition_ranks(values, chosen[by].to_numpy()))
        frame.insert(0, "since", since.isoformat())
        frame.insert(0, "window_days", days)
        frames.append(frame[[*ENTRANT_COLUMNS, *shown]])
    return pd.concat(frames, ignore_index=True)
