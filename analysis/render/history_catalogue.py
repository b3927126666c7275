"""The charts of the history section, each declared once: title, caption, tables and drawing.

They are listed in page order. Most draw the tables of the snapshots and intervals, ready as soon
as those are; the velocity of models and authors and their series wait for the walk over the
intervals (analysis.history.walk), so the run draws each one when its tables exist.
"""

from __future__ import annotations

from analysis.defaults import TOP_N, VELOCITY_WINDOWS
from analysis.history.intervals import FAMILY
from analysis.history.timeline import Timeline
from analysis.render import history_charts
from analysis.render.chart import Chart
from analysis.store.derive import SIZE_LABELS


def _series(suffix: str, key: str, what: str, caption: str) -> Chart:
    """The chart of the daily series of the fastest-growing `what` (by `key`)."""
    title = f"Daily downloads of the fastest-growing {what}"
    return Chart(
        f"history_series{suffix}",
        title,
        caption,
        [f"velocity_series{suffix}.csv"],
        history_charts.series,
        (f"velocity_series{suffix}",),
        {"key": key, "title": f"{title} (last {VELOCITY_WINDOWS[0]} days)"},
    )


def history_section_charts(line: Timeline) -> list[Chart]:
    """The history section's charts in page order, over the snapshots of `line`."""
    missing = [day.isoformat() for gap in line.gaps for day in gap.missing]
    shortest, longest = VELOCITY_WINDOWS[0], VELOCITY_WINDOWS[-1]
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
            "history_velocity",
            "Adoption velocity",
            "Models that gained the most downloads (downloadsAllTime differences) in the last "
            f"{shortest} days; the CSVs also rank by relative gain and over {longest} days, for"
            " models, authors and base-model families (the downloads gained by a base model's"
            " derivatives).",
            ["velocity_models.csv", "velocity_authors.csv", "velocity_families.csv"],
            history_charts.velocity,
            ("velocity_models",),
            {
                "window_days": shortest,
                "title": f"Top {TOP_N} models by downloads gained in the last {shortest} days",
                "unit": "downloads gained (downloadsAllTime difference, log scale)",
            },
        ),
        _series(
            "",
            "id",
            "models",
            "Downloads per day over each interval between snapshots (symmetric log scale).",
        ),
        _series(
            "_authors",
            "author",
            "authors",
            "Downloads per day gained by all of an author's models, over each interval.",
        ),
        _series(
            "_families",
            FAMILY,
            "base-model families",
            "Downloads per day gained by the models declaring each base model, over each interval.",
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
            {"group": "pipeline_tag"},
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
