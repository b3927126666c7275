"""One snapshot's contribution to the history, computed once per partition and cached.

From a partition's Parquet cache: its totals, the concentration of its 30-day downloads (Gini and
the top-1% share, see analysis.snapshot.metrics), its derivatives per base model by relation, and
its headline figures (as analysis.snapshot.tallies counts them for the report's headline, so the
page can say how each changed since an earlier snapshot). The result lives in the history's cache
directory (`cache/history/<repo_type>/`, see hfcrawler.layout), under `date=<YYYY-MM-DD>/`
(`snapshot.json`, `headline.json`, `lineage.parquet`), keyed by the partition's own cache key, so
adding a day to the history computes only that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.snapshot import aggregates
from analysis.snapshot.metrics import gini, top_share
from analysis.store.compact import CachedPartition
from analysis.store.keyed import cached
from hfcrawler.layout import partition_name

# Format 2: the headline figures.
DIGEST_FORMAT = 2
TOP_FRACTION = 0.01


@dataclass(frozen=True)
class Digest:
    """What the history keeps of one snapshot."""

    day: date
    totals: dict[str, Any]
    lineage: pd.DataFrame
    headline: dict[str, Any]


def _headline(table: pa.Table, totals: dict[str, Any]) -> dict[str, Any]:
    """The figures of the report's headline, counted as the snapshot's tallies count them."""
    rows = table.num_rows
    return {
        "models": rows,
        "downloads_30d": totals["downloads_30d"],
        "likes": int(pc.sum(table["likes"]).as_py() or 0),
        "authors": int(pc.count_distinct(table["author"]).as_py()),
        "models_without_task": rows - int(pc.count(table["pipeline_tag"]).as_py()),
        "models_declaring_base_share": pc.count(table["relation"]).as_py() / rows if rows else 0.0,
        "gini_models": totals["gini"],
        "top_1%_models_downloads_share": totals["top_1%_share"],
    }


def _build(cache: Path, target: Path) -> None:
    table = pq.read_table(
        cache,
        columns=[
            "downloads",
            "downloads_all_time",
            "base_models",
            "relation",
            "likes",
            "author",
            "pipeline_tag",
        ],
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
    headline = json.dumps(_headline(table, totals))
    (target / "headline.json").write_text(headline, encoding="utf-8")
    aggregates.lineage(table).to_parquet(target / "lineage.parquet", index=False)


def digest(history: Path, snapshot: CachedPartition) -> Digest:
    """The digest of `snapshot`, computed unless `history` (the cache directory) holds it."""
    directory = history / partition_name(snapshot.day)
    key = {"format": DIGEST_FORMAT, "partition": snapshot.key}
    cached(directory, key, lambda target: _build(snapshot.directory, target))
    totals = json.loads((directory / "snapshot.json").read_text(encoding="utf-8"))
    headline = json.loads((directory / "headline.json").read_text(encoding="utf-8"))
    return Digest(snapshot.day, totals, pd.read_parquet(directory / "lineage.parquet"), headline)
