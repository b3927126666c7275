"""The crawl's verdict line: the last word of a job's log on whether its snapshot was published.

Scrapyd says only that a job finished, so ``python -m scheduler --status`` reads the
verdict from the end of the job's log. It is written by the publishing extension when the spider
closes, as a JSON object on a line of its own from the ``hfcrawler.verdict`` logger::

    2026-11-29 03:21:07 [hfcrawler.verdict] INFO: Snapshot verdict: {"published": true, ...}

and is read only where a line *starts* with that time stamp, logger and prefix. No string from
the Hub can produce such a line: every value interpolated into a log message has its line breaks
escaped (:mod:`hfcrawler.logsafe`), and the JSON is ASCII with its own escapes. The line follows
Scrapy's default ``LOG_FORMAT`` and ``LOG_DATEFORMAT``, which the project keeps. This module uses
the standard library only: the scheduler, which runs without Scrapy, reads the line with it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

LOGGER_NAME = "hfcrawler.verdict"
PREFIX = "Snapshot verdict: "
# The start of a log record's first line, as Scrapy's LOG_FORMAT and LOG_DATEFORMAT write it.
LINE_START = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
_LINE = re.compile(
    LINE_START + r"\[hfcrawler\.verdict\] (?:INFO|ERROR): " + re.escape(PREFIX) + r"(\{.*\})$",
    re.MULTILINE,
)
logger = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class Verdict:
    """Whether the crawl published its partition, and the message that says what or why."""

    published: bool
    message: str
    path: str | None = None


def log_verdict(verdict: Verdict) -> None:
    """Write the verdict line (INFO when published, ERROR otherwise)."""
    line = json.dumps(
        {"published": verdict.published, "message": verdict.message, "path": verdict.path},
        ensure_ascii=True,
    )
    logger.log(logging.INFO if verdict.published else logging.ERROR, "%s%s", PREFIX, line)


def last_verdict(log: str) -> Verdict | None:
    """The last well-formed verdict line of a log, or None when it has none."""
    for match in reversed(_LINE.findall(log)):
        try:
            fields = json.loads(match)
        except ValueError:
            continue
        published, message = fields.get("published"), fields.get("message")
        path = fields.get("path")
        if isinstance(published, bool) and isinstance(message, str):
            return Verdict(published, message, path if isinstance(path, str) else None)
    return None
