"""Paces requests by the Hub's ``RateLimit`` headers and waits out 429s as the server says.

Every response tells how many requests are left in the current window and when it resets. A
share ``HUB_QUOTA_BURST`` of each window's quota may be used at once — so a crawl smaller than the
quota is not slowed at all — and the rest is spread evenly until the window resets (keeping
``HUB_QUOTA_RESERVE`` in hand). When nothing is left we wait for the reset plus
``HUB_RESET_MARGIN``. Requests still in flight are counted against what a response reports as
left. This uses the whole quota without running into 429s. One
:class:`Pacer` per Hub origin is shared by every spider in the process, so models, datasets and
Spaces crawled together share one quota as the Hub counts it. Processes do not share a pacer: when
``HUB_QUOTA_SHARED_BY`` processes (Scrapyd jobs) crawl at once, each counts only its share of
what is left.

On a 429 the request is retried after ``t`` of ``RateLimit`` (plus a second, since ``t`` is
rounded), else ``Retry-After`` (seconds or an HTTP date), else an exponential backoff. This does not
use up the error retries of :mod:`~hfcrawler.middlewares.retry`, but the wait counts towards its
``HUB_RETRY_MAX_WAIT`` bound. Must sit above RetryMiddleware's 550 so it sees the 429 first.
Stats: ``hub/http_429``, ``hub/paced_seconds``, ``hub/quota_remaining``, ``hub/quota``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, ClassVar, Self

from scrapy.utils.asyncio import sleep

from hfcrawler.headers import RateLimit, retry_after
from hfcrawler.hub import origin
from hfcrawler.middlewares.retry import WAITED, RetriesExhaustedError, retry_after_wait

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

THROTTLED = "hub_throttled"  # 429s met so far by this request


class Pacer:
    """The quota of one origin as last reported, and the time of the next free request slot."""

    def __init__(self, reserve: int, margin: float, burst: float, shared_by: int = 1) -> None:
        self.reserve = reserve
        self.margin = margin
        self.burst = burst
        self.shared_by = shared_by
        self.remaining: float | None = None
        self.reset_at = 0.0
        self.last_slot = 0.0
        self.quota: float | None = None
        self.window: float | None = None
        self.inflight = 0

    def observe(self, limit: RateLimit, now: float) -> None:
        """Take in a response's headers; requests still in flight are not in its count yet."""
        self.settle()
        if limit.remaining is not None and limit.reset is not None:
            # Rounded down, so that processes that each book their share never book too many.
            self.remaining = limit.remaining // self.shared_by - self.inflight
            self.reset_at = now + limit.reset
        self.quota = limit.quota / self.shared_by if limit.quota else self.quota
        self.window = limit.window or self.window

    def settle(self) -> None:
        """A request sent earlier has come back (or failed)."""
        self.inflight = max(0, self.inflight - 1)

    def exhausted(self, wait: float, now: float) -> None:
        """The server refused us for ``wait`` seconds: nobody in this process sends before that."""
        self.remaining = 0
        self.reset_at = max(self.reset_at, now + wait)

    def reserve_slot(self, now: float) -> float:
        """Book the next request; return how long to wait before sending it."""
        if self.remaining is None or now >= self.reset_at:
            slot = now  # nothing known, or a new window has started
        elif self.remaining <= self.reserve:
            margin = min(self.margin, 0.02 * self.window) if self.window else self.margin
            slot = self.reset_at + margin
        elif self.quota and self.window and self.quota - self.reserve > 1:
            # A burst at the start of the window, then the rest spread evenly over what is
            # left of it, the last one a step before the reset (not at it: that would be the
            # next window's, and each window would lose a request).
            usable = self.quota - self.reserve
            burst = min(self.burst * usable, usable - 1)
            used = self.quota - self.remaining
            start = self.reset_at - self.window
            slot = max(now, start + (used + 1 - burst) * self.window / (usable - burst + 1))
        else:
            spacing = (self.reset_at - now) / (self.remaining - self.reserve)
            slot = max(now, self.last_slot + spacing)
        if self.remaining is not None:
            self.remaining -= 1  # booked, so that concurrent spiders do not book it too
        self.inflight += 1
        self.last_slot = slot
        return slot - now


class RateLimitMiddleware:
    pacers: ClassVar[dict[tuple[str, str, int | None], Pacer]] = {}

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.reserve = settings.getint("HUB_QUOTA_RESERVE")
        self.margin = settings.getfloat("HUB_RESET_MARGIN")
        self.burst = settings.getfloat("HUB_QUOTA_BURST")
        self.shared_by = settings.getint("HUB_QUOTA_SHARED_BY")
        self.base = settings.getfloat("HUB_BACKOFF_BASE")
        self.cap = settings.getfloat("HUB_BACKOFF_MAX")
        self.max_wait = settings.getfloat("HUB_RETRY_MAX_WAIT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def pacer(self, url: str) -> Pacer:
        return self.pacers.setdefault(
            origin(url), Pacer(self.reserve, self.margin, self.burst, self.shared_by)
        )

    async def process_request(self, request: Request) -> None:
        delay = self.pacer(request.url).reserve_slot(time.monotonic())
        if delay > 0:
            self.stats.inc_value("hub/paced_seconds", delay)
            await sleep(delay)

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.pacer(request.url).settle()

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        now = time.monotonic()
        limit = RateLimit.from_headers(
            response.headers.get("RateLimit"), response.headers.get("RateLimit-Policy")
        )
        pacer = self.pacer(request.url)
        pacer.observe(limit, now)
        if limit.remaining is not None:
            self.stats.set_value("hub/quota_remaining", int(limit.remaining))
        if limit.quota is not None:
            self.stats.set_value("hub/quota", int(limit.quota))
        if response.status != 429:
            return response
        self.stats.inc_value("hub/http_429")
        throttled = request.meta.get(THROTTLED, 0)
        wait = self.wait_for(limit, response, throttled, time.time())
        waited = request.meta.get(WAITED, 0.0)
        if waited + wait > self.max_wait:
            msg = f"rate limited for {waited + wait:.0f} s in all, past HUB_RETRY_MAX_WAIT"
            raise RetriesExhaustedError(msg)
        pacer.exhausted(wait, now)
        logger.info("Rate limited (429): waiting %.1f s before %s", wait, request.url)
        return await retry_after_wait(request, wait, THROTTLED, throttled + 1)

    def wait_for(self, limit: RateLimit, response: Response, throttled: int, now: float) -> float:
        """Seconds to wait after a 429: RateLimit ``t``, else Retry-After, else backoff."""
        if limit.reset is not None:
            return limit.reset + 1.0
        after = retry_after(response.headers.get("Retry-After"), now)
        if after is not None:
            return after
        return min(self.cap, self.base * 2**throttled)
