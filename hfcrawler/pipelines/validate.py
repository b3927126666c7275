"""Normalizes each record of a page to the Hub's documented types, or turns it into a rejection.

A rejected record is never silently dropped: it moves to the page's rejections, which the snapshot
writer stores in ``rejected.jsonl.gz`` with the reason per field. Each failing field is counted
in the stats as ``snapshot/rejected/<field>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter

from hfcrawler.items import Rejection, SnapshotPage
from hfcrawler.validation import validate

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ValidatePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SnapshotPage):
            return item
        valid = []
        for record in item.records:
            problems = validate(record)
            if not problems:
                valid.append(record)
                continue
            for name in problems:
                self.stats.inc_value(f"snapshot/rejected/{name}")
            item.rejections.append(Rejection(problems, ItemAdapter(record).asdict()))
        item.records = valid
        return item
