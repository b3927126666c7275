"""The history's result tables by CSV name, from the digests of its snapshots and its intervals,
and its part of summary.json.

Every rate is per day over the real interval between two snapshots, so a missing day widens an
interval instead of counting as zero. Gains are differences of the repo type's counter (the
models' and datasets' downloadsAllTime, the Spaces' likes; see analysis.history.intervals), except
the concentration over time, which is computed on each snapshot's level (30-day `downloads`, or
likes), as in the single-snapshot report. The models' tables are named `history_<table>`, the other
repo types' `history_<type>_<table>`, so they sit side by side in one report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from analysis.defaults import HISTORY_MODELS, RANK_CHANGE_DAYS, TREND_WINDOWS, VELOCITY_WINDOWS
from analysis.history.digests import Digest
from analysis.history.intervals import FAMILY, Interval
from analysis.history.rankings import Velocity
from analysis.history.timeline import Timeline
from analysis.store.partitions import Partition
from analysis.store.repo_types import MODELS, Dimension, RepoType
from analysis.store.taxonomy import load_taxonomy

LINEAGE_COLUMNS = ["finetune", "adapter", "quantized", "merge", "unspecified", "derivatives"]


def history_name(repo_type: RepoType, table: str) -> str:
    """The CSV name of the history's `table` of `repo_type`."""
    if repo_type.name == MODELS.name:
        return f"history_{table}"
    return f"history_{repo_type.name}_{table}"


def _rate(amount: int, days: int) -> float:
    return amount / days if days else 0.0


def snapshots(digests: list[Digest]) -> pd.DataFrame:
    """Totals and concentration per snapshot date."""
    return pd.DataFrame(
        [{"date": digest.day.isoformat(), **digest.totals} for digest in digests],
        columns=["date", *digests[0].totals],
    )


def gaps(line: Timeline) -> pd.DataFrame:
    """Each run of days without a complete partition, between the snapshots around it."""
    return pd.DataFrame(
        [
            {
                "after": gap.after.isoformat(),
                "before": gap.before.isoformat(),
                "missing_days": len(gap.missing),
                "missing": " ".join(day.isoformat() for day in gap.missing),
            }
            for gap in line.gaps
        ],
        columns=["after", "before", "missing_days", "missing"],
    )


def skipped(line: Timeline) -> pd.DataFrame:
    """The partitions of the range that are not complete, and why."""
    return pd.DataFrame(
        [{"partition": s.name, "reason": s.reason} for s in line.skipped],
        columns=["partition", "reason"],
    )


def intervals(spans: list[Interval], repo_type: RepoType) -> pd.DataFrame:
    """Repos, churn and gains per interval, with per-day rates."""
    name, unit = repo_type.name, repo_type.trend.unit
    rows = []
    for span in spans:
        totals = span.totals
        rows.append(
            {
                "start": span.start.isoformat(),
                "end": span.end.isoformat(),
                "days": span.days,
                f"{name}_start": totals["repos_start"],
                f"{name}_end": totals["repos_end"],
                "continuing": totals["continuing"],
                "created": totals["created"],
                "deleted": totals["deleted"],
                f"{unit}_gained": totals["gained"],
                f"{unit}_per_day": _rate(totals["gained"], span.days),
                "anomalies": totals["anomalies"],
                "without_counts": totals["without_counts"],
            }
        )
    return pd.DataFrame(rows)


def _span(span: Interval) -> dict[str, object]:
    return {"start": span.start.isoformat(), "end": span.end.isoformat(), "days": span.days}


