"""Write the history part of a report: its CSV tables, charts, summary and page section.

Runs when the range (`--since`, `--until`) holds at least two complete partitions. Each snapshot's
digest and each interval between consecutive snapshots come from the history cache (see
analysis.daily and analysis.intervals), so only what a new day adds is computed; the tables below
are then assembled from those small results and the few models followed (`--model`).
"""

from __future__ import annotations

from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import charts, history, history_charts, velocity
from analysis.daily import digest
from analysis.defaults import HISTORY_MODELS, TOP_N, VELOCITY_TOP, VELOCITY_WINDOWS
from analysis.intervals import FAMILY, interval
from analysis.model_history import cycles, followed, model_history
from analysis.report import Chart, KeyTable, Section
from analysis.tables import write_csv
from analysis.timeline import Timeline


@dataclass(frozen=True)
class HistoryRequest:
    """What the command line asks of the history: its date range and the models to follow."""

    since: date | None = None
    until: date | None = None
    models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryResult:
    """The history's page section, its part of summary.json, and its charts still to draw."""

    section: Section
    summary: dict[str, Any]
    drawings: list[partial[None]]


def _velocity(
    alignment: velocity.Alignment, key: str, sums: dict[int, velocity.WindowSums]
) -> pd.DataFrame:
    """The velocity rankings by `key` over every window."""
    frames = [
        velocity.velocity(alignment, key, days, VELOCITY_TOP, sums) for days in VELOCITY_WINDOWS
    ]
    return pd.concat(frames, ignore_index=True)


def _fastest(ranked: pd.DataFrame) -> pd.DataFrame:
    """The absolute ranking (of models, authors or families) over the shortest window."""
    shortest = ranked["window_days"] == VELOCITY_WINDOWS[0]
    return ranked[shortest & (ranked["ranking"] == "absolute")]


def _series(alignment: velocity.Alignment, ranked: pd.DataFrame, key: str) -> pd.DataFrame:
    """The daily series of the fastest gainers of `ranked` (by `key`), over the longest window."""
    return velocity.series(alignment, list(_fastest(ranked)[key].head(HISTORY_MODELS)), key)


def _frames(
    data_dir: Path, line: Timeline, caches: dict[date, Path], named: list[str]
) -> dict[str, pd.DataFrame]:
    partitions = line.partitions
    digests = [digest(data_dir, p, caches[p.day]) for p in partitions]
    spans = [
        interval(data_dir, a, b, caches[a.day], caches[b.day]) for a, b in pairwise(partitions)
    ]
    alignment = velocity.align(
        velocity.window(spans, max(VELOCITY_WINDOWS)), caches[partitions[-1].day]
    )
    sums = velocity.window_sums(alignment, VELOCITY_WINDOWS)
    models = _velocity(alignment, "id", sums)
    authors = _velocity(alignment, "author", sums)
    families = _velocity(alignment, FAMILY, sums)
    latest = caches[partitions[-1].day]
    history_of_models = model_history(
        [(p, caches[p.day]) for p in partitions], followed(latest, HISTORY_MODELS, named)
    )
    return {
        "history_snapshots": history.snapshots(digests),
        "history_gaps": history.gaps(line),
        "history_skipped": history.skipped(line),
        "history_intervals": history.intervals(spans),
        "history_churn": history.churn(spans),
        "history_modalities": history.shares(spans, "modality"),
        "history_tasks": history.shares(spans, "pipeline_tag"),
        "history_libraries": history.shares(spans, "library_name"),
        "history_anomalies": history.anomalies(spans),
        "velocity_models": models,
        "velocity_authors": authors,
        "velocity_families": families,
        "velocity_series": _series(alignment, models, "id"),
        "velocity_series_authors": _series(alignment, authors, "author"),
        "velocity_series_families": _series(alignment, families, FAMILY),
        "history_lineage": history.lineage(digests, HISTORY_MODELS),
        "model_history": history_of_models,
        "model_cycles": cycles(history_of_models),
    }


# The daily series charted: CSV/PNG suffix, the key column, what the lines are.
_SERIES = (
    ("", "id", "models"),
    ("_authors", "author", "authors"),
    ("_families", FAMILY, "base-model families"),
)


