"""The run of `python -m analysis`: one orchestrator, from the request to the report directory.

It reads the data directory's layout once (hfcrawler.layout), finds the complete partitions of
the repo type and chooses the one to analyse and the history's range once, starts the worker pool
(analysis.store.workers) and shuts it down when the run ends, whatever happens. Only then are the
heavy libraries loaded, while the workers load theirs: the steps that compute and write run in
analysis.pipeline, on this run's choices and pool. The report is assembled in a hidden sibling
directory and renamed to `<out>/<date>/` at the end, so a failed run never leaves a half-written
report under the final name and a rerun replaces the old report whole.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.defaults import DEFAULT_REPO_TYPE
from analysis.store.atomic import replace_directory, staging_for
from analysis.store.partitions import SkippedPartition, choose, scan
from analysis.store.workers import worker_pool
from hfcrawler.layout import DataLayout


@dataclass(frozen=True)
class Request:
    """What the command line asks for: the data and report directories, the day to analyse
    (the latest when None), the history's date range, the models to follow and the repo type
    (one of analysis.store.repo_types.REPO_TYPES)."""

    data: Path
    out: Path
    day: date | None = None
    since: date | None = None
    until: date | None = None
    models: list[str] = field(default_factory=list)
    repo_type: str = DEFAULT_REPO_TYPE


@dataclass(frozen=True)
class Outcome:
    """Where the report's page is, the partitions left out as damaged, how many snapshots its
    history holds, and the followed ids found in none (with the ids they look like)."""

    index: Path
    damaged: list[SkippedPartition]
    snapshots: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)


def analyse(request: Request) -> Outcome:
    """Analyse the chosen partition of the request's repo type, and the history up to it, into
    `<out>/<date>/`; return where its page is and which partitions were left out as damaged.

    Raises NoCompletePartitionError when there is nothing to analyse, and DamagedPartitionError,
    writing no report, when the chosen partition is damaged.
    """
    layout = DataLayout(request.data)
    found = scan(layout, request.repo_type)
    chosen = choose(found, request.day)
    final = request.out / chosen.day.isoformat()
    staging = staging_for(final)
    try:
        with worker_pool(chosen.records) as pool:
            # The workers load their libraries now; this process loads its own meanwhile.
            from analysis.pipeline import Pipeline  # noqa: PLC0415

            pipeline = Pipeline(layout, request.repo_type, pool, staging, request.models)
            ran = pipeline.run(found, chosen, request.since, request.until or chosen.day)
        replace_directory(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Outcome(final / "index.html", ran.damaged, ran.snapshots, ran.unknown)