def churn(spans: list[Interval], by: str | None) -> pd.DataFrame:
    """Repos created and deleted per interval, in total and per day: per value of `by` (a
    single-valued dimension), or all together when None."""
    if by is None:
        rows = [
            {**_span(span), "created": span.totals["created"], "deleted": span.totals["deleted"]}
            for span in spans
        ]
    else:
        created_by, deleted_by = f"created_by_{by}", f"deleted_by_{by}"
        rows = [
            {
                **_span(span),
                by: value,
                "created": span.totals[created_by].get(value, 0),
                "deleted": span.totals[deleted_by].get(value, 0),
            }
            for span in spans
            for value in sorted(set(span.totals[created_by]) | set(span.totals[deleted_by]))
        ]
    columns = ["start", "end", "days", *([by] if by else []), "created", "deleted"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["created_per_day"] = frame["created"] / frame["days"]
    frame["deleted_per_day"] = frame["deleted"] / frame["days"]
    return frame


def shares(spans: list[Interval], dimension: Dimension, unit: str = "downloads") -> pd.DataFrame:
    """Per interval and value of `dimension`: the `unit` gained (downloads, likes) and the repos
    created, and their shares of the interval's totals (a repo with several values counts under
    each, so a list dimension's shares can add up to more than 1)."""
    column, name = dimension.column, dimension.name
    gained_key, created_key = f"gained_by_{column}", f"created_by_{column}"
    gained = f"{unit}_gained"
    rows = [
        {
            **_span(span),
            name: label,
            gained: span.totals[gained_key].get(label, 0),
            "created": span.totals[created_key].get(label, 0),
            "gained_total": span.totals["gained"],
            "created_total": span.totals["created"],
        }
        for span in spans
        for label in sorted(set(span.totals[gained_key]) | set(span.totals[created_key]))
    ]
    columns = ["start", "end", "days", name, gained, "created", "gained_total", "created_total"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(5, f"{unit}_per_day", frame[gained] / frame["days"])
    # An interval without any gain or creation has shares of zero, not undefined ones.
    frame.insert(6, f"{unit}_share", (frame[gained] / frame.pop("gained_total")).fillna(0.0))
    frame["created_share"] = (frame["created"] / frame.pop("created_total")).fillna(0.0)
    if column == "pipeline_tag":
        # The tasks' display names, as every chart shows them.
        taxonomy = load_taxonomy()
        frame.insert(4, "task", [taxonomy.name(tag) for tag in frame[column]])
    return frame


def listed(digests: list[Digest], by: str, name: str) -> pd.DataFrame:
    """Per snapshot date and value of `by`: the repos (counted as `name`) and their share of all
    of that snapshot's."""
    rows = [
        {"date": digest.day.isoformat(), by: value, name: count}
        for digest in digests
        for value, count in sorted(digest.listed.items())
    ]
    frame = pd.DataFrame(rows, columns=["date", by, name])
    frame["share"] = (frame[name] / frame.groupby("date")[name].transform("sum")).fillna(0.0)
    return frame


def anomalies(spans: list[Interval]) -> pd.DataFrame:
    """Every model whose downloadsAllTime went down in an interval (left out of the gains)."""
    frames = [
        span.anomalies().to_pandas().assign(start=span.start.isoformat(), end=span.end.isoformat())
        for span in spans
    ]
    columns = ["start", "end", "id", "before", "after"]
    if not frames:
        return pd.DataFrame(columns=[*columns, "difference"])
    frame = pd.concat(frames, ignore_index=True)[columns]
    frame["difference"] = frame["after"] - frame["before"]
    return frame


def lineage(digests: list[Digest], top: int) -> pd.DataFrame:
    """Derivatives by relation over time for the `top` base models of the latest snapshot."""
    leaders = list(digests[-1].lineage["base_model"].head(top))
    frames = []
    for digest in digests:
        chosen = digest.lineage[digest.lineage["base_model"].isin(leaders)]
        chosen = chosen.set_index("base_model").reindex(leaders, fill_value=0)
        day = digest.day.isoformat()
        frames.append(chosen.rename_axis("base_model").reset_index().assign(date=day))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["date", "base_model", *LINEAGE_COLUMNS]].astype(
        dict.fromkeys(LINEAGE_COLUMNS, "int64")
    )


def history_frames(
    line: Timeline, digests: list[Digest], spans: list[Interval], repo_type: RepoType
) -> dict[str, Any]:
    """The tables of the snapshots and the intervals of `line` (snapshots of `repo_type`), by CSV
    name."""
    history, unit = repo_type.history, repo_type.trend.unit
    frames = {
        "snapshots": snapshots(digests),
        "gaps": gaps(line),
        "skipped": skipped(line),
        "intervals": intervals(spans, repo_type),
        "churn": churn(spans, history.churn_by),
    }
    frames |= {d.table: shares(spans, d, unit) for d in history.dimensions}
    if history.listed_by is not None:
        frames[f"{history.listed_by}_shares"] = listed(digests, history.listed_by, repo_type.name)
    frames["anomalies"] = anomalies(spans)
    if repo_type.name == MODELS.name:
        frames["lineage"] = lineage(digests, HISTORY_MODELS)
    return {history_name(repo_type, name): frame for name, frame in frames.items()}


# The CSV names of the models' velocity rankings and series, by key (what is ranked).
_VELOCITY_NAMES = {
    "id": ("velocity_models", "velocity_series"),
    "author": ("velocity_authors", "velocity_series_authors"),
    FAMILY: ("velocity_families", "velocity_series_families"),
}


def velocity_names(repo_type: RepoType, key: str) -> tuple[str, str]:
    """The CSV names of the velocity ranking and series of `repo_type` by `key`."""
    if repo_type.name == MODELS.name:
        return _VELOCITY_NAMES[key]
    suffix = "" if key == "id" else f"_{key}s"
    return f"velocity_{repo_type.name}{suffix}", f"velocity_series_{repo_type.name}{suffix}"


def velocity_frames(velocity: Velocity, repo_type: RepoType = MODELS) -> dict[str, pd.DataFrame]:
    """The rankings and daily series of `velocity` (repos and authors, or families) by CSV name."""
    frames = {}
    for key, ranked in velocity.rankings.items():
        ranking, series = velocity_names(repo_type, key)
        frames[ranking] = ranked
        frames[series] = velocity.series[key]
    return frames


def days_key(days: int) -> str:
    """The key of a span of `days` in summary.json: "1_day", "7_days"."""
    return "1_day" if days == 1 else f"{days}_days"


def windows(line: Timeline, days: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    """The dates each window of `days` really covers, with its days and intervals."""
    covered = {}
    for length in days:
        span = line.window(length)
        if span is not None:
            start, end = span
            intervals = sum(start <= p.day < end for p in line.partitions)
            covered[days_key(length)] = {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "days": (end - start).days,
                "intervals": intervals,
            }
    return covered


def compared(line: Timeline) -> dict[int, Partition]:
    """The snapshots the rank and headline changes compare against, by the days asked
    (`RANK_CHANGE_DAYS`; the history's oldest when it is shorter)."""
    chosen = {days: line.before(days) for days in RANK_CHANGE_DAYS}
    return {days: partition for days, partition in chosen.items() if partition is not None}


def headline_changes(
    earlier: dict[int, Digest], headline: dict[str, Any], latest: date
) -> dict[str, dict[str, Any]]:
    """How each headline figure changed since each of the `earlier` snapshots (by days asked)."""
    return {
        days_key(days): {
            "date": digest.day.isoformat(),
            "days": (latest - digest.day).days,
            "changes": {
                name: headline[name] - value
                for name, value in digest.headline.items()
                if name in headline
            },
        }
        for days, digest in earlier.items()
    }


def with_earlier_ranks(top: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """The top list `top` with each repo's rank in each earlier snapshot (`earlier`: a column
    per days asked, in `top`'s order) as `rank_<days>d_before`, after its own rank."""
    ranked = top.copy()
    after = ranked.columns.get_loc("rank") + 1
    labels = [column for column in earlier.columns if column != "id"]
    for offset, days in enumerate(labels):
        ranked.insert(after + offset, f"rank_{days}d_before", earlier[days].array)
    return ranked


def summary(line: Timeline, frames: dict[str, pd.DataFrame], named: list[str]) -> dict[str, Any]:
    """The history's part of summary.json; `named` are the models the user asked to follow."""
    followed = set(frames["model_history"]["id"])
    return {
        "snapshots": [p.day.isoformat() for p in line.partitions],
        "skipped_partitions": [{"name": s.name, "reason": s.reason} for s in line.skipped],
        "missing_days": [day.isoformat() for gap in line.gaps for day in gap.missing],
        "intervals": len(line.partitions) - 1,
        "anomalies": len(frames["history_anomalies"]),
        "models_not_found": [model for model in named if model not in followed],
        "velocity_windows": windows(line, VELOCITY_WINDOWS),
        "trend_windows": windows(line, TREND_WINDOWS),
        "compared": {
            days_key(days): partition.day.isoformat() for days, partition in compared(line).items()
        },
    }