def _drawings(
    frames: dict[str, pd.DataFrame], line: Timeline, charts_dir: Path
) -> list[partial[None]]:
    """Each history chart as a picklable call, drawn by the report's worker processes."""
    missing = [day.isoformat() for gap in line.gaps for day in gap.missing]
    return [
        partial(
            history_charts.concentration,
            frames["history_snapshots"],
            missing,
            charts_dir / "history_concentration.png",
        ),
        partial(history_charts.churn, frames["history_churn"], charts_dir / "history_churn.png"),
        partial(history_charts.hype, frames["history_modalities"], charts_dir / "history_hype.png"),
        partial(
            history_charts.hype,
            frames["history_tasks"],
            charts_dir / "history_hype_tasks.png",
            group="pipeline_tag",
        ),
        partial(
            history_charts.hype,
            frames["history_libraries"],
            charts_dir / "history_hype_libraries.png",
            group="library_name",
        ),
        partial(
            charts.ranking,
            _fastest(frames["velocity_models"]),
            label="id",
            value="gained",
            title=f"Top {TOP_N} models by downloads gained in the last {VELOCITY_WINDOWS[0]} days",
            unit="downloads gained (downloadsAllTime difference, log scale)",
            path=charts_dir / "history_velocity.png",
        ),
        *(
            partial(
                history_charts.series,
                frames[f"velocity_series{suffix}"],
                charts_dir / f"history_series{suffix}.png",
                key=key,
                title=f"Daily downloads of the fastest-growing {what}"
                f" (last {VELOCITY_WINDOWS[0]} days)",
            )
            for suffix, key, what in _SERIES
        ),
        partial(
            history_charts.lineage, frames["history_lineage"], charts_dir / "history_lineage.png"
        ),
    ]


def _charts() -> list[Chart]:
    return [
        Chart(
            "history_concentration",
            "Concentration over time",
            "Gini and the top-1% share of 30-day downloads among models, per snapshot date.",
            ["history_snapshots.csv", "history_gaps.csv"],
        ),
        Chart(
            "history_velocity",
            "Adoption velocity",
            "Models that gained the most downloads (downloadsAllTime differences) in the last "
            f"{VELOCITY_WINDOWS[0]} days; the CSVs also rank by relative gain and over "
            f"{VELOCITY_WINDOWS[-1]} days, for models, authors and base-model families (the"
            " downloads gained by a base model's derivatives).",
            ["velocity_models.csv", "velocity_authors.csv", "velocity_families.csv"],
        ),
        Chart(
            "history_series",
            "Daily downloads of the fastest-growing models",
            "Downloads per day over each interval between snapshots (symmetric log scale).",
            ["velocity_series.csv"],
        ),
        Chart(
            "history_series_authors",
            "Daily downloads of the fastest-growing authors",
            "Downloads per day gained by all of an author's models, over each interval.",
            ["velocity_series_authors.csv"],
        ),
        Chart(
            "history_series_families",
            "Daily downloads of the fastest-growing base-model families",
            "Downloads per day gained by the models declaring each base model, over each interval.",
            ["velocity_series_families.csv"],
        ),
        Chart(
            "history_hype",
            "Hype cycles by modality",
            "Each modality's share of the downloads gained and of the models created per interval.",
            ["history_modalities.csv"],
        ),
        Chart(
            "history_hype_tasks",
            "Hype cycles by task",
            "The same shares for the eight tasks that gained the most downloads; the others are"
            " lumped together.",
            ["history_tasks.csv"],
        ),
        Chart(
            "history_hype_libraries",
            "Hype cycles by library",
            "The same shares for the eight libraries that gained the most downloads; the others"
            " are lumped together.",
            ["history_libraries.csv"],
        ),
        Chart(
            "history_churn",
            "Churn",
            "Models created and deleted between consecutive snapshots, per day, by modality.",
            ["history_churn.csv", "history_intervals.csv"],
        ),
        Chart(
            "history_lineage",
            "Lineage over time",
            "Derivatives of the latest snapshot's top base models at each snapshot date, and the"
            " same derivatives by relation (finetune, adapter, quantized, merge).",
            ["history_lineage.csv"],
        ),
    ]


