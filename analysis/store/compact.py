"""Compact a partition's JSON Lines parts into Parquet, once, and reuse it afterwards.

The cache of a partition is its directory `cache/<repo_type>/date=<YYYY-MM-DD>/` (see
hfcrawler.layout), one Parquet file per part, holding only the columns its repo type declares
(analysis.store.repo_types). Its key (the manifest's part names, record counts and sha256s, and
each part file's size and modification time) is written to `_cache.json` inside (a keyed entry,
analysis.store.keyed), so a partition replaced by a later crawl of the same day, or a part file
replaced after the cache was built, invalidates the cache. It is built under a hidden name and
renamed into place when every part is done.

A partition is verified against its manifest when its cache is built, and only then (see
analysis.store.verify): a partition that fails (a part cut short, a flipped byte, a part DuckDB
cannot read) is damaged: it gets no cache and the caller is told why, never a cache of what could
be read.

Each part is streamed batch by batch: DuckDB's JSON reader (one thread per worker) decodes the gzip
members and parses only the declared fields, which is twice as fast as pyarrow's JSON reader on the
Hub's records and ignores the fields the analysis does not read (`gated`, with its mix of `false`
and strings, is read as text). Memory follows a batch, not the snapshot. The parts of every
partition to compact are handed to the executor at once, largest first, so both workers stay busy
to the end (worker processes for large snapshots: see analysis.store.workers).
"""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.store.atomic import staging_for
from analysis.store.keyed import is_current, publish
from analysis.store.partitions import Partition
from analysis.store.repo_types import HASH_COLUMN, REPO_TYPES, RUNTIME, RepoType
from analysis.store.taxonomy import load_taxonomy
from analysis.store.verify import PartReading, manifest_problem, part_problem
from hfcrawler.layout import DataLayout, file_sha256

if TYPE_CHECKING:
    import duckdb

# Bumped whenever the cached columns, their derivation or the checks made when building change, so
# old caches are rebuilt (format 4: partitions verified against their manifest; 5: models' size and
# declared datasets, or the export's columns; 6: both in one cache, with datasets' gated kept as the
# Hub's text and Spaces' license; 7: every task category, modality, format and language of a
# dataset, not only its first).
CACHE_FORMAT = 7
KEY_FILE = "_cache.json"
# Rows per batch handed from DuckDB to the derivation: big enough that per-batch costs vanish,
# small enough that a worker stays near 300 MB.
_BATCH_ROWS = 65_536
_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.list_(pa.string()): "VARCHAR[]",
    # DuckDB keeps only the named keys of an object; the others are never parsed into values.
    RUNTIME: "STRUCT(stage VARCHAR, hardware STRUCT(current VARCHAR, requested VARCHAR))",
}
# Listed per damaged partition in its reason; the others are counted.
_SHOWN_PROBLEMS = 1


@dataclass(frozen=True)
class CachedPartition:
    """A sound partition, the directory of its Parquet cache and the key it was built under."""

    partition: Partition
    directory: Path
    key: dict[str, object]

    @property
    def day(self) -> date:
        """The partition's date."""
        return self.partition.day


def id_hashes(ids: list[str]) -> pa.Array:
    """The cache's `HASH_COLUMN` values of `ids`, in order."""
    with _connection() as connection:
        named = connection.from_arrow(pa.table({"id": pa.array(ids, pa.string())}))
        hashed = named.project(f"hash(id) AS {HASH_COLUMN}").to_arrow_table()
        return hashed[HASH_COLUMN].combine_chunks()


def cache_key(partition: Partition) -> dict[str, object]:
    """The identity of a partition's content: as its manifest states it, and as its files are."""
    parts = [
        [p.get("name"), p.get("records"), p.get("sha256")] for p in partition.manifest["parts"]
    ]
    # A part file replaced after the cache was built (a restored backup, a bad copy) changes its
    # size or its modification time: the cache is rebuilt, and the part verified again.
    files = [[stat.st_size, stat.st_mtime_ns] for stat in (p.stat() for p in partition.parts)]
    # The hashes are DuckDB's: another DuckDB release could hash differently, so it rebuilds.
    # (Its version as installed: importing DuckDB takes a tenth of a second, which an export of
    # days already compacted need not spend.)
    duckdb_version = importlib.metadata.version("duckdb")
    return {"format": CACHE_FORMAT, "duckdb": duckdb_version, "parts": parts, "files": files}


