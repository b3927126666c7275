"""The report's tables of one snapshot, tallied in independent jobs chosen by its repo type.

Each job reads only the columns it needs from the snapshot's Parquet cache, so the jobs run on
whichever worker is free (ahead of the history's walk) and none holds the whole snapshot. A models
snapshot takes four: who (authors and their kinds, concentration), which models (the top ones, the
new entrants, likes against downloads), what (tasks, modalities, libraries, licenses) and since
when (creations per month, lineage).
`combine` puts their tables together, with the headline figures drawn from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.defaults import TOP_N, TREND_WINDOWS
from analysis.snapshot import aggregates, authorship
from analysis.snapshot.entrants import new_entrants
from analysis.store.profiles import Profiles
from analysis.store.repo_types import MODELS, RepoType
from analysis.store.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Tally:
    """One job's tables by CSV name, and the figures it counted for the headline."""

    frames: dict[str, pd.DataFrame]
    figures: dict[str, Any] = field(default_factory=dict)
    density: aggregates.Density | None = None


def _who(cache: Path, profiles: Profiles) -> Tally:
    """Authors, their kinds and the concentration of downloads among models and authors."""
    table = pq.read_table(cache, columns=["author", "downloads", "likes"])
    per_author = authorship.with_kinds(aggregates.authors(table), profiles)
    downloads = int(pc.sum(table["downloads"]).as_py() or 0)
    concentration, lorenz = aggregates.concentration(table, per_author)
    return Tally(
        {
            "author_kinds": authorship.kind_split(per_author, table.num_rows, downloads),
            "top_organisations": authorship.top_organisations(per_author, downloads, TOP_N),
            "top_authors_downloads": aggregates.top_authors(per_author, "downloads", TOP_N),
            "top_authors_models": aggregates.top_authors(per_author, "models", TOP_N),
            "concentration": concentration,
            "lorenz": lorenz,
        },
        {
            "models": table.num_rows,
            "downloads_30d": downloads,
            "likes": int(pc.sum(table["likes"]).as_py() or 0),
            # The authors grouped (no null one): counting distinct names again hashed them all.
            "authors": len(per_author),
        },
    )


def _which(cache: Path, day: date) -> Tally:
    """The top models by downloads and by likes, the new entrants, likes against downloads."""
    table = pq.read_table(
        cache, columns=["id", "author", "created_at", "downloads", "likes", "pipeline_tag"]
    )
    likes_vs_downloads, density = aggregates.likes_downloads(table)
    recent = table.select(["id", "created_at", "downloads", "likes", "pipeline_tag"])
    return Tally(
        {
            "top_models_downloads": aggregates.top_models(table, "downloads", TOP_N),
            "top_models_likes": aggregates.top_models(table, "likes", TOP_N),
            "new_models": new_entrants(recent, day, TREND_WINDOWS, "downloads", TOP_N),
            "likes_vs_downloads": likes_vs_downloads,
        },
        density=density,
    )


def _what(cache: Path) -> Tally:
    """Models, downloads and likes per task, modality, library and license."""
    table = pq.read_table(
        cache, columns=["pipeline_tag", "library_name", "modality", "license", "downloads", "likes"]
    )
    return Tally(
        {
            "tasks": aggregates.tasks(table, load_taxonomy()),
            "modalities": aggregates.modalities(table),
            "libraries": aggregates.libraries(table),
            "licenses": aggregates.licenses(table),
        },
        {"models_without_task": table.num_rows - int(pc.count(table["pipeline_tag"]).as_py())},
    )


def _since_when(cache: Path) -> Tally:
    """Models created per month by modality, and derivatives per base model and relation."""
    table = pq.read_table(
        cache, columns=["created_at", "modality", "base_models", "relation", "downloads", "likes"]
    )
    return Tally(
        {
            "created_per_month": aggregates.created_per_month(table),
            "lineage": aggregates.lineage(table),
            "lineage_relations": aggregates.relations(table),
        }
    )


def _model_jobs(cache: Path, profiles: Profiles, day: date) -> list[partial[Tally]]:
    """The four jobs of a models snapshot of `day`: the heaviest (the authors') first."""
    return [
        partial(_who, cache, profiles),
        partial(_which, cache, day),
        partial(_what, cache),
        partial(_since_when, cache),
    ]


# The jobs tallying a snapshot, by repo type.
_JOBS: dict[str, Callable[[Path, Profiles, date], list[partial[Tally]]]] = {
    MODELS.name: _model_jobs
}


def tally_jobs(
    repo_type: RepoType, cache: Path, profiles: Profiles, day: date
) -> list[partial[Tally]]:
    """The jobs tallying the snapshot of `repo_type` of `day` cached in `cache`, as picklable
    calls."""
    return _JOBS[repo_type.name](cache, profiles, day)


def combine(
    tallies: list[Tally],
) -> tuple[dict[str, pd.DataFrame], aggregates.Density | None, dict[str, Any]]:
    """Every table by CSV name, the likes-vs-downloads density grid, and the headline; without a
    models snapshot among the tallies (a run left them out), no grid and only the figures."""
    frames = {name: frame for tally in tallies for name, frame in tally.frames.items()}
    figures = {name: value for tally in tallies for name, value in tally.figures.items()}
    density = next((tally.density for tally in tallies if tally.density is not None), None)
    if density is None:
        return frames, None, figures
    relations = frames["lineage_relations"]
    months = frames["created_per_month"]
    concentration = frames["concentration"].set_index("population")
    headline = {
        "models": figures["models"],
        "downloads_30d": figures["downloads_30d"],
        "likes": figures["likes"],
        "authors": figures["authors"],
        "models_without_task": figures["models_without_task"],
        "models_declaring_base_share": float(
            relations.loc[relations["relation"] != aggregates.NO_BASE, "share"].sum()
        ),
        "gini_models": float(concentration.loc["models", "gini"]),
        "gini_authors": float(concentration.loc["authors", "gini"]),
        "top_1%_models_downloads_share": float(concentration.loc["models", "top_1%_share"]),
        "createdAt_placeholder_models": int(
            months.loc[months["month"] == aggregates.PLACEHOLDER_MONTH, "total"].sum()
        ),
    }
    # Figures of the other jobs (the whole Hub's) join the headline under their own names.
    headline |= {name: value for name, value in figures.items() if name not in headline}
    return frames, density, headline
