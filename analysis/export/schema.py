"""The export's table, declared once: its columns, their types and the schema version.

`DAILY` is one row per repo per snapshot day. The repos table (the latest row of every repo ever
seen) holds rows of the same schema: the latest day's rows, and the last row of each repo absent
from it. `SCHEMA_VERSION` is written into the key-value metadata of every file (`VERSION_KEY`)
and printed in the README's table of columns. Any change to a column (name, type, meaning, order)
is a new version: the export refuses to add files of one version to an export of another, so a
reader never meets a silent change. tests/analysis/export pins the schema to this version.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1
VERSION_KEY = b"hfcrawler.schema_version"
# Which file it is: "daily" (a day partition's) or "earlier" (the repos absent from the latest
# day), and of which repo type.
TABLE_KEY = b"hfcrawler.table"
REPO_TYPE_KEY = b"hfcrawler.repo_type"
# A day's file: its day, and the identity of the snapshot it was made from (its manifest's parts).
DAY_KEY = b"hfcrawler.day"
SOURCE_KEY = b"hfcrawler.source"

TIMESTAMP = pa.timestamp("ms", tz="UTC")


def _field(name: str, kind: pa.DataType, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable)


DAILY = pa.schema(
    [
        _field("id", pa.string(), nullable=False),
        _field("author", pa.string()),
        _field("repo_type", pa.string(), nullable=False),
        _field("day", pa.date32(), nullable=False),
        _field("first_seen", pa.date32(), nullable=False),
        _field("previous_day", pa.date32()),
        _field("days_between", pa.int32()),
        _field("downloads_all_time", pa.int64()),
        _field("downloads_gained", pa.int64()),
        _field("downloads_all_time_dropped", pa.bool_(), nullable=False),
        _field("downloads_30d", pa.int64()),
        _field("likes", pa.int64()),
        _field("likes_gained", pa.int64()),
        _field("trending_score", pa.float64()),
        _field("pipeline_tag", pa.string()),
        _field("library_name", pa.string()),
        _field("license", pa.string()),
        _field("gated", pa.string()),
        _field("private", pa.bool_()),
        _field("created_at", TIMESTAMP),
        _field("last_modified", TIMESTAMP),
        _field("parameters", pa.int64()),
    ]
)

# The cache column each column comes from, where its name differs (analysis.store.repo_types).
CACHE_NAMES = {"downloads_30d": "downloads"}
# The singular a row names its repo type with, by the snapshot store's directory.
REPO_TYPE_VALUES = {"models": "model", "datasets": "dataset", "spaces": "space"}
# Written as Parquet dictionaries: few distinct values.
DICTIONARY = ["author", "repo_type", "pipeline_tag", "library_name", "license", "gated"]
# Written with DELTA_BINARY_PACKED: the counts and times, whose values take far fewer bits than
# 64; at 2.5M rows it halves their encoding (0.3 CPU-s) for 3 % more bytes in the file.
DELTA = [
    "downloads_all_time",
    "downloads_gained",
    "downloads_30d",
    "likes",
    "likes_gained",
    "created_at",
    "last_modified",
    "parameters",
]
# The columns whose row groups carry min/max statistics: those a day's file holds few values of
# (its day, previous day, repo type; the flags, nearly always false), which can rule row groups
# out. In no particular order, any other column's would span nearly all its values in every row
# group and rule none out, and they cost a sixth of the encoding. (A repo is found by the Bloom
# filters of its ids, analysis.export.files.)
STATISTICS = [
    "repo_type",
    "day",
    "first_seen",
    "previous_day",
    "days_between",
    "downloads_all_time_dropped",
    "private",
]
# The day's rows as they are computed and handed to the Parquet writer: the dictionary columns as
# Arrow dictionaries, read so from the cache's own dictionaries, which the writer writes as they
# are instead of hashing every string again (a fifth of the encoding). The file says `DAILY`.
ENCODED = pa.schema(
    [
        field.with_type(pa.dictionary(pa.int32(), field.type))
        if field.name in DICTIONARY
        else field
        for field in DAILY
    ]
)


def metadata(table: str, repo_type: str, **values: str) -> dict[bytes, bytes]:
    """The key-value metadata of a file of `table` ("daily" or "earlier") of `repo_type`."""
    fields = {
        VERSION_KEY: str(SCHEMA_VERSION),
        TABLE_KEY: table,
        REPO_TYPE_KEY: repo_type,
        **{f"hfcrawler.{key}".encode(): value for key, value in values.items()},
    }
    return {key: value.encode() for key, value in fields.items()}
