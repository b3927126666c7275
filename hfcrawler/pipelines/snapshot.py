"""Writes records and rejections into the snapshot attempt and checkpoints it after each page.

Records are serialized as compact UTF-8 JSON lines in the order the Hub listed them; the attempt
itself (files, checkpoints, publishing) is :class:`hfcrawler.snapshot.Attempt`, owned by
:class:`~hfcrawler.extensions.snapshot.SnapshotExtension`. Stats: ``hub/records``,
``snapshot/rejected``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

from hfcrawler.extensions.snapshot import SnapshotExtension
from hfcrawler.items import HubRecord, PageEnd, Rejection

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from hfcrawler.snapshot import Attempt


def json_line(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class SnapshotPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.attempt: Attempt

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.attempt = self.crawler.get_extension(SnapshotExtension).attempt()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, HubRecord):
            self.attempt.add_record(json_line({n: getattr(item, n) for n in item.field_names()}))
            self.stats.inc_value("hub/records")
        elif isinstance(item, Rejection):
            self.attempt.add_rejection(json_line({"reason": item.reason, "record": item.record}))
            self.stats.inc_value("snapshot/rejected")
        elif isinstance(item, PageEnd):
            counters = self.crawler.get_extension(SnapshotExtension).counts()
            self.attempt.checkpoint(item.next_url, counters)
        return item
