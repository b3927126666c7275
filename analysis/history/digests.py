"""One snapshot's contribution to the history of its repo type, computed once per partition and
cached.

From a partition's Parquet cache: its totals (repos, the sums of its level and counter: 30-day and
all-time downloads, or a Space's likes), the concentration of its level (Gini and the top-1% share,
see analysis.snapshot.metrics), and its repos per value of the repo type's `History.listed_by` (a
Space's SDK). A models snapshot also keeps its derivatives per base model by relation, and its
headline figures (as analysis.snapshot.tallies counts them for the report's headline, so the page
can say how each changed since an earlier snapshot). The result lives in the history's cache
directory (`cache/history/<repo_type>/`, see hfcrawler.layout), under `date=<YYYY-MM-DD>/`
(`snapshot.json`, `listed.json`, and for models `headline.json`, `lineage.parquet`), keyed by the
partition's own cache key, so adding a day to the history computes only that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import partial
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
from analysis.store.repo_types import MODELS, RepoType
from hfcrawler.layout import partition_name

# Format 3: any repo type's totals, and its repos per listed value.
DIGEST_FORMAT = 3
TOP_FRACTION = 0.01
# The totals' names of the columns summed, where they differ from the column's.
_TOTAL_NAMES = {"downloads": "downloads_30d"}
_MODEL_COLUMNS = ["base_models", "relation", "likes", "author", "pipeline_tag"]


@dataclass(frozen=True)
class Digest:
    """What the history keeps of one snapshot; `lineage` and `headline` for models only."""

    day: date
    totals: dict[str, Any]
    lineage: pd.DataFrame | None = None
    headline: dict[str, Any] = field(default_factory=dict)
    listed: dict[str, int] = field(default_factory=dict)


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


def _totals(table: pa.Table, repo_type: RepoType) -> dict[str, Any]:
    """Repos, the sums of the level and the counter, and the concentration of the level."""
    trend = repo_type.trend
    level = pc.drop_null(table[trend.level]).to_numpy()
    totals = {repo_type.name: table.num_rows}
    totals[_TOTAL_NAMES.get(trend.level, trend.level)] = int(level.sum())
    if trend.counter != trend.level:
        counter = int(pc.sum(table[trend.counter]).as_py() or 0)
        totals[_TOTAL_NAMES.get(trend.counter, trend.counter)] = counter
    return totals | {"gini": gini(level), "top_1%_share": top_share(level, TOP_FRACTION)}


def _build(cache: Path, target: Path, repo_type: RepoType) -> None:
    trend, listed_by = repo_type.trend, repo_type.history.listed_by
    models = repo_type.name == MODELS.name
    columns = [trend.level, trend.counter, *([listed_by] if listed_by else [])]
    columns += _MODEL_COLUMNS if models else []
    table = pq.read_table(cache, columns=list(dict.fromkeys(columns)))
    totals = _totals(table, repo_type)
    (target / "snapshot.json").write_text(json.dumps(totals), encoding="utf-8")
    listed = {}
    if listed_by is not None:
        unlabelled = next(d for d in repo_type.history.dimensions if d.column == listed_by)
        counts = pc.value_counts(pc.fill_null(table[listed_by], unlabelled.unlabelled))
        listed = {item["values"]: int(item["counts"]) for item in counts.to_pylist()}
    (target / "listed.json").write_text(json.dumps(listed), encoding="utf-8")
    if models:
        headline = json.dumps(_headline(table, totals))
        (target / "headline.json").write_text(headline, encoding="utf-8")
        aggregates.lineage(table).to_parquet(target / "lineage.parquet", index=False)


def digest(history: Path, snapshot: CachedPartition, repo_type: RepoType) -> Digest:
    """The digest of `snapshot` (of `repo_type`), computed unless `history` (the repo type's cache
    directory) holds it."""
    directory = history / partition_name(snapshot.day)
    key = {"format": DIGEST_FORMAT, "partition": snapshot.key}
    cached(directory, key, partial(_build, snapshot.directory, repo_type=repo_type))
    totals = json.loads((directory / "snapshot.json").read_text(encoding="utf-8"))
    listed = json.loads((directory / "listed.json").read_text(encoding="utf-8"))
    if repo_type.name != MODELS.name:
        return Digest(snapshot.day, totals, listed=listed)
    headline = json.loads((directory / "headline.json").read_text(encoding="utf-8"))
    lineage = pd.read_parquet(directory / "lineage.parquet")
    return Digest(snapshot.day, totals, lineage, headline, listed)
