"""The report's charts: for each, its title, caption and CSV tables, and the call that draws it.

Captions carry the snapshot's own numbers (models without a task, placeholder dates, Gini), so the
page reads on its own. Drawing calls are `functools.partial` objects of `analysis.charts`
functions, picklable so that worker processes can draw them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import charts
from analysis.aggregates import Density
from analysis.defaults import MIGRATION_BATCH, NO_TASK, TOP_N
from analysis.report import Chart


def catalogue(headline: dict[str, Any]) -> list[Chart]:
    """The report's charts in page order, with captions and the CSV tables behind each."""
    top_share = headline["top_1%_models_downloads_share"]
    return [
        Chart(
            "top_models_downloads",
            "Top models by downloads",
            "The most downloaded models of the last 30 days.",
            ["top_models_downloads.csv"],
        ),
        Chart(
            "top_models_likes",
            "Top models by likes",
            "The most liked models.",
            ["top_models_likes.csv"],
        ),
        Chart(
            "tasks",
            "Tasks",
            f"Models, downloads and likes per pipeline tag; the {headline['models_without_task']:,}"
            f" models without a task are shown as {NO_TASK}.",
            ["tasks.csv"],
        ),
        Chart(
            "modalities",
            "Modalities",
            "Tasks grouped by the Hub's modality taxonomy; tags it does not list count as other.",
            ["modalities.csv"],
        ),
        Chart(
            "top_authors_downloads",
            "Top authors by downloads",
            "Users and organisations whose models were downloaded most in the last 30 days,"
            " coloured by author kind.",
            ["top_authors_downloads.csv"],
        ),
        Chart(
            "top_authors_models",
            "Top authors by models",
            "Users and organisations with the most models, coloured by author kind.",
            ["top_authors_models.csv"],
        ),
        Chart(
            "libraries",
            "Libraries",
            "Models, downloads and likes per library.",
            ["libraries.csv"],
        ),
        Chart(
            "licenses",
            "Licenses",
            "Models, downloads and likes per license tag.",
            ["licenses.csv"],
        ),
        Chart(
            "likes_vs_downloads",
            "Likes vs downloads",
            "Every model with both counts on log-log axes, in hexagonal bins.",
            ["likes_vs_downloads.csv"],
        ),
        Chart(
            "created_per_month",
            "Models created per month",
            f"Stacked by modality; the {headline['createdAt_placeholder_models']:,} models of"
            f" {MIGRATION_BATCH}, whose creation date is unknown, are counted apart, not in"
            " March 2022.",
            ["created_per_month.csv"],
        ),
        Chart(
            "concentration",
            "Concentration of downloads",
            f"Gini {headline['gini_models']:.3f} among models and {headline['gini_authors']:.3f}"
            f" among authors; the top 1% of models hold {top_share:.1%} of downloads.",
            ["concentration.csv", "lorenz.csv"],
        ),
        Chart(
            "lineage",
            "Lineage",
            f"Base models with the most derivatives, by relation; "
            f"{headline['models_declaring_base_share']:.1%} of models declare a base model.",
            ["lineage.csv", "lineage_relations.csv"],
        ),
    ]


def author_charts(profiles_note: str) -> list[Chart]:
    """The charts of the organisations-vs-users section."""
    return [
        Chart(
            "author_kinds",
            "Organisations vs users",
            f"Shares of all models and of all 30-day downloads by author kind. {profiles_note}",
            ["author_kinds.csv", "top_organisations.csv"],
        )
    ]


def drawings(
    frames: dict[str, pd.DataFrame],
    density: Density,
    headline: dict[str, Any],
    charts_dir: Path,
    profiles_label: str,
) -> list[partial[None]]:
    """Each chart as a picklable call, so the charts can be drawn in worker processes."""
    per_month = "downloads, last 30 days (log scale)"
    return [
        partial(
            charts.author_kinds,
            frames["author_kinds"],
            profiles_label,
            charts_dir / "author_kinds.png",
        ),
        partial(
            charts.ranking,
            frames["top_models_downloads"],
            label="id",
            value="downloads",
            title=f"Top {TOP_N} models by downloads in the last 30 days",
            unit=per_month,
            path=charts_dir / "top_models_downloads.png",
        ),
        partial(
            charts.ranking,
            frames["top_models_likes"],
            label="id",
            value="likes",
            title=f"Top {TOP_N} models by likes",
            unit="likes (count, log scale)",
            path=charts_dir / "top_models_likes.png",
        ),
        partial(
            charts.breakdown,
            frames["tasks"],
            "task",
            "Tasks by models, downloads and likes",
            charts_dir / "tasks.png",
        ),
        partial(
            charts.breakdown,
            frames["modalities"],
            "modality",
            "Modalities by models, downloads and likes",
            charts_dir / "modalities.png",
        ),
        partial(
            charts.ranking,
            frames["top_authors_downloads"],
            label="author",
            value="downloads",
            title=f"Top {TOP_N} authors by downloads in the last 30 days",
            unit=per_month,
            path=charts_dir / "top_authors_downloads.png",
        ),
        partial(
            charts.ranking,
            frames["top_authors_models"],
            label="author",
            value="models",
            title=f"Top {TOP_N} authors by number of models",
            unit="models (count, log scale)",
            path=charts_dir / "top_authors_models.png",
        ),
        partial(
            charts.breakdown,
            frames["libraries"],
            "library",
            "Libraries by models, downloads and likes",
            charts_dir / "libraries.png",
        ),
        partial(
            charts.breakdown,
            frames["licenses"],
            "license",
            "Licenses by models, downloads and likes",
            charts_dir / "licenses.png",
        ),
        partial(charts.likes_vs_downloads, density, charts_dir / "likes_vs_downloads.png"),
        partial(
            charts.created_per_month,
            frames["created_per_month"],
            charts_dir / "created_per_month.png",
        ),
        partial(
            charts.concentration,
            frames["concentration"],
            frames["lorenz"],
            charts_dir / "concentration.png",
        ),
        partial(
            charts.lineage,
            frames["lineage"],
            headline["models_declaring_base_share"],
            charts_dir / "lineage.png",
        ),
    ]
