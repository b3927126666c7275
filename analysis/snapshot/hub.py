"""The tallies of the whole Hub beside the models: datasets, Spaces, the links between the three
repo types, and the models' sizes.

Each job reads the columns it needs from a Parquet cache (analysis.store.repo_types declares them)
and returns a Tally whose tables are named by section (`datasets_…`, `spaces_…`, `links_…`,
`model_sizes`), so they sit beside the models' tables in one report. The models' machinery is
reused where the question is the same (sums per value, authors and their kinds, concentration,
creations per month). Spaces have no download counts: their tables count Spaces and likes only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.defaults import NO_MODALITY, NO_SDK, NO_TASK_CATEGORY, TOP_N
from analysis.snapshot import aggregates, authorship
from analysis.snapshot.tallies import Tally
from analysis.store.companions import Companions
from analysis.store.derive import SIZE_LABELS, size_classes
from analysis.store.profiles import Profiles


class Category(NamedTuple):
    """A category of the dataset card: its table (`datasets_<name>`), the table's column, the tag
    it is read from, the label of the datasets without one, and whether a dataset can have
    several (it is then counted in each)."""

    name: str
    column: str
    tag: str
    label: str
    many: bool


# The dataset card's categories, by cache column.
DATASET_CATEGORIES = {
    "task_categories": Category(
        "task_categories", "task_category", "task_categories:", NO_TASK_CATEGORY, many=True
    ),
    "modalities": Category("modalities", "modality", "modality:", NO_MODALITY, many=True),
    "size_category": Category(
        "size_categories", "size_category", "size_categories:", "(no size category)", many=False
    ),
    "formats": Category("formats", "format", "format:", "(no format)", many=True),
    "languages": Category("languages", "language", "language:", "(no language)", many=True),
    "license": Category("licenses", "license", "license:", "(no license)", many=False),
}
# The datasets created per month are stacked by modality; one with several is counted once, here.
SEVERAL_MODALITIES = "(several modalities)"
NO_STAGE = "(no stage)"
NO_HARDWARE = "(no hardware)"
CPU = "CPU"
# "New" repos in the headline: created in the last this many days before the snapshot's day.
NEW_DAYS = 30


def _new(created: pa.ChunkedArray, day: date) -> int:
    """How many of `created` fall in the `NEW_DAYS` days up to the end of `day`."""
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    start = end - timedelta(days=NEW_DAYS)
    recent = pc.and_(
        pc.greater_equal(created, pa.scalar(start, created.type)),
        pc.less(created, pa.scalar(end, created.type)),
    )
    return int(pc.sum(pc.fill_null(recent, False)).as_py() or 0)


def _top(table: pa.Table, by: str, n: int, columns: list[str]) -> pd.DataFrame:
    """The `n` repos with the most `by`, ties by id, with `columns`; repos without `by` left out."""
    keys = [(by, "descending"), ("id", "ascending")]
    chosen = pc.select_k_unstable(table, k=min(n, table.num_rows), sort_keys=keys)
    top = table.take(chosen).sort_by(keys)
    top = top.filter(pc.is_valid(top[by])).select(columns)
    frame = top.to_pandas()
    for column in top.schema:
        if pa.types.is_integer(column.type):
            # A count the Hub left out stays empty rather than turning its column into floats.
            frame[column.name] = frame[column.name].astype("Int64")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _authors(
    table: pa.Table, profiles: Profiles, unit: str, downloads: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per author (with kind) and the split by author kind, the repos counted as `unit`."""
    per_author = authorship.with_kinds(aggregates.authors(table), profiles)
    split = authorship.kind_split(per_author, table.num_rows, downloads)
    renamed = {"models": unit, "models_share": f"{unit}_share"}
    return per_author.rename(columns=renamed), split.rename(columns=renamed)


def _top_authors(per_author: pd.DataFrame, by: str, unit: str) -> pd.DataFrame:
    by = "models" if by == unit else by
    frame = aggregates.top_authors(per_author.rename(columns={unit: "models"}), by, TOP_N)
    return frame.rename(columns={"models": unit})


def _one_modality(modalities: pa.ChunkedArray) -> pa.Array:
    """Each dataset's modality for a stacked count: its own, `SEVERAL_MODALITIES` when it has more
    than one, `NO_MODALITY` when it has none."""
    rows, values = aggregates.labelled(modalities, NO_MODALITY)
    distinct = np.bincount(rows, minlength=len(modalities))
    # Each row's last pair: its only one where it has one.
    last = np.zeros(len(modalities), dtype=np.int64)
    last[rows] = np.arange(len(rows))
    return pc.if_else(pa.array(distinct > 1), SEVERAL_MODALITIES, values.take(pa.array(last)))


