"""The models' size classes over time: each class's share of the downloads gained, and of the models
created, per interval between snapshots (are small models rising?).

Read from what the intervals already hold (analysis.history.intervals: each continuing model's
position in the later snapshot and its downloads gained) and the later snapshot's `parameters`
column, so no id is matched again; a model is classed by its size in the later snapshot. Each
interval's sums are kept in the history's cache beside it (`sizes=<start>_<end>/`, keyed by the
interval's own key), so a daily run reads one new snapshot's sizes, not thirty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.history.intervals import Interval
from analysis.store.derive import SIZE_LABELS, size_classes
from analysis.store.keyed import KEY_FILE, cached

# The version of what a sizes entry holds; a change makes every entry be computed again.
SIZES_FORMAT = 1
_SUMS = "sizes.json"


def size_shares(spans: list[Interval], ends: list[Path], history: Path) -> pd.DataFrame:
    """Per interval of `spans` (whose later snapshots are cached in `ends`) and size class:
    downloads gained and models created, and their shares of the interval's totals; each
    interval's sums read from the history's cache `history`, or computed and kept there."""
    rows = [
        row
        for span, end in zip(spans, ends, strict=True)
        for row in _rows(span, _interval_sums(history, span, end))
    ]
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


def _rows(span: Interval, sums: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of `span`, a size class each, from its `sums`."""
    interval = {"start": span.start.isoformat(), "end": span.end.isoformat(), "days": span.days}
    return [{**interval, "size_class": label, **sums[label]} for label in SIZE_LABELS]


def _interval_sums(history: Path, span: Interval, end: Path) -> dict[str, Any]:
    """Downloads gained and models created per size class in `span`, from the cache."""
    directory = history / f"sizes={span.start.isoformat()}_{span.end.isoformat()}"
    key = {
        "format": SIZES_FORMAT,
        "interval": json.loads((span.directory / KEY_FILE).read_text(encoding="utf-8")),
    }
    cached(directory, key, lambda target: _write_sums(span, end, target / _SUMS))
    return json.loads((directory / _SUMS).read_text(encoding="utf-8"))


def _write_sums(span: Interval, end: Path, target: Path) -> None:
    classes = size_classes(pq.read_table(end, columns=["parameters"])["parameters"])
    deltas = span.deltas(["end_row", "gained"])
    continuing = deltas["end_row"].to_numpy()
    gained = pc.fill_null(deltas["gained"], 0).to_numpy()
    created = np.ones(len(classes), dtype=bool)
    created[continuing] = False
    by_class = np.bincount(classes[continuing], weights=gained, minlength=len(SIZE_LABELS))
    new = np.bincount(classes[created], minlength=len(SIZE_LABELS))
    sums = {
        label: {"downloads_gained": int(by_class[code]), "created": int(new[code])}
        for code, label in enumerate(SIZE_LABELS)
    }
    target.write_text(json.dumps(sums), encoding="utf-8")
