"""Make a string from the Hub safe to show: invisible characters made visible, long ones cut.

Every string of a snapshot is hostile. Control characters (NUL, ESC, tab, line breaks…),
bidirectional formatting characters (U+202E and its kin, which reorder the text around them) and
lone surrogates (valid JSON, not valid Unicode) are replaced by a visible escape such as `\\u202e`
wherever a string is shown: the page, the CSV cells and the chart labels. The page and the charts
also cut long strings with an ellipsis (`shorten`); the CSV tables keep the whole text.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL; the Unicode bidirectional formatting characters (ALM, LRM, RLM, the
# embeddings and overrides, the isolates); the line and paragraph separators; lone surrogates.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
ELLIPSIS = "…"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str) -> str:
    """`text` with each control, bidirectional or surrogate character as a visible escape."""
    return _HIDDEN.sub(_escape, text)


def shorten(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def shown(value: object, limit: int) -> str:
    """A value as the page or a chart shows it: neutralised, then cut to `limit` characters."""
    return shorten(neutralise(str(value)), limit)
