"""Drops each record whose key (``id``, or ``name`` for authors) is already in the snapshot.

Sorting by ``createdAt`` makes duplicates rare, but a cursor is a position, not a frozen view, so
they can still happen. When an attempt is resumed, the ids written before the interruption are
loaded first, so a resumed crawl yields no duplicate either. Stat: ``snapshot/duplicates``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from hfcrawler.extensions.publish import PublishExtension
from hfcrawler.idset import IdSet
from hfcrawler.items import SnapshotPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen = IdSet()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        snapshot = self.crawler.get_extension(PublishExtension)
        key = self.crawler.spider.record_class.KEY
        for value in snapshot.attempt().committed_keys(key):
            self.seen.add(value)
        if self.seen:
            logger.info("Loaded %d ids already in the resumed snapshot", len(self.seen))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SnapshotPage):
            return item
        unique = [r for r in item.records if self.seen.add(getattr(r, r.KEY))]
        if duplicates := len(item.records) - len(unique):
            self.crawler.stats.inc_value("snapshot/duplicates", duplicates)
            logger.debug("Dropped %d duplicate ids on page %d", duplicates, item.number)
        item.records = unique
        return item
