"""Normalizes each record to the Hub's documented types, or turns it into a :class:`Rejection`.

A rejected record is never silently dropped: it goes on to the snapshot writer, which stores it in
``rejected.jsonl.gz`` with its reason per field, and each failing field is counted in the stats as
``snapshot/rejected/<field>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter

from hfcrawler.items import HubRecord, Rejection
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
        if not isinstance(item, HubRecord):
            return item
        problems = validate(item)
        if not problems:
            return item
        for name in problems:
            self.stats.inc_value(f"snapshot/rejected/{name}")
        return Rejection(problems, ItemAdapter(item).asdict())
