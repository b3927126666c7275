"""Draw the report's charts as PNG files with matplotlib's Agg canvas (no display, no pyplot state).

Every label that comes from the Hub passes through `safe_label`: matplotlib would read `$…$` as
mathtext (and fail the whole chart on a malformed formula), so every `$` is escaped; a
300-character tag would squeeze the plot to nothing; control and bidirectional-override characters
would reorder the text (they are shown as escapes, see analysis.text); and a character missing from
the font would raise a warning.

Counts that span a decade or more are drawn on a log axis (`value_axis`) with at least three
labelled ticks (at 1, 2 and 5 times the powers of ten, or every integer multiple, when the decades
alone are too few), written as 20k, 1.5M; counts within a decade on a linear axis. Every axis
says its unit, and "log scale" when it is one.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import font_manager, ft2font, rcParams
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from analysis.defaults import MIGRATION_BATCH_START, TOP_N
from analysis.snapshot.aggregates import LINEAGE_ORDER, PLACEHOLDER_MONTH, UNKNOWN_MONTH, Density
from analysis.snapshot.authorship import KINDS
from analysis.store.derive import UNSPECIFIED_RELATION
from analysis.text import neutralise, shorten

LABEL_CHARACTERS = 40
_DPI = 100
_MISSING_GLYPH = "?"
# Every axes title sits at the top of its frame (y=1.0 in axes coordinates). Left to place it,
# matplotlib measures every tick label of the y axis, at the layout and again at the drawing, in
# case an x axis on top or an offset text overlaps the title, which no chart here has: that took
# a seventh of a ranking chart's time, for the same pixels.
TITLE_Y = 1.0
_BAR_COLOUR = "#3b6ea5"
KIND_COLOURS = {"org": "#3b6ea5", "user": "#e08a2c", "unknown": "#9a9a9a"}


@functools.cache
def _glyphs() -> frozenset[int]:
    """Code points the default font can draw."""
    path = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.family"]))
    return frozenset(ft2font.FT2Font(path).get_charmap())


def prepare() -> None:
    """Load the font's character map ahead of the first chart (used to warm worker processes)."""
    _glyphs()


def safe_label(text: object, limit: int = LABEL_CHARACTERS) -> str:
    """A Hub string made safe and legible as a chart label, in tick labels and legends alike."""
    glyphs = _glyphs()
    drawable = "".join(
        char if ord(char) in glyphs else _MISSING_GLYPH for char in neutralise(str(text))
    ).strip()
    # An escaped dollar is never mathtext, and matplotlib draws it as a plain `$`.
    return shorten(drawable, limit).replace("$", r"\$")


def save(figure: Figure, path: Path) -> None:
    """Write `figure` as a PNG file."""
    engine = figure.get_layout_engine()
    if engine is not None:
        # Laid out once, at the resolution it is saved at, then fixed: savefig would otherwise
        # draw the whole figure once for the layout and once more for the pixels.
        figure.set_dpi(_DPI)
        engine.execute(figure)
        figure.set_layout_engine(None)
    # zlib level 1 rather than 6: a chart is encoded in a third less time for 7% more bytes.
    figure.savefig(path, format="png", dpi=_DPI, pil_kwargs={"compress_level": 1})


def stacked_bars(
    axes: Axes,
    positions: np.ndarray,
    heights: np.ndarray,
    base: np.ndarray | float,
    *,
    colour: str,
    label: str | None = None,
    width: float = 0.8,
    horizontal: bool = False,
) -> PolyCollection:
    """Bars from `base` to `base + heights` centred on `positions` (vertical, or horizontal as
    `Axes.barh` draws them), drawn as `Axes.bar` draws them but as one artist: a bar per artist,
    each updating the axes' limits, took half a second for a chart of 480 bars."""
    x = np.asarray(positions, dtype=np.float64)
    low = np.broadcast_to(np.asarray(base, dtype=np.float64), x.shape)
    high = low + np.asarray(heights, dtype=np.float64)
    left, right = x - width / 2, x + width / 2
    pairs = ((left, low), (left, high), (right, high), (right, low))
    if horizontal:
        pairs = tuple((value, across) for across, value in pairs)
    corners = np.stack([np.stack(pair, axis=-1) for pair in pairs], axis=1)
    bars = PolyCollection(
        corners, facecolors=colour, edgecolors="none", linewidths=0, label=label, closed=True
    )
    # As Axes.bar does: no margin beyond any bar's base on the value axis (the axis starts at
    # zero, and a stack whose last bars are empty ends at the edge).
    (bars.sticky_edges.x if horizontal else bars.sticky_edges.y).extend(np.unique(low).tolist())
    axes.add_collection(bars, autolim=True)
    axes.autoscale_view()
    return bars


