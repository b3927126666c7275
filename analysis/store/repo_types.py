"""The repo types the analysis reads, each with its columns declared here and nowhere else.

A repo type names its directory under `snapshots/` and declares the record fields the analysis
reads (`fields`, with their types: DuckDB parses only these, so a field the analysis does not read
can hold anything), the numbers it takes from inside a field holding JSON (`extracted`: read as
JSON and cast, so that an unexpected value there is null, never a damaged partition), the columns
of its Parquet cache (`columns`: the fields, renamed, and what is derived from them by `derive`),
and which of those have few distinct values (`dictionary`: stored as Parquet dictionaries). Every
cache also holds `HASH_COLUMN`, a 64-bit hash of each id (DuckDB's `hash`) that lets the history
match snapshots on integers rather than on millions of strings.

A repo type also declares how its popularity moves (`Trend`: the counter whose differences are
gains, the level its usual pace is read from, the columns its top lists rank by), what its history
follows besides (`History`: the splits of its hype cycles and churn) and where its repos live on
the Hub (`hub_path`), which is all the history, the trends, the rank changes and `show` need.

Models, datasets and Spaces are analysed and exported (analysis.export), all from the same caches;
the authors partition is read for its profiles only (`PROFILE_FIELDS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from analysis.defaults import (
    NO_LIBRARY,
    NO_MODALITY,
    NO_SDK,
    NO_TASK,
    NO_TASK_CATEGORY,
    RISING_FLOOR_DOWNLOADS,
    RISING_FLOOR_LIKES,
)
from analysis.store.derive import DATASET_TAG_LISTS, derive_datasets, derive_models, derive_spaces
from analysis.store.taxonomy import Taxonomy

HASH_COLUMN = "id_hash"
_TIMESTAMP = pa.timestamp("ms", tz="UTC")
# The part of a Space's runtime the analysis reads: its stage and hardware (only the requested
# hardware is kept: a sleeping Space has no current one).
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
    each of `ranked_by`, the first being the repo type's main measure, named `unit`. A counter
    that `falls` in the normal course (a like taken back) loses what it lost; one that does not
    (downloadsAllTime) and still falls is an anomaly, left out of the gains.
    """

    counter: str
    level: str
    level_days: float
    floor: float
    ranked_by: tuple[str, ...]
    unit: str
    falls: bool = False

    @property
    def columns(self) -> list[str]:
        """The cache's columns a repo's daily series shows, each once."""
        return list(dict.fromkeys([self.level, self.counter, *self.ranked_by]))


@dataclass(frozen=True)
class Dimension:
    """A split of a repo type's repos that its history follows over time: by the values of the
    cache column `column`, `unlabelled` for the repos without one. A list column counts a repo
    under each of its values (a dataset with two task categories is in both). Its table is named
    after `table` (history_<table>.csv), and a value is called `value` there (the column's name
    unless said)."""

    column: str
    unlabelled: str
    table: str
    value: str = ""

    @property
    def name(self) -> str:
        """What one value is called in the history's tables."""
        return self.value or self.column


@dataclass(frozen=True)
class History:
    """What the history follows of a repo type besides its `Trend`: the `dimensions` of its hype
    cycles (the gains and the creations per value, interval by interval), the single-valued one
    of them its churn is split by (`churn_by`; None: not split), the one whose values' shares of
    all repos are counted at each snapshot (`listed_by`), and the list column naming the repos a
    repo derives from (`families`: their families' gains are summed)."""

    dimensions: tuple[Dimension, ...]
    churn_by: str | None = None
    listed_by: str | None = None
    families: str | None = None

    @property
    def columns(self) -> list[str]:
        """The cache columns an interval reads of the earlier snapshot for these, each once."""
        named = [d.column for d in self.dimensions]
        named += [c for c in (self.churn_by, self.families) if c is not None]
        return list(dict.fromkeys(named))


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
    derive: Callable[[pa.RecordBatch | pa.Table, Taxonomy], dict[str, pa.Array]]
    trend: Trend
    history: History
    # Field of `fields` -> (the record field holding JSON, the JSON path of the number in it).
    extracted: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def many(self, column: str) -> bool:
        """Whether a repo can have several values of the cache column `column` (a list)."""
        return pa.types.is_list(self.columns.field(column).type)

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
# "manual", read as that text: the report makes its own flag of it), and a model's parameter count
# when a snapshot has `safetensors` (also the report's model sizes).
_LAST_MODIFIED = ("lastModified", _TIMESTAMP)
_TRENDING = ("trendingScore", pa.float64())
_PRIVATE = ("private", pa.bool_())
_GATED = ("gated", pa.string())
_TAGS = ("tags", pa.list_(pa.string()))
# The cache's columns of those, in the order the columns below list them.
_EXPORTED = [("last_modified", _TIMESTAMP), ("trending_score", pa.float64()), _PRIVATE]
# What every listing starts with, as the Hub names it and as the cache does; models and datasets
# then have their download counts.
_NAMED = [("id", pa.string()), ("author", pa.string())]
_DOWNLOADED_FIELDS = [
    *_NAMED,
    ("createdAt", _TIMESTAMP),
    ("downloads", pa.int64()),
    ("downloadsAllTime", pa.int64()),
    ("likes", pa.int64()),
]
_DOWNLOADED_COLUMNS = [
    *_NAMED,
    ("created_at", _TIMESTAMP),
    ("downloads", pa.int64()),
    ("downloads_all_time", pa.int64()),
    ("likes", pa.int64()),
]
# Models and datasets are followed by their downloads: all-time for gains, 30 days for the level.
_DOWNLOADS_TREND = Trend(
    counter="downloads_all_time",
    level="downloads",
    level_days=30.0,
    floor=RISING_FLOOR_DOWNLOADS,
    ranked_by=("downloads", "likes"),
    unit="downloads",
)