def datasets(cache: Path, profiles: Profiles, day: date) -> Tally:
    """The datasets of a snapshot: top ones, card categories, gating, authors, concentration,
    creations per month."""
    table = pq.read_table(cache)
    downloads = int(pc.sum(table["downloads"]).as_py() or 0)
    listed = table.append_column(
        "task_category", pc.binary_join(table["task_categories"], ", ")
    ).select(["id", "author", "downloads", "likes", "task_category"])
    columns = listed.column_names
    frames = {
        "datasets_top_downloads": _top(listed, "downloads", TOP_N, columns),
        "datasets_top_likes": _top(listed, "likes", TOP_N, columns),
    }
    for key, category in DATASET_CATEGORIES.items():
        frames[f"datasets_{category.name}"] = aggregates.per_value(
            table, key, category.label, "datasets", category.column
        )
    # The cache keeps the Hub's text (false, "auto" or "manual"); a null stays unknown.
    access = pc.if_else(pc.not_equal(table["gated"], "false"), "gated", "open")
    frames["datasets_gated"] = aggregates.per_value(
        pa.table({"access": access, "downloads": table["downloads"], "likes": table["likes"]}),
        "access",
        "(unknown)",
        "datasets",
        "access",
    ).assign(share=lambda f: f["datasets"] / max(1, table.num_rows))
    per_author, split = _authors(table, profiles, "datasets", downloads)
    frames["datasets_author_kinds"] = split
    frames["datasets_top_authors_downloads"] = _top_authors(per_author, "downloads", "datasets")
    frames["datasets_top_authors_datasets"] = _top_authors(per_author, "datasets", "datasets")
    concentration, lorenz = aggregates.concentration(table, per_author)
    frames["datasets_concentration"] = concentration.replace({"population": {"models": "datasets"}})
    frames["datasets_lorenz"] = lorenz.rename(
        columns={"models_downloads_share": "datasets_downloads_share"}
    )
    stacked = {"created_at": table["created_at"], "modality": _one_modality(table["modalities"])}
    frames["datasets_created_per_month"] = aggregates.created_per_month(pa.table(stacked))
    figures = {
        "datasets": table.num_rows,
        "datasets_downloads_30d": downloads,
        "new_datasets": _new(table["created_at"], day),
    }
    return Tally(frames, figures)


def hardware_class(hardware: str) -> str:
    """CPU for every CPU flavour, else the GPU's kind: `t4-small` → T4, `zero-a10g` → ZeroGPU,
    `l4x1` → L4; a name the Hub may add later keeps its first word."""
    if hardware.startswith("cpu"):
        return CPU
    if hardware.startswith("zero"):
        return "ZeroGPU"
    return hardware.split("-", 1)[0].split("x", 1)[0].upper()


def _counts(table: pa.Table, key: str, label: str) -> pd.DataFrame:
    """Spaces and likes per value of `key`, nulls under `label`, most Spaces first."""
    grouped = (
        pa.table({key: pc.fill_null(table[key], label), "likes": table["likes"]})
        .group_by(key)
        .aggregate([([], "count_all"), ("likes", "sum")])
        .to_pandas()
    )
    frame = pd.DataFrame(
        {
            key: grouped[key],
            "spaces": grouped["count_all"].astype("int64"),
            "likes": grouped["likes_sum"].fillna(0).astype("int64"),
        }
    )
    frame["share"] = frame["spaces"] / max(1, table.num_rows)
    return frame.sort_values(["spaces", key], ascending=[False, True], ignore_index=True)


def spaces(cache: Path, profiles: Profiles, day: date) -> Tally:
    """The Spaces of a snapshot: SDKs, top ones by likes and trending score, hardware, stages,
    authors and creations per month."""
    table = pq.read_table(
        cache, columns=["id", "author", "created_at", "likes", "trending_score", "sdk", "stage",
                        "hardware"],
    )  # fmt: skip
    columns = ["id", "author", "likes", "trending_score", "sdk", "stage", "hardware"]
    hardware = _counts(table, "hardware", NO_HARDWARE)
    hardware.insert(
        1, "class", [h if h == NO_HARDWARE else hardware_class(h) for h in hardware["hardware"]]
    )
    classes = hardware.groupby("class", as_index=False)[["spaces", "likes", "share"]].sum()
    classes = classes.sort_values(["spaces", "class"], ascending=[False, True], ignore_index=True)
    # Spaces have no download counts: the authors' sums count Spaces and likes only.
    counted = table.append_column("downloads", pa.nulls(table.num_rows, pa.int64()))
    per_author, split = _authors(counted, profiles, "spaces", 0)
    frames = {
        "spaces_sdks": _counts(table, "sdk", NO_SDK),
        "spaces_top_likes": _top(table, "likes", TOP_N, columns),
        "spaces_top_trending": _top(table, "trending_score", TOP_N, columns),
        "spaces_hardware": hardware,
        "spaces_hardware_classes": classes,
        "spaces_stages": _counts(table, "stage", NO_STAGE),
        "spaces_author_kinds": split[["kind", "authors", "spaces", "spaces_share"]],
        "spaces_top_authors": _top_authors(per_author, "spaces", "spaces")[
            ["rank", "author", "kind", "spaces", "likes"]
        ],
        "spaces_created_per_month": aggregates.created_per_month(
            pa.table({"created_at": table["created_at"], "modality": table["sdk"]})
        ),
    }
    return Tally(frames, {"spaces": table.num_rows, "new_spaces": _new(table["created_at"], day)})


