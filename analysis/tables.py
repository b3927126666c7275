"""Write result tables as CSV files that are safe to open in a spreadsheet.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
by spreadsheet programs (CSV injection, as OWASP describes it), so such cells get a leading `'`.
Only text columns are touched: numbers stay numbers. Every text cell is quoted: Python's CSV writer
would otherwise leave a lone carriage return unquoted when lines end in `\n`, breaking the row.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """`value` with a leading `'` when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


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
