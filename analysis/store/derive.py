"""Derive the cache columns of each repo type from its records: author, tags read as columns,
models' modality, lineage and declared datasets, Spaces' runtime.

The crawler keeps the Hub's fields as they are; meaning is computed here, when a partition is
compacted, column-wise with pyarrow.compute so that millions of records never become Python
objects. The columns in and out are those `analysis.store.repo_types` declares for each repo type;
the record fields are kept under the cache's names (`RENAMED`), and derived:

- `author`: the record's author, else the owner part of an `owner/name` id;
- `modality`: from the Hub's task taxonomy (unknown tags -> "other", no task -> null);
- `license`: the first `license:<id>` tag;
- `base_models`: every repo named by a `base_model:<repo>` or `base_model:<relation>:<repo>` tag;
- `relation`: finetune, adapter, quantized or merge from the relation tags ("unspecified" when a
  model names a base without saying how; null without a base). A model declaring several relations
  counts under the first of merge, adapter, quantized, finetune: the most specific claim wins;
- `declared_datasets`: every dataset its `dataset:<repo>` tags name.

A model's `parameters` (the `total` of its `safetensors`) is read by the store itself
(`RepoType.extracted`). Datasets (`DATASETS`) get every task category, modality, format and
language their card declares (each a list, from the tags `task_categories:`, `modality:`,
`format:`, `language:`: a dataset with several is counted in each), and their size category and
license from the first `size_categories:` and `license:` tag; `gated` stays the Hub's text (false,
"auto" or "manual"). Spaces (`SPACES`) get their license and their runtime's stage and requested
hardware.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.store.taxonomy import OTHER_MODALITY, Taxonomy

RELATIONS = ("merge", "adapter", "quantized", "finetune")
UNSPECIFIED_RELATION = "unspecified"
_LICENSE_PREFIX = "license:"
_BASE_PREFIX = "base_model:"
_DATASET_PREFIX = "dataset:"
_RELATION_PATTERN = f"^{_BASE_PREFIX}(?P<relation>{'|'.join(RELATIONS)}):"
_BASE_PATTERN = f"^{_BASE_PREFIX}(({'|'.join(RELATIONS)}):)?"
# The cache's name of each record field kept as it is but renamed; the others keep their name.
RENAMED = {
    "createdAt": "created_at",
    "lastModified": "last_modified",
    "downloadsAllTime": "downloads_all_time",
    "trendingScore": "trending_score",
}


def record_field(column: str) -> str:
    """The record field a cache column holds, as the Hub names it (downloadsAllTime)."""
    return next((name for name, renamed in RENAMED.items() if renamed == column), column)


def _author(ids: pa.Array, authors: pa.Array) -> pa.Array:
    if authors.null_count == 0:
        return authors
    owners = pc.list_element(pc.split_pattern(ids, "/", max_splits=1), 0)
    has_owner = pc.fill_null(pc.match_substring(ids, "/"), False)
    return pc.coalesce(authors, pc.if_else(has_owner, owners, pa.scalar(None, pa.string())))


def _modality(tags: pa.Array, taxonomy: Taxonomy) -> pa.Array:
    known = pa.array(list(taxonomy.modalities))
    modalities = pa.array(list(taxonomy.modalities.values()))
    listed = pc.take(modalities, pc.index_in(tags, value_set=known))
    unknown = pc.and_(pc.is_null(listed), pc.is_valid(tags))
    return pc.if_else(unknown, pa.scalar(OTHER_MODALITY), listed)


def _first_per_row(rows: np.ndarray, values: pa.Array, length: int) -> pa.Array:
    """Spread `values` (tagged with their ascending row numbers) to one per row; the first wins."""
    first = np.flatnonzero(np.diff(rows, prepend=-1))
    unique_rows = rows[first]
    positions = np.zeros(length, dtype=np.int64)
    positions[unique_rows] = first
    present = np.zeros(length, dtype=bool)
    present[unique_rows] = True
    return pc.take(values, pa.array(positions, mask=~present))


def _license(flat: pa.Array, rows: np.ndarray, length: int) -> pa.Array:
    return _first_tag(flat, rows, length, _LICENSE_PREFIX)


def _prefixed(flat: pa.Array, rows: np.ndarray, prefix: str) -> tuple[pa.Array, np.ndarray]:
    """The tags starting with `prefix`, the prefix taken off, and their row numbers."""
    is_prefixed = pc.fill_null(pc.starts_with(flat, prefix), False)
    # Every kept tag starts with the prefix, so the first occurrence is the prefix itself.
    names = pc.replace_substring(pc.filter(flat, is_prefixed), prefix, "", max_replacements=1)
    return names, rows[is_prefixed.to_numpy(zero_copy_only=False)]


def _first_tag(flat: pa.Array, rows: np.ndarray, length: int, prefix: str) -> pa.Array:
    """Each row's first tag starting with `prefix`, without it (null when it has none)."""
    names, tagged = _prefixed(flat, rows, prefix)
    return _first_per_row(tagged, names, length)


def _all_tags(flat: pa.Array, rows: np.ndarray, length: int, prefix: str) -> pa.Array:
    """Each row's tags starting with `prefix`, without it, as a list (null when it has none)."""
    names, tagged = _prefixed(flat, rows, prefix)
    counts = np.bincount(tagged, minlength=length)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), names, mask=pa.array(counts == 0))


def _tags(table: pa.Table) -> tuple[pa.Array, np.ndarray, int]:
    """Every tag of `table` flattened, the row each belongs to, and the number of rows."""
    tags = table["tags"].combine_chunks()
    length = table.num_rows
    return (
        pc.list_flatten(tags),
        np.repeat(np.arange(length), np.diff(tags.offsets.to_numpy())),
        length,
    )


