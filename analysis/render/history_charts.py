"""Draw the history's charts (PNG, matplotlib's Agg canvas, like analysis.render.charts).

Time runs on a real date axis, so a missing day shows as a wider step, never as a dip to zero; a
rate that holds over an interval is drawn at the interval's end date. Labels from the Hub (model
ids, base models) pass through `analysis.render.charts.safe_label`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import ConciseDateFormatter, DayLocator
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.defaults import TOP_N
from analysis.history.tables import LINEAGE_COLUMNS
from analysis.render.charts import (
    TITLE_Y,
    cycle_colour,
    ranking,
    safe_label,
    save,
    stacked_bars,
    value_axis,
)

_LINES = 10


def _dates(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]")


def _legend(axes: Axes, **options: Any) -> None:
    """A legend of `axes`, when anything drawn there has a label (a quiet interval has none)."""
    if axes.get_legend_handles_labels()[0]:
        axes.legend(**options)


def _date_axis(axes: Axes, label: str | None = "snapshot date (UTC)") -> None:
    """Ticks on whole days (snapshots are daily), at most about ten of them; `label` names the
    axis (None: a panel above another that names it)."""
    low, high = axes.get_xlim()
    locator = DayLocator(interval=max(1, math.ceil((high - low) / 10)))
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if label is not None:
        axes.set_xlabel(label)
    axes.grid(alpha=0.3)


def concentration(snapshots: pd.DataFrame, missing: list[str], path: Path) -> None:
    """Gini and the top-1% share of 30-day downloads at each snapshot date; gaps shaded."""
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    days = _dates(snapshots["date"])
    axes.plot(days, snapshots["gini"], marker="o", label="Gini among models")
    axes.plot(days, snapshots["top_1%_share"], marker="s", label="share held by the top 1%")
    for day in _dates(pd.Series(missing, dtype=str)):
        axes.axvspan(day - np.timedelta64(12, "h"), day + np.timedelta64(12, "h"), color="0.9")
    axes.set_ylim(0, 1)
    axes.set_ylabel("of 30-day downloads")
    axes.set_title("Concentration of downloads per snapshot (missing days shaded)", y=TITLE_Y)
    axes.legend()
    _date_axis(axes)
    save(figure, path)


def churn(
    frame: pd.DataFrame, path: Path, group: str | None = "modality", noun: str = "models"
) -> None:
    """Repos (`noun`) created (up) and deleted (down) per day of each interval, stacked by `group`
    (None: all together)."""
    figure = Figure(figsize=(10, 5), layout="constrained")
    axes = figure.add_subplot()
    ends = sorted(frame["end"].unique())
    positions = np.arange(len(ends))
    up, down = np.zeros(len(ends)), np.zeros(len(ends))
    groups = frame.groupby(group, sort=True) if group else [(noun, frame)]
    for number, (value, rows) in enumerate(groups):
        rates = rows.set_index("end")[["created_per_day", "deleted_per_day"]]
        per_end = rates.reindex(ends, fill_value=0.0)
        created = per_end["created_per_day"].to_numpy(dtype=np.float64)
        deleted = per_end["deleted_per_day"].to_numpy(dtype=np.float64)
        colour = cycle_colour(number)
        stacked_bars(axes, positions, created, up, colour=colour, label=safe_label(value))
        stacked_bars(axes, positions, -deleted, -down, colour=colour)
        up += created
        down += deleted
    axes.axhline(0, color="black", linewidth=0.8)
    # Each bar is the interval ending on its date; at most about a dozen dates are written.
    shown = positions[:: max(1, math.ceil(len(ends) / 12))]
    axes.set_xticks(shown, labels=[ends[i] for i in shown], rotation=30, ha="right", fontsize=8)
    axes.set_xlabel("interval ending on")
    axes.set_ylabel(f"{noun} per day (created above, deleted below)")
    if group:
        axes.set_title(f"Churn between snapshots, by {group.replace('_', ' ')}", y=TITLE_Y)
        legend = {"title": group.replace("_", " ")}
        _legend(axes, **legend, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        axes.set_title("Churn between snapshots", y=TITLE_Y)
    axes.grid(axis="y", alpha=0.3)
    save(figure, path)


def _leaders(
    frame: pd.DataFrame, group: str, keep: int, measures: list[str], *, gained: str, lump: bool
) -> pd.DataFrame:
    """The `keep` groups with the most `gained` overall; the rest become (others) when `lump`,
    else are left out (shares of overlapping groups do not add up)."""
    totals = frame.groupby(group)[gained].sum().sort_values(ascending=False)
    leaders = set(totals.index[:keep])
    if not lump:
        return frame[frame[group].isin(leaders)][["end", group, *measures]]
    lumped = frame.assign(**{group: frame[group].where(frame[group].isin(leaders), "(others)")})
    return lumped.groupby(["end", group], as_index=False)[measures].sum()


def hype(
    frame: pd.DataFrame,
    path: Path,
    group: str = "modality",
    keep: int = 8,
    *,
    unit: str = "downloads",
    noun: str = "models",
    overlapping: bool = False,
) -> None:
    """Shares of the `unit` gained and of the repos (`noun`) created per ``group``, per interval:
    stacked, or as lines when the groups overlap (a repo in several)."""
    measures = {
        f"{unit}_share": f"share of {unit} gained (0-1)",
        "created_share": f"share of new {noun} (0-1)",
    }
    frame = _leaders(
        frame, group, keep, list(measures), gained=f"{unit}_gained", lump=not overlapping
    )
    figure = Figure(figsize=(10, 7), layout="constrained")
    panels = figure.subplots(2, 1, sharex=True)
    wide_frames = {
        column: frame.pivot_table(index="end", columns=group, values=column, fill_value=0.0)
        for column in measures
    }
    for axes, (column, label) in zip(panels, measures.items(), strict=True):
        wide = wide_frames[column]
        days = _dates(pd.Series(wide.index))
        values = [wide[name].to_numpy(dtype=np.float64) for name in wide.columns]
        labels = [safe_label(str(name)) for name in wide.columns]
        if overlapping:
            for value, name in zip(values, labels, strict=True):
                axes.plot(days, value, marker="o", label=name)
        elif len(days) > 1:
            axes.stackplot(days, values, labels=labels)
        else:
            bottom = 0.0
            for value, name in zip(values, labels, strict=True):
                axes.bar(days, value, bottom=bottom, label=name)
                bottom += value
        axes.set_ylim(0, 1)
        axes.set_ylabel(label)
        _date_axis(axes, None if axes is panels[0] else "interval end date (UTC)")
    title = group.replace("_", " ")
    _legend(panels[0], title=title, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    panels[0].set_title(f"Hype cycles: {title} shares per interval (at its end date)", y=TITLE_Y)
    save(figure, path)


def listed(frame: pd.DataFrame, path: Path, *, group: str, noun: str) -> None:
    """Each value of `group`'s share of all the repos (`noun`) at each snapshot date, stacked."""
    wide = frame.pivot_table(index="date", columns=group, values="share", fill_value=0.0)
    figure = Figure(figsize=(10, 5), layout="constrained")
    axes = figure.add_subplot()
    days = _dates(pd.Series(wide.index))
    values = [wide[name].to_numpy(dtype=np.float64) for name in wide.columns]
    labels = [safe_label(str(name)) for name in wide.columns]
    axes.stackplot(days, values, labels=labels)
    axes.set_ylim(0, 1)
    axes.set_ylabel(f"share of all {noun} (0-1)")
    axes.set_title(f"{noun[:1].upper()}{noun[1:]} by {group}, per snapshot", y=TITLE_Y)
    _legend(axes, title=group, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _date_axis(axes)
    save(figure, path)


def velocity(
    ranked: pd.DataFrame,
    path: Path,
    *,
    window_days: int,
    title: str,
    unit: str,
    noun: str = "model",
) -> None:
    """The absolute ranking of repos (each a `noun`) by what they gained over the window of
    `window_days`."""
    fastest = ranked[(ranked["window_days"] == window_days) & (ranked["ranking"] == "absolute")]
    ranking(fastest, label="id", value="gained", title=title, unit=unit, path=path, noun=noun)


def series(
    frame: pd.DataFrame, path: Path, *, key: str = "id", title: str, unit: str = "downloads"
) -> None:
    """The `unit` gained per day by each followed repo (author, family), at each interval's end
    date."""
    figure = Figure(figsize=(10, 5.5), layout="constrained")
    axes = figure.add_subplot()
    names = list(dict.fromkeys(frame[key]))[:_LINES]
    for name in names:
        rows = frame[frame[key] == name]
        axes.plot(
            _dates(rows["end"]),
            rows["per_day"].astype("float64"),
            marker="o",
            label=safe_label(name),
        )
    drawn = frame[frame[key].isin(names)]["per_day"].astype("float64").to_numpy(na_value=np.nan)
    value_axis(axes, drawn, f"{unit} per day", which="y")
    axes.set_title(title, y=TITLE_Y)
    _legend(axes, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _date_axis(axes, "interval end date (UTC)")
    save(figure, path)


def rising(
    frame: pd.DataFrame,
    path: Path,
    *,
    window_days: int,
    floor: float,
    noun: str,
    title: str,
    unit: str = "downloads",
) -> None:
    """The top risers of the window of `window_days`: each one's `unit` per day over the window
    (dot) against its usual pace at the window's start (ring), floored at `floor`; a riser is a
    `noun`."""
    top = frame[frame["window_days"] == window_days].head(TOP_N)
    figure = Figure(figsize=(10, 0.32 * len(top) + 1.8), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(top))
    usual = np.maximum(top["usual_per_day"].to_numpy(dtype=np.float64), floor)
    now = top["per_day"].to_numpy(dtype=np.float64)
    value_axis(axes, np.concatenate([usual, now]), f"{unit} per day")
    axes.hlines(positions, usual, now, color="0.75", linewidth=2)
    axes.scatter(usual, positions, facecolors="white", edgecolors="#3b6ea5", label="usual pace")
    axes.scatter(now, positions, color="#e08a2c", zorder=3, label="over the window")
    pairs = zip(top["id"], top["rise"], strict=True)
    labels = [f"{safe_label(name)}  \u00d7{rise:,.1f}" for name, rise in pairs]
    axes.set_yticks(positions, labels=labels)
    axes.invert_yaxis()
    axes.set_ylabel(f"{noun}, and how many times its usual pace")
    axes.set_title(title, y=TITLE_Y)
    axes.grid(axis="x", alpha=0.3)
    _legend(axes, fontsize=8, loc="lower right")
    save(figure, path)


def lineage(frame: pd.DataFrame, path: Path) -> None:
    """Derivatives of the top base models at each snapshot date, and how they relate to them."""
    figure = Figure(figsize=(10, 8), layout="constrained")
    per_base, per_relation = figure.subplots(2, 1, sharex=True)
    for base, rows in frame.groupby("base_model", sort=False):
        per_base.plot(_dates(rows["date"]), rows["derivatives"], marker="o", label=safe_label(base))
    per_base.set_ylabel("derivative models (count)")
    per_base.set_title("Derivatives of the top base models over time", y=TITLE_Y)
    _legend(per_base, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    relations = [c for c in LINEAGE_COLUMNS if c != "derivatives" and c in frame.columns]
    totals = frame.groupby("date", sort=True)[relations].sum()
    days = _dates(pd.Series(totals.index))
    values = [totals[r].to_numpy(dtype=np.float64) for r in relations]
    if len(days) > 1:
        per_relation.stackplot(days, values, labels=relations)
    elif len(days) == 1:
        bottom = 0.0
        for value, name in zip(values, relations, strict=True):
            per_relation.bar(days, value, bottom=bottom, label=name)
            bottom += value
    per_relation.set_ylabel("derivatives of those models (count)")
    per_relation.set_title("The same derivatives by relation to their base", y=TITLE_Y)
    _legend(per_relation, title="relation", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _date_axis(per_base, None)
    _date_axis(per_relation)
    save(figure, path)


def _rank_axis(axes: Axes, ranks: np.ndarray) -> None:
    """Rank 1 on top; on a linear axis, whole ranks only, from 1."""
    if axes.get_yscale() == "linear":
        axes.set_ylim(1 - 0.5, float(np.nanmax(ranks, initial=1.0)) + 0.5)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.invert_yaxis()


def repo(frame: pd.DataFrame, path: Path, *, name: str, panels: dict[str, str]) -> None:
    """The daily series of the repo `name` (`python -m analysis show`): a panel per column of
    `panels` (column: its axis' unit), the rank's upside down (1 on top)."""
    figure = Figure(figsize=(10, 2.2 * len(panels) + 1), layout="constrained")
    stacked = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    days = _dates(frame["date"])
    for axes, (column, unit) in zip(stacked, panels.items(), strict=True):
        values = frame[column].astype("float64").to_numpy(na_value=np.nan)
        axes.plot(days, values, marker="o", color="#3b6ea5")
        value_axis(axes, values, unit, which="y")
        if column == "rank":
            _rank_axis(axes, values)
        _date_axis(axes, "snapshot date (UTC)" if axes is stacked[-1] else None)
    first, last = frame["date"].iloc[0], frame["date"].iloc[-1]
    stacked[0].set_title(f"{safe_label(name, 80)}: daily series from {first} to {last}", y=TITLE_Y)
    save(figure, path)
