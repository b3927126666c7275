"""One snapshot's contribution to the history, computed once per partition and cached.

From a partition's Parquet cache: its totals, the concentration of its 30-day downloads (Gini and
the top-1% share, see analysis.snapshot.metrics) and its derivatives per base model by relation.
The result lives in the history's cache directory (`cache/history/<repo_type>/`, see
hfcrawler.layout), under `date=<YYYY-MM-DD>/` (`snapshot.json`, `lineage.parquet`), keyed by the
partition's own cache key, so adding a day to the history computes only that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.snapshot import aggregates
from analysis.snapshot.metrics import gini, top_share
from analysis.store.compact import CachedPartition
from analysis.store.keyed import cached
from hfcrawler.layout import partition_name

DIGEST_FORMAT = 1
TOP_FRACTION = 0.01


@dataclass(frozen=True)
class Digest:
    """What the history keeps of one snapshot."""

    day: date
    totals: dict[str, Any]
    lineage: pd.DataFrame


def _build(cache: Path, target: Path) -> None:
    table = pq.read_table(
        cache, columns=["downloads", "downloads_all_time", "base_models", "relation"]
    )
    downloads = pc.drop_null(table["downloads"]).to_numpy()
    totals = {
        "models": table.num_rows,
        "downloads_30d": int(downloads.sum()),
        "downloads_all_time": int(pc.sum(table["downloads_all_time"]).as_py() or 0),
        "gini": gini(downloads),
        "top_1%_share": top_share(downloads, TOP_FRACTION),
    }
    (target / "snapshot.json").write_text(json.dumps(totals), encoding="utf-8")
    aggregates.lineage(table).to_parquet(target / "lineage.parquet", index=False)


def digest(history: Path, snapshot: CachedPartition) -> Digest:
    """The digest of `snapshot`, computed unless `history` (the cache directory) holds it."""
    directory = history / partition_name(snapshot.day)
    key = {"format": DIGEST_FORMAT, "partition": snapshot.key}
    cached(directory, key, lambda target: _build(snapshot.directory, target))
    totals = json.loads((directory / "snapshot.json").read_text(encoding="utf-8"))
    return Digest(snapshot.day, totals, pd.read_parquet(directory / "lineage.parquet"))
