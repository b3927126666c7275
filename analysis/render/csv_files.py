"""Write result tables as CSV files that are safe to open in a spreadsheet or a terminal.

Every text cell keeps its whole text, with control and bidirectional characters shown as escapes
(analysis.text): a NUL or an ESC would break a reader or drive a terminal, a U+202E would reorder
what a spreadsheet shows. A text cell starting with `=`, `+`, `-` or `@` would be run as a formula
by spreadsheet programs (CSV injection, as OWASP describes it; the tab and carriage return it also
lists are escaped already), so such cells get a leading `'`. Only text columns are touched: numbers
stay numbers. Every text cell is quoted.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.text import neutralise

_FORMULA_STARTS = ("=", "+", "-", "@")


def defuse(value: object) -> object:
    """`value` neutralised, with a leading `'` when a spreadsheet would read it as a formula."""
    if not isinstance(value, str):
        return value
    safe = neutralise(value)
    return "'" + safe if safe.startswith(_FORMULA_STARTS) else safe


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` (UTF-8, header row, no index) with text cells defused."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(defuse)
    safe.columns = [defuse(str(column)) for column in safe.columns]
    safe.to_csv(
        path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
