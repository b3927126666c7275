"""Assemble a report's summary.json and index.html from the results of a run.

The run's steps (analysis.pipeline) compute, draw the charts and write the CSV tables; this module
says what the page and the summary show of them: the headline (with each figure's change since
the earlier snapshots compared), the trends (rising repos and new entrants), the manifest's
account of the crawl, the skipped and damaged partitions, the organisations-vs-users section, the
history section and the key tables (their first rows; the CSV files hold all; the top lists with
each repo's rank change). Every title names the span its data really covers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.defaults import TREND_WINDOWS, VELOCITY_WINDOWS
from analysis.history.tables import days_key
from analysis.history.timeline import Timeline, span_words
from analysis.render.chart import Chart
from analysis.render.page import KeyTable, Section, render
from analysis.store.partitions import Partition, SkippedPartition
from analysis.store.profiles import Profiles
from analysis.store.repo_types import MODELS, REPO_TYPES, RepoType


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


def _quality_value(value: object) -> str:
    """A value of the crawl's account as the page writes it: counts with separators."""
    if value is None:
        return "unknown"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


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


# The headline's figures: key, label, and how they are written (count, share or ratio).
_HEADLINE = (
    ("models", "models", "count"),
    ("downloads_30d", "downloads, last 30 days", "count"),
    ("likes", "likes", "count"),
    ("authors", "authors", "count"),
    ("models_without_task", "models without a task", "count"),
    ("models_declaring_base_share", "models declaring a base model", "share"),
    ("gini_models", "Gini of downloads among models", "ratio"),
    ("top_1%_models_downloads_share", "downloads held by the top 1% of models", "share"),
)
_MINUS = "\u2212"


def _figure(value: float, kind: str) -> str:
    if kind == "count":
        return f"{value:,}"
    return f"{value:.1%}" if kind == "share" else f"{value:.3f}"


def _delta(value: float, kind: str) -> str:
    """A change, signed: counts as they are, shares in percentage points (a change that rounds
    to nothing is +0, never -0)."""
    if kind == "count":
        text = f"{value:+,}"
    elif kind == "share":
        text = f"{round(value * 100, 1) + 0.0:+.1f} pp"
    else:
        text = f"{round(value, 3) + 0.0:+.3f}"
    return text.replace("-", _MINUS)


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _distinct(changes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes against distinct snapshots (a short history compares twice with one)."""
    seen: dict[str, dict[str, Any]] = {}
    for change in changes.values():
        seen.setdefault(change["date"], change)
    return list(seen.values())


def _html_headline(
    headline: dict[str, Any], changes: dict[str, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    compared = _distinct(changes or {})
    return [
        {
            "label": label,
            "value": _figure(headline[key], kind),
            "changes": [
                {
                    "text": f"{_delta(change['changes'][key], kind)} in {_days(change['days'])}",
                    "since": f"since the snapshot of {change['date']}",
                }
                for change in compared
                if key in change["changes"]
            ],
        }
        for key, label, kind in _HEADLINE
    ]


def _rank_changes(
    frame: pd.DataFrame, compared: dict[str, str]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A top list as the page shows it: each repo's rank change since each distinct earlier
    snapshot (`compared`: its date by the days asked) after its rank, instead of the ranks."""
    before = [column for column in frame.columns if column.endswith("d_before")]
    shown = frame.drop(columns=before)
    names: list[str] = []
    dates: set[str] = set()
    for key, day in compared.items():
        column = f"rank_{key.split('_')[0]}d_before"
        if column not in frame.columns or day in dates:
            continue
        dates.add(day)
        name = f"change since {day}"
        shown.insert(1 + len(names), name, frame[column] - frame["rank"])
        names.append(name)
    return shown, tuple(names)


def _top_list(title: str, frame: pd.DataFrame, csv: str, history: HistoryReport | None) -> KeyTable:
    compared = {} if history is None else history.summary["compared"]
    shown, changes = _rank_changes(frame, compared)
    return KeyTable(title, shown, csv, changes)


def _trends_section(
    repo_type: RepoType, day: date, frames: dict[str, pd.DataFrame], history: HistoryReport | None
) -> Section:
    """Rising repos over each distinct window the history covers, and new entrants."""
    name, trend = repo_type.name, repo_type.trend
    tables = []
    if history is None:
        note = (
            f"Rising {name} need two snapshots: the history starts with the second. New {name}"
            " need one: the Hub dates each creation."
        )
    else:
        note = (
            f"Rising {name}: {trend.unit} gained per day over the window against each"
            f" {repo_type.noun}'s usual pace at its start ({trend.level} then, spread over"
            f" {trend.level_days:g} days or over its age when younger), counted as at least"
            f" {trend.floor:,g} a day: rise = per day / max(usual per day, {trend.floor:,g})."
            f" 1 is its usual pace, 10 ten times it."
        )
        rising = history.frames[f"rising_{name}"]
        covered = history.summary["trend_windows"]
        seen: set[tuple[str, str]] = set()
        for days in TREND_WINDOWS:
            span = covered.get(days_key(days))
            if span is None or (span["start"], span["end"]) in seen:
                continue
            seen.add((span["start"], span["end"]))
            rows = rising[rising["window_days"] == days]
            tables.append(
                KeyTable(
                    f"Rising {name}, {span_words(span['days'])} ({span['start']} to {span['end']})",
                    rows[["rank", "id", "gained", "per_day", "usual_per_day", "rise"]],
                    f"rising_{name}.csv",
                )
            )
    entrants = frames[f"new_{name}"]
    for days in TREND_WINDOWS:
        since = (day - timedelta(days=days)).isoformat()
        rows = entrants[entrants["window_days"] == days].drop(columns=["window_days", "since"])
        title = f"New {name}: created since {since}, by {trend.level}, with their rank"
        tables.append(KeyTable(title, rows, f"new_{name}.csv"))
    new_note = (
        f" New {name}: created on or after the day named (createdAt, UTC) and with {trend.level}"
        f" above zero, ranked among all {name}."
    )
    return Section("Trends", "trends", note + new_note, [], tables)


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
    span = history.summary["velocity_windows"][days_key(shortest)]
    gainers = models[(models["window_days"] == shortest) & (models["ranking"] == "absolute")]
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
                f"Models that gained the most downloads, {span_words(span['days'])}"
                f" ({span['start']} to {span['end']})",
                gainers[["rank", "id", "gained", "per_day", "start_all_time", "relative_gain"]],
                "velocity_models.csv",
            ),
            KeyTable(
                "Anomalies: downloadsAllTime went down",
                frames["history_anomalies"],
                "history_anomalies.csv",
            ),
            KeyTable("Rise, peak and decline of the followed models", frames["model_cycles"]),
            KeyTable(
                "History of the followed models", frames["model_history"], "model_history.csv"
            ),
        ],
    )


