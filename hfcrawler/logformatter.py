"""Log formatting: no log line per record, and no page dumped into an error line.

Scrapy logs every scraped item at DEBUG, which costs a log record per repo — millions a day —
even when DEBUG is filtered out. Progress lines and the manifest already count records, so those
lines are skipped (a formatter method returning None is not logged); drops stay at DEBUG. An
error in a pipeline is logged with the page's source and number, not with the page itself: Scrapy
would print the whole item, a thousand records (~400 KB) of Hub strings on one log line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter

from hfcrawler.items import SnapshotPage
from hfcrawler.logsafe import brief_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from scrapy.logformatter import LogFormatterResult
    from twisted.python.failure import Failure


class QuietLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | None, spider: Spider) -> None:  # type: ignore[override]
        return None

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        if not isinstance(item, SnapshotPage):
            return super().item_error(item, exception, response, spider)
        return {
            "level": logging.ERROR,
            "msg": "Error processing page %(number)d (%(records)d records) of %(source)s",
            "args": {
                "number": item.number,
                "records": len(item.records),
                "source": brief_url(item.source),
            },
        }
