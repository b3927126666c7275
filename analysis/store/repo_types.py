"""The repo types the analysis reads, each with its columns declared here and nowhere else.

A repo type names its directory under `snapshots/` and declares the record fields the analysis
reads (`fields`, with their types: DuckDB parses only these, so a field the analysis does not read
can hold anything), the numbers it takes from inside a field holding JSON (`extracted`: read as
JSON and cast, so that an unexpected value there is null, never a damaged partition), the columns
of its Parquet cache (`columns`: the fields, renamed, and what is derived from them by `derive`),
and which of those have few distinct values (`dictionary`: stored as Parquet dictionaries). Every
cache also holds `HASH_COLUMN`, a 64-bit hash of each id (DuckDB's `hash`) that lets the history
match snapshots on integers rather than on millions of strings.

Models are the one repo type the report analyses (`REPO_TYPES`); the export (analysis.export)
reads every listing (`LISTING_TYPES`). The authors partition is read for its profiles only
(`PROFILE_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from analysis.store.derive import derive_listing, derive_models
from analysis.store.taxonomy import Taxonomy

HASH_COLUMN = "id_hash"
_TIMESTAMP = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class RepoType:
    """A repo type of the snapshot store and the columns the analysis keeps of it."""

    name: str
    fields: pa.Schema
    columns: pa.Schema
    dictionary: tuple[str, ...]
    derive: Callable[[pa.RecordBatch | pa.Table, Taxonomy], dict[str, pa.Array]]
    # Field of `fields` -> (the record field holding JSON, the JSON path of the number in it).
    extracted: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def cache_schema(self) -> pa.Schema:
        """The columns of the Parquet cache, the id hash last."""
        return self.columns.append(pa.field(HASH_COLUMN, pa.uint64()))

    def derived(self, batch: pa.RecordBatch | pa.Table, taxonomy: Taxonomy) -> pa.Table:
        """Records (`fields`) as the cache's `columns`."""
        derived = self.derive(batch, taxonomy)
        return pa.Table.from_arrays([derived[c.name] for c in self.columns], schema=self.columns)


# What the export (analysis.export) needs besides what the report reads: every listing's
# lastModified, trendingScore and private, gated where the Hub gives it (false, "auto" or
# "manual", read as that text), and a model's parameter count when a snapshot has `safetensors`.
_LAST_MODIFIED = ("lastModified", _TIMESTAMP)
_TRENDING = ("trendingScore", pa.float64())
_PRIVATE = ("private", pa.bool_())
_GATED = ("gated", pa.string())
_TAGS = ("tags", pa.list_(pa.string()))
# The cache's columns of those, in the order the columns below list them.
_EXPORTED = [("last_modified", _TIMESTAMP), ("trending_score", pa.float64()), _PRIVATE]

MODELS = RepoType(
    name="models",
    fields=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", _TIMESTAMP),
            ("downloads", pa.int64()),
            ("downloadsAllTime", pa.int64()),
            ("likes", pa.int64()),
            ("pipeline_tag", pa.string()),
            ("library_name", pa.string()),
            _TAGS,
            _LAST_MODIFIED,
            _TRENDING,
            _PRIVATE,
            _GATED,
            ("parameters", pa.int64()),
        ]
    ),
    extracted={"parameters": ("safetensors", "$.total")},
    columns=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("created_at", _TIMESTAMP),
            ("downloads", pa.int64()),
            ("downloads_all_time", pa.int64()),
            ("likes", pa.int64()),
            ("pipeline_tag", pa.string()),
            ("library_name", pa.string()),
            ("modality", pa.string()),
            ("license", pa.string()),
            ("base_models", pa.list_(pa.string())),
            ("relation", pa.string()),
            *_EXPORTED,
            _GATED,
            ("parameters", pa.int64()),
        ]
    ),
    # Dictionary pages pay off only for columns with few distinct values; on ids they cost time.
    dictionary=(
        "author",
        "pipeline_tag",
        "library_name",
        "modality",
        "license",
        "relation",
        "gated",
    ),
    derive=derive_models,
)

DATASETS = RepoType(
    name="datasets",
    fields=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", _TIMESTAMP),
            ("downloads", pa.int64()),
            ("downloadsAllTime", pa.int64()),
            ("likes", pa.int64()),
            _TAGS,
            _LAST_MODIFIED,
            _TRENDING,
            _PRIVATE,
            _GATED,
        ]
    ),
    columns=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("created_at", _TIMESTAMP),
            ("downloads", pa.int64()),
            ("downloads_all_time", pa.int64()),
            ("likes", pa.int64()),
            ("license", pa.string()),
            *_EXPORTED,
            _GATED,
        ]
    ),
    dictionary=("author", "license", "gated"),
    derive=derive_listing,
)

# Spaces have no downloads and no gated in their listing.
SPACES = RepoType(
    name="spaces",
    fields=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", _TIMESTAMP),
            ("likes", pa.int64()),
            _TAGS,
            _LAST_MODIFIED,
            _TRENDING,
            _PRIVATE,
        ]
    ),
    columns=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("created_at", _TIMESTAMP),
            ("likes", pa.int64()),
            ("license", pa.string()),
            *_EXPORTED,
        ]
    ),
    dictionary=("author", "license"),
    derive=derive_listing,
)

# The repo types the report analyses, by the name of their directory.
REPO_TYPES = {repo_type.name: repo_type for repo_type in (MODELS,)}
# Every listing the store caches (the export reads them all), by the name of their directory.
LISTING_TYPES = {repo_type.name: repo_type for repo_type in (MODELS, DATASETS, SPACES)}

# The authors partition: the profile fields the report shows, with an explicit schema so that a
# reader never guesses a type from a hostile value.
AUTHORS = "authors"
PROFILE_FIELDS = pa.schema(
    [
        ("name", pa.string()),
        ("kind", pa.string()),
        ("fullname", pa.string()),
        ("isVerified", pa.bool_()),
        ("plan", pa.string()),
    ]
)