MODELS = RepoType(
    name="models",
    noun="model",
    hub_path="",
    fields=pa.schema(
        [
            *_DOWNLOADED_FIELDS,
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
            *_DOWNLOADED_COLUMNS,
            ("pipeline_tag", pa.string()),
            ("library_name", pa.string()),
            ("modality", pa.string()),
            ("license", pa.string()),
            ("base_models", pa.list_(pa.string())),
            ("relation", pa.string()),
            ("declared_datasets", pa.list_(pa.string())),
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
    trend=_DOWNLOADS_TREND,
    history=History(
        dimensions=(
            Dimension("modality", NO_TASK, "modalities"),
            Dimension("pipeline_tag", NO_TASK, "tasks"),
            Dimension("library_name", NO_LIBRARY, "libraries"),
        ),
        churn_by="modality",
        families="base_models",
    ),
)

DATASETS = RepoType(
    name="datasets",
    noun="dataset",
    hub_path="datasets/",
    fields=pa.schema(
        [
            *_DOWNLOADED_FIELDS,
            _TAGS,
            _LAST_MODIFIED,
            _TRENDING,
            _PRIVATE,
            _GATED,
        ]
    ),
    columns=pa.schema(
        [
            *_DOWNLOADED_COLUMNS,
            *((column, pa.list_(pa.string())) for column in DATASET_TAG_LISTS),
            ("size_category", pa.string()),
            ("license", pa.string()),
            *_EXPORTED,
            _GATED,
        ]
    ),
    dictionary=("author", "size_category", "license", "gated"),
    derive=derive_datasets,
    trend=_DOWNLOADS_TREND,
    history=History(
        dimensions=(
            Dimension("task_categories", NO_TASK_CATEGORY, "task_categories", "task_category"),
            Dimension("modalities", NO_MODALITY, "modalities", "modality"),
        ),
    ),
)

SPACES = RepoType(
    name="spaces",
    noun="Space",
    hub_path="spaces/",
    fields=pa.schema(
        [
            *_NAMED,
            ("createdAt", _TIMESTAMP),
            ("likes", pa.int64()),
            _TAGS,
            _LAST_MODIFIED,
            _TRENDING,
            _PRIVATE,
            ("sdk", pa.string()),
            ("runtime", RUNTIME),
            ("models", pa.list_(pa.string())),
            ("datasets", pa.list_(pa.string())),
        ]
    ),
    columns=pa.schema(
        [
            *_NAMED,
            ("created_at", _TIMESTAMP),
            ("likes", pa.int64()),
            ("license", pa.string()),
            *_EXPORTED,
            ("sdk", pa.string()),
            ("stage", pa.string()),
            ("hardware", pa.string()),
            ("models", pa.list_(pa.string())),
            ("datasets", pa.list_(pa.string())),
        ]
    ),
    dictionary=("author", "license", "sdk", "stage", "hardware"),
    derive=derive_spaces,
    # Spaces have no download counts (nor gated): they are followed by their likes, counted since
    # creation, which a user may take back.
    trend=Trend(
        counter="likes",
        level="likes",
        level_days=math.inf,
        floor=RISING_FLOOR_LIKES,
        ranked_by=("likes", "trending_score"),
        unit="likes",
        falls=True,
    ),
    history=History(
        dimensions=(Dimension("sdk", NO_SDK, "sdks"),), churn_by="sdk", listed_by="sdk"
    ),
)

# Every repo type analysed and exported, by the name of its directory.
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
