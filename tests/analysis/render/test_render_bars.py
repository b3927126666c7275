"""Stacked bars drawn as one collection look exactly like matplotlib's own bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.render.charts import cycle_colour, save, stacked_bars

# Three stacks of five bars, with an empty last stack (its base is the longest bar's end) and
# bars below zero, as the churn chart draws deletions.
_STACKS = np.array(
    [[5.0, 1.0, 0.0, 40.0, 2.0], [3.0, 0.0, 7.0, 10.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0]]
)


def _draw(path: Path, *, ours: bool, horizontal: bool, sign: float) -> None:
    figure = Figure(figsize=(4, 3), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(_STACKS.shape[1])
    base = np.zeros(_STACKS.shape[1])
    for number, stack in enumerate(_STACKS * sign):
        colour, label = cycle_colour(number), f"stack {number}"
        if ours:
            stacked_bars(
                axes, positions, stack, base, colour=colour, label=label, horizontal=horizontal
            )
        elif horizontal:
            axes.barh(positions, stack, left=base, color=colour, label=label)
        else:
            axes.bar(positions, stack, bottom=base, color=colour, label=label)
        base = base + stack
    axes.legend(loc="upper left")
    save(figure, path)


@pytest.mark.parametrize(("horizontal", "sign"), [(False, 1.0), (True, 1.0), (False, -1.0)])
def test_stacked_bars_draw_the_same_pixels_as_matplotlibs_bars(
    tmp_path: Path, horizontal: bool, sign: float
) -> None:
    theirs, ours = tmp_path / "bar.png", tmp_path / "collection.png"
    _draw(theirs, ours=False, horizontal=horizontal, sign=sign)
    _draw(ours, ours=True, horizontal=horizontal, sign=sign)
    expected = np.asarray(Image.open(theirs).convert("RGB"))
    drawn = np.asarray(Image.open(ours).convert("RGB"))
    assert drawn.shape == expected.shape
    assert np.array_equal(drawn, expected)