def _models_tables(
    name: str, frames: dict[str, pd.DataFrame], history: HistoryReport | None
) -> list[KeyTable]:
    """The key tables of the models' snapshot, the top lists with their rank changes."""
    return [
        _top_list(
            f"Top {name} by downloads in the last 30 days",
            frames[f"top_{name}_downloads"],
            f"top_{name}_downloads.csv",
            history,
        ),
        _top_list(
            f"Top {name} by likes", frames[f"top_{name}_likes"], f"top_{name}_likes.csv", history
        ),
        KeyTable("Top authors by downloads", frames["top_authors_downloads"]),
        KeyTable("Tasks", frames["tasks"], "tasks.csv"),
        KeyTable("Concentration of downloads", frames["concentration"]),
        KeyTable("Top base models by derivatives", frames["lineage"], "lineage.csv"),
        KeyTable("Relations to base models", frames["lineage_relations"]),
        KeyTable("Licenses", frames["licenses"], "licenses.csv"),
    ]


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
    changes: dict[str, dict[str, Any]] | None,
    hub: list[Section] | None = None,
    left_out: dict[str, str] | None = None,
) -> None:
    """Write summary.json and index.html into `report_dir`, whose charts and tables are drawn
    and written already; `changes` are the headline's changes since the earlier snapshots, `hub`
    the whole Hub's sections (analysis.render.hub_catalogue), `left_out` why each repo type not
    analysed is not. Without the models (`partition` is another repo type's: the run left them
    out), the page holds the whole Hub's sections and the crawl's account only."""
    repo_type = REPO_TYPES[partition.repo_type]
    with_models = repo_type.name == MODELS.name
    sections = list(hub or [])
    lead: list[Section] = []
    if with_models:
        authors_section = Section(
            "Organisations and users",
            "authors",
            profiles_note(profiles, partition.day),
            author_charts,
            [
                KeyTable("Models and downloads by author kind", frames["author_kinds"]),
                KeyTable("Top organisations by downloads", frames["top_organisations"]),
            ],
        )
        sections.append(authors_section)
        sections += [] if history is None else [_history_section(history)]
        lead = [_trends_section(repo_type, partition.day, frames, history)]
    quality = _quality(partition.manifest)
    skipped_list = [{"name": s.name, "reason": s.reason} for s in skipped]
    summary = {
        "repo_type": partition.repo_type,
        "repo_types": [name for name in REPO_TYPES if name in headline],
        "left_out": left_out or {},
        "date": partition.day.isoformat(),
        "headline": headline,
        "authors": _authors_summary(profiles, frames["author_kinds"]) if with_models else None,
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
        headline=_html_headline(headline, changes) if with_models else [],
        quality=[
            (label.replace("_", " "), _quality_value(value)) for label, value in quality.items()
        ],
        skipped=skipped_list,
        charts=charts,
        tables=_models_tables(repo_type.name, frames, history) if with_models else [],
        lead=lead,
        sections=sections,
        links={"id": repo_type.hub_path, "base_model": "", "author": ""},
    )
