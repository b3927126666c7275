"""Server strings made fit for one log line: control characters escaped, URLs cut short.

Every string from the Hub is hostile: a URL from a ``Link`` header or an error text could carry a
newline and start a forged log line. And a listing URL with its fourteen ``expand=`` parameters
is 500 characters that say nothing a reader needs: :func:`brief_url` keeps where it points, the
path and the cursor's first characters.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hfcrawler.logsafe import one_line

MAX_URL = 100  # characters of a URL quoted in a message
CURSOR_HEAD = 12  # characters of a cursor quoted: enough to tell two pages apart


def brief(text: str, limit: int = 300) -> str:
    """``text`` on one line, control characters escaped, at most about ``limit`` characters."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief_url(url: str) -> str:
    """``scheme://host/path?…&cursor=eyJ…``: the query elided, but for the cursor's start."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return brief(url, MAX_URL)
    text = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if parts.query:
        cursor = dict(parse_qsl(parts.query)).get("cursor")
        text += f"?…&cursor={cursor[:CURSOR_HEAD]}…" if cursor else "?…"
    return brief(text, MAX_URL)
