"""Export the history of every listing under `<data>/exports/` (hfcrawler.layout), day by day.

For each repo type with complete partitions (analysis.store.repo_types.REPO_TYPES), under the
export's lock: what an interrupted export left is removed; the repos table is brought up to the
latest exported day if an export stopped between a day and its repos table (from that day's own
file); then every complete partition later than the latest exported day (and not after `until`),
verified against its manifest and compacted by the store (analysis.store.compact, which reuses
the caches the report built), is exported in date order: its day partition, then the repos table.

Days are only ever added: an exported day is never rewritten, so a partition dated before the
latest exported day (a backfill) is passed over, and a day recrawled after its export keeps the
crawl it was exported from; both are named. Damaged partitions are left out like days never
crawled: the next day's `days_between` spans them.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.defaults import DEFAULT_REPO_TYPE
from analysis.export.day import Absent, DayRows, seen_before
from analysis.export.files import (
    BATCH_ROWS,
    TableWriter,
    current_version,
    day_staging,
    export_lock,
    exported_days,
    file_metadata,
    link_file,
    publish_day,
    publish_repos,
    remove_leftovers,
)
from analysis.export.known import (
    Hashes,
    Ids,
    Known,
    id_hashes,
    match,
    read_known,
)
from analysis.export.schema import (
    CACHE_NAMES,
    DAILY,
    DAY_KEY,
    DICTIONARY,
    ENCODED,
    SOURCE_KEY,
    metadata,
)
from analysis.store.atomic import staging_for
from analysis.store.compact import KEY_FILE, CachedPartition, cache_key, compact
from analysis.store.keyed import is_current
from analysis.store.partitions import Partition, SkippedPartition, scan
from analysis.store.repo_types import HASH_COLUMN, REPO_TYPES, RepoType
from analysis.store.rows import cache_files, take_rows
from analysis.store.workers import worker_pool
from hfcrawler.layout import EXPORT_PART, REPOS_EARLIER, REPOS_HASHES, REPOS_LATEST, DataLayout


@dataclass
class Exported:
    """What an export did for one repo type: the days it added, every day the export holds now,
    and the partitions it did not export (damaged; older than its latest day; recrawled after
    their export), each as a partition named for a warning."""

    repo_type: str
    directory: Path
    added: list[date] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    damaged: list[SkippedPartition] = field(default_factory=list)
    passed_over: list[SkippedPartition] = field(default_factory=list)


def _name(repo_type: str, partition: Partition) -> str:
    """A partition as the analysis names it: by its directory, with its repo type unless it is
    the analysis' own."""
    name = partition.path.name
    return name if repo_type == DEFAULT_REPO_TYPE else f"{repo_type}/{name}"


def _source(partition: Partition) -> str:
    """The identity of a partition's content, as its manifest states it."""
    entries = partition.manifest["parts"]
    parts = [[entry.get("name"), entry.get("records"), entry.get("sha256")] for entry in entries]
    return json.dumps(parts, separators=(",", ":"))


def _ids(path: Path | None) -> Ids:
    """How to read the ids of rows of the export's file `path` (none without one)."""
    return lambda rows: take_rows([] if path is None else [path], rows, ["id"])["id"]


def _cache_column(directory: Path, name: str) -> pa.ChunkedArray:
    tables = [pq.read_table(path, columns=[name]) for path in cache_files(directory)]
    return pa.concat_tables(tables)[name]


