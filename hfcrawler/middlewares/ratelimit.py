"""Paces requests by the Hub's ``RateLimit`` headers and waits out 429s, within bounds.

Every response tells how many requests are left in the current window and when it resets. A
share ``HUB_QUOTA_BURST`` of each window's quota may be used at once — so a crawl smaller than the
quota is not slowed at all — and the rest is spread evenly until the window resets (keeping
``HUB_QUOTA_RESERVE`` in hand). When nothing is left we wait for the reset plus
``HUB_RESET_MARGIN``. Requests still in flight are counted against what a response reports as
left. This uses the whole quota without running into 429s. One
:class:`Pacer` per Hub origin is shared by every spider in the process, so models, datasets and
Spaces crawled together share one quota as the Hub counts it. Processes do not share a pacer: when
``HUB_QUOTA_SHARED_BY`` processes (Scrapyd jobs) crawl at once, each counts only its share of
what is left. A pacing wait of
``HUB_PACE_LOG_WAIT`` seconds or more is logged; one longer than ``HUB_RETRY_MAX_WAIT`` is not
waited: the request gives up, saying what the headers asked for.

A 429 says "wait" only as far as the server says why. With ``RateLimit`` reporting no request
left (``r=0``), the request waits for the reset ``t`` plus ``HUB_RESET_MARGIN``, and so does every
other request to the Hub; otherwise (the Hub also answers 429 while requests remain) it waits
``Retry-After`` (seconds or an HTTP date) if given, else an exponential backoff, and only this
request waits (unless the response had no ``RateLimit`` at all). Every 429 wait is at least that
backoff, ``min(HUB_BACKOFF_MAX, HUB_BACKOFF_BASE * 2**n)`` after n earlier 429s of the request, so
``Retry-After: 0`` or a date in the past cannot make a storm of requests. A request gives up after
``HUB_RETRY_429_TIMES`` 429s, or when the next wait would bring its total past
``HUB_RETRY_MAX_WAIT`` (the error retries of :mod:`~hfcrawler.middlewares.retry` are counted
apart). Must sit above RetryMiddleware's 550 so it sees the 429 first.
Stats: ``hub/http_429``, ``hub/paced_seconds``, ``hub/quota_remaining``, ``hub/quota``,
``hub/gave_up``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, ClassVar, Self

from scrapy.utils.asyncio import sleep

from hfcrawler.headers import RateLimit, retry_after
from hfcrawler.hub import origin
from hfcrawler.logsafe import brief_url
from hfcrawler.meta import BOOKED, THROTTLED, WAITED
from hfcrawler.middlewares.retry import Backoff, RetriesExhaustedError, retry_after_wait

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


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

    def next_slot(self, now: float) -> float:
        """When the next request may be sent (no earlier than ``now``); nothing is booked."""
        if self.remaining is None or now >= self.reset_at:
            return now  # nothing known, or a new window has started
        if self.remaining <= self.reserve:
            margin = min(self.margin, 0.02 * self.window) if self.window else self.margin
            return self.reset_at + margin
        if self.quota and self.window and self.quota - self.reserve > 1:
            # A burst at the start of the window, then the rest spread evenly over what is
            # left of it, the last one a step before the reset (not at it: that would be the
            # next window's, and each window would lose a request).
            usable = self.quota - self.reserve
            burst = min(self.burst * usable, usable - 1)
            used = self.quota - self.remaining
            start = self.reset_at - self.window
            return max(now, start + (used + 1 - burst) * self.window / (usable - burst + 1))
        spacing = (self.reset_at - now) / (self.remaining - self.reserve)
        return max(now, self.last_slot + spacing)

    def book(self, slot: float) -> None:
        """Take the slot, so that concurrent spiders do not book it too."""
        if self.remaining is not None:
            self.remaining -= 1
        self.inflight += 1
        self.last_slot = slot


class RateLimitMiddleware:
    pacers: ClassVar[dict[tuple[str, str, int | None], Pacer]] = {}

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.reserve = settings.getint("HUB_QUOTA_RESERVE")
        self.margin = settings.getfloat("HUB_RESET_MARGIN")
        self.burst = settings.getfloat("HUB_QUOTA_BURST")
        self.shared_by = settings.getint("HUB_QUOTA_SHARED_BY")
        self.backoff = Backoff.from_settings(settings)
        self.max_wait = settings.getfloat("HUB_RETRY_MAX_WAIT")
        self.times = settings.getint("HUB_RETRY_429_TIMES")
        self.log_wait = settings.getfloat("HUB_PACE_LOG_WAIT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def pacer(self, url: str) -> Pacer:
        return self.pacers.setdefault(
            origin(url), Pacer(self.reserve, self.margin, self.burst, self.shared_by)
        )

    async def process_request(self, request: Request) -> None:
        pacer = self.pacer(request.url)
        now = time.monotonic()
        slot = pacer.next_slot(now)
        delay = slot - now
        if delay > self.max_wait:
            self.stats.inc_value("hub/gave_up")
            msg = (
                f"the Hub's rate-limit headers ask to wait {delay:.0f} s before the next request, "
                f"more than HUB_RETRY_MAX_WAIT ({self.max_wait:.0f} s)"
            )
            raise RetriesExhaustedError(msg)
        pacer.book(slot)
        request.meta[BOOKED] = True
        if delay > 0:
            if delay >= self.log_wait:
                logger.info("Pacing: waiting %.0f s for the Hub's rate-limit window", delay)
            self.stats.inc_value("hub/paced_seconds", delay)
            await sleep(delay)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.pop(BOOKED, False):
            self.pacer(request.url).settle()

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        now = time.monotonic()
        limit = RateLimit.from_headers(
            response.headers.get("RateLimit"), response.headers.get("RateLimit-Policy")
        )
        pacer = self.pacer(request.url)
        if request.meta.pop(BOOKED, False):
            pacer.settle()
        pacer.observe(limit, now)
        if limit.remaining is not None:
            self.stats.set_value("hub/quota_remaining", int(limit.remaining))
        if limit.quota is not None:
            self.stats.set_value("hub/quota", int(limit.quota))
        if response.status != 429:
            return response
        self.stats.inc_value("hub/http_429")
        throttled = request.meta.get(THROTTLED, 0)
        after = response.headers.get("Retry-After")
        wait, why = self.wait_for(limit, after, throttled, time.time())
        self.check_bounds(throttled, request.meta.get(WAITED, 0.0), wait, why)
        if limit.spent or limit.remaining is None:
            pacer.exhausted(wait, now)  # the quota itself is spent: every request waits
        logger.info(
            "Rate limited (429, %s): waiting %.1f s before %s", why, wait, brief_url(request.url)
        )
        return await retry_after_wait(request, wait, THROTTLED, throttled + 1)

    def wait_for(
        self, limit: RateLimit, retry_after_value: bytes | None, throttled: int, now: float
    ) -> tuple[float, str]:
        """Seconds to wait after the ``throttled``-th 429 of a request, and what asked for them.

        ``t`` of RateLimit when it says nothing is left, else Retry-After, else the backoff; never
        less than the backoff.
        """
        floor = self.backoff.delay(throttled)
        if limit.spent and limit.reset is not None:
            return max(floor, limit.reset + self.margin), f"quota spent, reset in {limit.reset:g} s"
        after = retry_after(retry_after_value, now)
        if after is not None:
            return max(floor, after), f"Retry-After {after:.0f} s"
        return floor, "backoff"

    def check_bounds(self, throttled: int, waited: float, wait: float, why: str) -> None:
        """Give up the request if one more 429 wait would pass HUB_RETRY_429_TIMES or _MAX_WAIT."""
        if throttled >= self.times:
            msg = (
                f"rate limited (429) {throttled + 1} times, more than HUB_RETRY_429_TIMES "
                f"({self.times})"
            )
        elif waited + wait > self.max_wait:
            msg = (
                f"rate limited (429, {why}): waiting {wait:.0f} s more after {waited:.0f} s "
                f"would pass HUB_RETRY_MAX_WAIT ({self.max_wait:.0f} s)"
            )
        else:
            return
        self.stats.inc_value("hub/gave_up")
        raise RetriesExhaustedError(msg)
