"""Assemble a report's summary.json and index.html from the results of a run.

The run's steps (analysis.pipeline) compute, draw the charts and write the CSV tables; this module
says what the page and the summary show of them: the headline, the manifest's account of the
crawl, the skipped and damaged partitions, the organisations-vs-users section, the history section
and the key tables (their first rows; the CSV files hold all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.defaults import VELOCITY_WINDOWS
from analysis.history.timeline import Timeline
from analysis.render.chart import Chart
from analysis.render.page import KeyTable, Section, render
from analysis.store.partitions import Partition, SkippedPartition
from analysis.store.profiles import Profiles


@dataclass(frozen=True)
class HistoryReport:
    """What the page and summary.json show of the history: its timeline, tables, charts and
    its part of the summary."""

    line: Timeline
    frames: dict[str, pd.DataFrame]
    charts: list[Chart]
    summary: dict[str, Any]


def profiles_note(profiles: Profiles, day: date) -> str:
    """Where the author kinds of the report of `day` come from."""
    if profiles.day is None:
        return (
            f"No author profiles yet (no complete authors partition dated {day.isoformat()} or"
            " earlier): every author is counted as unknown."
        )
    return (
        f"Author kinds from the {profiles.count:,} profiles of {profiles.day.isoformat()}; authors"
        " without a profile, and models naming no author, are counted as unknown."
    )


def profiles_label(profiles: Profiles) -> str:
    """The profiles in a few words, for a chart's title."""
    return "no profiles yet" if profiles.day is None else f"profiles of {profiles.day}"


def _quality(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's account of the crawl: status, counts, times, endpoint."""
    counts = manifest.get("counts") or {}
    quality = {"status": manifest.get("status")}
    for name in ("records", "rejected", "duplicates", "pages", "requests", "retries", "http_429"):
        quality[name] = counts.get(name)
    for name in ("started_at", "finished_at", "endpoint", "crawler_version"):
        quality[name] = manifest.get(name)
    return quality


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


def _history_note(line: Timeline, anomalies: int) -> str:
    first, last = line.partitions[0].day, line.partitions[-1].day
    missing = sum(len(gap.missing) for gap in line.gaps)
    return (
        f"{len(line.partitions)} complete snapshots from {first} to {last}; {missing} missing"
        f" day(s) are gaps (rates divide by the real days between snapshots), "
        f"{len(line.skipped)} incomplete partition(s) skipped, {anomalies} downloadsAllTime"
        " decrease(s) flagged as anomalies and left out. Downloads gained are differences of"
        " downloadsAllTime between snapshots."
    )


def _history_section(history: HistoryReport) -> Section:
    frames = history.frames
    models = frames["velocity_models"]
    shortest = VELOCITY_WINDOWS[0]
    return Section(
        "History",
        "history",
        _history_note(history.line, len(frames["history_anomalies"])),
        history.charts,
        [
            KeyTable("Intervals between snapshots", frames["history_intervals"]),
            KeyTable("Missing days", frames["history_gaps"]),
            KeyTable("Skipped partitions", frames["history_skipped"]),
            KeyTable(
                f"Fastest-growing models, last {shortest} days",
                models[models["window_days"] == shortest],
            ),
            KeyTable("Anomalies: downloadsAllTime went down", frames["history_anomalies"]),
            KeyTable("Rise, peak and decline of the followed models", frames["model_cycles"]),
            KeyTable("History of the followed models", frames["model_history"]),
        ],
    )


def write_report(
    report_dir: Path,
    *,
    partition: Partition,
    headline: dict[str, Any],
    frames: dict[str, pd.DataFrame],
    profiles: Profiles,
    skipped: list[SkippedPartition],
    charts: list[Chart],
    author_charts: list[Chart],
    history: HistoryReport | None,
    hub: list[Section] | None = None,
) -> None:
    """Write summary.json and index.html into `report_dir`, whose charts and tables are drawn
    and written already; `hub` are the whole Hub's sections (analysis.render.hub_catalogue)."""
    note = profiles_note(profiles, partition.day)
    authors_section = Section(
        "Organisations and users",
        "authors",
        note,
        author_charts,
        [
            KeyTable("Models and downloads by author kind", frames["author_kinds"]),
            KeyTable("Top organisations by downloads", frames["top_organisations"]),
        ],
    )
    sections = [*(hub or []), authors_section]
    sections += [] if history is None else [_history_section(history)]
    quality = _quality(partition.manifest)
    skipped_list = [{"name": s.name, "reason": s.reason} for s in skipped]
    summary = {
        "repo_type": partition.repo_type,
        "date": partition.day.isoformat(),
        "headline": headline,
        "authors": _authors_summary(profiles, frames["author_kinds"]),
        "history": None if history is None else history.summary,
        "data_quality": quality,
        "skipped_partitions": skipped_list,
        "charts": [
            {
                "png": chart.png,
                "title": chart.title,
                "caption": chart.caption,
                "tables": [f"tables/{name}" for name in chart.tables],
            }
            for chart in [*charts, *(c for section in sections for c in section.charts)]
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
        skipped=skipped_list,
        charts=charts,
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