def _uses(lists: pa.ChunkedArray, unit: str) -> pa.Table:
    """How many rows name each repo of `lists`, as (id, `unit`)."""
    counted = pc.value_counts(pc.drop_null(pc.list_flatten(lists)))
    return pa.table({"id": counted.field("values"), unit: counted.field("counts")})


def _beside(uses: pa.Table, repos: pa.Table | None, columns: list[str]) -> pd.DataFrame:
    """`uses` joined with `repos`' own `columns` (absent: the named repo is not in the snapshot),
    most uses first, the first `TOP_N`… rows kept whole in the CSV."""
    unit = uses.column_names[1]
    # Sorted by pyarrow before the join, which keeps the order (pandas sorted 530,000 names in a
    # second).
    ordered = uses.sort_by([(unit, "descending"), ("id", "ascending")])
    frame = ordered.to_pandas()
    if repos is None:
        frame["in_snapshot"] = pd.NA
    else:
        # Only the repos named, then each named one's row among them (the first, were an id
        # listed twice): millions of ids turned into Python strings cost a second, and a pandas
        # merge on the names another half.
        named = pc.is_in(repos["id"], value_set=uses["id"].combine_chunks())
        own = repos.select(["id", *columns]).filter(named)
        at = pc.index_in(ordered["id"], value_set=own["id"].combine_chunks())
        for column in columns:
            values = own[column].take(at)
            frame[column] = values.to_pandas(types_mapper={values.type: pd.Int64Dtype()}.get)
        frame["in_snapshot"] = at.is_valid().to_numpy(zero_copy_only=False)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def links(models_cache: Path, datasets_cache: Path | None, spaces_cache: Path | None) -> Tally:
    """The datasets models declare (beside the datasets' own downloads and likes), the models
    Spaces use (beside the models' downloads), and authors across the three repo types."""
    # The models' own counts only beside the models the Spaces use.
    columns = ["author", "declared_datasets"]
    if spaces_cache is not None:
        columns += ["id", "downloads", "likes"]
    models = pq.read_table(models_cache, columns=columns, read_dictionary=["author"])
    datasets = (
        None
        if datasets_cache is None
        else pq.read_table(datasets_cache, columns=["id", "author", "downloads", "likes"])
    )
    frames = {
        "links_declared_datasets": _beside(
            _uses(models["declared_datasets"], "declaring_models"),
            datasets,
            ["downloads", "likes"],
        )
    }
    authors = {"models": models["author"]}
    if datasets is not None:
        authors["datasets"] = datasets["author"]
    if spaces_cache is not None:
        spaces_table = pq.read_table(spaces_cache, columns=["author", "models"])
        frames["links_space_models"] = _beside(
            _uses(spaces_table["models"], "using_spaces"), models, ["downloads", "likes"]
        )
        authors["spaces"] = spaces_table["author"]
    overlap, cross = _across(authors)
    frames["links_author_overlap"] = overlap
    frames["links_cross_authors"] = cross
    return Tally(frames)


