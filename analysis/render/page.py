"""Render the self-contained `index.html` of a report.

The page embeds every chart as a base64 `data:` URI, so the file alone works offline. Its
Content-Security-Policy forbids any fetch and every script but its own: the few lines of
`templates/tables.js`, inlined and allowed by their sha256, which make each table sortable by any
column (click a header, again to reverse) and filterable by text. Without JavaScript the tables
read the same, unsorted. The Jinja2 template is package data (read with `pkgutil`) and rendered
with autoescape on, so no Hub string reaches the page unescaped: not in text, tables, links, `alt`
or `title` attributes. Every value the template writes is also neutralised (control and
bidirectional characters as visible escapes, see analysis.text), and the strings of the data
(table cells, the manifest's values, skipped partitions) are cut at `PAGE_CHARACTERS`.

Each column of a table has one format, chosen from its values: integers with thousands
separators; decimals with as many places as its typical value needs, shares as percentages, both
right-aligned; rank changes as ▲3, ▼2, = or new. Repo ids (and base models, authors) link to
their Hub page when they have the Hub's form (analysis.render.links). An empty table says "none".
"""

from __future__ import annotations

import base64
import hashlib
import math
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import numpy as np
import pandas as pd

from analysis.defaults import PAGE_CHARACTERS
from analysis.render.chart import Chart
from analysis.render.links import hub_url
from analysis.text import neutralise, shown

_KEY_ROWS = 25
# Text cells longer than this may wrap anywhere (a hostile id has no spaces); shorter ones never.
_LONG_TEXT = 48
_MAX_DECIMALS = 4
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class KeyTable:
    """A table shown in the page: its first rows (the CSV named `csv` holds all), with the
    columns `changes` shown as rank changes, and the Hub path of the columns whose names link
    where it differs from the page's (`links`: a datasets table's ids are datasets)."""

    title: str
    frame: pd.DataFrame
    csv: str = ""
    changes: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A titled part of the page with its own note, charts and key tables (authors, history)."""

    title: str
    anchor: str
    note: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[KeyTable] = field(default_factory=list)


@dataclass(frozen=True)
class _Format:
    """How one column's cells are written: `kind` (integer, decimal, percent, change, boolean,
    date or text), the decimal places, and the Hub path of the links (None: no links)."""

    kind: str
    decimals: int = 0
    hub_path: str | None = None

    @property
    def number(self) -> bool:
        return self.kind in {"integer", "decimal", "percent", "change"}


def _decimals(values: pd.Series) -> int:
    """Places enough for three significant digits of the column's typical (median) value."""
    magnitudes = values.abs()
    magnitudes = magnitudes[(magnitudes > 0) & np.isfinite(magnitudes)]
    if magnitudes.empty:
        return 0
    return min(_MAX_DECIMALS, max(0, 2 - math.floor(math.log10(float(magnitudes.median())))))


# The kinds pandas infers for a column's values, and the format each gets.
_KINDS = {"boolean": "boolean", "integer": "integer", "floating": "decimal"}
_KINDS |= {"mixed-integer-float": "decimal", "decimal": "decimal"}


def _format(column: str, values: pd.Series, table: KeyTable, links: dict[str, str]) -> _Format:
    """The one format of `column`, from the kind of its values."""
    present = values.dropna()
    kind = _KINDS.get(pd.api.types.infer_dtype(present, skipna=True), "text")
    if column in table.changes:
        kind = "change"
    elif kind == "decimal" and ("share" in column or column == "relative_gain"):
        return _Format("percent", _decimals(present.astype("float64") * 100))
    elif kind == "decimal":
        return _Format("decimal", _decimals(present.astype("float64")))
    elif kind == "text" and not present.empty and present.map(_is_date).all():
        kind = "date"
    return _Format(kind, hub_path=links.get(column) if kind == "text" else None)


def _is_date(value: object) -> bool:
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def _change(value: int) -> str:
    if value > 0:
        return f"▲{value:,}"
    if value < 0:
        return f"▼{-value:,}"
    return "="


def _text(value: object, form: _Format) -> dict[str, object]:
    href = None if form.hub_path is None else hub_url(str(value), form.hub_path)
    text = shown(value, PAGE_CHARACTERS)
    return {"text": text, "href": href, "long": len(text) > _LONG_TEXT}


