"""Analyse one complete partition: cache -> aggregates -> CSV tables, PNG charts, summary, HTML.

The report is assembled in a hidden sibling directory and renamed to `<out>/<date>/` at the end, so
a failed run never leaves a half-written report under the final name and a rerun replaces the old
report whole. Worker processes (see analysis.workers) compact the parts of every partition still
uncached; when the range holds two complete partitions or more they compute the history's missing
digests and intervals, then one walks the intervals for the velocity while the other draws the
history's first charts (analysis.history_report); then they tally the snapshot (analysis.tallies)
and draw the report's charts, while this process writes the tables, summary.json and the page.
Author kinds come from the authors partition (analysis.profiles).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import charts
from analysis.atomic import replace_directory, staging_for
from analysis.catalogue import author_charts, catalogue, drawings
from analysis.compact import compacted_all
from analysis.defaults import REPO_TYPE
from analysis.history_report import (
    HistoryRequest,
    HistoryResult,
    write_history,
)
from analysis.partitions import Partition, PartitionScan, SkippedPartition, choose, scan
from analysis.profiles import Profiles, load_profiles
from analysis.report import KeyTable, Section, render
from analysis.tables import write_csv
from analysis.tallies import Tally, combine, tally_jobs
from analysis.timeline import timeline
from analysis.workers import executor_for


def _quality(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's account of the crawl: status, counts, times, endpoint."""
    counts = manifest.get("counts") or {}
    quality = {"status": manifest.get("status")}
    for name in ("records", "rejected", "duplicates", "pages", "requests", "retries", "http_429"):
        quality[name] = counts.get(name)
    for name in ("started_at", "finished_at", "endpoint", "crawler_version"):
        quality[name] = manifest.get(name)
    return quality


def _profiles_note(profiles: Profiles, day: date) -> str:
    if profiles.day is None:
        return (
            f"No author profiles yet (no complete authors partition dated {day.isoformat()} or"
            " earlier): every author is counted as unknown."
        )
    return (
        f"Author kinds from the {profiles.count:,} profiles of {profiles.day.isoformat()}; authors"
        " without a profile, and models naming no author, are counted as unknown."
    )


def _authors_summary(profiles: Profiles, split: pd.DataFrame) -> dict[str, Any]:
    kinds = split.set_index("kind")
    return {
        "profiles_date": None if profiles.day is None else profiles.day.isoformat(),
        "profiles": profiles.count,
        "kinds": {
            str(kind): {
                "authors": int(row["authors"]),
                "models": int(row["models"]),
                "models_share": float(row["models_share"]),
                "downloads_30d": int(row["downloads"]),
                "downloads_30d_share": float(row["downloads_share"]),
            }
            for kind, row in kinds.iterrows()
        },
    }


def _html_headline(headline: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("models", f"{headline['models']:,}"),
        ("downloads, last 30 days", f"{headline['downloads_30d']:,}"),
        ("likes", f"{headline['likes']:,}"),
        ("authors", f"{headline['authors']:,}"),
        ("models without a task", f"{headline['models_without_task']:,}"),
        ("models declaring a base model", f"{headline['models_declaring_base_share']:.1%}"),
        ("Gini of downloads among models", f"{headline['gini_models']:.3f}"),
        (
            "downloads held by the top 1% of models",
            f"{headline['top_1%_models_downloads_share']:.1%}",
        ),
    ]


