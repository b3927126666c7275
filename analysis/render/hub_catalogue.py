"""The whole Hub's sections of the report, each chart declared once: the overview of the three
repo types, datasets, Spaces, the links between them and the models' sizes.

A repo type without a sound partition for the day gets no section; the overview says why. Spaces
have no download counts, and their section says so rather than showing zeros.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.defaults import MIGRATION_BATCH, TOP_N
from analysis.render import charts
from analysis.render.chart import Chart
from analysis.render.page import KeyTable, Section
from analysis.snapshot.hub import DATASET_CATEGORIES, NEW_DAYS
from analysis.store.derive import UNKNOWN_SIZE

_PER_MONTH = "downloads, last 30 days"
_NO_DOWNLOADS = (
    "The Hub keeps no download counts for Spaces: they are compared by likes, trending score and"
    " the models they use, never by zeros."
)


def _ranking(name: str, heading: str, caption: str, noun: str, **options: str) -> Chart:
    """A ranking chart of the table `name`; `options` are charts.ranking's."""
    return Chart(
        name, heading, caption, [f"{name}.csv"], charts.ranking, (name,), {"noun": noun, **options}
    )


def overview(headline: dict[str, Any], missing: dict[str, str]) -> Section:
    """The three repo types side by side, and why any of them is not in the report."""
    rows = [("models", headline["models"], headline["downloads_30d"], headline.get("new_models"))]
    if "datasets" in headline:
        rows.append(
            (
                "datasets",
                headline["datasets"],
                headline["datasets_downloads_30d"],
                headline["new_datasets"],
            )
        )
    if "spaces" in headline:
        rows.append(("spaces", headline["spaces"], None, headline["new_spaces"]))
    frame = pd.DataFrame(
        rows, columns=["repo_type", "repos", "downloads_30d", f"created_last_{NEW_DAYS}_days"]
    )
    frame["downloads_30d"] = frame["downloads_30d"].astype("Int64")
    note = (
        f"Repos, 30-day downloads and repos created in the last {NEW_DAYS} days of each repo type"
        " snapshotted that day (Spaces have no download counts)."
    )
    reasons = " ".join(missing[repo_type] for repo_type in sorted(missing))
    return Section(
        "The whole Hub",
        "hub",
        f"{note} {reasons}".strip(),
        [],
        [KeyTable("Repos by type", frame)],
    )


def _datasets(frames: dict[str, pd.DataFrame], headline: dict[str, Any]) -> Section:
    concentration = frames["datasets_concentration"].set_index("population")
    categories = [
        Chart(
            f"datasets_{name}",
            f"Datasets by {name.replace('_', ' ')}",
            f"Datasets, downloads and likes per `{column}` tag of the dataset card (the first"
            f" one a dataset declares); datasets without one are shown as {label}.",
            [f"datasets_{name}.csv"],
            charts.breakdown,
            (f"datasets_{name}",),
            {
                "label": column,
                "title": f"Datasets by {name.replace('_', ' ')}",
                "unit": "datasets",
            },
        )
        for column, (name, label) in DATASET_CATEGORIES.items()
    ]
    return Section(
        "Datasets",
        "datasets",
        f"{headline['datasets']:,} datasets, {headline['datasets_downloads_30d']:,} downloads in"
        f" the last 30 days. Gini {concentration.loc['datasets', 'gini']:.3f} among datasets;"
        f" the top 1% hold {concentration.loc['datasets', 'top_1%_share']:.1%} of downloads.",
        [
            _ranking(
                "datasets_top_downloads",
                "Top datasets by downloads",
                "The most downloaded datasets of the last 30 days.",
                "dataset",
                label="id",
                value="downloads",
                title=f"Top {TOP_N} datasets by downloads in the last 30 days",
                unit=_PER_MONTH,
            ),
            _ranking(
                "datasets_top_likes",
                "Top datasets by likes",
                "The most liked datasets.",
                "dataset",
                label="id",
                value="likes",
                title=f"Top {TOP_N} datasets by likes",
                unit="likes (count)",
            ),
            *categories,
            _ranking(
                "datasets_top_authors_downloads",
                "Top dataset authors by downloads",
                "Users and organisations whose datasets were downloaded most, coloured by kind.",
                "dataset",
                label="author",
                value="downloads",
                title=f"Top {TOP_N} dataset authors by downloads in the last 30 days",
                unit=_PER_MONTH,
            ),
            Chart(
                "datasets_concentration",
                "Concentration of dataset downloads",
                "Lorenz curves of 30-day downloads among datasets and among their authors.",
                ["datasets_concentration.csv", "datasets_lorenz.csv"],
                charts.concentration,
                ("datasets_concentration", "datasets_lorenz"),
            ),
            Chart(
                "datasets_created_per_month",
                "Datasets created per month",
                f"Stacked by modality tag; the datasets of {MIGRATION_BATCH} are counted apart.",
                ["datasets_created_per_month.csv"],
                charts.created_per_month,
                ("datasets_created_per_month",),
                {"noun": "datasets"},
            ),
        ],
        [
            KeyTable("Top datasets by downloads", frames["datasets_top_downloads"]),
            KeyTable("Gated datasets", frames["datasets_gated"]),
            KeyTable("Datasets by author kind", frames["datasets_author_kinds"]),
            KeyTable("Top dataset authors by datasets", frames["datasets_top_authors_datasets"]),
        ],
    )