# How each kind writes a present value: its text, and its sort key for numbers.
_WRITERS: dict[str, Callable[[Any, _Format], dict[str, object]]] = {
    "change": lambda value, _: {"text": _change(int(value)), "sort": int(value)},
    "boolean": lambda value, _: {"text": "yes" if value else "no"},
    "integer": lambda value, _: {"text": f"{int(value):,}", "sort": int(value)},
    "decimal": lambda value, form: {
        "text": f"{float(value):,.{form.decimals}f}",
        "sort": float(value),
    },
    "percent": lambda value, form: {
        "text": f"{float(value) * 100:,.{form.decimals}f}%",
        "sort": float(value),
    },
    "date": _text,
    "text": _text,
}


def _cell(value: object, form: _Format) -> dict[str, object]:
    """A cell's text, its sort key (numbers), its link, as `form` writes them."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        if form.kind == "change":
            # No rank then: new to the ranking, above every change when sorted.
            return {"text": "new", "sort": "Infinity"}
        # A value the Hub did not give (None, NaN, pandas' NA) is shown empty, as in the CSV.
        return {"text": "", "sort": ""} if form.number else {"text": ""}
    return _WRITERS[form.kind](value, form)


def _finalize(value: object) -> object:
    """What the template writes of `value`: strings neutralised (then autoescaped); markup (a
    macro's output, made of the template's own text and values already neutralised) as it is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return neutralise(value)
    return value


def _table(table: KeyTable, links: dict[str, str]) -> dict[str, object]:
    links = links | table.links
    frame = table.frame.head(_KEY_ROWS)
    columns = [str(c) for c in frame.columns]
    formats = [_format(column, frame[column], table, links) for column in columns]
    rows = [
        [
            {"href": None, "long": False, **_cell(value, form), "kind": form.kind}
            for value, form in zip(row, formats, strict=True)
        ]
        for row in frame.itertuples(index=False)
    ]
    return {
        "title": table.title,
        # A header breaks between its words only (each word is kept whole by the page).
        "columns": [
            {
                "words": shown(column.replace("_", " "), PAGE_CHARACTERS).split(),
                "number": form.number,
            }
            for column, form in zip(columns, formats, strict=True)
        ],
        "rows": rows,
        "shown": len(frame),
        "total": len(table.frame),
        "csv": table.csv,
    }


def _figure(chart: Chart, report_dir: Path) -> dict[str, object]:
    return {
        "name": chart.name,
        "title": chart.title,
        "caption": chart.caption,
        "tables": chart.tables,
        "png_base64": base64.b64encode((report_dir / chart.png).read_bytes()).decode(),
    }


def _section(section: Section, report_dir: Path, links: dict[str, str]) -> dict[str, object]:
    return {
        "title": section.title,
        "anchor": section.anchor,
        "note": section.note,
        "charts": [_figure(chart, report_dir) for chart in section.charts],
        "tables": [_table(table, links) for table in section.tables],
    }


def _package_text(name: str) -> str:
    data = pkgutil.get_data(__package__, name)
    if data is None:
        msg = f"the package data {name} is missing"
        raise FileNotFoundError(msg)
    return data.decode("utf-8")


def render(
    report_dir: Path,
    *,
    heading: dict[str, str],
    headline: list[dict[str, str]],
    quality: list[tuple[str, str]],
    skipped: list[dict[str, str]],
    charts: list[Chart],
    tables: list[KeyTable],
    lead: list[Section],
    sections: list[Section],
    links: dict[str, str],
) -> Path:
    """Write `index.html` into `report_dir` (whose `charts/` already holds the PNGs): the
    `lead` sections come before the charts, the other `sections` after them; `links` gives the
    Hub path of the columns whose names link to the Hub."""
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize
    )
    template = environment.from_string(_package_text("templates/report.html.j2"))
    script = _package_text("templates/tables.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    page = template.render(
        repo_type=heading["repo_type"],
        day=heading["day"],
        # The page's own script, written as it is: the policy allows exactly these bytes.
        script=markupsafe.Markup(script),  # noqa: S704
        script_hash=f"sha256-{digest}",
        headline=headline,
        quality=[
            {"label": label, "value": shown(value, PAGE_CHARACTERS)} for label, value in quality
        ],
        skipped=[
            {key: shown(value, PAGE_CHARACTERS) for key, value in item.items()} for item in skipped
        ],
        charts=[_figure(chart, report_dir) for chart in charts],
        tables=[_table(table, links) for table in tables],
        lead=[_section(section, report_dir, links) for section in lead],
        sections=[_section(section, report_dir, links) for section in sections],
    )
    path = report_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
