"""Compact a partition's JSON Lines parts into Parquet, once, and reuse it afterwards.

The cache of a partition is the directory `<data>/cache/<repo_type>/date=<YYYY-MM-DD>/`, one
Parquet file per part, holding only the columns the analysis reads plus the derived ones (see
`analysis.derive`). Its key (the manifest's part names, record counts and sha256s, and each part
file's size and modification time) is written to `_cache.json` inside, so a partition replaced by
a later crawl of the same day, or a part file replaced after the cache was built, invalidates the
cache. The directory is built under a hidden name and renamed into place when every part is done.

A partition is verified against its manifest when its cache is built, and only then: its record
count must be the sum of its parts', and each part must hash to the manifest's sha256 and hold the
manifest's number of records. A partition that fails (a part cut short, a flipped byte, a part
DuckDB cannot read) is damaged: it gets no cache and the caller is told why, never a cache of what
could be read.

Each part is streamed batch by batch: DuckDB's JSON reader (one thread per worker) decodes the gzip
members and parses only the named fields, which is twice as fast as pyarrow's JSON reader on the
Hub's records and ignores the fields the analysis does not read, `gated` with its mix of `false`
and strings among them. Memory follows a batch, not the snapshot. The parts of every partition to
compact are handed to the executor at once, largest first, so both workers stay busy to the end
(worker processes for large snapshots: see analysis.workers).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.atomic import replace_directory, staging_for
from analysis.defaults import PAGE_CHARACTERS
from analysis.derive import DERIVED_SCHEMA, RAW_SCHEMA, derive
from analysis.partitions import Partition
from analysis.taxonomy import load_taxonomy
from analysis.text import shown

# Bumped whenever the cached columns, their derivation or the checks made when building change, so
# old caches are rebuilt (format 4: partitions verified against their manifest).
CACHE_FORMAT = 4
# What the cache holds: the derived columns, and a 64-bit hash of each id (DuckDB's `hash`) that
# lets the history match snapshots on integers rather than on millions of strings.
HASH_COLUMN = "id_hash"
CACHE_SCHEMA = DERIVED_SCHEMA.append(pa.field(HASH_COLUMN, pa.uint64()))
KEY_FILE = "_cache.json"
# Rows per batch handed from DuckDB to `derive`: big enough that per-batch costs vanish, small
# enough that a worker stays near 300 MB.
_BATCH_ROWS = 65_536
_DUCKDB_TYPES = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.list_(pa.string()): "VARCHAR[]"}
# The fields read from each record, by name, as DuckDB types (timestamps with their zone).
_FIELDS = {field.name: _DUCKDB_TYPES.get(field.type, "TIMESTAMPTZ") for field in RAW_SCHEMA}
# Dictionary pages pay off only for columns with few distinct values; on ids they cost time.
_DICTIONARY_COLUMNS = ["author", "pipeline_tag", "library_name", "modality", "license", "relation"]


# Listed per damaged partition in its reason; the others are counted.
_SHOWN_PROBLEMS = 1
# The longest manifest value a reason quotes.
_VALUE_CHARACTERS = 40


@dataclass(frozen=True)
class PartReading:
    """What compacting a part found: its sha256, and its records or why DuckDB could not read it."""

    sha256: str
    records: int | None
    unreadable: str | None = None


def id_hashes(ids: list[str]) -> pa.Array:
    """The cache's `HASH_COLUMN` values of `ids`, in order."""
    with _connection() as connection:
        named = connection.from_arrow(pa.table({"id": pa.array(ids, pa.string())}))
        hashed = named.project(f"hash(id) AS {HASH_COLUMN}").to_arrow_table()
        return hashed[HASH_COLUMN].combine_chunks()


def cache_dir(data_dir: Path, partition: Partition) -> Path:
    """Where the Parquet cache of `partition` lives."""
    return data_dir / "cache" / partition.repo_type / f"date={partition.day.isoformat()}"