def _duckdb_fields(repo_type: RepoType) -> dict[str, str]:
    """The fields read from each record, by name, as DuckDB types (timestamps with their zone;
    the fields numbers are extracted from, as JSON)."""
    fields = {}
    for read in repo_type.fields:
        if read.name in repo_type.extracted:
            fields[repo_type.extracted[read.name][0]] = "JSON"
        else:
            fields[read.name] = _DUCKDB_TYPES.get(read.type, "TIMESTAMPTZ")
    return fields


def _projection(repo_type: RepoType) -> str:
    """The fields in declared order, each extracted number cast or null, then the id hash."""
    columns = []
    for read in repo_type.fields:
        if read.name in repo_type.extracted:
            source, path = repo_type.extracted[read.name]
            # TRY_CAST: a value that is not an integer (a string, 1e30, an object) becomes null.
            number = f"TRY_CAST(json_extract_string({source}, '{path}') AS BIGINT)"
            columns.append(f"{number} AS {read.name}")
        else:
            columns.append(read.name)
    return ", ".join([*columns, f"hash(id) AS {HASH_COLUMN}"])


def _raw_batches(
    reader: pa.RecordBatchReader, repo_type: RepoType
) -> Iterable[tuple[pa.RecordBatch, pa.Array]]:
    """DuckDB's batches in the declared field types (its microseconds truncated to
    milliseconds), each with its ids' hashes."""
    schema = repo_type.fields
    for batch in reader:
        columns = [batch.column(field.name).cast(field.type, safe=False) for field in schema]
        yield pa.RecordBatch.from_arrays(columns, schema=schema), batch.column(HASH_COLUMN)


def _connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB thread per worker process (the executor runs one part per worker), quiet."""
    import duckdb  # noqa: PLC0415 - imported where it is used (see cache_key)

    connection = duckdb.connect(config={"threads": 1})
    connection.execute("SET enable_progress_bar = false")
    return connection


def compact_part(part: Path, target: Path, repo_type: RepoType) -> PartReading:
    """Stream one gzip JSON Lines part into a Parquet file of `repo_type`'s cache columns; return
    its sha256 and how many records it held (or why it could not be read)."""
    import duckdb  # noqa: PLC0415 - imported where it is used (see cache_key)

    # Hashed first: the part is then in the page cache when DuckDB reads it.
    sha256 = file_sha256(part)
    taxonomy = load_taxonomy()
    schema = repo_type.cache_schema
    records = 0
    with (
        _connection() as connection,
        # zstd costs ~7% of the compaction's CPU and keeps the cache ~2.5x smaller than plain,
        # which matters once a cache is kept for every day of history.
        pq.ParquetWriter(
            target,
            schema,
            compression="zstd",
            use_dictionary=list(repo_type.dictionary),
            # Nothing reads the cache by its statistics (min and max per row group), and
            # computing them took a third of the writing.
            write_statistics=False,
        ) as writer,
    ):
        try:
            relation = connection.read_json(
                str(part),
                format="newline_delimited",
                compression="gzip",
                columns=_duckdb_fields(repo_type),
            ).project(_projection(repo_type))
            for batch, hashes in _raw_batches(relation.to_arrow_reader(_BATCH_ROWS), repo_type):
                derived = repo_type.derived(batch, taxonomy)
                writer.write_table(derived.append_column(schema.field(HASH_COLUMN), hashes))
                records += batch.num_rows
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
        ) as error:
            return PartReading(sha256, None, str(error).splitlines()[0])
    return PartReading(sha256, records)


@dataclass
class _Build:
    """A partition's cache under construction: where, under which key, and parts still to do."""

    partition: Partition
    staging: Path
    final: Path
    key: dict[str, object]
    remaining: int
    # The problems found so far, by the part's position in the manifest.
    problems: dict[int, str] = field(default_factory=dict)

    def reason(self) -> str:
        """Why the partition is damaged, from its first problems."""
        ordered = [self.problems[n] for n in sorted(self.problems)]
        shown = "; ".join(ordered[:_SHOWN_PROBLEMS])
        more = len(ordered) - _SHOWN_PROBLEMS
        return shown if more <= 0 else f"{shown}; and {more} more part(s) differ"


