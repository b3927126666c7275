"""One snapshot's contribution to the history, computed once per partition and cached.

From a partition's Parquet cache: its totals, the concentration of its 30-day downloads (Gini and
the top-1% share, see analysis.metrics) and its derivatives per base model by relation. The result
lives in `<data>/cache/history/models/date=<YYYY-MM-DD>/` (`snapshot.json`, `lineage.parquet`),
keyed by the partition's own cache key, so adding a day to the history computes only that day.
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

from analysis import aggregates
from analysis.compact import cache_key
from analysis.metrics import gini, top_share
from analysis.partitions import Partition
from analysis.results_cache import cached

DIGEST_FORMAT = 1
TOP_FRACTION = 0.01


@dataclass(frozen=True)
class Digest:
    """What the history keeps of one snapshot."""

    day: date
    totals: dict[str, Any]
    lineage: pd.DataFrame


def history_dir(data_dir: Path, repo_type: str) -> Path:
    """Where the history's cached results live."""
    return data_dir / "cache" / "history" / repo_type


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


def digest(data_dir: Path, partition: Partition, cache: Path) -> Digest:
    """The digest of `partition` (whose Parquet cache is `cache`), computed unless cached."""
    directory = history_dir(data_dir, partition.repo_type) / f"date={partition.day.isoformat()}"
    key = {"format": DIGEST_FORMAT, "partition": cache_key(partition)}
    cached(directory, key, lambda target: _build(cache, target))
    totals = json.loads((directory / "snapshot.json").read_text(encoding="utf-8"))
    return Digest(partition.day, totals, pd.read_parquet(directory / "lineage.parquet"))
