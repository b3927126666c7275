"""The repo types the analysis reads, each with its columns declared here and nowhere else.

A repo type names its directory under `snapshots/` and declares the record fields the analysis
reads (`fields`, with their types: DuckDB parses only these, so a field the analysis does not read
can hold anything), the columns of its Parquet cache (`columns`: the fields, renamed, and what is
derived from them by `derive`), and which of those have few distinct values (`dictionary`: stored
as Parquet dictionaries). Every cache also holds `HASH_COLUMN`, a 64-bit hash of each id (DuckDB's
`hash`) that lets the history match snapshots on integers rather than on millions of strings.

A repo type also declares how its popularity moves (`Trend`: the counter whose differences are
gains, the level its usual pace is read from, the columns its top lists rank by) and where its
repos live on the Hub (`hub_path`), which is all the trends, the rank changes and `show` need.

Models, datasets and Spaces are analysed; the authors partition is read for its profiles only
(`PROFILE_FIELDS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from analysis.defaults import RISING_FLOOR_DOWNLOADS, RISING_FLOOR_LIKES
from analysis.store.derive import DATASET_TAGS, derive_datasets, derive_models, derive_spaces
from analysis.store.taxonomy import Taxonomy

HASH_COLUMN = "id_hash"
_TIMESTAMP = pa.timestamp("ms", tz="UTC")
# The parts of the nested fields the analysis reads: a model's parameter count, a Space's stage and
# hardware (only the requested hardware is kept: a sleeping Space has no current one).
SAFETENSORS = pa.struct([("total", pa.int64())])
RUNTIME = pa.struct(
    [
        ("stage", pa.string()),
        ("hardware", pa.struct([("current", pa.string()), ("requested", pa.string())])),
    ]
)


@dataclass(frozen=True)
class Trend:
    """How a repo type's popularity is followed over time, by column of its cache.

    `counter` only grows (downloadsAllTime): its difference between two snapshots is what a repo
    gained. `level` says how fast a repo usually gains: it counts over the last `level_days` days
    (the Hub's rolling 30-day downloads; `math.inf` would make it a count since the repo's
    creation, as likes are). A usual pace below `floor` a day counts as `floor`. Top lists rank by
    each of `ranked_by`, the first being the repo type's main measure, named `unit`.
    """

    counter: str
    level: str
    level_days: float
    floor: float
    ranked_by: tuple[str, ...]
    unit: str

    @property
    def columns(self) -> list[str]:
        """The cache's columns a repo's daily series shows, each once."""
        return list(dict.fromkeys([self.level, self.counter, *self.ranked_by]))


@dataclass(frozen=True)
class RepoType:
    """A repo type of the snapshot store and the columns the analysis keeps of it; `noun` names
    one repo, `hub_path` is the path of its repos' pages under the Hub's address."""

    name: str
    noun: str
    hub_path: str
    fields: pa.Schema
    columns: pa.Schema
    dictionary: tuple[str, ...]
    derive: Callable[[pa.RecordBatch | pa.Table, Taxonomy], list[pa.Array]]
    trend: Trend

    @property
    def cache_schema(self) -> pa.Schema:
        """The columns of the Parquet cache, the id hash last."""
        return self.columns.append(pa.field(HASH_COLUMN, pa.uint64()))

    def derived(self, batch: pa.RecordBatch | pa.Table, taxonomy: Taxonomy) -> pa.Table:
        """Records (`fields`) as the cache's `columns`."""
        return pa.Table.from_arrays(self.derive(batch, taxonomy), schema=self.columns)


MODELS = RepoType(
    name="models",
    noun="model",
    hub_path="",
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
            ("tags", pa.list_(pa.string())),
            ("safetensors", SAFETENSORS),
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
            ("pipeline_tag", pa.string()),
            ("library_name", pa.string()),
            ("modality", pa.string()),
            ("license", pa.string()),
            ("base_models", pa.list_(pa.string())),
            ("relation", pa.string()),
            ("parameters", pa.int64()),
            ("declared_datasets", pa.list_(pa.string())),
        ]
    ),
    # Dictionary pages pay off only for columns with few distinct values; on ids they cost time.
    dictionary=("author", "pipeline_tag", "library_name", "modality", "license", "relation"),
    derive=derive_models,
    trend=Trend(
        counter="downloads_all_time",
        level="downloads",
        level_days=30.0,
        floor=RISING_FLOOR_DOWNLOADS,
        ranked_by=("downloads", "likes"),
        unit="downloads",
    ),
)

DATASETS = RepoType(
    name="datasets",
    noun="dataset",
    hub_path="datasets/",
    fields=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", _TIMESTAMP),
            ("downloads", pa.int64()),
            ("downloadsAllTime", pa.int64()),
            ("likes", pa.int64()),
            # false, "auto" or "manual", read as text ("false") so that one type holds all three.
            ("gated", pa.string()),
            ("tags", pa.list_(pa.string())),
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
            ("gated", pa.bool_()),
            *((column, pa.string()) for column in DATASET_TAGS),
        ]
    ),
    dictionary=("author", *DATASET_TAGS),
    derive=derive_datasets,
    trend=Trend(
        counter="downloads_all_time",
        level="downloads",
        level_days=30.0,
        floor=RISING_FLOOR_DOWNLOADS,
        ranked_by=("downloads", "likes"),
        unit="downloads",
    ),
)

SPACES = RepoType(
    name="spaces",
    noun="Space",
    hub_path="spaces/",
    fields=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", _TIMESTAMP),
            ("likes", pa.int64()),
            ("trendingScore", pa.float64()),
            ("sdk", pa.string()),
            ("runtime", RUNTIME),
            ("models", pa.list_(pa.string())),
            ("datasets", pa.list_(pa.string())),
        ]
    ),
    columns=pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("created_at", _TIMESTAMP),
            ("likes", pa.int64()),
            ("trending_score", pa.float64()),
            ("sdk", pa.string()),
            ("stage", pa.string()),
            ("hardware", pa.string()),
            ("models", pa.list_(pa.string())),
            ("datasets", pa.list_(pa.string())),
        ]
    ),
    dictionary=("author", "sdk", "stage", "hardware"),
    derive=derive_spaces,
    # Spaces have no download counts: they are followed by their likes, counted since creation.
    trend=Trend(
        counter="likes",
        level="likes",
        level_days=math.inf,
        floor=RISING_FLOOR_LIKES,
        ranked_by=("likes", "trending_score"),
        unit="likes",
    ),
)

# The repo types analysed, by the name of their directory.
REPO_TYPES = {repo_type.name: repo_type for repo_type in (MODELS, DATASETS, SPACES)}

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
