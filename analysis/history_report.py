"""Write the history part of a report: its CSV tables, charts, summary and page section.

Runs when the range (`--since`, `--until`) holds at least two complete partitions. Each snapshot's
digest and each interval between consecutive snapshots come from the history cache (see
analysis.daily and analysis.intervals), so only what a new day adds is computed; the tables below
are then assembled from those small results and the few models followed (`--model`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, as_completed
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
from analysis.intervals import FAMILY, Interval, interval
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
    """The history's page section, its part of summary.json, and the jobs drawing its charts."""

    section: Section
    summary: dict[str, Any]
    drawn: list[Future[None]]
    queued: list[Future[Any]]


def _spans(data_dir: Path, line: Timeline, caches: dict[date, Path]) -> list[Interval]:
    """The intervals between the consecutive partitions of `line`, from the history cache."""
    return [
        interval(data_dir, a, b, caches[a.day], caches[b.day]) for a, b in pairwise(line.partitions)
    ]


def _velocity_frames(
    data_dir: Path, line: Timeline, caches: dict[date, Path]
) -> dict[str, pd.DataFrame]:
    """The velocity rankings and daily series of models and authors (one worker's job)."""
    found = velocity.velocities(
        _spans(data_dir, line, caches),
        caches[line.partitions[-1].day],
        VELOCITY_WINDOWS,
        VELOCITY_TOP,
        HISTORY_MODELS,
    )
    return {
        "velocity_models": found.rankings["id"],
        "velocity_authors": found.rankings["author"],
        "velocity_series": found.series["id"],
        "velocity_series_authors": found.series["author"],
    }


def _followed_frames(
    line: Timeline, caches: dict[date, Path], named: list[str]
) -> dict[str, pd.DataFrame]:
    """The history of the followed models (a worker's job, from the snapshots' caches only)."""
    partitions = line.partitions
    latest = caches[partitions[-1].day]
    history_of_models = model_history(
        [(p, caches[p.day]) for p in partitions], followed(latest, HISTORY_MODELS, named)
    )
    return {"model_history": history_of_models, "model_cycles": cycles(history_of_models)}


def _snapshot_frames(
    data_dir: Path, line: Timeline, caches: dict[date, Path]
) -> dict[str, pd.DataFrame]:
    """The tables of the snapshots, the intervals and the base-model families, from the small
    cached digests and interval results."""
    partitions = line.partitions
    digests = [digest(data_dir, p, caches[p.day]) for p in partitions]
    spans = _spans(data_dir, line, caches)
    families = velocity.family_velocity(spans, VELOCITY_WINDOWS, VELOCITY_TOP, HISTORY_MODELS)
    return {
        "velocity_families": families.rankings[FAMILY],
        "velocity_series_families": families.series[FAMILY],
        "history_snapshots": history.snapshots(digests),
        "history_gaps": history.gaps(line),
        "history_skipped": history.skipped(line),
        "history_intervals": history.intervals(spans),
        "history_churn": history.churn(spans),
        "history_modalities": history.shares(spans, "modality"),
        "history_tasks": history.shares(spans, "pipeline_tag"),
        "history_libraries": history.shares(spans, "library_name"),
        "history_anomalies": history.anomalies(spans),
        "history_lineage": history.lineage(digests, HISTORY_MODELS),
    }


def _fastest(ranked: pd.DataFrame) -> pd.DataFrame:
    """The absolute ranking (of models, authors or families) over the shortest window."""
    shortest = ranked["window_days"] == VELOCITY_WINDOWS[0]
    return ranked[shortest & (ranked["ranking"] == "absolute")]


# The daily series charted, by CSV/PNG suffix: the key column, what the lines are.
_SERIES = {
    "": ("id", "models"),
    "_authors": ("author", "authors"),
    "_families": (FAMILY, "base-model families"),
}


def _series_drawing(
    frames: dict[str, pd.DataFrame], charts_dir: Path, suffix: str
) -> partial[None]:
    key, what = _SERIES[suffix]
    return partial(
        history_charts.series,
        frames[f"velocity_series{suffix}"],
        charts_dir / f"history_series{suffix}.png",
        key=key,
        title=f"Daily downloads of the fastest-growing {what} (last {VELOCITY_WINDOWS[0]} days)",
    )


def _snapshot_drawings(
    frames: dict[str, pd.DataFrame], line: Timeline, charts_dir: Path
) -> list[partial[None]]:
    """The charts of `_snapshot_frames`' tables, as picklable calls for the workers."""
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
        _series_drawing(frames, charts_dir, "_families"),
        partial(
            history_charts.lineage, frames["history_lineage"], charts_dir / "history_lineage.png"
        ),
    ]


def _velocity_drawings(frames: dict[str, pd.DataFrame], charts_dir: Path) -> list[partial[None]]:
    """The charts of `_velocity_frames`' tables, as picklable calls for the workers."""
    return [
        partial(
            charts.ranking,
            _fastest(frames["velocity_models"]),
            label="id",
            value="gained",
            title=f"Top {TOP_N} models by downloads gained in the last {VELOCITY_WINDOWS[0]} days",
            unit="downloads gained (downloadsAllTime difference, log scale)",
            path=charts_dir / "history_velocity.png",
        ),
        _series_drawing(frames, charts_dir, ""),
        _series_drawing(frames, charts_dir, "_authors"),
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


def _prepare(
    data_dir: Path, line: Timeline, caches: dict[date, Path], executor: Executor
) -> list[Future[Any]]:
    """Submit the missing digests and intervals of `line` to the executor's workers, together.

    They are independent of each other, so a cold history keeps both workers busy; once they are
    done, the history's tables find every one of them in the history cache.
    """
    partitions = line.partitions
    jobs = [
        executor.submit(interval, data_dir, a, b, caches[a.day], caches[b.day])
        for a, b in pairwise(partitions)
    ]
    return jobs + [executor.submit(digest, data_dir, p, caches[p.day]) for p in partitions]


def _wait(jobs: list[Future[Any]]) -> None:
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
    *,
    report_dir: Path,
    executor: Executor,
    queued: Sequence[Callable[[], Any]] = (),
) -> HistoryResult:
    """Write the history's tables into `report_dir` and start drawing its charts on the
    executor's workers; return its section, its summary, the charts' jobs and those of `queued`.

    The missing intervals and digests are computed first, the history of the followed models
    beside them; then one worker walks the intervals for the velocity while the other draws the
    charts of the tables this process writes meanwhile; the caller's `queued` jobs go next,
    ahead of the velocity's charts.
    """
    tables_dir, charts_dir = report_dir / "tables", report_dir / "charts"
    tables_dir.mkdir(parents=True, exist_ok=True)
    charts_dir.mkdir(exist_ok=True)
    preparing = _prepare(data_dir, line, caches, executor)
    following = executor.submit(_followed_frames, line, caches, request.models)
    _wait(preparing)
    walking = executor.submit(_velocity_frames, data_dir, line, caches)
    frames = _snapshot_frames(data_dir, line, caches)
    drawn = [executor.submit(job) for job in _snapshot_drawings(frames, line, charts_dir)]
    _wait([walking, following])
    # Only now: beside the walk (1.2 GB on 2.7M models) a tally would take the run past 2 GB.
    ahead = [executor.submit(job) for job in queued]
    walked = walking.result()
    drawn += [executor.submit(job) for job in _velocity_drawings(walked, charts_dir)]
    frames |= walked | following.result()
    for name, frame in frames.items():
        write_csv(frame, tables_dir / f"{name}.csv")
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
    return HistoryResult(section, summary, drawn, ahead)
