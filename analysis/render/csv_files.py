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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.text import HIDDEN_RE2, neutralise

_FORMULA_STARTS = ("=", "+", "-", "@")
# The same test for RE2, over whole columns at once.
_FORMULA_RE2 = "^[" + "".join(f"\\{start}" for start in _FORMULA_STARTS) + "]"


def defuse(value: object) -> object:
    """`value` neutralised, with a leading `'` when a spreadsheet would read it as a formula."""
    if not isinstance(value, str):
        return value
    safe = neutralise(value)
    return "'" + safe if safe.startswith(_FORMULA_STARTS) else safe


def _defused(column: pd.Series) -> pd.Series:
    """`column` with its text cells defused. A column of text alone is searched whole by pyarrow,
    and only the cells that need it go through `defuse` (a 530,000-row table took a second cell
    by cell); any other column (mixed values, lone surrogates) is defused cell by cell."""
    try:
        text = pa.array(column, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):
        return column.map(defuse)
    flagged = pc.or_(
        pc.match_substring_regex(text, HIDDEN_RE2), pc.match_substring_regex(text, _FORMULA_RE2)
    )
    rows = np.flatnonzero(pc.fill_null(flagged, False).to_numpy(zero_copy_only=False))
    safe = column.astype(object)
    if len(rows):
        safe.iloc[rows] = column.iloc[rows].map(defuse).to_numpy(dtype=object)
    return safe


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` (UTF-8, header row, no index) with text cells defused."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = _defused(safe[column])
    safe.columns = [defuse(str(column)) for column in safe.columns]
    safe.to_csv(
        path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
    )