@dataclass(frozen=True)
class Compaction:
    """The cache of each sound partition by day, and each damaged partition with why."""

    caches: dict[date, CachedPartition]
    damaged: list[tuple[Partition, str]]


# A part to compact: the part, its Parquet file, its partition's build, its position in the
# manifest and its entry there.
_Work = tuple[Path, Path, _Build, int, dict[str, Any]]


def _plan(
    layout: DataLayout, partitions: Iterable[Partition]
) -> tuple[Compaction, list[_Build], list[_Work]]:
    """The partitions already cached or damaged by their manifest, the caches to build, and the
    parts to compact."""
    done = Compaction({}, [])
    builds: list[_Build] = []
    work: list[_Work] = []
    for partition in partitions:
        damaged = [damaged.day for damaged, _ in done.damaged]
        if partition.day in [*done.caches, *damaged, *(b.partition.day for b in builds)]:
            continue
        final = layout.cache(partition.repo_type, partition.day)
        key = cache_key(partition)
        if is_current(final, key, KEY_FILE):
            done.caches[partition.day] = CachedPartition(partition, final, key)
        elif (problem := manifest_problem(partition)) is not None:
            done.damaged.append((partition, problem))
            shutil.rmtree(final, ignore_errors=True)
        else:
            staging = staging_for(final)
            staging.mkdir(parents=True)
            build = _Build(partition, staging, final, key, len(partition.parts))
            builds.append(build)
            entries = partition.manifest["parts"]
            for number, (part, entry) in enumerate(zip(partition.parts, entries, strict=True)):
                target = staging / f"{part.name.split('.')[0]}.parquet"
                work.append((part, target, build, number, entry))
    return done, builds, work


def _finish(build: _Build, done: Compaction) -> None:
    """Put a build whose parts are all compacted in place, or record why it is damaged."""
    if build.problems:
        done.damaged.append((build.partition, build.reason()))
        # A cache built before a part was replaced is not the partition's any more.
        shutil.rmtree(build.final, ignore_errors=True)
    else:
        publish(build.staging, build.final, build.key, KEY_FILE)
        done.caches[build.partition.day] = CachedPartition(build.partition, build.final, build.key)


def compact(
    layout: DataLayout, repo_type: RepoType, partitions: Iterable[Partition], executor: Executor
) -> Compaction:
    """The cache of each of `partitions` (of `repo_type`) by day, building and verifying the
    missing ones together; a partition that does not match its manifest is damaged and gets none
    (`compact_together` with one repo type)."""
    return compact_together(layout, {repo_type.name: partitions}, executor)[repo_type.name]


def compact_together(
    layout: DataLayout, wanted: Mapping[str, Iterable[Partition]], executor: Executor
) -> dict[str, Compaction]:
    """The compaction of each repo type's `wanted` partitions, by repo type name.

    Every part of every partition to build, of every repo type, goes to the executor at once,
    largest first, so the last to finish is a small one: compacted one repo type after the other,
    the whole Hub's day left a worker idle for 6 of its 15 s (three models parts, then one of
    datasets, then one of Spaces). Each cache is put in place as soon as its own parts are done.
    """
    done: dict[str, Compaction] = {}
    builds: list[_Build] = []
    work: list[tuple[_Work, RepoType]] = []
    for name, partitions in wanted.items():
        done[name], planned, parts = _plan(layout, partitions)
        builds += planned
        work += [(item, REPO_TYPES[name]) for item in parts]
    work.sort(key=lambda item: item[0][0].stat().st_size, reverse=True)
    jobs = {
        executor.submit(compact_part, part, target, repo_type): (build, number, entry)
        for (part, target, build, number, entry), repo_type in work
    }
    try:
        for build in builds:
            if build.remaining == 0:
                _finish(build, done[build.partition.repo_type])
        for job in as_completed(jobs):
            build, number, entry = jobs[job]
            problem = part_problem(entry, job.result())
            if problem is not None:
                build.problems[number] = problem
            build.remaining -= 1
            if build.remaining == 0:
                _finish(build, done[build.partition.repo_type])
    finally:
        for job in jobs:
            job.cancel()
        for build in builds:
            shutil.rmtree(build.staging, ignore_errors=True)
    return done
