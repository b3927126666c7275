"""What happened between two consecutive snapshots of a repo type, computed once per pair, cached.

The Hub's `downloads` is a rolling 30-day count, so it cannot be summed across days; the difference
of the repo type's counter (`Trend.counter`: `downloadsAllTime`, or a Space's likes) between two
snapshots is the true number gained in between. For every repo present in both snapshots the
interval keeps that difference (`gained`); a negative one of a counter that never falls is an
anomaly (downloadsAllTime went back): it is listed in `anomalies.parquet` and left out (`gained`
null), as is a repo missing either count; likes taken back are a loss like any other. Repos only in
the later snapshot were created in between, repos only in the earlier one deleted. What the repo
type's `History` declares is counted besides: the creations and gains per value of each of its
dimensions (for the hype cycles: a repo with several values counts under each), the deletions per
value of `churn_by`, and the gains of the repos naming each family (a model's base models, as the
earlier snapshot states them).

Repos are matched by the 64-bit hashes of their ids that the Parquet cache keeps (the later
snapshot's hashes sorted and searched, falling back to the strings if a snapshot ever holds a
repeated hash): matching millions of id strings took a third of an interval's time and half its
memory. Results live in the history's cache directory of the repo type, under
`interval=<start>_<end>/` (`interval.json`, `deltas.parquet`, `deleted.parquet`,
`anomalies.parquet`, and `families.parquet` where families are declared), keyed by both partitions'
cache keys, so a new day costs one lookup against the day before it. An `Interval` names that
directory: the orchestrator computes it once, then hands it to whatever reads its results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.snapshot.aggregates import labelled
from analysis.store.compact import CachedPartition
from analysis.store.keyed import cached
from analysis.store.repo_types import HASH_COLUMN, Dimension, RepoType
from analysis.store.rows import cache_files, take_rows

# Format 8: any repo type's counter and declared dimensions; the repos' counts as repos_start/_end.
INTERVAL_FORMAT = 8
FAMILY = "base_model"


@dataclass(frozen=True)
class Interval:
    """The cached results of one interval between consecutive snapshots."""

    start: date
    end: date
    directory: Path
    totals: dict[str, Any]

    @property
    def days(self) -> int:
        """The real number of days between the two snapshots."""
        return (self.end - self.start).days

    def deltas(self, columns: list[str] | None = None) -> pa.Table:
        """Per continuing repo: its row in the start and in the end snapshot's cache
        (`start_row`, `end_row`), `before` (its counter) and `gained`."""
        return pq.read_table(self.directory / "deltas.parquet", columns=columns)

    def deleted(self) -> pa.Table:
        """The repos deleted in the interval: id, author, row in the start snapshot's cache."""
        return pq.read_table(self.directory / "deleted.parquet")

    def families(self, columns: list[str]) -> pa.Table:
        """`columns` per base model's family (`FAMILY`): before, gained, derivatives."""
        return pq.read_table(self.directory / "families.parquet", columns=columns)

    def anomalies(self) -> pa.Table:
        """Repos whose counter went down though it never falls: id, before, after."""
        return pq.read_table(self.directory / "anomalies.parquet")


def _is_list(table: pa.Table, column: str) -> bool:
    return pa.types.is_list(table.schema.field(column).type)


def _labels(table: pa.Table, dimension: Dimension) -> tuple[np.ndarray | None, pa.ChunkedArray]:
    """The values of `dimension` in `table`, unlabelled repos under its label: with the row of
    each value for a list column, one value per row (rows None) otherwise."""
    if _is_list(table, dimension.column):
        return labelled(table[dimension.column], dimension.unlabelled)
    # Read as dictionaries (one per row group, which grouping cannot mix): plain strings here,
    # one column at a time.
    return None, pc.fill_null(table[dimension.column].cast(pa.string()), dimension.unlabelled)


def _counts(table: pa.Table, dimension: Dimension) -> dict[str, int]:
    """Repos per value of `dimension`."""
    counts = pc.value_counts(_labels(table, dimension)[1]).to_pylist()
    return {item["values"]: int(item["counts"]) for item in counts}


