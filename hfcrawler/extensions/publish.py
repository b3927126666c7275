"""Owns the crawl's snapshot attempt: opens it, and publishes or abandons it when the spider closes.

The decision is taken in ``spider_closed`` because only that signal knows the finish reason
(``close_spider`` of pipelines runs before it). A partition is published only when the spider
finished normally, the walk checkpointed its last page, nothing failed, and the sanity rules
(:mod:`hfcrawler.sanity`) accept it; otherwise the attempt keeps a manifest saying why and waits
to be resumed. Other components reach it with ``crawler.get_extension(PublishExtension)``.

An exception raised while processing or writing a page, in any item pipeline, fails the crawl
at once (``item_error``): Scrapy would log it and carry on, and the next page's checkpoint would
move the cursor past the lost one. The attempt is cut back to its last checkpoint, refuses every
later page, and the spider is closed, so a disk that stays full costs at most the page already
in flight. The next run resumes from the checkpoint.

The :data:`publish_step` signal is sent after each durable step of publishing; nothing in the
crawl listens to it (tests use it to kill a crawl at each step).

Settings: ``DATA_DIR`` (else ``HFCRAWLER_DATA``), ``SNAPSHOT_DATE``, ``SNAPSHOT_PART_RECORDS``,
``SNAPSHOT_COMPRESSLEVEL``, ``SNAPSHOT_RESUME_MAX_AGE``, and the sanity rules'
``SNAPSHOT_MIN_RECORDS``, ``SNAPSHOT_MIN_SHARE``, ``SNAPSHOT_ALLOW_ABSENT_FIELDS``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.defer import deferred_from_coro

from hfcrawler.hub import hub_endpoint
from hfcrawler.items import SnapshotPage
from hfcrawler.logsafe import one_line
from hfcrawler.sanity import SanityRules
from hfcrawler.store import Attempt, AttemptLockedError, NotPublishableError, SnapshotStore
from hfcrawler.verdict import Verdict, log_verdict

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# Sent with ``step`` (a name from hfcrawler.store.PUBLISH_STEPS) once that step is durable.
publish_step = object()

# Stats that go into the manifest, under the manifest's names.
MANIFEST_COUNTERS = {
    "duplicates": "snapshot/duplicates",
    "requests": "downloader/request_count",
    "retries": "hub/retries",
    "http_429": "hub/http_429",
    # Authors whose overview answered neither kind, or refused the name with another 4xx.
    "profiles_not_found": "authors/not_found",
}


def data_dir(settings: BaseSettings) -> Path:
    """``DATA_DIR``, else ``HFCRAWLER_DATA``, else ``data/`` beside scrapy.cfg; made absolute."""
    configured = settings.get("DATA_DIR") or os.environ.get("HFCRAWLER_DATA")
    if configured:
        return Path(configured).expanduser().resolve()
    cfg = closest_scrapy_cfg()
    base = Path(cfg).parent if cfg else Path.cwd()
    return (base / "data").resolve()


def snapshot_date(settings: BaseSettings) -> str:
    if configured := settings.get("SNAPSHOT_DATE"):
        return date.fromisoformat(configured).isoformat()
    return datetime.now(UTC).date().isoformat()


@dataclass
class Outcome:
    """How a crawl ended, for the crawl command's exit status and the final log line."""

    published: bool
    message: str
    path: Path | None = None


