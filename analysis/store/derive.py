"""Derive the cache columns of a listing's records: author and license; for models also modality
and lineage.

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
  counts under the first of merge, adapter, quantized, finetune: the most specific claim wins.
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
_RELATION_PATTERN = f"^{_BASE_PREFIX}(?P<relation>{'|'.join(RELATIONS)}):"
_BASE_PATTERN = f"^{_BASE_PREFIX}(({'|'.join(RELATIONS)}):)?"
# The cache's name of each record field kept as it is but renamed; the others keep their name.
RENAMED = {
    "createdAt": "created_at",
    "lastModified": "last_modified",
    "downloadsAllTime": "downloads_all_time",
    "trendingScore": "trending_score",
}


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
    is_license = pc.fill_null(pc.starts_with(flat, _LICENSE_PREFIX), False)
    # Every kept tag starts with the prefix, so the first occurrence is the prefix itself.
    names = pc.replace_substring(
        pc.filter(flat, is_license), _LICENSE_PREFIX, "", max_replacements=1
    )
    return _first_per_row(rows[is_license.to_numpy(zero_copy_only=False)], names, length)


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


def _tag_rows(table: pa.Table) -> tuple[pa.Array, np.ndarray]:
    """Every tag of `table`, flattened, and the row each one belongs to."""
    tags = table["tags"].combine_chunks()
    rows = np.repeat(np.arange(table.num_rows), np.diff(tags.offsets.to_numpy()))
    return pc.list_flatten(tags), rows


def _listing(table: pa.Table, flat: pa.Array, rows: np.ndarray) -> dict[str, pa.Array]:
    """The columns every listing has: its fields but the tags, renamed; author and license."""
    kept = {RENAMED.get(name, name): table[name] for name in table.column_names if name != "tags"}
    author = _author(table["id"].combine_chunks(), table["author"].combine_chunks())
    return kept | {"author": author, "license": _license(flat, rows, table.num_rows)}


def _as_table(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    return pa.table(batch) if isinstance(batch, pa.RecordBatch) else batch.combine_chunks()


def derive_listing(batch: pa.RecordBatch | pa.Table, taxonomy: Taxonomy) -> dict[str, pa.Array]:
    """The cache columns of dataset or Space records, by name (the taxonomy is not needed)."""
    del taxonomy
    table = _as_table(batch)
    return _listing(table, *_tag_rows(table))


def derive_models(batch: pa.RecordBatch | pa.Table, taxonomy: Taxonomy) -> dict[str, pa.Array]:
    """The cache columns of model records (`MODELS.fields`), by name."""
    table = _as_table(batch)
    flat, rows = _tag_rows(table)
    pipeline_tag = table["pipeline_tag"].combine_chunks()
    base_models, relation = _lineage(flat, rows, table.num_rows)
    return _listing(table, flat, rows) | {
        "modality": _modality(pipeline_tag, taxonomy),
        "base_models": base_models,
        "relation": relation,
    }
