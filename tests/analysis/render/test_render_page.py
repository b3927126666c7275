"""The page's tables: one format per column, numbers right-aligned, links, rank changes, "none"."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.render.page import KeyTable, render
from tests.helpers import without_own_script


def _page(tmp_path: Path, *tables: KeyTable) -> str:
    render(
        tmp_path,
        heading={"repo_type": "models", "day": "2026-11-28"},
        headline=[],
        quality=[],
        skipped=[],
        charts=[],
        tables=list(tables),
        lead=[],
        sections=[],
        links={"id": "", "author": ""},
    )
    return (tmp_path / "index.html").read_text(encoding="utf-8")


def _cells(page: str) -> list[list[tuple[str, str]]]:
    """Each body row's cells as (class, text)."""
    body = page.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0]
    return [
        [
            (css, re.sub(r"<[^>]+>", "", text))
            for css, text in re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_each_column_has_one_format(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["acme/alpha", "dave/<b>x</b>"],
            "per_day": [82_058.0, 1_730.25],
            "gini": [0.985, 0.4167],
            "downloads_share": [0.87412, 0.0012],
            "relative_gain": [8.691e-05, 0.1534],
            "gained": pd.array([328_232, None], dtype="Int64"),
            "change": pd.array([3, None], dtype="Int64"),
            "anomaly": [False, True],
            "start": ["2026-11-29", "2026-11-30"],
        }
    )
    page = _page(tmp_path, KeyTable("Numbers", frame, "numbers.csv", changes=("change",)))
    assert _cells(page) == [
        [
            ("text", "acme/alpha"),
            ("number", "82,058"),
            ("number", "0.985"),
            ("number", "87.4%"),
            ("number", "0.01%"),
            ("number", "328,232"),
            ("number", "▲3"),
            ("boolean", "no"),
            ("date", "2026-11-29"),
        ],
        [
            ("text", "dave/&lt;b&gt;x&lt;/b&gt;"),
            ("number", "1,730"),
            ("number", "0.417"),
            ("number", "0.1%"),
            ("number", "15.34%"),
            ("number", ""),
            ("number", "new"),
            ("boolean", "yes"),
            ("date", "2026-11-30"),
        ],
    ]
    shown = [text for row in _cells(page) for _, text in row]
    assert not [text for text in shown if re.search(r"\de[+-]\d", text)]
    assert '<a href="https://huggingface.co/acme/alpha">acme/alpha</a>' in page
    # The only link out of the page (the others are the contents' anchors within it).
    assert page.count('<a href="http') == 1
    # Numbers sort by their value, "new" above every change.
    assert 'data-sort="82058.0"' in page
    assert 'data-sort="Infinity"' in page
    # Headers are right-aligned over numbers and break between words only.
    assert (
        '<th scope="col" class="number"><span class="word">per</span> <span class="word">day'
        in page
    )
    assert "<style>" in without_own_script(page)


def test_an_empty_table_says_none(tmp_path: Path) -> None:
    page = _page(tmp_path, KeyTable("Anomalies", pd.DataFrame(columns=["id", "before"])))
    assert '<h3>Anomalies</h3>\n\n<p class="none">none</p>' in page
    assert "<table" not in page.split('<h2 id="key-tables">Key tables</h2>')[1]


def test_a_long_table_says_where_all_its_rows_are(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [f"org/m{n}" for n in range(30)], "likes": range(30)})
    page = _page(tmp_path, KeyTable("Many", frame, "many.csv"))
    assert len(_cells(page)) == 25
    assert "The first 25 of 30 rows; <code>many.csv</code> holds them all." in page