class _Export:
    """The export of one repo type, under the lock: its paths, what it knows, its days."""

    def __init__(self, layout: DataLayout, repo_type: RepoType) -> None:
        self.layout = layout
        self.repo_type = repo_type
        self.name = repo_type.name
        self.daily = layout.export_daily(self.name)
        self.link = layout.export_repos(self.name)

    def _file(self, day: date) -> Path:
        return self.layout.export_day(self.name, day) / EXPORT_PART

    def load(self, partitions: list[Partition]) -> Known:
        """What the repos table says the export knows (the ids of its latest day hashed as the
        table keeps them; without them, from that day's cache when it is still the one exported,
        else by DuckDB)."""
        version = current_version(self.link)
        if version is None:
            return Known.nothing()
        latest = version / REPOS_LATEST
        tags = file_metadata(latest, "daily")
        day = date.fromisoformat(tags[DAY_KEY].decode())
        hashes = Hashes.load(version / REPOS_HASHES, pq.ParquetFile(latest).metadata.num_rows)
        if hashes is None:
            hashes = self._hashed(partitions, day, tags[SOURCE_KEY].decode(), latest)
        earlier = version / REPOS_EARLIER
        file_metadata(earlier, "earlier")
        return read_known(day, latest, hashes, earlier)

    def _hashed(self, partitions: list[Partition], day: date, source: str, latest: Path) -> Hashes:
        """The hashes of the ids of the export's latest day `day` (its file `latest`, made from
        the crawl `source`), from that day's cache when it is still that crawl's."""
        cache = self.layout.cache(self.name, day)
        sound = [p for p in partitions if p.day == day and _source(p) == source]
        if sound and is_current(cache, cache_key(sound[0]), KEY_FILE):
            return Hashes.of(np.array(_cache_column(cache, HASH_COLUMN)))
        return Hashes.of(id_hashes(latest))

    def day(self, cache: CachedPartition, known: Known) -> Callable[[], Known]:
        """Export the day of `cache`: its day partition, then the repos table; return how to
        read what the export knows after it (only a next day needs it)."""
        day = cache.day
        hashes = Hashes.of(np.array(_cache_column(cache.directory, HASH_COLUMN)))
        latest, earlier = self._tables()
        files = cache_files(cache.directory)
        ids: Ids = lambda rows: take_rows(files, rows, ["id"])["id"]  # noqa: E731 - read if needed
        seen = seen_before(day, known, match(hashes, ids, known, _ids(latest)), ids)
        rows_of_day = DayRows(self.name, day, known, seen)
        absent = Absent(known, seen, latest, earlier)
        pa.default_memory_pool().release_unused()
        final = self.layout.export_day(self.name, day)
        staging = day_staging(final)
        previous = "" if known.day is None else known.day.isoformat()
        tags = metadata(
            "daily",
            self.name,
            day=day.isoformat(),
            previous_day=previous,
            source=_source(cache.partition),
        )
        # Only what the day's rows take from the cache (not the report's lineage lists).
        names = [CACHE_NAMES.get(name, name) for name in DAILY.names]
        columns = [name for name in self.repo_type.columns.names if name in names]
        dictionaries = [name for name in columns if name in DICTIONARY]
        version = self.layout.export_repos_version(self.name, day)
        table = staging_for(version)
        table.mkdir(parents=True)
        try:
            with (
                TableWriter(staging / EXPORT_PART, DAILY, tags, ENCODED) as daily,
                TableWriter(table / REPOS_EARLIER, DAILY, _earlier_tags(self.name, day)) as gone,
            ):
                gone.write_all(absent.rows())
                for path in files:
                    parquet = pq.ParquetFile(path, read_dictionary=dictionaries)
                    for batch in parquet.iter_batches(BATCH_ROWS, columns=columns):
                        daily.write(rows_of_day.batch(batch))
            publish_day(staging, final)
            return self._put_in_place(table, version, day, hashes)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(table, ignore_errors=True)

    def _tables(self) -> tuple[Path | None, Path | None]:
        """The files of the repos table now: the latest day's, and the absent repos'."""
        version = current_version(self.link)
        if version is None:
            return None, None
        return version / REPOS_LATEST, version / REPOS_EARLIER

    def _put_in_place(
        self, staging: Path, version: Path, day: date, hashes: Hashes
    ) -> Callable[[], Known]:
        """Complete the repos table after `day` written in `staging` with the day's file, make
        it the table, and return how to read what the export knows now (`hashes`: the day's)."""
        link_file(self._file(day), staging / REPOS_LATEST)
        hashes.save(staging / REPOS_HASHES)
        shutil.rmtree(version, ignore_errors=True)
        staging.rename(version)
        publish_repos(version, self.link)
        return lambda: read_known(day, version / REPOS_LATEST, hashes, version / REPOS_EARLIER)

    def catch_up(self, day: date, known: Known) -> Callable[[], Known]:
        """Bring the repos table up to `day`, exported already (an export stopped between the
        day and its repos table)."""
        path = self._file(day)
        hashes = Hashes.of(id_hashes(path))
        latest, earlier = self._tables()
        ids = _ids(path)
        seen = seen_before(day, known, match(hashes, ids, known, _ids(latest)), ids)
        absent = Absent(known, seen, latest, earlier)
        version = self.layout.export_repos_version(self.name, day)
        staging = staging_for(version)
        staging.mkdir(parents=True)
        try:
            with TableWriter(staging / REPOS_EARLIER, DAILY, _earlier_tags(self.name, day)) as gone:
                gone.write_all(absent.rows())
            return self._put_in_place(staging, version, day, hashes)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _earlier_tags(repo_type: str, day: date) -> dict[bytes, bytes]:
    return metadata("earlier", repo_type, day=day.isoformat())


