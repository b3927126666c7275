"""A chart of the report, declared once: what the page says of it and how it is drawn.

A chart names its PNG (`charts/<name>.png`), its title and caption, the CSV tables behind it, and
its drawing call: a drawing function of analysis.render.charts or analysis.render.history_charts,
the tables it draws (by CSV name, passed first), its other arguments, and how many of the tables'
rows the drawing shows when it shows only the first ones (`rows`). `drawing` binds them into a
picklable call, so worker processes draw; a chart is ready to draw once its tables exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Chart:
    """A chart of the report: its PNG, what it shows, the tables behind it and its drawing."""

    name: str
    title: str
    caption: str
    tables: list[str]
    draw: Callable[..., None]
    inputs: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    rows: int | None = None

    @property
    def png(self) -> str:
        """The PNG's path relative to the report directory."""
        return f"charts/{self.name}.png"

    def ready(self, frames: Mapping[str, pd.DataFrame]) -> bool:
        """Whether every table this chart draws is in `frames`."""
        return all(name in frames for name in self.inputs)

    def drawing(self, frames: Mapping[str, pd.DataFrame], report_dir: Path) -> partial[None]:
        """The call drawing this chart from `frames` into `report_dir`: with `rows`, only the
        rows it shows are handed on (a table of the links holds half a million, 27 MB to pickle
        for a chart of thirty)."""
        tables = [frames[name] for name in self.inputs]
        if self.rows is not None:
            tables = [table.head(self.rows) for table in tables]
        return partial(self.draw, *tables, path=report_dir / self.png, **self.options)


def capitalised(text: str) -> str:
    """`text` with its first letter upper case (a title's start: "datasets" → "Datasets")."""
    return text[:1].upper() + text[1:]
