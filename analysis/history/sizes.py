"""The models' size classes over time: each class's share of the downloads gained, and of the models
created, per interval between snapshots (are small models rising?).

Read from what the intervals already hold (analysis.history.intervals: each continuing model's
position in the later snapshot and its downloads gained) and the later snapshot's `parameters`
column, so no id is matched again; a model is classed by its size in the later snapshot.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.history.intervals import Interval
from analysis.store.derive import SIZE_LABELS, size_classes


def size_shares(spans: list[Interval], ends: list[Path]) -> pd.DataFrame:
    """Per interval of `spans` (whose later snapshots are cached in `ends`) and size class:
    downloads gained and models created, and their shares of the interval's totals."""
    rows = []
    for span, end in zip(spans, ends, strict=True):
        classes = size_classes(pq.read_table(end, columns=["parameters"])["parameters"])
        deltas = span.deltas(["end_row", "gained"])
        continuing = deltas["end_row"].to_numpy()
        gained = pc.fill_null(deltas["gained"], 0).to_numpy()
        created = np.ones(len(classes), dtype=bool)
        created[continuing] = False
        by_class = np.bincount(classes[continuing], weights=gained, minlength=len(SIZE_LABELS))
        new = np.bincount(classes[created], minlength=len(SIZE_LABELS))
        for code, label in enumerate(SIZE_LABELS):
            rows.append(
                {
                    "start": span.start.isoformat(),
                    "end": span.end.isoformat(),
                    "days": span.days,
                    "size_class": label,
                    "downloads_gained": int(by_class[code]),
                    "created": int(new[code]),
                }
            )
    columns = ["start", "end", "days", "size_class", "downloads_gained", "created"]
    frame = pd.DataFrame(rows, columns=columns)
    per_interval = frame.groupby("start")[["downloads_gained", "created"]].transform("sum")
    frame["downloads_per_day"] = frame["downloads_gained"] / frame["days"]
    # An interval without any gain or creation has shares of zero, not undefined ones.
    frame["downloads_share"] = (
        frame["downloads_gained"] / per_interval["downloads_gained"]
    ).fillna(0.0)
    frame["created_share"] = (frame["created"] / per_interval["created"]).fillna(0.0)
    return frame
