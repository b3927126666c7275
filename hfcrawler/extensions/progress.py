"""Logs a crawl's progress every ``PROGRESS_INTERVAL`` seconds, and a one-line summary at the end.

A progress line gives pages, records (those kept from an interrupted run included), records per
second, the requests left in the rate-limit window, retries and 429s, and an ETA when the size of
the listing can be estimated from the previous complete snapshot of the same repo type.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from hfcrawler.extensions.publish import PublishExtension

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.kept = 0  # records an interrupted run had already written
        self.expected: int | None = None
        self.task = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider: Spider) -> None:
        snapshot = self.crawler.get_extension(PublishExtension)
        self.kept = snapshot.attempt().state.records
        previous = snapshot.store.latest_complete(spider.snapshot_name)
        if previous is not None:
            date, manifest = previous
            self.expected = manifest.get("counts", {}).get("records")
            self.basis = date
        self.started = time.monotonic()
        self.task = create_looping_call(self.log, spider)
        self.task.start(self.interval, now=False)

    def line(self, spider: Spider) -> str:
        stats = self.crawler.stats
        records = stats.get_value("hub/records", 0)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = records / elapsed
        parts = [
            f"{spider.name}: {stats.get_value('hub/pages', 0):,} pages",
            f"{self.kept + records:,} records ({rate:,.0f}/s)",
        ]
        remaining, quota = stats.get_value("hub/quota_remaining"), stats.get_value("hub/quota")
        if remaining is not None:
            parts.append(
                f"quota {remaining:,}/{quota:,} left" if quota else f"quota {remaining:,} left"
            )
        parts.append(f"{stats.get_value('hub/retries', 0)} retries")
        parts.append(f"{stats.get_value('hub/http_429', 0)} 429s")
        if self.expected and rate > 0:
            left = max(self.expected - self.kept - records, 0)
            parts.append(f"ETA {duration(left / rate)} (~{self.expected:,} as on {self.basis})")
        return ", ".join(parts)

    def log(self, spider: Spider) -> None:
        logger.info("Progress: %s", self.line(spider))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        stats = self.crawler.stats
        logger.info(
            "Summary: %s; %s requests, %s rejected, %s duplicates in %s (%s)",
            self.line(spider),
            f"{stats.get_value('downloader/request_count', 0):,}",
            f"{stats.get_value('snapshot/rejected', 0):,}",
            f"{stats.get_value('snapshot/duplicates', 0):,}",
            duration(time.monotonic() - self.started),
            reason,
        )
