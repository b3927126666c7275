"""Value axes: logarithmic with at least three labelled ticks past a decade, else linear."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.render.charts import compact_number, value_axis


def _axes(values: list[float], which: str = "x") -> Axes:
    axes = Figure().add_subplot()
    value_axis(axes, np.array(values, dtype=np.float64), "downloads", which=which)
    axes.figure.canvas.draw()
    return axes


def _labels(axes: Axes, which: str = "x") -> list[str]:
    ticks = axes.get_xticklabels() if which == "x" else axes.get_yticklabels()
    low, high = sorted(axes.get_xlim() if which == "x" else axes.get_ylim())
    return [
        tick.get_text()
        for tick in ticks
        if tick.get_text() and low <= (tick.get_position()[0 if which == "x" else 1]) <= high
    ]


@pytest.mark.parametrize(
    "values",
    [
        [19_770, 2_521_223],  # two decades: their powers of ten alone would label two
        [150, 1_600],  # just over a decade
        [3, 40, 700, 9_000, 120_000, 3_000_000],
    ],
)
def test_a_log_axis_labels_three_ticks_or_more(values: list[float]) -> None:
    axes = _axes(values)
    assert axes.get_xscale() == "log"
    assert len(_labels(axes)) >= 3
    assert axes.get_xlabel() == "downloads, log scale"


def test_values_within_a_decade_get_a_linear_axis() -> None:
    axes = _axes([2_000, 15_000], which="y")
    assert axes.get_yscale() == "linear"
    assert axes.get_ylabel() == "downloads"
    assert len(_labels(axes, "y")) >= 3


def test_zeros_beside_a_wide_span_get_a_symmetric_log_axis_with_zero_labelled() -> None:
    axes = _axes([0, 5, 40_000], which="y")
    assert axes.get_yscale() == "symlog"
    labels = _labels(axes, "y")
    assert labels[0] == "0"
    assert len(labels) >= 3


def test_whole_counts_get_whole_ticks() -> None:
    axes = _axes([0, 0, 0], which="y")
    assert all("." not in label for label in _labels(axes, "y"))


def test_tick_numbers_are_short() -> None:
    assert [compact_number(v) for v in (950, 20_000, 1_500_000, 2e9, 0.5)] == [
        "950",
        "20k",
        "1.5M",
        "2B",
        "0.5",
    ]
