"""What the export knows of the repos it has seen, as its repos table holds them.

The repos of the export's latest day, in the order of that day's file: their id hashes (the
64-bit hash the Parquet cache keeps, analysis.store.repo_types.HASH_COLUMN), the day each was
first seen, its downloadsAllTime and likes; and the repos absent from that day (`earlier`): their
ids and the day each was first seen. A new day is matched against it once, which gives each of
its repos what it gained since the latest day, or the day it was first seen if it comes back.
Read from the repos table when an export starts; then carried from one day to the next.

The hashes are kept sorted: a day's are sorted once and searched in the latest day's in order
(random probes into millions of sorted values miss the CPU's cache at every step), then kept
for the next day, in the repos table beside the latest day's file (`REPOS_HASHES`, a hidden
NumPy file no reader's glob matches), so the next export, a new process, reads them instead of
sorting them again. That is half the work of sorting both sides each day
(analysis.history.intervals.rows_in, which the history's intervals do), and a hash table
(pandas) costs as much memory again as the hashes.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """`day` as a Parquet/Arrow date32: days since 1970-01-01."""
    return (day - _EPOCH).days


def dates(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A date32 column without nulls as day numbers."""
    return column.cast(pa.int32()).to_numpy()


@dataclass(frozen=True)
class Counts:
    """A nullable integer column as numpy: its values (0 where null) and where it is valid."""

    values: np.ndarray
    valid: np.ndarray

    @classmethod
    def of(cls, column: pa.ChunkedArray | pa.Array) -> Counts:
        """The counts of an Arrow integer column (copied out of Arrow's memory)."""
        return cls(
            np.array(column.fill_null(0).to_numpy(), np.int64),
            column.is_valid().to_numpy(zero_copy_only=False),
        )

    @classmethod
    def empty(cls) -> Counts:
        """No counts."""
        return cls(np.zeros(0, np.int64), np.zeros(0, bool))

    def __getitem__(self, rows: np.ndarray | slice) -> Counts:
        return Counts(self.values[rows], self.valid[rows])

    def array(self, where: np.ndarray) -> pa.Array:
        """The counts as an Arrow column, null where they are and wherever `where` is false."""
        return pa.array(self.values, mask=~(self.valid & where))


@dataclass(frozen=True)
class Hashes:
    """The id hashes of a day's repos sorted (`ordered`), and the row each one is in (`order`)."""

    ordered: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, hashes: np.ndarray) -> Hashes:
        """The sorted `hashes` (uint64) of a day's rows, in row order.

        numpy sorts numbers several times faster than it finds the order that sorts them
        (argsort): so each row is put in the low bits of its hash, in place of the hash's own,
        and these numbers sorted give the rows in the order of their hashes' high bits, which is
        the order of the hashes but where two share their high bits (a pair or so a day among
        millions; then sorted again, nearly sorted already). 0.15 CPU-s for 2.5M hashes, where
        an argsort took 0.35.
        """
        bits = max(1, (len(hashes) - 1).bit_length())
        keys = (hashes >> np.uint64(bits) << np.uint64(bits)) | np.arange(
            len(hashes), dtype=np.uint64
        )
        keys.sort()
        order = (keys & np.uint64((1 << bits) - 1)).astype(np.int32)
        ordered = hashes[order]
        if np.any(ordered[1:] < ordered[:-1]):
            exact = np.argsort(ordered, kind="stable")
            order, ordered = order[exact], ordered[exact]
        return cls(ordered, order)

    @property
    def repeated(self) -> np.ndarray:
        """Whether each sorted hash equals the one before it."""
        return np.concatenate([[False], self.ordered[1:] == self.ordered[:-1]])

    def save(self, path: Path) -> None:
        """Write the hashes to `path` (NumPy's uncompressed format), flushed to the disk."""
        with path.open("wb") as stream:
            np.savez(stream, ordered=self.ordered, order=self.order)
            stream.flush()
            os.fsync(stream.fileno())

    @classmethod
    def load(cls, path: Path, rows: int) -> Hashes | None:
        """The hashes `save` wrote to `path`, if it holds those of `rows` rows (None: it does not
        exist, or was written by an export that kept none, or is not whole)."""
        try:
            # Opened here: numpy leaves the file open when it is not a whole NumPy file.
            with path.open("rb") as stream, np.load(stream) as saved:
                hashes = cls(saved["ordered"], saved["order"])
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile):
            return None
        if len(hashes.ordered) != rows or len(hashes.order) != rows:
            return None
        return hashes