def _write_report(
    partition: Partition,
    report_dir: Path,
    found: PartitionScan,
    *,
    profiles: Profiles,
    pool: Executor,
    tallied: list[Future[Tally]],
    history: HistoryResult | None,
) -> None:
    charts_dir, tables_dir = report_dir / "charts", report_dir / "tables"
    # The history, written first, made them already.
    charts_dir.mkdir(parents=True, exist_ok=True)
    tables_dir.mkdir(parents=True, exist_ok=True)
    warming = pool.submit(charts.prepare)
    # The history's charts are being drawn, and the tallies made, by the workers meanwhile.
    history_jobs = [] if history is None else history.drawn
    frames, density, headline = combine([job.result() for job in tallied])
    note = _profiles_note(profiles, partition.day)
    label = "no profiles yet" if profiles.day is None else f"profiles of {profiles.day}"
    jobs = [pool.submit(job) for job in drawings(frames, density, headline, charts_dir, label)]
    for name, frame in frames.items():
        write_csv(frame, tables_dir / f"{name}.csv")
    for job in [warming, *history_jobs, *jobs]:
        job.result()
    chart_list = catalogue(headline)
    authors_section = Section(
        "Organisations and users",
        "authors",
        note,
        author_charts(note),
        [
            KeyTable("Models and downloads by author kind", frames["author_kinds"]),
            KeyTable("Top organisations by downloads", frames["top_organisations"]),
        ],
    )
    history_summary = None if history is None else history.summary
    sections = [authors_section] + ([] if history is None else [history.section])
    quality = _quality(partition.manifest)
    skipped = [{"name": s.name, "reason": s.reason} for s in [*found.skipped, *profiles.damaged]]
    summary = {
        "repo_type": partition.repo_type,
        "date": partition.day.isoformat(),
        "headline": headline,
        "authors": _authors_summary(profiles, frames["author_kinds"]),
        "history": history_summary,
        "data_quality": quality,
        "skipped_partitions": skipped,
        "charts": [
            {
                "png": chart.png,
                "title": chart.title,
                "caption": chart.caption,
                "tables": [f"tables/{name}" for name in chart.tables],
            }
            for chart in [*chart_list, *(c for section in sections for c in section.charts)]
        ],
    }
    (report_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    render(
        report_dir,
        heading={"repo_type": partition.repo_type, "day": partition.day.isoformat()},
        headline=_html_headline(headline),
        quality=[
            (label.replace("_", " "), "unknown" if value is None else str(value))
            for label, value in quality.items()
        ],
        skipped=skipped,
        charts=chart_list,
        tables=[
            KeyTable("Top models by downloads", frames["top_models_downloads"]),
            KeyTable("Top authors by downloads", frames["top_authors_downloads"]),
            KeyTable("Tasks", frames["tasks"]),
            KeyTable("Concentration of downloads", frames["concentration"]),
            KeyTable("Top base models by derivatives", frames["lineage"]),
            KeyTable("Relations to base models", frames["lineage_relations"]),
            KeyTable("Licenses", frames["licenses"]),
        ],
        sections=sections,
    )


class DamagedPartitionError(ValueError):
    """The partition to analyse does not match its manifest; `damaged` lists every damaged one."""

    def __init__(self, message: str, damaged: list[SkippedPartition]) -> None:
        super().__init__(message)
        self.damaged = damaged


@dataclass(frozen=True)
class Analysis:
    """Where the report's page is, and the partitions left out as damaged."""

    index: Path
    damaged: list[SkippedPartition]


def _without(found: PartitionScan, damaged: dict[date, str]) -> PartitionScan:
    """`found` with the damaged partitions moved from the complete ones to the skipped ones."""
    skipped = [
        SkippedPartition(f"date={day.isoformat()}", f"damaged: {reason}", damaged=True)
        for day, reason in damaged.items()
    ]
    return PartitionScan(
        [p for p in found.complete if p.day not in damaged],
        sorted([*found.skipped, *skipped], key=lambda s: s.name),
    )


def _damaged_error(
    partition: Partition, found: PartitionScan, damaged: list[SkippedPartition]
) -> DamagedPartitionError:
    reason = next(s.reason for s in damaged if s.name == partition.path.name)
    sound = [p.day.isoformat() for p in found.complete if p.day < partition.day]
    other = f"the latest sound one before it is {sound[-1]}" if sound else "no earlier one is sound"
    message = (
        f"the {partition.repo_type} partition {partition.path.name} is {reason}; it is not"
        f" analysed. Choose another day with --date ({other})."
    )
    return DamagedPartitionError(message, damaged)


def analyse(
    data_dir: Path,
    out_dir: Path,
    day: date | None,
    request: HistoryRequest | None = None,
    executor: Executor | None = None,
) -> Analysis:
    """Analyse the chosen partition (and the history up to it) into `<out_dir>/<date>/`, on
    `executor` (shut down at the end) or on one suited to the snapshot's size.

    Returns the path of index.html and the damaged partitions left out; raises
    DamagedPartitionError, writing no report, when the chosen partition is damaged.
    """
    request = request or HistoryRequest()
    found = scan(data_dir, REPO_TYPE)
    partition = choose(found, day, data_dir, REPO_TYPE)
    line = timeline(found, request.since, request.until or partition.day)
    final = out_dir / partition.day.isoformat()
    staging = staging_for(final)
    profiles = load_profiles(data_dir, partition.day)
    try:
        with executor or executor_for(partition.records) as pool:
            compaction = compacted_all(data_dir, [partition, *line.partitions], pool)
            found = _without(found, compaction.damaged)
            damaged = [*profiles.damaged, *(s for s in found.skipped if s.damaged)]
            if partition.day in compaction.damaged:
                raise _damaged_error(partition, found, damaged)
            line = timeline(found, request.since, request.until or partition.day)
            caches = compaction.caches
            tallies = tally_jobs(caches[partition.day], profiles)
            history = None
            if len(line.partitions) >= 2:
                # The tallies are queued behind the history's walk, ahead of its last charts.
                history = write_history(
                    data_dir,
                    line,
                    caches,
                    request,
                    report_dir=staging,
                    executor=pool,
                    queued=tallies,
                )
                tallied = history.queued
            else:
                tallied = [pool.submit(job) for job in tallies]
            _write_report(
                partition,
                staging,
                found,
                profiles=profiles,
                pool=pool,
                tallied=tallied,
                history=history,
            )
        replace_directory(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Analysis(final / "index.html", damaged)
