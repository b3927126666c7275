"""Render the self-contained `index.html` of a report.

The page embeds every chart as a base64 `data:` URI, so the file alone works offline, and its
Content-Security-Policy forbids scripts and any fetch. The Jinja2 template is package data (read
with `pkgutil`) and rendered with autoescape on, so no Hub string reaches the page unescaped: not
in text, tables, `alt` or `title` attributes. Every value the template writes is also neutralised
(control and bidirectional characters as visible escapes, see analysis.text), and the strings of
the data (table cells, the manifest's values, skipped partitions) are cut at `PAGE_CHARACTERS`.
"""

from __future__ import annotations

import base64
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markupsafe
import numpy as np
import pandas as pd

from analysis.defaults import PAGE_CHARACTERS
from analysis.render.chart import Chart
from analysis.text import neutralise, shown

_KEY_ROWS = 15


@dataclass(frozen=True)
class KeyTable:
    """A table shown in the page (its first rows; the CSV holds all)."""

    title: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Section:
    """A titled part of the page with its own note, charts and key tables (authors, history)."""

    title: str
    anchor: str
    note: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[KeyTable] = field(default_factory=list)


def _cell(value: object, column: str) -> dict[str, object]:
    # A value the Hub did not give (None, NaN, pandas' NA) is shown empty, as in the CSV.
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return {"text": "", "number": False}
    if isinstance(value, bool | np.bool_):
        return {"text": str(value), "number": False}
    if isinstance(value, int | np.integer):
        return {"text": f"{int(value):,}", "number": True}
    if isinstance(value, float | np.floating):
        text = f"{value:.2%}" if "share" in column else f"{value:,.4g}"
        return {"text": text, "number": True}
    return {"text": shown(value, PAGE_CHARACTERS), "number": False}


def _finalize(value: object) -> object:
    """What the template writes of `value`: strings neutralised (then autoescaped); markup (a
    macro's output, made of the template's own text and values already neutralised) as it is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return neutralise(value)
    return value


def _table(table: KeyTable) -> dict[str, object]:
    frame = table.frame.head(_KEY_ROWS)
    columns = [str(c) for c in frame.columns]
    rows = [
        [_cell(value, column) for value, column in zip(row, columns, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    return {
        "title": table.title,
        "columns": [shown(column, PAGE_CHARACTERS) for column in columns],
        "rows": rows,
    }


def _figure(chart: Chart, report_dir: Path) -> dict[str, object]:
    return {
        "name": chart.name,
        "title": chart.title,
        "caption": chart.caption,
        "tables": chart.tables,
        "png_base64": base64.b64encode((report_dir / chart.png).read_bytes()).decode(),
    }


def render(
    report_dir: Path,
    *,
    heading: dict[str, str],
    headline: list[tuple[str, str]],
    quality: list[tuple[str, str]],
    skipped: list[dict[str, str]],
    charts: list[Chart],
    tables: list[KeyTable],
    sections: list[Section],
) -> Path:
    """Write `index.html` into `report_dir` (whose `charts/` already holds the PNGs)."""
    source = pkgutil.get_data(__package__, "templates/report.html.j2")
    if source is None:
        msg = "the package data templates/report.html.j2 is missing"
        raise FileNotFoundError(msg)
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize
    )
    template = environment.from_string(source.decode("utf-8"))
    page = template.render(
        repo_type=heading["repo_type"],
        day=heading["day"],
        headline=[{"label": label, "value": value} for label, value in headline],
        quality=[
            {"label": label, "value": shown(value, PAGE_CHARACTERS)} for label, value in quality
        ],
        skipped=[
            {key: shown(value, PAGE_CHARACTERS) for key, value in item.items()} for item in skipped
        ],
        charts=[_figure(chart, report_dir) for chart in charts],
        tables=[_table(table) for table in tables],
        sections=[
            {
                "title": section.title,
                "anchor": section.anchor,
                "note": section.note,
                "charts": [_figure(chart, report_dir) for chart in section.charts],
                "tables": [_table(table) for table in section.tables],
            }
            for section in sections
        ],
    )
    path = report_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