def _note(line: Timeline, anomalies: int) -> str:
    first, last = line.partitions[0].day, line.partitions[-1].day
    missing = sum(len(gap.missing) for gap in line.gaps)
    return (
        f"{len(line.partitions)} complete snapshots from {first} to {last}; {missing} missing"
        f" day(s) are gaps (rates divide by the real days between snapshots), "
        f"{len(line.skipped)} incomplete partition(s) skipped, {anomalies} downloadsAllTime"
        " decrease(s) flagged as anomalies and left out. Downloads gained are differences of"
        " downloadsAllTime between snapshots."
    )


def _windows(intervals: pd.DataFrame) -> dict[str, dict[str, Any] | None]:
    """The dates each velocity window really covers (None when no interval fits in it)."""
    latest = date.fromisoformat(intervals["end"].iloc[-1])
    covered: dict[str, dict[str, Any] | None] = {}
    for days in VELOCITY_WINDOWS:
        starts = [
            start
            for start in intervals["start"]
            if (latest - date.fromisoformat(start)).days <= days
        ]
        covered[f"{days}_days"] = (
            {"start": starts[0], "end": latest.isoformat(), "intervals": len(starts)}
            if starts
            else None
        )
    return covered


def prepare_history(
    data_dir: Path, line: Timeline, caches: dict[date, Path], executor: Executor
) -> None:
    """Compute the missing digests and intervals of `line` on the executor's workers, together.

    They are independent of each other, so a cold history keeps both workers busy; afterwards
    `write_history` finds every one of them in the history cache.
    """
    partitions = line.partitions
    jobs = [
        executor.submit(interval, data_dir, a, b, caches[a.day], caches[b.day])
        for a, b in pairwise(partitions)
    ]
    jobs += [executor.submit(digest, data_dir, p, caches[p.day]) for p in partitions]
    try:
        for job in as_completed(jobs):
            job.result()
    finally:
        for job in jobs:
            job.cancel()


def write_history(
    data_dir: Path,
    line: Timeline,
    caches: dict[date, Path],
    request: HistoryRequest,
    report_dir: Path,
) -> HistoryResult:
    """Write the history's tables into `report_dir`; return its section, its summary and its
    charts as drawings for the caller's workers (drawn beside the report's own)."""
    frames = _frames(data_dir, line, caches, request.models)
    (report_dir / "tables").mkdir(parents=True, exist_ok=True)
    (report_dir / "charts").mkdir(exist_ok=True)
    for name, frame in frames.items():
        write_csv(frame, report_dir / "tables" / f"{name}.csv")
    chart_list = _charts()
    anomalies = len(frames["history_anomalies"])
    followed_ids = set(frames["model_history"]["id"])
    models = frames["velocity_models"]
    section = Section(
        "History",
        "history",
        _note(line, anomalies),
        chart_list,
        [
            KeyTable("Intervals between snapshots", frames["history_intervals"]),
            KeyTable("Missing days", frames["history_gaps"]),
            KeyTable("Skipped partitions", frames["history_skipped"]),
            KeyTable(
                f"Fastest-growing models, last {VELOCITY_WINDOWS[0]} days",
                models[models["window_days"] == VELOCITY_WINDOWS[0]],
            ),
            KeyTable("Anomalies: downloadsAllTime went down", frames["history_anomalies"]),
            KeyTable("Rise, peak and decline of the followed models", frames["model_cycles"]),
            KeyTable("History of the followed models", frames["model_history"]),
        ],
    )
    summary = {
        "snapshots": [p.day.isoformat() for p in line.partitions],
        "skipped_partitions": [{"name": s.name, "reason": s.reason} for s in line.skipped],
        "missing_days": [day.isoformat() for gap in line.gaps for day in gap.missing],
        "intervals": len(line.partitions) - 1,
        "anomalies": anomalies,
        "models_not_found": [m for m in request.models if m not in followed_ids],
        "velocity_windows": _windows(frames["history_intervals"]),
    }
    return HistoryResult(section, summary, _drawings(frames, line, report_dir / "charts"))
