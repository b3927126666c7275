"""Log formatting: no log line per record.

Scrapy logs every scraped item at DEBUG, which costs a log record per repo — millions a day —
even when DEBUG is filtered out. Progress lines and the manifest already count records, so those
lines are skipped (a formatter method returning None is not logged); drops stay at DEBUG.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response


class QuietLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | None, spider: Spider) -> None:  # type: ignore[override]
        return None