def cycle_colour(number: int) -> str:
    """The colour matplotlib gives the `number`-th bar or line of an axes (from 0)."""
    colours = rcParams["axes.prop_cycle"].by_key()["color"]
    return colours[number % len(colours)]


_MIN_TICKS = 3
# Multiples of each power of ten tried for the ticks of a log axis, fewest first.
_LOG_STEPS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0))
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact_number(value: float, _position: object = None) -> str:
    """A tick's number in few characters: 950, 20k, 1.5M."""
    for size, suffix in _SUFFIXES:
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _log_ticks(low: float, high: float) -> list[float]:
    """At least three ticks between `low` and `high` (> 0), at the fewest multiples of the
    powers of ten that give them."""
    ticks: list[float] = []
    for steps in _LOG_STEPS:
        powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        ticks = [s * 10.0**k for k in powers for s in steps if low <= s * 10.0**k <= high]
        if len(ticks) >= _MIN_TICKS:
            break
    return ticks


def value_axis(axes: Axes, values: np.ndarray, unit: str, *, which: str = "x") -> None:
    """The axis `which` ("x" or "y") of counts `values`, labelled with `unit`: logarithmic with
    at least three labelled ticks when the positive values span a decade or more (symmetric
    around zero when some are zero), else linear from zero."""
    axis = axes.xaxis if which == "x" else axes.yaxis
    limits = axes.set_xlim if which == "x" else axes.set_ylim
    label = axes.set_xlabel if which == "x" else axes.set_ylabel
    finite = values[np.isfinite(values)]
    positive = finite[finite > 0]
    if len(positive) == 0 or positive.max() < 10 * positive.min():
        label(unit)
        limits(0, max(1.0, float(finite.max(initial=0.0))) * 1.05)
        # Whole counts get whole ticks (no 0.2 likes).
        axis.set_major_locator(MaxNLocator(integer=bool(np.all(finite == np.round(finite)))))
        axis.set_major_formatter(FuncFormatter(compact_number))
        return
    low, high = float(positive.min()) / 1.5, float(positive.max()) * 1.3
    zero = bool((finite == 0).any())
    if zero:
        # Zero shows at the bottom, one unit below the first decade of the data.
        getattr(axes, f"set_{which}scale")("symlog", linthresh=max(1.0, low))
        limits(0, high)
        ticks = [0.0, *_log_ticks(max(1.0, low), high)]
    else:
        getattr(axes, f"set_{which}scale")("log")
        limits(low, high)
        ticks = _log_ticks(low, high)
    # Set after the scale, which brings its own.
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(compact_number))
    # No minor ticks: labelled they run into each other on short axes, and unlabelled they
    # still cost a third of drawing a chart.
    axis.set_minor_locator(NullLocator())
    label(f"{unit}, log scale")


def _bars(
    axes: Axes,
    labels: list[str],
    values: np.ndarray,
    unit: str,
    *,
    colours: list[str] | str = _BAR_COLOUR,
) -> None:
    """Horizontal bars, largest on top, with safe category labels, on a value axis of `unit`."""
    positions = np.arange(len(labels))
    values = np.asarray(values, dtype=np.float64)
    value_axis(axes, values, unit)
    # On a log axis a bar starts at the axis' lower end, where a zero count ends.
    start = axes.get_xlim()[0]
    axes.barh(positions, np.maximum(values - start, 0), left=start, color=colours)
    axes.set_yticks(positions, labels=[safe_label(label) for label in labels])
    axes.invert_yaxis()
    axes.grid(axis="x", alpha=0.3)