def _gained(table: pa.Table, gained: pa.Array, dimension: Dimension) -> dict[str, int]:
    """Gains per value of `dimension` (a repo's under each of its values)."""
    rows, labels = _labels(table, dimension)
    gains = gained if rows is None else pc.take(gained, pa.array(rows))
    grouped = (
        pa.table({"label": labels, "gained": gains})
        .group_by("label")
        .aggregate([("gained", "sum")])
    )
    return {row["label"]: int(row["gained_sum"] or 0) for row in grouped.to_pylist()}


def _families(kept: pa.Table, gained: pa.Array, parents: str, counter: str) -> pa.Table:
    """Per family (the repos named in `parents`): its members' `counter` before, their gains and
    their number."""
    lengths = pc.fill_null(pc.list_value_length(kept[parents]), 0).to_numpy()
    rows = pa.array(np.repeat(np.arange(kept.num_rows), lengths))
    edges = pa.table(
        {
            FAMILY: pc.list_flatten(kept[parents]),
            "before": pc.take(kept[counter], rows),
            "gained": pc.take(gained, rows),
        }
    )
    grouped = edges.group_by(FAMILY).aggregate(
        [("before", "sum"), ("gained", "sum"), ([], "count_all")]
    )
    return pa.table(
        {
            FAMILY: grouped[FAMILY],
            "before": grouped["before_sum"],
            "gained": grouped["gained_sum"],
            "derivatives": grouped["count_all"],
        }
    )


