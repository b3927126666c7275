"""The charts of the history sections, each declared once: title, caption, tables and drawing.

The models' history and that of datasets and Spaces (`hub_history_charts`: their top gainers,
rising repos, hype cycles, listed shares and churn, from the same tables named after the repo
type) are listed in page order. Most draw the tables of the snapshots and intervals, ready as soon
as those are; the rising repos, the velocity of models and authors and their series wait for the
walk over the intervals (analysis.history.walk), so the run draws each one when its tables
exist. Titles and captions name the span the snapshots really cover ("last 4 days" when a 7-day
window holds four).
"""

from __future__ import annotations

from analysis.defaults import TOP_N, VELOCITY_WINDOWS
from analysis.history.intervals import FAMILY
from analysis.history.tables import history_name, velocity_names
from analysis.history.timeline import Timeline, span_words
from analysis.render import history_charts
from analysis.render.chart import Chart, capitalised
from analysis.store.derive import SIZE_LABELS, record_field
from analysis.store.repo_types import RepoType


def _series(suffix: str, key: str, what: str, caption: str, shortest: str) -> Chart:
    """The chart of the daily series of the fastest-growing `what` (by `key`) of the window
    `shortest` names."""
    title = f"Daily downloads of the fastest-growing {what}"
    return Chart(
        f"history_series{suffix}",
        title,
        caption,
        [f"velocity_series{suffix}.csv"],
        history_charts.series,
        (f"velocity_series{suffix}",),
        {"key": key, "title": f"{title} of the {shortest}"},
    )


def _covered(line: Timeline, days: int) -> str:
    """The window of `days` as the titles name it: the span the snapshots really cover."""
    span = line.window(days)
    if span is None:
        return span_words(days)
    start, end = span
    return span_words((end - start).days)


def history_section_charts(line: Timeline, repo_type: RepoType) -> list[Chart]:
    """The history section's charts in page order, over the snapshots of `line`."""
    missing = [day.isoformat() for gap in line.gaps for day in gap.missing]
    shortest = _covered(line, VELOCITY_WINDOWS[0])
    longest = _covered(line, VELOCITY_WINDOWS[-1])
    name = repo_type.name
    return [
        Chart(
            "history_concentration",
            "Concentration over time",
            "Gini and the top-1% share of 30-day downloads among models, per snapshot date.",
            ["history_snapshots.csv", "history_gaps.csv"],
            history_charts.concentration,
            ("history_snapshots",),
            {"missing": missing},
        ),
        Chart(
            "history_rising",
            f"Rising {name}",
            f"The {name} gaining fastest against their usual pace over the {shortest}: each"
            f" one's downloads per day then (dot) against its usual pace at the window's start"
            f" (ring, at least {repo_type.trend.floor:,g} a day); the Trends section's tables"
            " give every window.",
            [f"rising_{name}.csv"],
            history_charts.rising,
            (f"rising_{name}",),
            {
                # The window the velocity chart below shows too.
                "window_days": VELOCITY_WINDOWS[0],
                "floor": repo_type.trend.floor,
                "noun": repo_type.noun,
                "title": f"Top {TOP_N} rising {name} of the {shortest}",
            },
        ),
        Chart(
            "history_velocity",
            "Adoption velocity",
            f"Models that gained the most downloads (downloadsAllTime differences) in the"
            f" {shortest}; the CSVs also rank by relative gain"
            f"{'' if longest == shortest else f' and over the {longest}'}, for models, authors"
            " and base-model families (the downloads gained by a base model's derivatives).",
            ["velocity_models.csv", "velocity_authors.csv", "velocity_families.csv"],
            history_charts.velocity,
            ("velocity_models",),
            {
                "window_days": VELOCITY_WINDOWS[0],
                "title": f"Top {TOP_N} models by downloads gained in the {shortest}",
                "unit": "downloads gained (downloadsAllTime difference)",
            },
        ),
        _series(
            "",
            "id",
            "models",
            "Downloads per day (downloadsAllTime differences) over each interval between"
            " snapshots.",
            shortest,
        ),
        _series(
            "_authors",
            "author",
            "authors",
            "Downloads per day gained by all of an author's models, over each interval.",
            shortest,
        ),
        _series(
            "_families",
            FAMILY,
            "base-model families",
            "Downloads per day gained by the models declaring each base model, over each interval.",
            shortest,
        ),
        Chart(
            "history_hype",
            "Hype cycles by modality",
            "Each modality's share of the downloads gained and of the models created per interval.",
            ["history_modalities.csv"],
            history_charts.hype,
            ("history_modalities",),
        ),
        Chart(
            "history_hype_tasks",
            "Hype cycles by task",
            "The same shares for the eight tasks that gained the most downloads; the others are"
            " lumped together.",
            ["history_tasks.csv"],
            history_charts.hype,
            ("history_tasks",),
            {"group": "task"},
        ),
        Chart(
            "history_hype_libraries",
            "Hype cycles by library",
            "The same shares for the eight libraries that gained the most downloads; the others"
            " are lumped together.",
            ["history_libraries.csv"],
            history_charts.hype,
            ("history_libraries",),
            {"group": "library_name"},
        ),
        Chart(
            "history_churn",
            "Churn",
            "Models created and deleted between consecutive snapshots, per day, by modality.",
            ["history_churn.csv", "history_intervals.csv"],
            history_charts.churn,
            ("history_churn",),
        ),
        Chart(
            "history_lineage",
            "Lineage over time",
            "Derivatives of the latest snapshot's top base models at each snapshot date, and the"
            " same derivatives by relation (finetune, adapter, quantized, merge).",
            ["history_lineage.csv"],
            history_charts.lineage,
            ("history_lineage",),
        ),
        Chart(
            "history_model_sizes",
            "Model sizes over time",
            "Each parameter-count class's share of the downloads gained and of the models created"
            " per interval (a model classed by its safetensors total at the interval's end).",
            ["history_model_sizes.csv"],
            history_charts.hype,
            ("history_model_sizes",),
            {"group": "size_class", "keep": len(SIZE_LABELS)},
        ),
    ]