def _recrawled(
    repo_type: str, partitions: list[Partition], days: dict[date, Path]
) -> list[SkippedPartition]:
    """The exported days whose partition is now another crawl than the one exported."""
    stale = []
    for partition in partitions:
        exported = days.get(partition.day)
        if exported is None:
            continue
        source = pq.read_schema(exported).metadata.get(SOURCE_KEY, b"").decode()
        if source != _source(partition):
            reason = "recrawled after its export: the export keeps the earlier crawl of that day"
            stale.append(SkippedPartition(_name(repo_type, partition), reason))
    return stale


def _export_type(
    layout: DataLayout, repo_type: RepoType, executor: Executor, until: date | None
) -> Exported | None:
    """Export the new days of `repo_type`; None when it has neither partitions nor exports."""
    name = repo_type.name
    export = _Export(layout, repo_type)
    remove_leftovers(export.daily)
    remove_leftovers(export.link.parent)
    found = scan(layout, name).complete
    days = exported_days(export.daily)
    if not found and not days:
        return None
    done = Exported(name, export.daily)
    if days:
        file_metadata(days[max(days)], "daily")
    known = export.load(found)
    for day in days:
        if known.day is None or day > known.day:
            known = export.catch_up(day, known)()
    latest = max(days, default=None)
    new = [p for p in found if (latest is None or p.day > latest)]
    new = [p for p in new if until is None or p.day <= until]
    for partition in found:
        if latest is not None and partition.day < latest and partition.day not in days:
            reason = f"not exported: dated before the export's latest day, {latest.isoformat()}"
            done.passed_over.append(SkippedPartition(_name(name, partition), reason))
    done.passed_over += _recrawled(name, found, days)
    compaction = compact(layout, repo_type, new, executor)
    for partition, reason in compaction.damaged:
        done.damaged.append(SkippedPartition(_name(name, partition), f"damaged: {reason}", True))
    after: Callable[[], Known] | None = None
    for partition in new:
        cache = compaction.caches.get(partition.day)
        if cache is not None:
            known = known if after is None else after()
            after = export.day(cache, known)
            done.added.append(partition.day)
    done.days = sorted([*days, *done.added])
    return done


class NothingToExportError(LookupError):
    """The data directory holds no complete partition of any listing."""


class _OnDemand(Executor):
    """An executor that starts the one `start` makes when it is first given work."""

    def __init__(self, start: Callable[[], Executor]) -> None:
        self._start = start
        self._executor: Executor | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Schedule `fn(*args, **kwargs)` on the executor, started now if need be."""
        if self._executor is None:
            self._executor = self._start()
        return self._executor.submit(fn, *args, **kwargs)


def export_data(data: Path, until: date | None = None) -> list[Exported]:
    """Export the days of every listing under the data directory `data` not exported yet, up to
    `until`: `python -m analysis export`, as a function for whatever runs it after the crawls.

    Raises NothingToExportError when there is no complete partition, and ExportError as `export`.
    """
    layout = DataLayout(data)
    latest = [scan(layout, name).complete[-1:] for name in REPO_TYPES]
    records = [partition.records for found in latest for partition in found]
    if not records:
        where = ", ".join(str(layout.snapshots(name)) for name in REPO_TYPES)
        msg = f"no complete partition under {where}"
        raise NothingToExportError(msg)
    with contextlib.ExitStack() as stack:
        # Worker processes only if a day is not compacted yet: after the report's run every cache
        # is built, and starting workers would cost more than the export itself.
        pool = _OnDemand(lambda: stack.enter_context(worker_pool(max(records))))
        return export(layout, pool, until)


def export(layout: DataLayout, executor: Executor, until: date | None = None) -> list[Exported]:
    """Export the days of every listing not exported yet, up to `until` (every one when None);
    return what was done for each repo type that has partitions or exports.

    Raises ExportError when another export is running or the export on disk has another schema
    version.
    """
    with export_lock(layout.exports()):
        results = [_export_type(layout, t, executor, until) for t in REPO_TYPES.values()]
    return [result for result in results if result is not None]