def cache_key(partition: Partition) -> dict[str, object]:
    """The identity of a partition's content: as its manifest states it, and as its files are."""
    parts = [
        [p.get("name"), p.get("records"), p.get("sha256")] for p in partition.manifest["parts"]
    ]
    # A part file replaced after the cache was built (a restored backup, a bad copy) changes its
    # size or its modification time: the cache is rebuilt, and the part verified again.
    files = [[stat.st_size, stat.st_mtime_ns] for stat in (p.stat() for p in partition.parts)]
    # The hashes are DuckDB's: another DuckDB release could hash differently, so it rebuilds.
    return {"format": CACHE_FORMAT, "duckdb": duckdb.__version__, "parts": parts, "files": files}


def _is_current(directory: Path, key: dict[str, object]) -> bool:
    try:
        return json.loads((directory / KEY_FILE).read_text(encoding="utf-8")) == key
    except (OSError, ValueError):
        return False


def _raw_batches(reader: pa.RecordBatchReader) -> Iterable[tuple[pa.RecordBatch, pa.Array]]:
    """DuckDB's batches in `RAW_SCHEMA` types (its microseconds truncated to milliseconds), each
    with its ids' hashes."""
    for batch in reader:
        columns = [
            batch.column(name).cast(field.type, safe=False)
            for name, field in zip(_FIELDS, RAW_SCHEMA, strict=True)
        ]
        yield pa.RecordBatch.from_arrays(columns, schema=RAW_SCHEMA), batch.column(HASH_COLUMN)


def _connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB thread per worker process (the executor runs one part per worker), quiet."""
    connection = duckdb.connect(config={"threads": 1})
    connection.execute("SET enable_progress_bar = false")
    return connection


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def compact_part(part: Path, target: Path) -> PartReading:
    """Stream one gzip JSON Lines part into a Parquet file of the derived columns; return its
    sha256 and how many records it held (or why it could not be read)."""
    # Hashed first: the part is then in the page cache when DuckDB reads it.
    sha256 = file_sha256(part)
    taxonomy = load_taxonomy()
    records = 0
    with (
        _connection() as connection,
        # zstd costs ~7% of the compaction's CPU and keeps the cache ~2.5x smaller than plain,
        # which matters once a cache is kept for every day of history.
        pq.ParquetWriter(
            target, CACHE_SCHEMA, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS
        ) as writer,
    ):
        try:
            relation = connection.read_json(
                str(part), format="newline_delimited", compression="gzip", columns=_FIELDS
            ).project(f"*, hash(id) AS {HASH_COLUMN}")
            for batch, hashes in _raw_batches(relation.to_arrow_reader(_BATCH_ROWS)):
                derived = derive(batch, taxonomy)
                writer.write_table(derived.append_column(CACHE_SCHEMA.field(HASH_COLUMN), hashes))
                records += batch.num_rows
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
        ) as error:
            return PartReading(sha256, None, str(error).splitlines()[0])
    return PartReading(sha256, records)


def part_problem(entry: dict[str, Any], reading: PartReading) -> str | None:
    """Why a part read as `reading` is not the one its manifest `entry` describes (or None)."""
    problems = []
    if reading.unreadable is not None:
        problems.append(f"cannot be read ({shown(reading.unreadable, PAGE_CHARACTERS)})")
    elif reading.records != entry["records"]:
        stated = entry["records"]
        problems.append(f"holds {reading.records:,} records where the manifest says {stated:,}")
    if reading.sha256 != entry["sha256"]:
        problems.append("its sha256 is not the manifest's")
    return None if not problems else f"{entry['name']} " + ", and ".join(problems)


def manifest_problem(partition: Partition) -> str | None:
    """Why the manifest of `partition` cannot vouch for its parts (None when it can)."""
    for entry in partition.manifest["parts"]:
        records, sha256 = entry.get("records"), entry.get("sha256")
        if not isinstance(records, int) or isinstance(records, bool) or records < 0:
            return f"the manifest gives no record count for {entry['name']}"
        if not isinstance(sha256, str):
            return f"the manifest gives no sha256 for {entry['name']}"
    stated = (partition.manifest.get("counts") or {}).get("records")
    if stated != partition.records:
        stated_text = shown(repr(stated), _VALUE_CHARACTERS)
        return f"the manifest counts {stated_text} records but its parts hold {partition.records:,}"
    return None


@dataclass
class _Build:
    """A partition's cache under construction: where, under which key, and parts still to do."""

    day: date
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