def _whole(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    return pa.table(batch) if isinstance(batch, pa.RecordBatch) else batch.combine_chunks()


def _lineage(flat: pa.Array, rows: np.ndarray, length: int) -> tuple[pa.Array, pa.Array]:
    """Return each row's base models (list) and relation.

    The Hub tags every parent twice, `base_model:<repo>` and `base_model:<relation>:<repo>`, when
    the card states a relation. So a row's relation tags name all its parents, and its plain tags
    are only kept when it has no relation tag; that spares a costly per-row deduplication.
    """
    is_base = pc.fill_null(pc.starts_with(flat, _BASE_PREFIX), False)
    tags = pc.filter(flat, is_base)
    edge_rows = rows[is_base.to_numpy(zero_copy_only=False)]
    word = pc.struct_field(pc.extract_regex(tags, _RELATION_PATTERN), [0])
    rank = pc.fill_null(pc.index_in(word, value_set=pa.array(RELATIONS)), len(RELATIONS))
    rank = rank.to_numpy()
    stated = rank < len(RELATIONS)
    has_relation = np.zeros(length, dtype=bool)
    has_relation[edge_rows[stated]] = True
    keep = stated | ~has_relation[edge_rows]
    repo = pc.replace_substring_regex(pc.filter(tags, keep), _BASE_PATTERN, "")
    counts = np.bincount(edge_rows[keep], minlength=length)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    declares = counts > 0
    base_models = pa.ListArray.from_arrays(pa.array(offsets), repo, mask=pa.array(~declares))
    best = np.full(length, len(RELATIONS), dtype=np.int64)
    np.minimum.at(best, edge_rows, rank)
    names = pa.array([*RELATIONS, UNSPECIFIED_RELATION])
    relation = pc.take(names, pa.array(best, mask=~declares))
    return base_models, relation


def _listing(table: pa.Table, flat: pa.Array, rows: np.ndarray) -> dict[str, pa.Array]:
    """The columns every repo type has: its fields but the tags, renamed; author and license."""
    kept = {RENAMED.get(name, name): table[name] for name in table.column_names if name != "tags"}
    author = _author(table["id"].combine_chunks(), table["author"].combine_chunks())
    return kept | {"author": author, "license": _license(flat, rows, table.num_rows)}


def derive_models(batch: pa.RecordBatch | pa.Table, taxonomy: Taxonomy) -> dict[str, pa.Array]:
    """The cache columns of model records (`MODELS.fields`), by name."""
    table = _whole(batch)
    flat, rows, length = _tags(table)
    pipeline_tag = table["pipeline_tag"].combine_chunks()
    base_models, relation = _lineage(flat, rows, length)
    return _listing(table, flat, rows) | {
        "modality": _modality(pipeline_tag, taxonomy),
        "base_models": base_models,
        "relation": relation,
        "declared_datasets": _all_tags(flat, rows, length, _DATASET_PREFIX),
    }


# The tag prefixes of a dataset's card whose every tag is kept, by the cache column (a list) they
# fill, in DATASETS.columns order.
DATASET_TAG_LISTS = {
    "task_categories": "task_categories:",
    "modalities": "modality:",
    "formats": "format:",
    "languages": "language:",
}
# A card states one size category (the Hub's bucket of its row count): its first tag is kept.
_SIZE_PREFIX = "size_categories:"


def derive_datasets(batch: pa.RecordBatch | pa.Table, _taxonomy: Taxonomy) -> dict[str, pa.Array]:
    """The cache columns of dataset records (`DATASETS.fields`), by name."""
    table = _whole(batch)
    flat, rows, length = _tags(table)
    listed = {
        column: _all_tags(flat, rows, length, prefix)
        for column, prefix in DATASET_TAG_LISTS.items()
    }
    return (
        _listing(table, flat, rows)
        | listed
        | {"size_category": _first_tag(flat, rows, length, _SIZE_PREFIX)}
    )


def derive_spaces(batch: pa.RecordBatch | pa.Table, _taxonomy: Taxonomy) -> dict[str, pa.Array]:
    """The cache columns of Space records (`SPACES.fields`), by name."""
    table = _whole(batch)
    flat, rows, _length = _tags(table)
    runtime = table["runtime"].combine_chunks()
    return _listing(table, flat, rows) | {
        "stage": pc.struct_field(runtime, [0]),
        "hardware": pc.struct_field(runtime, [1, 1]),
    }


# Parameter-count classes of models: (label, upper bound in parameters, exclusive), the last one
# unbounded; models without a count are of unknown size.
SIZE_CLASSES = (
    ("< 1B", 1e9),
    ("1-3B", 3e9),
    ("3-8B", 8e9),
    ("8-15B", 15e9),
    ("15-35B", 35e9),
    ("35-80B", 80e9),
    ("> 80B", float("inf")),
)
UNKNOWN_SIZE = "unknown"
SIZE_LABELS = (*(label for label, _ in SIZE_CLASSES), UNKNOWN_SIZE)


def size_classes(parameters: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Each model's class by its parameter count (`parameters` column): an index into
    `SIZE_LABELS`, the last (unknown) for a null."""
    counts = pc.fill_null(pc.cast(parameters, pa.float64()), np.nan).to_numpy()
    bounds = np.array([bound for _, bound in SIZE_CLASSES])
    known = ~np.isnan(counts)
    return np.where(known, np.searchsorted(bounds, counts, side="right"), len(bounds))
