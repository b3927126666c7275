"""Aggregate one compacted snapshot into the result tables that charts, CSVs and the report show.

Each function takes the cached table (the columns `analysis.store.repo_types.MODELS` declares) and
returns a small pandas DataFrame. The heavy lifting (filters, group-bys, top-k) is done by pyarrow
on the whole column; only results reach pandas.

Missing values are never made up: a model without `downloads` adds nothing to a sum and is left out
of the concentration population; a model without a task, library or license is counted under an
explicit "(no …)" label. `downloads` is the Hub's rolling 30-day count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.defaults import (
    LORENZ_POINTS,
    MIGRATION_BATCH_END,
    MIGRATION_BATCH_START,
    NO_LIBRARY,
    NO_LICENSE,
    NO_TASK,
    TOP_FRACTIONS,
)
from analysis.snapshot.metrics import gini, lorenz, top_share
from analysis.store.derive import UNSPECIFIED_RELATION
from analysis.store.taxonomy import Taxonomy

PLACEHOLDER_MONTH = "createdAt placeholder"
UNKNOWN_MONTH = "no createdAt"
# Sort after every real year-month (YYYYMM), placeholder first.
_PLACEHOLDER_CODE = 999_998
_UNKNOWN_CODE = 999_999
NO_BASE = "(no base model)"
LINEAGE_ORDER = ("finetune", "adapter", "quantized", "merge")
# Decade bins of the likes-vs-downloads table: 0, 1-9, 10-99, ... up to 10^12 and beyond.
_DECADES = 13
# Cells per axis of the likes-vs-downloads density chart.
_DENSITY_CELLS = 80


def _sums(table: pa.Table, key: str, label: str, unit: str = "models") -> pd.DataFrame:
    """Repos (counted in a column named `unit`), downloads and likes per value of `key`, nulls
    under `label`, largest count first."""
    keys = pc.fill_null(table[key], label)
    grouped = (
        pa.table({key: keys, "downloads": table["downloads"], "likes": table["likes"]})
        .group_by(key)
        .aggregate([([], "count_all"), ("downloads", "sum"), ("likes", "sum")])
        .to_pandas()
    )
    frame = pd.DataFrame(
        {
            key: grouped[key],
            unit: grouped["count_all"].astype("int64"),
            "downloads": grouped["downloads_sum"].fillna(0).astype("int64"),
            "likes": grouped["likes_sum"].fillna(0).astype("int64"),
        }
    )
    return frame.sort_values([unit, key], ascending=[False, True], ignore_index=True)


def labelled(column: pa.ChunkedArray, unlabelled: str) -> tuple[np.ndarray, pa.Array]:
    """The values of a list column, each repo under each of its distinct values (`unlabelled` for
    a repo without any): the row of each (repo, value) pair, and its value.

    The pairs are made distinct as integers (row and value code in one), not as (row, string)
    groups: a fifth of the time on 600,000 datasets' five tag columns.
    """
    lists = column.combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    empty = np.flatnonzero(lengths == 0)
    encoded = pc.dictionary_encode(pc.list_flatten(lists).cast(pa.string()))
    known = len(encoded.dictionary)
    # Codes past the dictionary's: `unlabelled` for a repo without values, then a null value.
    names = pa.concat_arrays([encoded.dictionary, pa.array([unlabelled, None], pa.string())])
    codes = np.concatenate(
        [pc.fill_null(encoded.indices, known + 1).to_numpy(), np.full(len(empty), known)]
    )
    rows = np.concatenate([pc.list_parent_indices(lists).to_numpy(), empty]).astype(np.int64)
    # A value a card states twice counts once (sorted and compared: numpy 2.4's np.unique took
    # 0.5 s on 600,000 such integers, the sort 0.02 s).
    pairs = np.sort(rows * len(names) + codes)
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    return pairs // len(names), names.take(pa.array(pairs % len(names)))


def per_value(table: pa.Table, key: str, label: str, unit: str, name: str) -> pd.DataFrame:
    """`unit` (datasets, …), downloads and likes per value of `key` (in a column `name`), nulls
    under `label`; a repo with a list of values counts under each of them."""
    if not pa.types.is_list(table.schema.field(key).type):
        return _sums(table, key, label, unit).rename(columns={key: name})
    rows, values = labelled(table[key], label)
    picked = pa.array(rows)
    exploded = pa.table(
        {
            name: values,
            "downloads": table["downloads"].take(picked),
            "likes": table["likes"].take(picked),
        }
    )
    return _sums(exploded, name, label, unit)


def top_models(table: pa.Table, by: str, n: int) -> pd.DataFrame:
    """The `n` models with the most `by` (downloads or likes), ties by id, with their rank."""
    keys = [(by, "descending"), ("id", "ascending")]
    # Nulls sort last, so they only reach the top when fewer than n models have a value.
    chosen = pc.select_k_unstable(table, k=min(n, table.num_rows), sort_keys=keys)
    top = table.take(chosen).sort_by(keys)
    top = top.filter(pc.is_valid(top[by]))
    frame = top.select(["id", "author", "downloads", "likes", "pipeline_tag"]).to_pandas()
    # Competition ranks (analysis.snapshot.ranks): equal counts share one.
    frame.insert(0, "rank", frame[by].rank(method="min", ascending=False).astype("int64"))
    return frame


def tasks(table: pa.Table, taxonomy: Taxonomy) -> pd.DataFrame:
    """Models, downloads and likes per pipeline tag, with its display name and modality."""
    frame = _sums(table, "pipeline_tag", NO_TASK)
    tags = frame["pipeline_tag"]
    frame.insert(1, "task", [NO_TASK if t == NO_TASK else taxonomy.name(t) for t in tags])
    frame.insert(2, "modality", [NO_TASK if t == NO_TASK else taxonomy.modality(t) for t in tags])
    return frame


def modalities(table: pa.Table) -> pd.DataFrame:
    """Models, downloads and likes per modality of the Hub's taxonomy."""
    return _sums(table, "modality", NO_TASK)


