"""The run of `python -m analysis`: one orchestrator, from the request to the report directory.

It reads the data directory's layout once (hfcrawler.layout), finds the complete partitions of
the leading repo type (the first asked for: the models, unless the request leaves them out) and
chooses the one to analyse, whose day the other repo types follow, and the history's range once,
starts the worker pool
(analysis.store.workers) and shuts it down when the run ends, whatever happens. Only then are the
heavy libraries loaded, while the workers load theirs: the steps that compute and write run in
analysis.pipeline, on this run's choices and pool. The report is assembled in a hidden sibling
directory and renamed to `<out>/<date>/` at the end, so a failed run never leaves a half-written
report under the final name and a rerun replaces the old report whole. Once it is in place, the
days up to the analysed one are added to the export (analysis.export) on the same pool, unless the
request says not to; an export that fails leaves the report as it is and says why.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from analysis.defaults import REPORT_REPO_TYPES
from analysis.store.atomic import replace_directory, staging_for
from analysis.store.partitions import SkippedPartition, choose, scan
from analysis.store.workers import worker_pool
from hfcrawler.layout import DataLayout


@dataclass(frozen=True)
class Request:
    """What the command line asks for: the data and report directories, the day to analyse
    (the latest when None), the history's date range, the models to follow and the repo types
    (of `REPORT_REPO_TYPES`, in its order; every one by default)."""

    data: Path
    out: Path
    day: date | None = None
    since: date | None = None
    until: date | None = None
    models: list[str] = field(default_factory=list)
    repo_types: tuple[str, ...] = REPORT_REPO_TYPES
    export: bool = True


@dataclass(frozen=True)
class Outcome:
    """Where the report's page is, the partitions left out (damaged, or not exported), how many
    snapshots its history holds, the followed ids found in none (with the ids they look like), and
    why the export failed if it did."""

    index: Path
    damaged: list[SkippedPartition]
    snapshots: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)
    export_error: str | None = None


def analyse(request: Request) -> Outcome:
    """Analyse the chosen partition of the request's repo type, and the history up to it, into
    `<out>/<date>/`, then export the days up to it unless the request says not to; return where
    the report's page is, which partitions were left out (damaged, or not exported), and why the
    export failed if it did.

    Raises NoCompletePartitionError when there is nothing to analyse, and DamagedPartitionError,
    writing no report, when the chosen partition is damaged.
    """
    layout = DataLayout(request.data)
    found = scan(layout, request.repo_types[0])
    chosen = choose(found, request.day)
    final = request.out / chosen.day.isoformat()
    staging = staging_for(final)
    try:
        with worker_pool(chosen.records) as pool:
            # The workers load their libraries now; this process loads its own meanwhile.
            from analysis.pipeline import Pipeline  # noqa: PLC0415

            pipeline = Pipeline(layout, request.repo_types, pool, staging, request.models)
            ran = pipeline.run(found, chosen, request.since, request.until or chosen.day)
            replace_directory(staging, final)
            done = Outcome(final / "index.html", ran.damaged, ran.snapshots, ran.unknown)
            return _exported(done, layout, pool, chosen.day) if request.export else done
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _exported(done: Outcome, layout: DataLayout, pool: Executor, until: date) -> Outcome:
    """`done` once the days up to `until` are exported, with what the export left out."""
    from analysis.export.dataset import export  # noqa: PLC0415
    from analysis.export.files import ExportError  # noqa: PLC0415

    try:
        exported = export(layout, pool, until)
    except (ExportError, OSError) as error:
        # A full disk, say: the report is written, and the export says why it is not.
        return replace(done, export_error=str(error))
    named = {partition.name for partition in done.damaged}
    left_out = [p for e in exported for p in (*e.damaged, *e.passed_over) if p.name not in named]
    return replace(done, damaged=[*done.damaged, *left_out])