@dataclass(frozen=True)
class Known:
    """The repos of the export's latest day `day` (None before the first), in the order of its
    file, and the ids and first days of the repos absent from it (`earlier`)."""

    day: date | None
    hashes: Hashes
    first_seen: np.ndarray
    downloads_all_time: Counts
    likes: Counts
    earlier_ids: pa.ChunkedArray
    earlier_first_seen: np.ndarray

    @classmethod
    def nothing(cls) -> Known:
        """Before the first day."""
        never, nobody = np.zeros(0, np.int32), pa.chunked_array([], pa.string())
        hashes = Hashes.of(np.zeros(0, np.uint64))
        return cls(None, hashes, never, Counts.empty(), Counts.empty(), nobody, never)

    @property
    def count(self) -> int:
        """How many repos the latest day has."""
        return len(self.hashes.ordered)


def id_hashes(path: Path) -> np.ndarray:
    """The hash of every id of the export's file `path`, in row order, as the cache hashes ids."""
    # Only when the export has no hashes kept: DuckDB takes a tenth of a second to import.
    import duckdb  # noqa: PLC0415

    with duckdb.connect(config={"threads": 1}) as connection:
        connection.execute("SET enable_progress_bar = false")
        hashed = connection.read_parquet(str(path)).project("hash(id) AS id_hash")
        return hashed.to_arrow_table()["id_hash"].to_numpy()


def read_known(day: date, latest: Path, hashes: Hashes, earlier: Path | None) -> Known:
    """What the export knows after `day`, whose file is `latest` (its ids' `hashes` in row order),
    with the repos absent from it in the file `earlier` (None: there are none)."""
    ids, first_seen = pa.chunked_array([], pa.string()), np.zeros(0, np.int32)
    if earlier is not None:
        absent = pq.read_table(earlier, columns=["id", "first_seen"])
        ids, first_seen = absent["id"], dates(absent["first_seen"])
    counts = pq.read_table(latest, columns=["first_seen", "downloads_all_time", "likes"])
    known = Known(
        day,
        hashes,
        dates(counts["first_seen"]),
        Counts.of(counts["downloads_all_time"]),
        Counts.of(counts["likes"]),
        ids,
        first_seen,
    )
    # Only the numpy copies are kept: pyarrow's allocator would keep what it read otherwise.
    pa.default_memory_pool().release_unused()
    return known


def _by_hash(day: Hashes, known: Hashes) -> np.ndarray | None:
    """The row in `known`'s day of each of `day`'s rows (-1: none), None when a hash of either
    side stands for two repos."""
    rows = np.full(len(day.ordered), -1, np.int32)
    if not len(known.ordered):
        return rows
    if known.repeated.any():
        return None
    at = np.searchsorted(known.ordered, day.ordered)
    np.minimum(at, len(known.ordered) - 1, out=at)
    hit = known.ordered[at] == day.ordered
    if (hit & day.repeated).any():
        return None
    rows[day.order[hit]] = known.order[at[hit]]
    return rows


# The ids of a day's rows given (ascending), read when asked.
Ids = Callable[[np.ndarray], pa.ChunkedArray]


def match(hashes: Hashes, ids: Ids, known: Known, known_ids: Ids) -> np.ndarray:
    """For each of a day's repos (the `hashes` of its ids, `ids`), its row in `known`'s latest
    day (whose ids are `known_ids`), or -1.

    By the hashes; should two ids of either side share one (odds of about 1e-12 a day), by the
    ids themselves, read then.
    """
    rows = _by_hash(hashes, known.hashes)
    if rows is not None:
        return rows
    every = ids(np.arange(len(hashes.order)))
    found = pc.index_in(every, value_set=known_ids(np.arange(known.count)))
    return pc.fill_null(found, -1).to_numpy().astype(np.int32)