def libraries(table: pa.Table) -> pd.DataFrame:
    """Models, downloads and likes per library."""
    return _sums(table, "library_name", NO_LIBRARY).rename(columns={"library_name": "library"})


def licenses(table: pa.Table) -> pd.DataFrame:
    """Models, downloads and likes per license (from `license:` tags)."""
    return _sums(table, "license", NO_LICENSE)


def authors(table: pa.Table) -> pd.DataFrame:
    """Models, downloads and likes per author; downloads is null when none of theirs has a count."""
    # Grouping first and dropping the null group after avoids copying every column to filter.
    grouped = (
        table.select(["author", "downloads", "likes"])
        .group_by("author")
        .aggregate([([], "count_all"), ("downloads", "sum"), ("likes", "sum")])
    )
    grouped = grouped.filter(pc.is_valid(grouped["author"]))
    return pd.DataFrame(
        {
            "author": grouped["author"].to_pandas(),
            "models": grouped["count_all"].to_numpy(),
            "downloads": grouped["downloads_sum"].to_pandas().astype("Int64"),
            "likes": pc.fill_null(grouped["likes_sum"], 0).to_numpy(),
        }
    )


def top_authors(per_author: pd.DataFrame, by: str, n: int) -> pd.DataFrame:
    """The `n` authors with the most `by` ("downloads" or "models"), their kind and download share.

    `per_author` is `authors(…)` with the `kind` column of `analysis.snapshot.authorship`.
    """
    frame = per_author[["author", "kind", "models", "downloads", "likes"]]
    frame = frame.assign(downloads=frame["downloads"].fillna(0).astype("int64"))
    total = int(frame["downloads"].sum())
    values = frame[by].to_numpy()
    if len(values) > n > 0:
        # Only the rows that can rank are sorted by name: sorting 400k names took a second.
        frame = frame[values >= np.partition(values, len(values) - n)[len(values) - n]]
    frame = frame.sort_values([by, "author"], ascending=[False, True], ignore_index=True).head(n)
    frame["downloads_share"] = frame["downloads"] / total if total else 0.0
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _decade(values: np.ndarray) -> np.ndarray:
    """0 for 0, 1 for 1-9, 2 for 10-99, …, capped at the last bin."""
    positive = np.maximum(values, 1).astype(np.float64)
    decades = np.where(values > 0, np.floor(np.log10(positive)).astype(np.int64) + 1, 0)
    return np.minimum(decades, _DECADES - 1)


def _decade_label(decade: int) -> str:
    if decade == 0:
        return "0"
    if decade == _DECADES - 1:
        return f">={10 ** (decade - 1)}"
    return f"{10 ** (decade - 1)}-{10**decade - 1}"


@dataclass(frozen=True)
class Density:
    """Models per cell of a grid over log10(downloads + 1) x log10(likes + 1)."""

    counts: np.ndarray
    downloads_edges: np.ndarray
    likes_edges: np.ndarray

    @property
    def models(self) -> int:
        """How many models the grid holds."""
        return int(self.counts.sum())


