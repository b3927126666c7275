"""Hostile strings made safe to show: CSV cells, chart labels, hidden characters, long strings."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.render.charts import safe_label
from analysis.render.csv_files import write_csv
from analysis.text import neutralise, shorten


def test_csv_cells_that_spreadsheets_would_run_get_a_quote(tmp_path: Path) -> None:
    long = "y" * 100_000
    frame = pd.DataFrame(
        {
            "name": [
                "=SUM(A1)",
                "+1",
                "-x",
                "@cmd",
                "\tTAB",
                "\rCR",
                'plain, "quoted"\nline',
                "\u202e=1+1\x1b[2J\x00",
                long,
            ],
            "count": [1, -2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    write_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == ["name", "count"]
    # Control and bidirectional characters are shown as escapes, so none can start a formula.
    assert [row[0] for row in table[1:]] == [
        "'=SUM(A1)",
        "'+1",
        "'-x",
        "'@cmd",
        "\\x09TAB",
        "\\x0dCR",
        'plain, "quoted"\\x0aline',
        "\\u202e=1+1\\x1b[2J\\x00",
        long,
    ]
    assert [row[1] for row in table[1:]] == ["1", "-2", "3", "4", "5", "6", "7", "8", "9"]


def test_neutralise_makes_every_hidden_character_visible_and_shorten_cuts() -> None:
    hidden = "\x00\x1b\x7f\x85\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\ud800"
    assert neutralise(f"a{hidden}b") == (
        "a\\x00\\x1b\\x7f\\x85\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a\\u202e"
        "\\u2066\\u2069\\ud800b"
    )
    # Letters of any script, joiners and emoji are text, not hidden characters.
    visible = "نموذج עברי 模型 e\u0301 \u200d\U0001f600 \\ $x$"
    assert neutralise(visible) == visible
    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde…"


def test_safe_labels_draw_without_mathtext_warnings_or_overflow(tmp_path: Path) -> None:
    hostile = [
        "$\\frac{a}{b}$",
        "x" * 500,
        "نموذج عربي",
        "\u202eevil\u202c",
        "模型",
        "a\nb\x00",
        "$\\frac{a$ $b$",
    ]
    labels = [safe_label(text) for text in hostile]
    # Dollars escaped: never mathtext, in a legend or a tick label, however malformed.
    assert labels[0] == "\\$\\frac{a}{b}\\$"
    assert len(labels[1]) == 40
    assert labels[1].endswith("…")
    assert labels[3] == "\\u202eevil\\u202c"
    assert labels[5] == "a\\x0ab\\x00"
    figure = Figure()
    axes = figure.add_subplot()
    for position, label in enumerate(labels):
        axes.barh(position, position + 1, label=label)
    axes.set_yticks(range(len(labels)), labels=labels)
    # A legend parses mathtext: an unescaped malformed formula would fail the whole chart here.
    axes.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure.savefig(tmp_path / "labels.png")
    assert (tmp_path / "labels.png").read_bytes()[:4] == b"\x89PNG"


def test_a_long_column_is_defused_cell_for_cell_as_one_cell_is(tmp_path: Path) -> None:
    # Clean cells, formula starts, hidden characters, a lone surrogate (which pyarrow cannot
    # hold: that column is defused cell by cell) and missing values, repeated past any chunk.
    cells = ["plain", "=1+1", "-3", "a\u202eb", "@x", None, "ok\x00", "Zürich"]
    texts = cells * 2_000
    mixed = ([*cells, "\ud800lone"] * 2_000)[: len(texts)]
    frame = pd.DataFrame(
        {"text": pd.Series(texts, dtype="object"), "mixed": pd.Series(mixed, dtype="object")}
    )
    write_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))[1:]

    def expected(value: object) -> str:
        if value is None:
            return ""
        safe = neutralise(str(value))
        return "'" + safe if safe.startswith(("=", "+", "-", "@")) else safe

    assert [row[0] for row in rows] == [expected(value) for value in texts]
    assert [row[1] for row in rows] == [expected(value) for value in mixed]
