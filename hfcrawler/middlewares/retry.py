"""Retries what the Hub gets wrong, with exponential backoff and jitter, within a time bound.

Retried: ``HUB_RETRY_HTTP_CODES`` (408 and 5xx), the exceptions of Scrapy's ``RETRY_EXCEPTIONS``
(timeouts, refused or dropped connections, truncated transfers), and a 200 whose body is not the
JSON the request expects (``meta[EXPECT]``: an array for a listing page, an object for a
profile), such as truncated JSON or an HTML error page. The first page is retried like any
other. The parsed body is handed over in ``meta[BODY]`` so it is parsed only once. (The meta
keys are those of :mod:`hfcrawler.meta`.)

Not retried but refused at once, failing the page: a listing page with more items than the
``limit`` it asked for (``meta[MAX_ITEMS]``), since a server that ignores ``limit`` will not
heed it on a retry either. A body built to exhaust memory (a gzip bomb of ten million ``{}``) is
refused before it is parsed: it holds more JSON values (counted cheaply as commas and brackets)
than ``HUB_PAGE_VALUES_PER_ITEM`` per item asked for, about 30 times what real items hold. Bodies
past ``DOWNLOAD_MAXSIZE``, compressed or not, are refused by Scrapy itself.

The n-th retry of a page waits ``min(HUB_BACKOFF_MAX, HUB_BACKOFF_BASE * 2**n)`` seconds, half of it
random, so that clients that failed together do not retry together. A page gives up after
``HUB_RETRY_TIMES`` retries or ``HUB_RETRY_MAX_WAIT`` seconds spent waiting for it (429 waits of
:mod:`~hfcrawler.middlewares.ratelimit` included): its errback then stops the crawl with the reason.
Stats: ``hub/retries``, ``hub/retries/<reason>``.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import orjson
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object

from hfcrawler.logsafe import brief_url
from hfcrawler.meta import BODY, EXPECT, MAX_ITEMS, TRIES, WAITED

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

_NOT_JSON = object()
_KIND = {list: "an array", dict: "an object"}


def _strict_json(body: bytes) -> Any:
    """Parse with the standard library, which takes what orjson refuses (NaN, Infinity, lone
    surrogates: validation rejects those records with the reason)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def json_values_at_most(body: bytes) -> int:
    """An upper bound of the number of JSON values in ``body``, without parsing it.

    Each value but the last of a container is followed by a comma, and each container opens with
    a bracket; commas and brackets inside strings only make the bound looser.
    """
    return body.count(b",") + body.count(b"{") + body.count(b"[") + 1


async def retry_after_wait(request: Request, delay: float, counter: str, count: int) -> Request:
    """Sleep ``delay`` seconds, then return the request again, with the time waited added up."""
    await sleep(delay)
    retry = request.copy()
    retry.meta[counter] = count
    retry.meta[WAITED] = request.meta.get(WAITED, 0.0) + delay
    retry.dont_filter = True
    return retry


@dataclass(frozen=True)
class Backoff:
    """The exponential backoff of both retries and 429 waits: the n-th wait (from 0) is
    ``min(HUB_BACKOFF_MAX, HUB_BACKOFF_BASE * 2**n)`` seconds."""

    base: float
    cap: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings.getfloat("HUB_BACKOFF_BASE"), settings.getfloat("HUB_BACKOFF_MAX"))

    def delay(self, n: int) -> float:
        """Seconds of the n-th wait (0-based)."""
        return min(self.cap, self.base * 2**n)

    def jittered(self, n: int) -> float:
        """The n-th wait, half of it fixed and half random."""
        delay = self.delay(n)
        return delay / 2 + random.uniform(0, delay / 2)


class RetriesExhaustedError(IgnoreRequest):
    """A page kept failing past the retry bound; the message says how and how long."""


class PageRefusedError(IgnoreRequest):
    """A page whose body breaks the listing's contract in a way no retry would mend."""


class HubRetryMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.codes = frozenset(settings.getlist("HUB_RETRY_HTTP_CODES"))
        self.times = settings.getint("HUB_RETRY_TIMES")
        self.backoff = Backoff.from_settings(settings)
        self.max_wait = settings.getfloat("HUB_RETRY_MAX_WAIT")
        self.values_per_item = settings.getint("HUB_PAGE_VALUES_PER_ITEM")
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in self.codes:
            return await self._retry(request, f"HTTP {response.status}")
        expected = request.meta.get(EXPECT)
        if expected is not None and response.status == 200:
            max_items = request.meta.get(MAX_ITEMS)
            if max_items is not None:
                self.refuse_bombs(response.body, max_items)
            try:
                page = orjson.loads(response.body)
            except orjson.JSONDecodeError:
                page = _strict_json(response.body)
            if page is _NOT_JSON:
                return await self._retry(request, "a body that is not JSON")
            if not isinstance(page, expected):
                return await self._retry(request, f"JSON that is not {_KIND[expected]}")
            if max_items is not None and len(page) > max_items:
                msg = f"{len(page):,} items on a page that asked for at most {max_items:,}"
                raise PageRefusedError(msg)
            request.meta[BODY] = page
        return response

    def refuse_bombs(self, body: bytes, max_items: int) -> None:
        """Refuse, unparsed, a body with more JSON values than ``max_items`` items could hold."""
        most = max_items * self.values_per_item
        # Each value takes two bytes at least ("1," or "[]"): a smaller body needs no counting.
        if len(body) < 2 * most:
            return
        values = json_values_at_most(body)
        if values > most:
            msg = (
                f"a body of {len(body):,} bytes with up to {values:,} JSON values, more than "
                f"{max_items:,} items of HUB_PAGE_VALUES_PER_ITEM ({self.values_per_item:,}) "
                "values can hold: refused before parsing"
            )
            raise PageRefusedError(msg)

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, self.exceptions):
            return await self._retry(request, type(exception).__name__)
        return None

    async def _retry(self, request: Request, reason: str) -> Request:
        tries = request.meta.get(TRIES, 0)
        waited = request.meta.get(WAITED, 0.0)
        delay = self.backoff.jittered(tries)
        if tries >= self.times or waited + delay > self.max_wait:
            self.stats.inc_value("hub/gave_up")
            msg = (
                f"gave up after {tries + 1} attempts and {waited:.0f} s of waiting; last: {reason}"
            )
            raise RetriesExhaustedError(msg)
        self.stats.inc_value("hub/retries")
        self.stats.inc_value(f"hub/retries/{reason}")
        logger.warning(
            "Retrying %s in %.1f s (retry %d, %s)", brief_url(request.url), delay, tries + 1, reason
        )
        return await retry_after_wait(request, delay, TRIES, tries + 1)