def _publish(build: _Build) -> None:
    (build.staging / KEY_FILE).write_text(json.dumps(build.key), encoding="utf-8")
    replace_directory(build.staging, build.final)


@dataclass(frozen=True)
class Compaction:
    """The cache directory of each sound partition by day, and why each damaged one is not."""

    caches: dict[date, Path]
    damaged: dict[date, str]


def _plan(
    data_dir: Path, partitions: Iterable[Partition]
) -> tuple[Compaction, list[_Build], list[tuple[Path, Path, _Build, int, dict[str, Any]]]]:
    """The partitions already cached or damaged by their manifest, the caches to build, and their
    parts to compact (part, target, build, its position in the manifest, its entry there)."""
    done = Compaction({}, {})
    builds: list[_Build] = []
    work: list[tuple[Path, Path, _Build, int, dict[str, Any]]] = []
    for partition in partitions:
        known = [*done.caches, *done.damaged, *(build.day for build in builds)]
        if partition.day in known:
            continue
        final = cache_dir(data_dir, partition)
        key = cache_key(partition)
        if _is_current(final, key):
            done.caches[partition.day] = final
        elif (problem := manifest_problem(partition)) is not None:
            done.damaged[partition.day] = problem
            shutil.rmtree(final, ignore_errors=True)
        else:
            staging = staging_for(final)
            staging.mkdir(parents=True)
            build = _Build(partition.day, staging, final, key, len(partition.parts))
            builds.append(build)
            entries = partition.manifest["parts"]
            for number, (part, entry) in enumerate(zip(partition.parts, entries, strict=True)):
                target = staging / f"{part.name.split('.')[0]}.parquet"
                work.append((part, target, build, number, entry))
    return done, builds, work


def _finish(build: _Build, done: Compaction) -> None:
    """Put a build whose parts are all compacted in place, or record why it is damaged."""
    if build.problems:
        done.damaged[build.day] = build.reason()
        # A cache built before the part was replaced is not the partition's any more.
        shutil.rmtree(build.final, ignore_errors=True)
    else:
        _publish(build)
        done.caches[build.day] = build.final


def compacted_all(
    data_dir: Path, partitions: Iterable[Partition], executor: Executor
) -> Compaction:
    """Return the cache directory of each partition by day, building (and verifying) the missing
    ones together; a partition that does not match its manifest is damaged and gets none.

    Every part of every partition to build goes to the executor at once, largest first, so the
    last to finish is a small one. Each cache is put in place as soon as its own parts are done.
    """
    done, builds, work = _plan(data_dir, partitions)
    work.sort(key=lambda item: item[0].stat().st_size, reverse=True)
    jobs = {
        executor.submit(compact_part, part, target): (build, number, entry)
        for part, target, build, number, entry in work
    }
    try:
        for build in builds:
            if build.remaining == 0:
                _finish(build, done)
        for job in as_completed(jobs):
            build, number, entry = jobs[job]
            problem = part_problem(entry, job.result())
            if problem is not None:
                build.problems[number] = problem
            build.remaining -= 1
            if build.remaining == 0:
                _finish(build, done)
    finally:
        for job in jobs:
            job.cancel()
        for build in builds:
            shutil.rmtree(build.staging, ignore_errors=True)
    return done
