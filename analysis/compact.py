"""Compact a partition's JSON Lines parts into Parquet, once, and reuse it afterwards.

The cache of a partition is the directory `<data>/cache/<repo_type>/date=<YYYY-MM-DD>/`, one
Parquet file per part, holding only the columns the analysis reads plus the derived ones (see
`analysis.derive`). Its key (the manifest's part names, record counts and sha256s) is written to
`_cache.json` inside, so a partition replaced by a later crawl of the same day invalidates the
cache. The directory is built under a hidden name and renamed into place when every part is done.

Each part is streamed batch by batch: DuckDB's JSON reader (one thread per worker) decodes the gzip
members and parses only the named fields, which is twice as fast as pyarrow's JSON reader on the
Hub's records and ignores the fields the analysis does not read, `gated` with its mix of `false`
and strings among them. Memory follows a batch, not the snapshot. The parts of every partition to
compact are handed to the executor at once, largest first, so both workers stay busy to the end
(worker processes for large snapshots: see analysis.workers).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.atomic import replace_directory, staging_for
from analysis.derive import DERIVED_SCHEMA, RAW_SCHEMA, derive
from analysis.partitions import Partition
from analysis.taxonomy import load_taxonomy

# Bumped whenever the cached columns or their derivation change, so old caches are rebuilt.
CACHE_FORMAT = 3
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


class UnreadablePartError(ValueError):
    """A part of a complete partition cannot be read: cut gzip, malformed JSON, a wrong type."""


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
    """The identity of a partition's content, as its manifest states it."""
    parts = [
        [p.get("name"), p.get("records"), p.get("sha256")] for p in partition.manifest["parts"]
    ]
    # The hashes are DuckDB's: another DuckDB release could hash differently, so it rebuilds.
    return {"format": CACHE_FORMAT, "duckdb": duckdb.__version__, "parts": parts}


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


def compact_part(part: Path, target: Path) -> None:
    """Stream one gzip JSON Lines part into a Parquet file of the derived columns."""
    taxonomy = load_taxonomy()
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
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
        ) as error:
            reason = str(error).splitlines()[0]
            msg = f"cannot read {part}: {reason}"
            raise UnreadablePartError(msg) from None


@dataclass
class _Build:
    """A partition's cache under construction: where, under which key, and parts still to do."""

    staging: Path
    final: Path
    key: dict[str, object]
    remaining: int


def _publish(build: _Build) -> None:
    (build.staging / KEY_FILE).write_text(json.dumps(build.key), encoding="utf-8")
    replace_directory(build.staging, build.final)


def compacted_all(
    data_dir: Path, partitions: Iterable[Partition], executor: Executor
) -> dict[date, Path]:
    """Return the cache directory of each partition by day, building the missing ones together.

    Every part of every partition to build goes to the executor at once, largest first, so the
    last to finish is a small one. Each cache is put in place as soon as its own parts are done;
    an unreadable part fails its partition only, and is raised once the others are finished.
    """
    caches: dict[date, Path] = {}
    builds: list[_Build] = []
    work: list[tuple[int, Path, Path, _Build]] = []
    for partition in partitions:
        final = caches[partition.day] = cache_dir(data_dir, partition)
        key = cache_key(partition)
        if _is_current(final, key) or any(build.final == final for build in builds):
            continue
        staging = staging_for(final)
        staging.mkdir(parents=True)
        build = _Build(staging, final, key, len(partition.parts))
        builds.append(build)
        for part in partition.parts:
            target = staging / f"{part.name.split('.')[0]}.parquet"
            work.append((part.stat().st_size, part, target, build))
    work.sort(key=lambda item: item[0], reverse=True)
    jobs = {executor.submit(compact_part, part, target): build for _, part, target, build in work}
    failure: UnreadablePartError | None = None
    try:
        for build in builds:
            if build.remaining == 0:
                _publish(build)
        for job in as_completed(jobs):
            build = jobs[job]
            try:
                job.result()
            except UnreadablePartError as error:
                # The other partitions are still worth their cache; the first failure is raised
                # once they are done.
                failure = failure or error
                build.remaining = -1
                continue
            build.remaining -= 1
            if build.remaining == 0:
                _publish(build)
    finally:
        for job in jobs:
            job.cancel()
        for build in builds:
            shutil.rmtree(build.staging, ignore_errors=True)
    if failure is not None:
        raise failure
    return caches


def compacted(data_dir: Path, partition: Partition, executor: Executor) -> Path:
    """Return the cache directory of `partition`, building it first unless a current one exists."""
    return compacted_all(data_dir, [partition], executor)[partition.day]
