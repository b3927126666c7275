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
_HIDDEN_RANGES = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x61C, 0x61C),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2066, 0x2069),
    (0xD800, 0xDFFF),
)
_HIDDEN = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _HIDDEN_RANGES) + "]")
# The same characters for RE2 (pyarrow's regular expressions, over whole columns at once); lone
# surrogates cannot occur in the UTF-8 text it matches.
HIDDEN_RE2 = (
    "["
    + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in _HIDDEN_RANGES if low < 0xD800)
    + "]"
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
