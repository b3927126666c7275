"""The whole Hub's sections of the report, each chart declared once: the overview of the three
repo types, datasets and Spaces (each with its history), the links between them and the models'
sizes.

A repo type without a sound partition for the day, or left out of the run, gets no section; the
overview says why. So do the links and the sizes without the models. Spaces have no download
counts, and their sections say so rather than showing zeros. The history's charts of datasets and
Spaces are declared in analysis.render.history_catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.defaults import MIGRATION_BATCH, TOP_N, VELOCITY_WINDOWS
from analysis.history.tables import history_name, velocity_names
from analysis.history.timeline import Timeline, span_words
from analysis.render import charts
from analysis.render.chart import Chart, capitalised
from analysis.render.page import KeyTable, Section
from analysis.snapshot.hub import DATASET_CATEGORIES, NEW_DAYS, SEVERAL_MODALITIES
from analysis.store.derive import UNKNOWN_SIZE, record_field
from analysis.store.repo_types import REPO_TYPES, RepoType

_PER_MONTH = "downloads, last 30 days"
_NO_DOWNLOADS = (
    "The Hub keeps no download counts for Spaces: they are compared by likes, trending score and"
    " the models they use, never by zeros."
)


def _ids(repo_type: str) -> dict[str, str]:
    """The links of a table whose ids are repos of `repo_type`."""
    return {"id": REPO_TYPES[repo_type].hub_path}


def _ranking(name: str, heading: str, caption: str, noun: str, **options: str) -> Chart:
    """A ranking chart of the table `name` (its first `TOP_N` rows); `options` are
    charts.ranking's."""
    drawn = {"noun": noun, **options}
    return Chart(name, heading, caption, [f"{name}.csv"], charts.ranking, (name,), drawn, TOP_N)


@dataclass(frozen=True)
class HubHistory:
    """What the page shows of the history of datasets or Spaces: the repo type, the timeline of
    its snapshots, and its charts (none without two snapshots)."""

    repo_type: RepoType
    line: Timeline
    charts: list[Chart]


def overview(headline: dict[str, Any], missing: dict[str, str]) -> Section:
    """The three repo types side by side, and why any of them is not in the report."""
    rows = []
    if "models" in headline:
        rows.append(
            ("models", headline["models"], headline["downloads_30d"], headline.get("new_models"))
        )
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
    reasons = " ".join(missing[repo_type] for repo_type in REPO_TYPES if repo_type in missing)
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
            f"datasets_{category.name}",
            f"Datasets by {category.name.replace('_', ' ')}",
            f"Datasets, downloads and likes per `{category.tag}` tag of the dataset card"
            + (
                " (a dataset declaring several is counted in each, so the counts add up to more"
                " than the datasets)"
                if category.many
                else " (the first one a dataset declares)"
            )
            + f"; datasets without one are shown as {category.label}.",
            [f"datasets_{category.name}.csv"],
            charts.breakdown,
            (f"datasets_{category.name}",),
            {
                "label": category.column,
                "title": f"Datasets by {category.name.replace('_', ' ')}",
                "unit": "datasets",
            },
        )
        for category in DATASET_CATEGORIES.values()
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
                f"Stacked by modality tag (a dataset with several is counted once, under"
                f" {SEVERAL_MODALITIES}); the datasets of {MIGRATION_BATCH} are counted apart.",
                ["datasets_created_per_month.csv"],
                charts.created_per_month,
                ("datasets_created_per_month",),
                {"noun": "datasets"},
            ),
        ],
        [
            KeyTable(
                "Top datasets by downloads",
                frames["datasets_top_downloads"],
                links=_ids("datasets"),
            ),
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
    # Declared datasets are datasets; the models Spaces use are models.
    ids = {"links_declared_datasets": _ids("datasets"), "links_space_models": _ids("models")}
    return Section(
        "Links between models, datasets and Spaces",
        "links",
        "What models declare, what Spaces use, and who publishes across repo types; shares are"
        " of all repos of each type.",
        chart_list,
        [
            KeyTable(title, frames[name], links=ids.get(name, {}))
            for name, title in titles.items()
            if name in frames
        ],
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


def _window(line: Timeline, days: int) -> str:
    """The window of `days` as a title names it: its span and dates."""
    start, end = line.window(days) or (line.partitions[0].day, line.partitions[-1].day)
    return f"{span_words((end - start).days)} ({start} to {end})"


def _history(history: HubHistory, frames: dict[str, pd.DataFrame]) -> Section:
    """The history of datasets or Spaces: what it covers, its charts and key tables."""
    repo_type, line = history.repo_type, history.line
    name, trend, repos = repo_type.name, repo_type.trend, f"{repo_type.noun}s"
    title, anchor = f"{capitalised(repos)} over time", f"{name}-history"
    if not history.charts:
        return Section(
            title,
            anchor,
            f"The history of {repos} starts with the second complete {name} snapshot; the"
            f" range holds {len(line.partitions)}.",
        )
    missing = sum(len(gap.missing) for gap in line.gaps)
    note = (
        f"{len(line.partitions)} complete {name} snapshots from {line.partitions[0].day} to"
        f" {line.partitions[-1].day}; {missing} missing day(s) are gaps (rates divide by the real"
        f" days between snapshots), {len(line.skipped)} incomplete partition(s) skipped."
        f" {capitalised(trend.unit)} gained are differences of"
        f" {record_field(trend.counter)} between snapshots"
    )
    if trend.falls:
        note += f", a {trend.unit.removesuffix('s')} taken back counting as a loss. {_NO_DOWNLOADS}"
    else:
        anomalies = len(frames[history_name(repo_type, "anomalies")])
        note += f"; {anomalies} decrease(s) flagged as anomalies and left out."
    week = VELOCITY_WINDOWS[0]
    velocity, _ = velocity_names(repo_type, "id")
    ranked = frames[velocity]
    gainers = ranked[(ranked["window_days"] == week) & (ranked["ranking"] == "absolute")]
    gainers = gainers[["rank", "id", "gained", "per_day", "start_all_time", "relative_gain"]]
    rising = frames[f"rising_{name}"]
    rising = rising[rising["window_days"] == week]
    return Section(
        title,
        anchor,
        note,
        history.charts,
        [
            KeyTable(
                f"{capitalised(repos)} that gained the most {trend.unit}, {_window(line, week)}",
                gainers.rename(columns={"start_all_time": f"{trend.counter}_at_start"}),
                f"{velocity}.csv",
                links=_ids(name),
            ),
            KeyTable(
                f"Rising {repos}, {_window(line, week)}",
                rising[["rank", "id", "gained", "per_day", "usual_per_day", "rise"]],
                f"rising_{name}.csv",
                links=_ids(name),
            ),
            KeyTable("Intervals between snapshots", frames[history_name(repo_type, "intervals")]),
            KeyTable("Missing days", frames[history_name(repo_type, "gaps")]),
            KeyTable("Skipped partitions", frames[history_name(repo_type, "skipped")]),
        ],
    )


def hub_sections(
    frames: dict[str, pd.DataFrame],
    headline: dict[str, Any],
    missing: dict[str, str],
    histories: dict[str, HubHistory],
) -> list[Section]:
    """The overview, then a section per companion repo type analysed with its history (by repo
    type in `histories`), the links and the sizes (with the models only)."""
    sections = [overview(headline, missing)]
    for name, section in (("datasets", _datasets), ("spaces", _spaces)):
        if name in headline:
            sections.append(section(frames, headline))
            if name in histories:
                sections.append(_history(histories[name], frames))
    if "models" not in headline:
        return sections
    return [*sections, _links(frames), _sizes(frames)]