def _log_edges(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return np.linspace(0.0, max(top, 1.0) * 1.0001, _DENSITY_CELLS + 1)


def likes_downloads(table: pa.Table) -> tuple[pd.DataFrame, Density]:
    """Models per (downloads decade, likes decade), and a fine log-log density grid of them.

    The grid is binned here, once, so that drawing it costs the same for any number of models.
    """
    both = pc.and_(pc.is_valid(table["downloads"]), pc.is_valid(table["likes"]))
    downloads = pc.filter(table["downloads"], both).to_numpy()
    likes = pc.filter(table["likes"], both).to_numpy()
    x = np.log10(downloads + 1.0)
    y = np.log10(likes + 1.0)
    x_edges, y_edges = _log_edges(x), _log_edges(y)
    grid, _, _ = np.histogram2d(x, y, bins=[x_edges, y_edges])
    density = Density(grid.astype(np.int64), x_edges, y_edges)
    counts = np.zeros((_DECADES, _DECADES), dtype=np.int64)
    np.add.at(counts, (_decade(downloads), _decade(likes)), 1)
    rows = [
        (_decade_label(d), _decade_label(k), int(counts[d, k]))
        for d in range(_DECADES)
        for k in range(_DECADES)
        if counts[d, k]
    ]
    frame = pd.DataFrame(rows, columns=["downloads", "likes", "models"])
    return frame, density


def created_per_month(table: pa.Table) -> pd.DataFrame:
    """Models created per month and modality; the migration batch (its createdAt a placeholder)
    and missing dates get their own rows."""
    created = table["created_at"]
    batch = pc.and_(
        pc.greater_equal(created, pa.scalar(MIGRATION_BATCH_START, created.type)),
        pc.less(created, pa.scalar(MIGRATION_BATCH_END, created.type)),
    )
    placeholder = pc.fill_null(batch, False)
    # Integer year-months group far faster than formatted strings; they are formatted afterwards.
    months = pc.add(pc.multiply(pc.year(created), 100), pc.month(created))
    months = pc.if_else(placeholder, _PLACEHOLDER_CODE, pc.fill_null(months, _UNKNOWN_CODE))
    grouped = (
        pa.table({"month": months, "modality": pc.fill_null(table["modality"], NO_TASK)})
        .group_by(["month", "modality"])
        .aggregate([([], "count_all")])
        .to_pandas()
    )
    wide = grouped.pivot_table(
        index="month", columns="modality", values="count_all", fill_value=0, aggfunc="sum"
    )
    wide.columns.name = None
    wide = wide.astype("int64").sort_index()
    wide["total"] = wide.sum(axis=1)
    names = {_PLACEHOLDER_CODE: PLACEHOLDER_MONTH, _UNKNOWN_CODE: UNKNOWN_MONTH}
    wide.index = [names.get(code, f"{code // 100:04d}-{code % 100:02d}") for code in wide.index]
    return wide.rename_axis("month").reset_index()


def concentration(table: pa.Table, per_author: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gini and top shares of downloads among models and among authors, and their Lorenz curves.

    Each population is the models, or authors, with a known downloads count.
    """
    populations = {
        "models": pc.drop_null(table["downloads"]).to_numpy(),
        "authors": per_author["downloads"].dropna().to_numpy(dtype=np.int64),
    }
    rows = []
    curves: dict[str, np.ndarray] = {}
    for name, amounts in populations.items():
        row: dict[str, object] = {
            "population": name,
            "members": int(amounts.size),
            "downloads": int(amounts.sum()),
            "gini": gini(amounts),
        }
        for fraction in TOP_FRACTIONS:
            row[f"top_{fraction * 100:g}%_share"] = top_share(amounts, fraction)
        rows.append(row)
        share, held = lorenz(amounts, LORENZ_POINTS)
        curves["population_share"] = share
        curves[f"{name}_downloads_share"] = held
    return pd.DataFrame(rows), pd.DataFrame(curves)


def lineage(table: pa.Table) -> pd.DataFrame:
    """Derivatives per base model, split by relation, most derivatives first."""
    lineage_columns = table.select(["base_models", "relation"])
    declared = lineage_columns.filter(pc.is_valid(table["base_models"]))
    lengths = pc.list_value_length(declared["base_models"]).to_numpy()
    edges = pa.table(
        {
            "base_model": pc.list_flatten(declared["base_models"]),
            "relation": pc.take(declared["relation"], np.repeat(np.arange(lengths.size), lengths)),
        }
    )
    grouped = edges.group_by(["base_model", "relation"]).aggregate([([], "count_all")])
    wide = grouped.to_pandas().pivot_table(
        index="base_model", columns="relation", values="count_all", fill_value=0
    )
    columns = [*LINEAGE_ORDER, UNSPECIFIED_RELATION]
    wide = wide.reindex(columns=columns, fill_value=0).astype("int64")
    wide.columns.name = None
    wide["derivatives"] = wide.sum(axis=1)
    wide = wide.reset_index()
    return wide.sort_values(
        ["derivatives", "base_model"], ascending=[False, True], ignore_index=True
    )


def relations(table: pa.Table) -> pd.DataFrame:
    """Models per relation to their base models (and those without one), with shares."""
    frame = _sums(table, "relation", NO_BASE)[["relation", "models"]]
    frame["share"] = frame["models"] / table.num_rows if table.num_rows else 0.0
    return frame
