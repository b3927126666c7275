"""Writes a page's records and rejections into the snapshot attempt, then checkpoints it.

Records are serialized as compact UTF-8 JSON lines, in the order the Hub listed them. The attempt
itself (files, checkpoints, publishing) is :class:`hfcrawler.snapshot.Attempt`, owned by
:class:`~hfcrawler.extensions.snapshot.SnapshotExtension`. Stats: ``hub/records``,
``snapshot/rejected``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import orjson

from hfcrawler.extensions.snapshot import SnapshotExtension
from hfcrawler.items import SnapshotPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from hfcrawler.snapshot import Attempt

_LINE = orjson.OPT_APPEND_NEWLINE


class SnapshotPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.snapshot = crawler.get_extension(SnapshotExtension)
        self.attempt: Attempt

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.attempt = self.snapshot.attempt()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SnapshotPage):
            return item
        for record in item.records:
            names = record.field_names()
            self.attempt.add_record(
                orjson.dumps({n: getattr(record, n) for n in names}, option=_LINE)
            )
        for rejection in item.rejections:
            line = {"reason": rejection.reason, "record": rejection.record}
            self.attempt.add_rejection(orjson.dumps(line, option=_LINE, default=repr))
        self.stats.inc_value("hub/records", len(item.records))
        self.stats.inc_value("snapshot/rejected", len(item.rejections))
        self.attempt.checkpoint(item.cursor, self.snapshot.counts())
        return item
