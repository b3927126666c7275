"""Tables written for a terminal: columns aligned, numbers right-aligned with separators.

Every string from the data is neutralised first (analysis.text): an ESC in a repo id would
otherwise drive the user's terminal. A missing value is written as a dash.
"""

from __future__ import annotations

import pandas as pd

from analysis.text import neutralise

MISSING = "-"


def _text(value: object) -> tuple[str, bool]:
    """A cell's text and whether it is a number (right-aligned)."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return MISSING, True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return f"{value:,.1f}", True
    return neutralise(str(value)), False


def table(frame: pd.DataFrame, headers: dict[str, str]) -> str:
    """`frame`'s `headers` columns (column: header) as aligned lines of text."""
    columns = list(headers)
    rows = frame[columns].astype(object).itertuples(index=False)
    cells = [[_text(value) for value in row] for row in rows]
    numeric = [all(row[n][1] for row in cells) for n in range(len(columns))]
    widths = [
        max([len(headers[column]), *(len(row[n][0]) for row in cells)])
        for n, column in enumerate(columns)
    ]

    def line(texts: list[str]) -> str:
        return "  ".join(
            text.rjust(width) if right else text.ljust(width)
            for text, width, right in zip(texts, widths, numeric, strict=True)
        ).rstrip()

    lines = [line([headers[column] for column in columns])]
    lines += [line([text for text, _ in row]) for row in cells]
    return "\n".join(lines)