def _per_author(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The authors of `column` and their repos (counted by pyarrow: no Python string per repo; a
    column read as a dictionary is counted by its codes, without hashing a name per repo)."""
    if pa.types.is_dictionary(column.type):
        unified = column.unify_dictionaries()
        names = unified.chunk(0).dictionary if unified.num_chunks else pa.array([], pa.string())
        indices = [chunk.indices for chunk in unified.chunks]
        codes = pc.drop_null(pa.chunked_array(indices, unified.type.index_type))
        counts = np.bincount(codes.to_numpy(), minlength=len(names))
        used = np.flatnonzero(counts)
        return names.take(pa.array(used)), counts[used]
    counted = pc.value_counts(pc.drop_null(column))
    return counted.field("values"), counted.field("counts").to_numpy(zero_copy_only=False)


def author_counts(authors: dict[str, pa.ChunkedArray]) -> tuple[pa.Array, np.ndarray]:
    """Every author named in the columns `authors` (by repo type), and how many repos of each
    type (one column per type, in order) each has; null authors are not counted.

    Each type is counted on its own, then the authors' names (not the repos') are encoded once
    to place them in one table: no Python string per author, and no index of half a million
    names for pandas to align (2.9 of the links' 5.6 s on the whole Hub).
    """
    counted = [_per_author(column) for column in authors.values()]
    encoded = pc.dictionary_encode(
        pa.concat_arrays(
            [names.cast(pa.string()) for names, _ in counted] or [pa.array([], pa.string())]
        )
    )
    codes = encoded.indices.to_numpy()
    counts = np.zeros((len(encoded.dictionary), len(counted)), dtype=np.int64)
    start = 0
    for column, (names, repos) in enumerate(counted):
        counts[codes[start : start + len(names)], column] = repos
        start += len(names)
    return encoded.dictionary, counts


def _across(authors: dict[str, pa.ChunkedArray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Authors by the repo types they publish (and those types' shares of all repos), and the
    authors publishing every type, most repos first (none with one type alone: every author
    would publish "every" type)."""
    types = list(authors)
    names, counts = author_counts(authors)
    totals = counts.sum(axis=0)
    shares = [f"{repo_type}_share" for repo_type in types]
    # Each author's combination of repo types as a bit mask, named once per mask (not per author).
    published = counts > 0
    masks = (published.astype(np.int64) << np.arange(len(types))).sum(axis=1)
    rows = []
    for mask in np.flatnonzero(np.bincount(masks)).tolist():
        chosen = masks == mask
        row: dict[str, object] = {
            "publishes": " + ".join(t for bit, t in enumerate(types) if mask >> bit & 1),
            "authors": int(chosen.sum()),
        }
        for column, share in enumerate(shares):
            total = int(totals[column])
            row[share] = int(counts[chosen, column].sum()) / total if total else 0.0
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["publishes", "authors", *shares])
    frame = frame.sort_values(["authors", "publishes"], ascending=[False, True], ignore_index=True)
    across = np.flatnonzero(published.all(axis=1) & (len(types) > 1))
    every = pd.DataFrame({"author": names.take(pa.array(across)).to_pandas()})
    for column, repo_type in enumerate(types):
        every[repo_type] = counts[across, column]
    every["repos"] = counts[across].sum(axis=1)
    every = every.sort_values(["repos", "author"], ascending=[False, True], ignore_index=True)
    for column, repo_type in enumerate(types):
        total = int(totals[column])
        every[shares[column]] = every[repo_type] / total if total else 0.0
    return frame, every


def model_sizes(cache: Path, day: date) -> Tally:
    """Models and 30-day downloads per parameter-count class (from safetensors' total), and the
    models created in the last `NEW_DAYS` days."""
    table = pq.read_table(cache, columns=["parameters", "downloads", "created_at"])
    classes = size_classes(table["parameters"])
    downloads = pc.fill_null(table["downloads"], 0).to_numpy()
    labels = list(SIZE_LABELS)
    models = np.bincount(classes, minlength=len(labels))
    summed = np.bincount(classes, weights=downloads, minlength=len(labels)).astype(np.int64)
    frame = pd.DataFrame({"size_class": labels, "models": models, "downloads": summed})
    frame["models_share"] = frame["models"] / max(1, table.num_rows)
    frame["downloads_share"] = frame["downloads"] / max(1, int(downloads.sum()))
    return Tally({"model_sizes": frame}, {"new_models": _new(table["created_at"], day)})


def hub_jobs(
    models_cache: Path | None, found: Companions, profiles: Profiles, day: date
) -> list[partial[Tally]]:
    """The jobs tallying the whole Hub beside the models of `models_cache`: the models' sizes, the
    companion repo types `found` for `day`, and the links between them. Without the models (None:
    the run leaves them out) there are no sizes and no links: each link has a model at one end."""
    datasets_cache = found.caches.get("datasets")
    spaces_cache = found.caches.get("spaces")
    # The links first: reading three caches, they are the longest tally, and queued last they
    # kept one worker busy while the other waited (0.5 s of a warm report of 2.5M models).
    jobs = []
    if models_cache is not None:
        jobs.append(partial(links, models_cache, datasets_cache, spaces_cache))
    if datasets_cache is not None:
        jobs.append(partial(datasets, datasets_cache, profiles, day))
    if spaces_cache is not None:
        jobs.append(partial(spaces, spaces_cache, profiles, day))
    if models_cache is not None:
        jobs.append(partial(model_sizes, models_cache, day))
    return jobs