def ranking(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    unit: str,
    path: Path,
    noun: str = "model",
) -> None:
    """Top entries of `frame` by `value` as horizontal bars (log scale past a decade); `noun`
    names what an id is (a model, a dataset, a Space).

    When `frame` has an author `kind` column, bars are coloured by kind, with a legend.
    """
    top = frame.head(TOP_N)
    figure = Figure(figsize=(10, 0.32 * len(top) + 1.6), layout="constrained")
    axes = figure.add_subplot()
    if "kind" in top.columns:
        colours = [KIND_COLOURS.get(kind, KIND_COLOURS["unknown"]) for kind in top["kind"]]
        _bars(axes, list(top[label]), top[value].to_numpy(), unit, colours=colours)
        handles = [Patch(color=KIND_COLOURS[kind], label=kind) for kind in KINDS]
        axes.legend(handles=handles, title="author kind", loc="lower right", fontsize=8)
    else:
        _bars(axes, list(top[label]), top[value].to_numpy(), unit)
    axes.set_ylabel(noun if label == "id" else label.replace("_", " "))
    axes.set_title(title, y=TITLE_Y)
    save(figure, path)


def author_kinds(split: pd.DataFrame, profiles_label: str, path: Path) -> None:
    """Shares of models and of 30-day downloads held by organisations, users and unknown authors."""
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axes = figure.add_subplot()
    measures = {"models_share": "models", "downloads_share": "downloads, last 30 days"}
    positions = np.arange(len(measures))
    left = np.zeros(len(measures))
    for row in split.itertuples(index=False):
        values = np.array([getattr(row, column) for column in measures], dtype=np.float64)
        colour = KIND_COLOURS.get(row.kind, KIND_COLOURS["unknown"])
        axes.barh(positions, values, left=left, color=colour, label=f"{row.kind}")
        for position, start, value in zip(positions, left, values, strict=True):
            if value >= 0.04:
                axes.text(start + value / 2, position, f"{value:.0%}", ha="center", va="center")
        left += values
    axes.set_yticks(positions, labels=list(measures.values()))
    axes.set_ylabel("measure")
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of all models / of all downloads")
    axes.set_title(f"Organisations vs users ({profiles_label})", y=TITLE_Y)
    axes.legend(title="author kind", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    save(figure, path)


def breakdown(
    frame: pd.DataFrame, label: str, title: str, path: Path, unit: str = "models"
) -> None:
    """Repos (counted in the `unit` column), downloads and likes per category side by side, the
    largest categories first."""
    top = frame.head(TOP_N)
    figure = Figure(figsize=(15, 0.32 * len(top) + 1.8), layout="constrained")
    panels = figure.subplots(1, 3, sharey=True)
    units = {
        unit: f"{unit} (count)",
        "downloads": "downloads, last 30 days",
        "likes": "likes (count)",
    }
    for axes, (column, axis_label) in zip(panels, units.items(), strict=True):
        _bars(axes, list(top[label]), top[column].to_numpy(), axis_label)
    panels[0].set_ylabel(label.replace("_", " "))
    figure.suptitle(title)
    save(figure, path)


def likes_vs_downloads(density: Density, path: Path) -> None:
    """Every model in a log-log density grid (log10 of count + 1, so zeros stay visible)."""
    figure = Figure(figsize=(8, 6.5), layout="constrained")
    axes = figure.add_subplot()
    if density.models:
        # Empty cells stay blank: a log colour scale has no place for zero.
        shown = np.ma.masked_equal(density.counts.T, 0)
        cells = axes.pcolormesh(
            density.downloads_edges, density.likes_edges, shown, norm=LogNorm(), cmap="viridis"
        )
        figure.colorbar(cells, ax=axes, label="models per cell (log scale)")
    axes.set_xlabel("downloads, last 30 days (log10 of count + 1)")
    axes.set_ylabel("likes (log10 of count + 1)")
    axes.set_title(f"Likes vs downloads, all {density.models:,} models with both", y=TITLE_Y)
    save(figure, path)


def created_per_month(
    frame: pd.DataFrame, path: Path, noun: str = "models", stack: str = "modality"
) -> None:
    """Repos (`noun`) created per month, stacked by `stack` (the columns besides month and total);
    placeholder and undated repos noted."""
    special = frame["month"].isin([PLACEHOLDER_MONTH, UNKNOWN_MONTH])
    dated = frame[~special]
    placeholder = int(frame.loc[frame["month"] == PLACEHOLDER_MONTH, "total"].sum())
    undated = int(frame.loc[frame["month"] == UNKNOWN_MONTH, "total"].sum())
    modalities = [c for c in frame.columns if c not in {"month", "total"}]
    figure = Figure(figsize=(12, 6), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(dated))
    bottom = np.zeros(len(dated))
    for number, modality in enumerate(modalities):
        values = dated[modality].to_numpy(dtype=np.float64)
        colour, label = cycle_colour(number), safe_label(modality)
        stacked_bars(axes, positions, values, bottom, colour=colour, label=label, width=0.9)
        bottom += values
    step = max(1, len(dated) // 24)
    axes.set_xticks(positions[::step], labels=list(dated["month"])[::step], rotation=60)
    axes.set_xlabel("month of createdAt (UTC)")
    axes.set_ylabel(f"{noun} created (count)")
    axes.set_title(
        f"{noun.capitalize()} created per month by {stack} ({placeholder:,} of the"
        f" {MIGRATION_BATCH_START:%Y-%m-%d} migration batch and {undated:,} without a date are not"
        " shown)",
        fontsize=10,
        y=TITLE_Y,
    )
    if modalities:
        # Placed, not searched for: creations grow over time, so the upper left is the emptiest,
        # and finding the "best" place measures every bar twice.
        axes.legend(title=stack, fontsize=8, loc="upper left")
    save(figure, path)


def size_classes(frame: pd.DataFrame, unknown: str, path: Path) -> None:
    """Models and 30-day downloads per parameter-count class, smallest class on top; the models of
    unknown size (class `unknown`) are left to the table, where they would dwarf the others."""
    known = frame[frame["size_class"] != unknown]
    figure = Figure(figsize=(12, 0.4 * len(known) + 1.8), layout="constrained")
    panels = figure.subplots(1, 2, sharey=True)
    units = {"models": "models (count)", "downloads": "downloads, last 30 days"}
    for axes, (column, unit) in zip(panels, units.items(), strict=True):
        _bars(axes, list(known["size_class"]), known[column].to_numpy(), unit)
    panels[0].set_ylabel("parameters (safetensors total)")
    figure.suptitle("Models and downloads by parameter count")
    save(figure, path)


def concentration(metrics: pd.DataFrame, curves: pd.DataFrame, path: Path) -> None:
    """Lorenz curves of downloads among models and among authors, with Gini and top shares."""
    figure = Figure(figsize=(7.5, 7), layout="constrained")
    axes = figure.add_subplot()
    share = curves["population_share"].to_numpy()
    axes.plot(share, share, color="grey", linestyle="--", label="perfect equality")
    for row in metrics.itertuples(index=False):
        label = f"{row.population}: Gini {row.gini:.3f}"
        axes.plot(share, curves[f"{row.population}_downloads_share"], label=label)
    tops = [c for c in metrics.columns if c.startswith("top_")]
    lines = [
        f"{row['population']}: " + ", ".join(f"{c[4:-6]} hold {row[c]:.1%}" for c in tops)
        for _, row in metrics.iterrows()
    ]
    axes.text(0.02, 0.97, "\n".join(lines), va="top", fontsize=8, transform=axes.transAxes)
    axes.set_xlabel("share of population, smallest first")
    axes.set_ylabel("share of downloads (last 30 days)")
    axes.set_title("Concentration of downloads (Lorenz curves)", y=TITLE_Y)
    axes.legend(loc="center left")
    save(figure, path)


def lineage(frame: pd.DataFrame, declaring: float, path: Path) -> None:
    """Top base models by number of derivatives, stacked by relation."""
    top = frame.head(TOP_N)
    figure = Figure(figsize=(11, 0.32 * len(top) + 1.8), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(top))
    left = np.zeros(len(top))
    for number, relation in enumerate((*LINEAGE_ORDER, UNSPECIFIED_RELATION)):
        values = top[relation].to_numpy(dtype=np.float64)
        colour = cycle_colour(number)
        stacked_bars(axes, positions, values, left, colour=colour, label=relation, horizontal=True)
        left += values
    labels = [safe_label(name) for name in top["base_model"]]
    axes.set_yticks(positions, labels=labels)
    axes.invert_yaxis()
    axes.set_xlabel("derivative models (count)")
    axes.set_ylabel("base model")
    axes.set_title(
        f"Top base models by derivatives ({declaring:.1%} of models declare a base)", y=TITLE_Y
    )
    # Longest bars on top: the lower right is the emptiest (see created_per_month).
    axes.legend(title="relation", loc="lower right")
    save(figure, path)
