"""The export's files on disk: written whole or not at all, found again, and their metadata.

Everything is written under a hidden name (every documented reader skips names starting with a
dot, and the documented globs never match one), flushed to the disk, then put in place in one
step: a day's partition is a directory renamed to `date=<YYYY-MM-DD>/` (never replaced once
there); the repos table is a symbolic link renamed over the old one, to a hidden directory holding
the table after a day (its `latest.parquet` a hard link to that day's file, no copy). A crash
leaves at most hidden leftovers, which the next export removes. Row groups of `ROW_GROUP_ROWS`
rows carry a Bloom filter of their ids, so a reader looking for one repo reads the footers and
one row group a file. The columns' encodings and statistics are chosen in
analysis.export.schema (`DICTIONARY`, `DELTA`, `STATISTICS`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.export.schema import (
    DELTA,
    DICTIONARY,
    SCHEMA_VERSION,
    STATISTICS,
    TABLE_KEY,
    VERSION_KEY,
)
from analysis.store.atomic import staging_for
from hfcrawler.layout import EXPORT_PART, PARTITION_NAME

# Row groups of 65,536 rows: DuckDB reads one model's 30-day series of 2.5M models in 0.4 s,
# where 131,072 took 0.7 s and 32,768 (more Bloom filters to read) 0.55 s.
ROW_GROUP_ROWS = 65_536
# Rows read and computed at a time: a batch of each of the three streams at once (the cache read,
# the day's file and the repos' absent rows written) stays near 10 MB.
BATCH_ROWS = ROW_GROUP_ROWS
# A Bloom filter per row group on `id`: about 1.2 bytes a row for 1 % false positives.
_BLOOM = {"id": {"ndv": ROW_GROUP_ROWS, "fpp": 0.01}}
_HIDDEN = "."
# Where a Parquet file keeps the Arrow schema its columns are read as (pyarrow's convention).
_ARROW_SCHEMA = b"ARROW:schema"


class ExportError(RuntimeError):
    """The export cannot go on; the message says why and what to do."""


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class TableWriter:
    """A Parquet file of `schema` with `metadata`, written in row groups of `ROW_GROUP_ROWS` on a
    thread of its own: the day's file and the file of the repos absent from it are encoded at
    once, on two cores, while the caller computes the next batch (pyarrow releases the GIL as it
    reads and encodes). At most one batch waits for the thread. Used as a context manager: the
    file is complete and flushed to the disk at the end of the block, and closed half-written if
    the block fails.

    The batches are of `encoded` (by default `schema`): `schema` with some string columns as
    Arrow dictionaries, written as Parquet dictionaries without hashing their values. The file
    holds the same Parquet columns either way, and says it is of `schema`, so every reader reads
    strings.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        metadata: dict[bytes, bytes],
        encoded: pa.Schema | None = None,
    ) -> None:
        self.path = path
        self.rows = 0
        self._encoded = schema if encoded is None else encoded
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._last: Future[None] | None = None
        self._writer = pq.ParquetWriter(
            path,
            self._encoded,
            compression="zstd",
            # Level 1: an eighth less CPU than the default for 1 % more bytes.
            compression_level=1,
            use_dictionary=[name for name in DICTIONARY if name in schema.names],
            column_encoding={name: "DELTA_BINARY_PACKED" for name in DELTA if name in schema.names},
            write_statistics=[name for name in STATISTICS if name in schema.names],
            bloom_filter_options=_BLOOM,
            # The Arrow schema is `schema`'s, not that of the batches, and is added below.
            store_schema=False,
        )
        serialized = base64.b64encode(schema.with_metadata(metadata).serialize())
        self._writer.add_key_value_metadata({**metadata, _ARROW_SCHEMA: serialized})

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self._then(self._close)
            self._wait()
        finally:
            self._thread.shutdown(cancel_futures=True)
            if kind is not None:
                self._writer.close()

    def write(self, batch: pa.RecordBatch) -> None:
        """Add `batch` (of the file's schema); full row groups are written as they fill."""
        self._then(self._add, batch)

    def write_all(self, batches: Iterable[pa.RecordBatch]) -> None:
        """Add every batch of `batches`, read on the writer's thread."""
        self._then(lambda: [self._add(batch) for batch in batches])

    def _then(self, call: Callable[..., object], *args: object) -> None:
        self._wait()
        self._last = self._thread.submit(call, *args)

    def _wait(self) -> None:
        if self._last is not None:
            last, self._last = self._last, None
            last.result()

    def _add(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self.rows += batch.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending_rows:
            table = pa.Table.from_batches(self._pending, schema=self._encoded)
            if len(self._pending) > 1:
                # One dictionary per column of a row group: a dictionary changing within one
                # makes the writer hash the rest of it (and write it plain).
                table = table.unify_dictionaries()
            self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self._pending, self._pending_rows = [], 0

    def _close(self) -> None:
        self._flush()
        self._writer.close()
        _fsync(self.path)


def day_staging(final: Path) -> Path:
    """A fresh hidden directory beside the day partition `final` to write its file in."""
    staging = staging_for(final)
    staging.mkdir(parents=True)
    return staging


def publish_day(staging: Path, final: Path) -> None:
    """Rename the day partition written in `staging` to `final`, which must not exist yet."""
    try:
        staging.rename(final)
    except OSError as error:
        msg = f"{final} appeared while it was being exported ({error.strerror}); nothing replaced"
        raise ExportError(msg) from None
    _fsync(final.parent)


def link_file(source: Path, target: Path) -> None:
    """Make `target` a hard link to `source` (a copy where the file system has no hard links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        _fsync(target)


def publish_repos(version: Path, link: Path) -> None:
    """Point the repos table `link` at its complete `version` in one step (a symbolic link
    renamed over the old one); the version it pointed at stays for the readers still on it, the
    older ones are removed."""
    _fsync(version)
    previous = current_version(link)
    swap = link.with_name(f"{_HIDDEN}{link.name}.{os.getpid()}.tmp")
    swap.unlink(missing_ok=True)
    swap.symlink_to(version.name)
    swap.replace(link)
    _fsync(link.parent)
    remove_versions(link, keep={version.name, previous.name if previous else ""})


def current_version(link: Path) -> Path | None:
    """The version of the repos table `link` points at, if any."""
    if not link.is_symlink():
        return None
    return link.with_name(link.readlink().name)


def remove_versions(link: Path, keep: set[str]) -> None:
    """Remove the versions of the repos table `link` but those named in `keep`."""
    if not link.parent.is_dir():
        return
    for path in link.parent.glob(f"{_HIDDEN}{link.name}-*"):
        if path.name not in keep and not path.name.endswith(".tmp"):
            shutil.rmtree(path)


def remove_leftovers(directory: Path) -> None:
    """Remove what an interrupted export left in `directory`: hidden files and directories."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.name.startswith(_HIDDEN) and path.name.endswith(".tmp"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def exported_days(daily: Path) -> dict[date, Path]:
    """The file of every day partition under `daily`, by day, oldest first."""
    days = {}
    if daily.is_dir():
        for directory in sorted(daily.iterdir()):
            match = PARTITION_NAME.fullmatch(directory.name)
            if match is not None and (directory / EXPORT_PART).is_file():
                days[date.fromisoformat(match.group(1))] = directory / EXPORT_PART
    return days


def file_metadata(path: Path, table: str) -> dict[bytes, bytes]:
    """The key-value metadata of the export's file `path`, which must be of `table` and of this
    schema version (ExportError says what to do otherwise)."""
    metadata = pq.read_schema(path).metadata or {}
    version = metadata.get(VERSION_KEY, b"?").decode(errors="replace")
    if metadata.get(TABLE_KEY) != table.encode() or version != str(SCHEMA_VERSION):
        msg = (
            f"{path} is not a {table} file of schema version {SCHEMA_VERSION} (it says version "
            f"{version!r}): this version would mix two schemas in one dataset. Move the export "
            f"aside (or delete it) and run the export again to write it whole in version "
            f"{SCHEMA_VERSION}."
        )
        raise ExportError(msg)
    return metadata


@contextlib.contextmanager
def export_lock(directory: Path) -> Iterator[None]:
    """Hold the lock of the export under `directory` for this process (another export running
    makes this one stop with ExportError). The lock is on the directory itself: nothing is left
    behind, and it ends with the process."""
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"another export is running on {directory}; nothing was exported"
            raise ExportError(msg) from None
        yield
    finally:
        os.close(descriptor)
