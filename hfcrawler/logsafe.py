"""Server strings made fit for a log line, and log lines that strings from the server cannot forge.

A job's log is all Scrapyd keeps of a crawl, and ``python -m scheduler --status`` reads the
crawl's verdict from it, so no string from the Hub may start a line there. :func:`one_line` escapes
every character that is not printable — line breaks, control, bidi and unpaired surrogate characters
— as ``\\uXXXX``; messages that quote the Hub use it where they are made, or :func:`brief`, which
also cuts a long text short. A listing URL with its fourteen ``expand=`` parameters is 500
characters that say nothing a reader needs: :func:`brief_url` keeps where it points, the path and
the cursor's first characters. As a second line of defence, :func:`install` (called by the ``crawl``
command) makes every value interpolated into a log message of the process, and every traceback,
continue on indented lines, so that whatever a message or an exception quotes, each line of the log
starts either with a record's own time stamp or with blanks.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from numbers import Number
from typing import Any
from urllib.parse import parse_qsl, urlsplit

INDENT = "  "
MAX_URL = 100  # characters of a URL quoted in a message
CURSOR_HEAD = 12  # characters of a cursor quoted: enough to tell two pages apart


def one_line(text: str) -> str:
    """``text`` with every non-printable character escaped, so it stays on one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


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


def indented(text: str) -> str:
    """``text`` with its lines after the first indented, and any other break escaped."""
    if text.isprintable():
        return text
    return ("\n" + INDENT).join(one_line(line) for line in text.split("\n"))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


class _Escaped:
    """An object logged with ``%s`` or ``%r``, rendered with its lines indented."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return indented(str(self.value))

    def __repr__(self) -> str:
        return indented(repr(self.value))


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return indented(value)
    # Numbers keep their type for %d and %.1f; they cannot hold a line break.
    if value is None or isinstance(value, Number):
        return value
    return _Escaped(value)


def indent_quotes(record: logging.LogRecord) -> None:
    """Indent the lines of what a record interpolates, and of its traceback, in place.

    The message's format string is the program's own text and may span lines (Scrapy's stats
    dump does); what is interpolated into it, a message that is not a string (Twisted's), and the
    exception text are what can quote a server.
    """
    if not isinstance(record.msg, str):
        record.msg = indented(str(record.msg))
    if isinstance(record.args, Mapping):
        record.args = {key: _safe(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_safe(value) for value in record.args)
    if record.exc_info and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = INDENT + indented(text)


class _IndentingRecordFactory:
    """A log record factory whose records pass through :func:`indent_quotes`."""

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        indent_quotes(record)
        return record


def install() -> None:
    """Pass every log record of this process through :func:`indent_quotes`, whatever handler
    writes it.

    A record factory rather than a handler filter: Scrapy replaces the root handler as each
    crawler starts, after the command has set up the crawl.
    """
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _IndentingRecordFactory):
        logging.setLogRecordFactory(_IndentingRecordFactory(factory))