class PublishExtension:
    """Creates, publishes or abandons the snapshot attempt of the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.store = SnapshotStore(data_dir(crawler.settings))
        self._attempt: Attempt | None = None
        self.failure: str | None = None
        self.outcome: Outcome | None = None
        self._closing: Deferred[None] | None = None
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def attempt(self) -> Attempt:
        """The attempt of this crawl, opened (locked, resumed or created) on first use.

        Raises CloseSpider when it cannot be opened, which stops the crawl before any request.
        """
        if self._attempt is None:
            if self.failure is not None:
                raise CloseSpider("snapshot_unavailable")
            spider = self.crawler.spider
            try:
                self._attempt = self._open(spider)
            except (AttemptLockedError, OSError) as exc:
                self.fail(str(exc))
                raise CloseSpider("snapshot_unavailable") from exc
            logger.info(
                "Writing %s snapshot of %s under %s",
                spider.snapshot_name,
                self._attempt.date,
                self.store.data_dir,
            )
        return self._attempt

    def _open(self, spider: Spider) -> Attempt:
        return Attempt.open(
            self.store,
            spider.snapshot_name,
            date=snapshot_date(self.settings),
            endpoint=hub_endpoint(self.settings),
            query=spider.snapshot_query(),
            part_records=self.settings.getint("SNAPSHOT_PART_RECORDS"),
            level=self.settings.getint("SNAPSHOT_COMPRESSLEVEL"),
            resume_max_age=self.settings.getfloat("SNAPSHOT_RESUME_MAX_AGE"),
            sanity=SanityRules.from_settings(self.settings),
            on_step=self._publish_step,
        )

    def _publish_step(self, step: str) -> None:
        self.crawler.signals.send_catch_log(signal=publish_step, step=step)

    def fail(self, reason: str) -> None:
        """Remember the first reason the crawl cannot complete (later ones are consequences)."""
        if self.failure is None:
            self.failure = reason

    def item_error(
        self, item: Any, response: Response | None, spider: Spider, failure: Failure
    ) -> None:
        """A page that raised in any pipeline fails the attempt and closes the spider now."""
        error = failure.value
        where = f"page {item.number}" if isinstance(item, SnapshotPage) else "an item"
        reason = f"{where} was not written: {type(error).__name__}: {error}"
        if self._attempt is not None:
            self._attempt.fail(reason)
            reason = self._attempt.error or reason
        self.fail(reason)
        if self._closing is None:
            # Not awaited: closing waits for this very page to finish its processing.
            engine = self.crawler.engine
            self._closing = deferred_from_coro(engine.close_spider_async(reason="write_failed"))

    def counts(self) -> dict[str, int]:
        stats = self.crawler.stats
        return {name: stats.get_value(key, 0) for name, key in MANIFEST_COUNTERS.items()}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        attempt = self._attempt
        if attempt is None:
            why = self.failure or f"the crawl stopped before it began ({reason})"
            self.outcome = Outcome(False, why)
            _log_outcome(self.outcome)
            return
        try:
            self.outcome = self._conclude(attempt, reason, self.counts())
        finally:
            attempt.close()
        self.crawler.stats.set_value("snapshot/published", self.outcome.published)
        _log_outcome(self.outcome)

    def _conclude(self, attempt: Attempt, reason: str, counts: dict[str, int]) -> Outcome:
        """Publish the attempt if it may be, else record why not and keep it."""
        if reason == "finished" and attempt.state.done and self.failure is None:
            try:
                path = attempt.publish(counts)
            except NotPublishableError as exc:
                why = f"not published: {exc}"
            except OSError as exc:
                why = f"publishing failed ({exc}); the next run publishes the finished attempt"
            else:
                return Outcome(True, f"published {attempt.state.records} records", path)
        else:
            why = self.failure or _describe(reason, attempt)
        return Outcome(False, why, attempt.abandon(why, counts))


def _log_outcome(outcome: Outcome) -> None:
    """The crawl's last word: a line for people, then the verdict line the status command reads.

    The job log is all Scrapyd keeps of a run, so the verdict goes there; the message can quote
    the Hub, so it is kept on its line.
    """
    message = one_line(outcome.message)
    if outcome.published:
        logger.info("Snapshot published: %s in %s", message, outcome.path)
    else:
        logger.error("Snapshot FAILED: %s", message)
    path = str(outcome.path) if outcome.path else None
    log_verdict(Verdict(outcome.published, message, path))


def _describe(reason: str, attempt: Attempt) -> str:
    if reason == "finished":
        return f"the walk ended before the last page (after page {attempt.state.pages})"
    if reason == "shutdown":
        return f"interrupted after page {attempt.state.pages}; run the same command to resume"
    return f"closed ({reason}) after page {attempt.state.pages}"


def outcome_of(crawler: Crawler) -> Outcome | None:
    """The outcome recorded by the crawler's publishing extension, if it ran."""
    extension: Any = crawler.get_extension(PublishExtension)
    return extension.outcome if extension else None