def _spaces(frames: dict[str, pd.DataFrame], headline: dict[str, Any]) -> Section:
    def by(name: str, label: str, heading: str, caption: str) -> Chart:
        return _ranking(
            name, heading, caption, "Space", label=label, value="spaces", title=heading,
            unit="Spaces (count)",
        )  # fmt: skip

    return Section(
        "Spaces",
        "spaces",
        f"{headline['spaces']:,} Spaces. {_NO_DOWNLOADS}",
        [
            by("spaces_sdks", "sdk", "Spaces by SDK", "Spaces per SDK (gradio, docker…)."),
            _ranking(
                "spaces_top_likes",
                "Top Spaces by likes",
                "The most liked Spaces.",
                "Space",
                label="id",
                value="likes",
                title=f"Top {TOP_N} Spaces by likes",
                unit="likes (count)",
            ),
            _ranking(
                "spaces_top_trending",
                "Top Spaces by trending score",
                "The Spaces the Hub ranks highest by its trending score.",
                "Space",
                label="id",
                value="trending_score",
                title=f"Top {TOP_N} Spaces by trending score",
                unit="trending score",
            ),
            by(
                "spaces_hardware_classes",
                "class",
                "Spaces by hardware",
                "The hardware each Space asks for: CPU, or the GPU's kind (spaces_hardware.csv"
                " lists every flavour).",
            ),
            by(
                "spaces_stages",
                "stage",
                "Spaces by stage",
                "Running, sleeping, errored, paused… as the Hub's runtime reports it.",
            ),
            _ranking(
                "spaces_top_authors",
                "Top Space authors",
                "Users and organisations with the most Spaces, coloured by kind.",
                "Space",
                label="author",
                value="spaces",
                title=f"Top {TOP_N} authors by number of Spaces",
                unit="Spaces (count)",
            ),
            Chart(
                "spaces_created_per_month",
                "Spaces created per month",
                f"Stacked by SDK; the Spaces of {MIGRATION_BATCH} are counted apart.",
                ["spaces_created_per_month.csv"],
                charts.created_per_month,
                ("spaces_created_per_month",),
                {"noun": "Spaces", "stack": "sdk"},
            ),
        ],
        [
            KeyTable("Spaces by hardware", frames["spaces_hardware"]),
            KeyTable("Spaces by stage", frames["spaces_stages"]),
            KeyTable("Spaces by author kind", frames["spaces_author_kinds"]),
        ],
    )


def _links(frames: dict[str, pd.DataFrame]) -> Section:
    charts_of = {
        "links_declared_datasets": _ranking(
            "links_declared_datasets",
            "Datasets most declared by models",
            "Models naming each dataset in a dataset: tag; links_declared_datasets.csv sets"
            " the datasets' own downloads and likes beside (empty for a dataset not in the"
            " snapshot).",
            "dataset",
            label="id",
            value="declaring_models",
            title=f"Top {TOP_N} datasets by models declaring them",
            unit="models declaring it (count)",
        ),
        "links_space_models": _ranking(
            "links_space_models",
            "Models most used by Spaces",
            "Spaces naming each model; links_space_models.csv sets the models' own 30-day"
            " downloads beside: apps versus downloads (empty for a model not in the snapshot,"
            " such as a deleted one).",
            "model",
            label="id",
            value="using_spaces",
            title=f"Top {TOP_N} models by Spaces using them",
            unit="Spaces using it (count)",
        ),
    }
    titles = {
        "links_declared_datasets": "Datasets most declared by models",
        "links_space_models": "Models most used by Spaces",
        "links_author_overlap": "Authors by the repo types they publish",
        "links_cross_authors": "Authors publishing every repo type",
    }
    # A link nobody makes gets its (empty) table, not an empty chart.
    chart_list = [
        chart for name, chart in charts_of.items() if name in frames and len(frames[name])
    ]
    return Section(
        "Links between models, datasets and Spaces",
        "links",
        "What models declare, what Spaces use, and who publishes across repo types; shares are"
        " of all repos of each type.",
        chart_list,
        [KeyTable(title, frames[name]) for name, title in titles.items() if name in frames],
    )


def _sizes(frames: dict[str, pd.DataFrame]) -> Section:
    sizes = frames["model_sizes"]
    unknown = int(sizes.loc[sizes["size_class"] == UNKNOWN_SIZE, "models"].sum())
    return Section(
        "Model sizes",
        "sizes",
        f"Parameter counts from the `safetensors` total the Hub reports; the {unknown:,} models"
        " without one are counted as unknown.",
        [
            Chart(
                "model_sizes",
                "Models by parameter count",
                "Models and 30-day downloads per parameter-count class; the models of unknown"
                " size are in the table only.",
                ["model_sizes.csv"],
                charts.size_classes,
                ("model_sizes",),
                {"unknown": UNKNOWN_SIZE},
            )
        ],
        [KeyTable("Models by parameter count", sizes)],
    )


def hub_sections(
    frames: dict[str, pd.DataFrame], headline: dict[str, Any], missing: dict[str, str]
) -> list[Section]:
    """The overview, then a section per companion repo type analysed, the links, the sizes."""
    sections = [overview(headline, missing)]
    if "datasets" in headline:
        sections.append(_datasets(frames, headline))
    if "spaces" in headline:
        sections.append(_spaces(frames, headline))
    return [*sections, _links(frames), _sizes(frames)]
