"""One day of the export: a snapshot's rows with what they gained, and the repos absent from it.

A day's repos are matched once against the export's latest day (analysis.export.known). A repo
seen then gets that day as `previous_day`, the days between, and what its downloadsAllTime and
likes gained since; any other (new, or back after an absence) gets nulls there, never a guess,
and keeps the day it was first seen. A downloadsAllTime that went down (the counter was reset:
the history calls it an anomaly and leaves it out, analysis.history.intervals) gives no gain
(null) and sets `downloads_all_time_dropped`; likes can be taken back, so their gain can be
negative.

The repos absent from the day (for the repos table) are those of the latest day that are not in
it, with their row of that day, then the ones absent already that did not come back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.export.known import Counts, Ids, Known, day_number
from analysis.export.schema import CACHE_NAMES, DAILY, DICTIONARY, ENCODED, REPO_TYPE_VALUES


def _dates(day: date | None, size: int, where: np.ndarray | None = None) -> pa.Array:
    """`day` as a date32 `size` times, null wherever `where` is false."""
    numbers = np.full(size, 0 if day is None else day_number(day), np.int32)
    return pa.array(numbers, mask=None if where is None else ~where).cast(pa.date32())


@dataclass(frozen=True)
class Seen:
    """How a day's repos were seen before: each one's row in `known`'s latest day (-1: not in
    it), the day each was first seen, and which of `known`'s earlier repos came back (their
    positions among them)."""

    rows: np.ndarray
    first_seen: np.ndarray
    returned: np.ndarray


def seen_before(day: date, known: Known, rows: np.ndarray, ids: Ids) -> Seen:
    """How the repos of `day` were seen before, from their `rows` in `known`'s latest day; the
    ids of the others (read by `ids` only if there are any, and any repos absent before) are
    looked up among the earlier repos at once."""
    first_seen = np.full(len(rows), day_number(day), np.int32)
    found = rows >= 0
    first_seen[found] = known.first_seen[rows[found]]
    unseen = np.flatnonzero(~found)
    returned = np.zeros(0, np.int64)
    if len(unseen) and len(known.earlier_ids):
        positions = pc.index_in(ids(unseen), value_set=known.earlier_ids)
        back = pc.fill_null(positions, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        came = back >= 0
        first_seen[unseen[came]] = known.earlier_first_seen[back[came]]
        returned = back[came]
    return Seen(rows, first_seen, returned)


def _constant(value: str, size: int) -> pa.DictionaryArray:
    """`value` `size` times, as a dictionary of one value."""
    return pa.DictionaryArray.from_arrays(np.zeros(size, np.int32), pa.array([value]))


class DayRows:
    """The rows of one day of `repo_type` (of `ENCODED`), batch by batch from its cache's
    batches in order (`DICTIONARY` columns read as dictionaries), its repos `seen` before as
    `known` says."""

    def __init__(self, repo_type: str, day: date, known: Known, seen: Seen) -> None:
        self.repo_type = repo_type
        self.day = day
        self.known = known
        self.rows = seen.rows
        self._first_seen = seen.first_seen
        self._between = 0 if known.day is None else (day - known.day).days
        self._start = 0

    def batch(self, cached: pa.RecordBatch) -> pa.RecordBatch:
        """The day's rows of the next `cached` batch of its cache."""
        size = cached.num_rows
        rows = slice(self._start, self._start + size)
        self._start += size
        seen = self.rows[rows] >= 0
        # Each repo's row in the latest day (0 for those not in it: masked out below).
        at = np.where(seen, self.rows[rows], 0)
        first_seen = self._first_seen[rows]

        def column(name: str, kind: pa.DataType) -> pa.Array:
            source = CACHE_NAMES.get(name, name)
            if source not in cached.schema.names:
                return pa.nulls(size, kind)
            values = cached[source]
            return values if values.type == kind else values.cast(kind)

        downloads = column("downloads_all_time", pa.int64())
        difference = pc.subtract(downloads, self._then(self.known.downloads_all_time, at, seen))
        dropped = pc.fill_null(pc.less(difference, 0), False)
        likes = column("likes", pa.int64())
        computed = {
            "repo_type": _constant(REPO_TYPE_VALUES[self.repo_type], size),
            "day": _dates(self.day, size),
            "first_seen": pa.array(first_seen).cast(pa.date32()),
            "previous_day": _dates(self.known.day, size, seen),
            "days_between": pa.array(np.full(size, self._between, np.int32), mask=~seen),
            "downloads_gained": pc.if_else(dropped, pa.scalar(None, pa.int64()), difference),
            "downloads_all_time_dropped": dropped,
            "likes_gained": pc.subtract(likes, self._then(self.known.likes, at, seen)),
        }
        arrays = [
            computed[f.name] if f.name in computed else column(f.name, f.type) for f in ENCODED
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=ENCODED)

    def _then(self, counts: Counts, at: np.ndarray, seen: np.ndarray) -> pa.Array:
        """`counts` of the latest day at the rows `at`, null where the repo was not `seen`."""
        if not self.known.count:
            return pa.nulls(len(at), pa.int64())
        return counts[at].array(seen)


class Absent:
    """The repos absent from a day, for the repos table: those of `known`'s latest day (whose
    file is `latest`) the day's repos were not `seen` as, then those absent already (in the file
    `earlier`) that did not come back."""

    def __init__(self, known: Known, seen: Seen, latest: Path | None, earlier: Path | None) -> None:
        self.latest = latest
        self.earlier = earlier
        self._gone = np.ones(known.count, bool)
        self._gone[seen.rows[seen.rows >= 0]] = False
        self._still = np.ones(len(known.earlier_ids), bool)
        self._still[seen.returned] = False

    def _filtered(self, path: Path | None, keep: np.ndarray) -> Iterator[pa.RecordBatch]:
        """The rows of the file `path` that `keep` says, read only from the row groups holding
        some, and their strings only for those rows (the dictionary columns read as the file's
        dictionaries): the latest day's file is read whole otherwise, a second of CPU at 2.5M."""
        if path is None or not keep.any():
            return
        parquet = pq.ParquetFile(path, read_dictionary=DICTIONARY)
        start = 0
        for group in range(parquet.metadata.num_row_groups):
            size = parquet.metadata.row_group(group).num_rows
            kept = keep[start : start + size]
            start += size
            if kept.any():
                rows = parquet.read_row_group(group, use_threads=False)
                yield from rows.filter(pa.array(kept)).cast(DAILY).to_batches()

    def rows(self) -> Iterator[pa.RecordBatch]:
        """The rows of the latest day's repos that are not in the day, then those of the repos
        absent already that did not come back."""
        yield from self._filtered(self.latest, self._gone)
        yield from self._filtered(self.earlier, self._still)
