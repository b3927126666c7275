"""The charts of a snapshot's report, each declared once: title, caption, tables and drawing.

Captions carry the snapshot's own numbers (models without a task, the migration batch, Gini), so
the page reads on its own. The main charts are listed in page order; the organisations-vs-users
chart belongs to its own section of the page.
"""

from __future__ import annotations

from typing import Any

from analysis.defaults import MIGRATION_BATCH, NO_TASK, TOP_N
from analysis.render import charts
from analysis.render.chart import Chart
from analysis.snapshot.aggregates import Density

_PER_MONTH = "downloads, last 30 days"


def snapshot_charts(headline: dict[str, Any], density: Density) -> list[Chart]:
    """The report's main charts in page order."""
    top_share = headline["top_1%_models_downloads_share"]
    return [
        Chart(
            "top_models_downloads",
            "Top models by downloads",
            "The most downloaded models of the last 30 days.",
            ["top_models_downloads.csv"],
            charts.ranking,
            ("top_models_downloads",),
            {
                "label": "id",
                "value": "downloads",
                "title": f"Top {TOP_N} models by downloads in the last 30 days",
                "unit": _PER_MONTH,
            },
        ),
        Chart(
            "top_models_likes",
            "Top models by likes",
            "The most liked models.",
            ["top_models_likes.csv"],
            charts.ranking,
            ("top_models_likes",),
            {
                "label": "id",
                "value": "likes",
                "title": f"Top {TOP_N} models by likes",
                "unit": "likes (count)",
            },
        ),
        Chart(
            "tasks",
            "Tasks",
            f"Models, downloads and likes per pipeline tag; the {headline['models_without_task']:,}"
            f" models without a task are shown as {NO_TASK}.",
            ["tasks.csv"],
            charts.breakdown,
            ("tasks",),
            {"label": "task", "title": "Tasks by models, downloads and likes"},
        ),
        Chart(
            "modalities",
            "Modalities",
            "Tasks grouped by the Hub's modality taxonomy; tags it does not list count as other.",
            ["modalities.csv"],
            charts.breakdown,
            ("modalities",),
            {"label": "modality", "title": "Modalities by models, downloads and likes"},
        ),
        Chart(
            "top_authors_downloads",
            "Top authors by downloads",
            "Users and organisations whose models were downloaded most in the last 30 days,"
            " coloured by author kind.",
            ["top_authors_downloads.csv"],
            charts.ranking,
            ("top_authors_downloads",),
            {
                "label": "author",
                "value": "downloads",
                "title": f"Top {TOP_N} authors by downloads in the last 30 days",
                "unit": _PER_MONTH,
            },
        ),
        Chart(
            "top_authors_models",
            "Top authors by models",
            "Users and organisations with the most models, coloured by author kind.",
            ["top_authors_models.csv"],
            charts.ranking,
            ("top_authors_models",),
            {
                "label": "author",
                "value": "models",
                "title": f"Top {TOP_N} authors by number of models",
                "unit": "models (count)",
            },
        ),
        Chart(
            "libraries",
            "Libraries",
            "Models, downloads and likes per library.",
            ["libraries.csv"],
            charts.breakdown,
            ("libraries",),
            {"label": "library", "title": "Libraries by models, downloads and likes"},
        ),
        Chart(
            "licenses",
            "Licenses",
            "Models, downloads and likes per license tag.",
            ["licenses.csv"],
            charts.breakdown,
            ("licenses",),
            {"label": "license", "title": "Licenses by models, downloads and likes"},
        ),
        Chart(
            "likes_vs_downloads",
            "Likes vs downloads",
            "Every model with both counts on log-log axes, in hexagonal bins.",
            ["likes_vs_downloads.csv"],
            charts.likes_vs_downloads,
            options={"density": density},
        ),
        Chart(
            "created_per_month",
            "Models created per month",
            f"Stacked by modality; the {headline['createdAt_placeholder_models']:,} models of"
            f" {MIGRATION_BATCH}, whose creation date is unknown, are counted apart, not in"
            " March 2022.",
            ["created_per_month.csv"],
            charts.created_per_month,
            ("created_per_month",),
        ),
        Chart(
            "concentration",
            "Concentration of downloads",
            f"Gini {headline['gini_models']:.3f} among models and {headline['gini_authors']:.3f}"
            f" among authors; the top 1% of models hold {top_share:.1%} of downloads.",
            ["concentration.csv", "lorenz.csv"],
            charts.concentration,
            ("concentration", "lorenz"),
        ),
        Chart(
            "lineage",
            "Lineage",
            f"Base models with the most derivatives, by relation; "
            f"{headline['models_declaring_base_share']:.1%} of models declare a base model.",
            ["lineage.csv", "lineage_relations.csv"],
            charts.lineage,
            ("lineage",),
            {"declaring": headline["models_declaring_base_share"]},
        ),
    ]


def author_charts(profiles_note: str, profiles_label: str) -> list[Chart]:
    """The charts of the organisations-vs-users section."""
    return [
        Chart(
            "author_kinds",
            "Organisations vs users",
            f"Shares of all models and of all 30-day downloads by author kind. {profiles_note}",
            ["author_kinds.csv", "top_organisations.csv"],
            charts.author_kinds,
            ("author_kinds",),
            {"profiles_label": profiles_label},
        )
    ]