def rows_in(start: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """For each of `start`'s hashes, the row holding it in `end` (-1 where none does); None when
    the hashes cannot tell models apart (a snapshot holds one twice).

    Both are sorted and `start` searched in `end`: a third of the time of a hash join.
    A hash repeated in `end` shows as equal neighbours once sorted; one repeated in `start` shows
    as two start rows finding the same end row, unless neither continues, when both are rightly
    deleted.
    """
    if len(end) == 0:
        return np.full(len(start), -1, dtype=np.int64)
    order = np.argsort(end)
    ordered = end[order]
    if np.any(ordered[1:] == ordered[:-1]):
        return None
    # Searched in order too: random probes into millions of sorted values miss the CPU's cache
    # at every step, and took five times as long.
    queries = np.argsort(start)
    at = np.empty(len(start), dtype=np.int64)
    at[queries] = np.searchsorted(ordered, start[queries])
    np.minimum(at, len(ordered) - 1, out=at)
    rows = np.where(ordered[at] == start, order[at], -1)
    if np.bincount(rows[rows >= 0], minlength=1).max() > 1:
        return None
    return rows


def _match(start_cache: Path, end_cache: Path) -> tuple[np.ndarray, pa.Array, pa.Table]:
    """Match the start snapshot's ids in the end one's: whether each start row continues, the
    end row of each continuing one, and the ids and authors of the deleted ones (with rows).

    Ids are matched by their cached 64-bit hashes; should two ids of one snapshot share a hash,
    the strings themselves are matched instead. (Two different models, one deleted and one
    created in the same interval, sharing a hash has odds of about 1e-12 a day.)
    """
    start = pq.read_table(start_cache, columns=[HASH_COLUMN])[HASH_COLUMN].to_numpy()
    end = pq.read_table(end_cache, columns=[HASH_COLUMN])[HASH_COLUMN].to_numpy()
    rows = rows_in(start, end)
    del start, end
    if rows is None:
        ids = pq.read_table(start_cache, columns=["id"])["id"]
        positions = pc.index_in(ids, value_set=pq.read_table(end_cache, columns=["id"])["id"])
        rows = pc.fill_null(positions, -1).to_numpy()
    continuing = rows >= 0
    gone = np.flatnonzero(~continuing)
    # Only the row groups holding deleted rows are read, not every id and author.
    named = take_rows(cache_files(start_cache), gone, ["id", "author"])
    deleted = named.append_column("start_row", pa.array(gone))
    return continuing, pa.array(rows[continuing]), deleted


def _single(repo_type: RepoType, columns: list[str]) -> list[str]:
    """The string columns of `columns`, few distinct values each: read as dictionaries."""
    return [c for c in columns if repo_type.columns.field(c).type == pa.string()]


def _build(start_cache: Path, end_cache: Path, target: Path, repo_type: RepoType) -> None:
    history, trend = repo_type.history, repo_type.trend
    counter = trend.counter
    continuing, matched, deleted = _match(start_cache, end_cache)
    # The strings read to match are freed before the rest is read; the labels, few distinct
    # values each, are read as dictionaries: an interval of 2.7M models peaks ~0.4 GB lower.
    pa.default_memory_pool().release_unused()
    early = [*history.columns, counter]
    late = [*(d.column for d in history.dimensions), counter]
    before = pq.read_table(start_cache, columns=early, read_dictionary=_single(repo_type, early))
    after = pq.read_table(end_cache, columns=late, read_dictionary=_single(repo_type, late))
    kept = before.filter(continuing)
    later = pc.take(after[counter], matched)
    difference = pc.subtract(later, kept[counter])
    dropped = pa.array(np.zeros(kept.num_rows, dtype=bool))
    if not trend.falls:
        dropped = pc.fill_null(pc.less(difference, 0), False)
    gained = pc.if_else(dropped, pa.scalar(None, pa.int64()), difference)
    start_rows = np.flatnonzero(continuing)
    deltas = pa.table(
        {
            # Where the repo sits in each snapshot's cache: analysis.history.walk follows repos
            # across intervals by position instead of matching ids again.
            "start_row": start_rows.astype(np.int32),
            "end_row": pc.cast(matched, pa.int32()),
            "before": kept[counter],
            "gained": gained,
        }
    )
    dropped_rows = start_rows[dropped.to_numpy(zero_copy_only=False)]
    ids = pa.array([], pa.string())
    if len(dropped_rows):
        ids = take_rows(cache_files(start_cache), dropped_rows, ["id"])["id"]
    anomalies = pa.table(
        {"id": ids, "before": kept[counter].filter(dropped), "after": later.filter(dropped)}
    ).sort_by("id")
    seen = np.zeros(after.num_rows, dtype=bool)
    seen[matched.to_numpy()] = True
    created = after.filter(pa.array(~seen))
    gone = before.filter(~continuing)
    # Read back by every later report, 30 of them by each velocity walk: LZ4, which decodes three
    # times faster than zstd for a file 60% larger (29 MiB for 2.6M models), and no dictionary
    # pages (on these integers they made the file larger and its reading 60% slower). A cache
    # written with zstd before reads the same.
    pq.write_table(deltas, target / "deltas.parquet", compression="lz4", use_dictionary=False)
    pq.write_table(deleted, target / "deleted.parquet", compression="zstd")
    if history.families is not None:
        families = _families(kept, gained, history.families, counter)
        pq.write_table(families, target / "families.parquet", compression="zstd")
    pq.write_table(anomalies, target / "anomalies.parquet")
    totals: dict[str, Any] = {
        "repos_start": before.num_rows,
        "repos_end": after.num_rows,
        "continuing": kept.num_rows,
        "created": created.num_rows,
        "deleted": gone.num_rows,
        "gained": int(pc.sum(gained).as_py() or 0),
        "anomalies": anomalies.num_rows,
        "without_counts": kept.num_rows - anomalies.num_rows - int(pc.count(gained).as_py()),
    }
    dimensions = {d.column: d for d in history.dimensions}
    if history.churn_by is not None:
        totals[f"deleted_by_{history.churn_by}"] = _counts(gone, dimensions[history.churn_by])
    for dimension in history.dimensions:
        totals[f"created_by_{dimension.column}"] = _counts(created, dimension)
        totals[f"gained_by_{dimension.column}"] = _gained(kept, gained, dimension)
    (target / "interval.json").write_text(json.dumps(totals), encoding="utf-8")


def interval(
    history: Path, start: CachedPartition, end: CachedPartition, repo_type: RepoType
) -> Interval:
    """The results of the interval from `start` to `end` (snapshots of `repo_type`), computed
    unless `history` (the repo type's cache directory) holds them."""
    directory = history / f"interval={start.day.isoformat()}_{end.day.isoformat()}"
    key = {"format": INTERVAL_FORMAT, "start": start.key, "end": end.key}
    cached(directory, key, partial(_build, start.directory, end.directory, repo_type=repo_type))
    totals = json.loads((directory / "interval.json").read_text(encoding="utf-8"))
    return Interval(start.day, end.day, directory, totals)