# How the history's prose writes a dimension's name, where it differs from the table's column.
_WORDS = {"sdk": "SDK"}


def _words(column: str) -> str:
    return _WORDS.get(column, column.replace("_", " "))


def hub_history_charts(line: Timeline, repo_type: RepoType) -> list[Chart]:
    """The charts of the history of datasets or Spaces (`repo_type`) in page order, over the
    snapshots of `line`: its top gainers and rising repos of the week, its hype cycles per
    dimension, the shares of its listed values per snapshot, its churn."""
    name, noun, trend = repo_type.name, repo_type.noun, repo_type.trend
    history, unit, repos = repo_type.history, trend.unit, f"{noun}s"
    counter = record_field(trend.counter)
    week = VELOCITY_WINDOWS[0]
    shown = _covered(line, week)
    velocity, _ = velocity_names(repo_type, "id")
    chart_list = [
        Chart(
            f"history_{name}_velocity",
            f"{capitalised(repos)} that gained the most {unit}",
            f"The {repos} whose {unit} grew most in the {shown} (differences of {counter}"
            f" between snapshots); {velocity}.csv ranks every window (1, 7 and 30 days, clipped"
            f" to the data), absolute and relative, and {velocity}_authors.csv their authors.",
            [f"{velocity}.csv", f"{velocity}_authors.csv"],
            history_charts.velocity,
            (velocity,),
            {
                "window_days": week,
                "title": f"Top {TOP_N} {repos} by {unit} gained in the {shown}",
                "unit": f"{unit} gained ({counter} difference)",
                "noun": noun,
            },
        ),
        Chart(
            f"history_{name}_rising",
            f"Rising {repos}",
            f"The {repos} gaining {unit} fastest against their usual pace over the {shown}:"
            f" each one's {unit} per day then (dot) against its usual pace at the window's start"
            f" (ring, at least {trend.floor:,g} a day); rising_{name}.csv gives every window.",
            [f"rising_{name}.csv"],
            history_charts.rising,
            (f"rising_{name}",),
            {
                "window_days": week,
                "floor": trend.floor,
                "noun": noun,
                "title": f"Top {TOP_N} rising {repos} of the {shown}",
                "unit": unit,
            },
        ),
    ]
    for dimension in history.dimensions:
        table = history_name(repo_type, dimension.table)
        several = repo_type.many(dimension.column)
        title = _words(dimension.name)
        chart_list.append(
            Chart(
                table,
                f"Hype cycles by {title}",
                f"Each {title}'s share of the {unit} gained and of the {repos} created per"
                " interval"
                + (
                    f": the eight that gained the most, as lines (a {noun} with several is"
                    " counted in each, so the shares add up to more than 1)."
                    if several
                    else "; past eight, the others are lumped together."
                ),
                [f"{table}.csv"],
                history_charts.hype,
                (table,),
                {"group": dimension.name, "unit": unit, "noun": repos, "overlapping": several},
            )
        )
    if history.listed_by is not None:
        table = history_name(repo_type, f"{history.listed_by}_shares")
        title = _words(history.listed_by)
        chart_list.append(
            Chart(
                table,
                f"{capitalised(repos)} by {title} over time",
                f"Each {title}'s share of all {repos} at each snapshot date.",
                [f"{table}.csv"],
                history_charts.listed,
                (table,),
                {"group": history.listed_by, "noun": repos},
            )
        )
    churn = history_name(repo_type, "churn")
    split = f", by {_words(history.churn_by)}" if history.churn_by else ""
    chart_list.append(
        Chart(
            churn,
            f"Churn of {repos}",
            f"{capitalised(repos)} created and deleted between consecutive snapshots, per"
            f" day{split}.",
            [f"{churn}.csv", f"{history_name(repo_type, 'intervals')}.csv"],
            history_charts.churn,
            (churn,),
            {"group": history.churn_by, "noun": repos},
        )
    )
    return chart_list
