"""The cursor walk shared by every Hub listing spider.

A listing is walked sorted by ``createdAt`` (which never changes, so the walk neither skips nor
repeats a repo whose counters move while we crawl), asking explicitly with ``expand`` for the
snapshot's fields, from the first page to the one that carries no ``Link: <…>; rel="next"``
header. A short or empty page never ends the walk: only a missing Link does. Each page's body was
already checked to be a JSON array of at most ``limit`` items by
:mod:`hfcrawler.middlewares.retry`; items in it that are not JSON objects are rejected, never
dropped.

The walk is bounded: a ``Link`` off the endpoint's origin (another scheme, host or port, or a
``file:``, ``data:`` or ``javascript:`` URL), a Link back to a page already walked, or more pages
than the cap (``HUB_MAX_PAGES``, and ``HUB_MAX_PAGES_GROWTH`` times the last complete snapshot's
pages plus ``HUB_MAX_PAGES_SLACK``) fails the crawl before the page is handed on, so such a
link is never stored as the cursor to resume from. URLs in messages are cut short and escaped.

Spider arguments: none are needed. ``page_size`` overrides ``HUB_PAGE_SIZE``. A token given as an
argument is refused (use HF_TOKEN).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from hfcrawler.base_spiders.spider import SnapshotSpider, http_error
from hfcrawler.headers import next_link
from hfcrawler.hub import origin
from hfcrawler.items import HubRecord, Rejection, SnapshotPage
from hfcrawler.logsafe import brief, brief_url
from hfcrawler.meta import BODY, EXPECT, MAX_ITEMS, PAGE_NUMBER

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


class HubListingSpider(SnapshotSpider):
    """Walks one Hub listing (``api_path``) into a snapshot of ``record_class`` items."""

    api_path: ClassVar[str]
    record_class: ClassVar[type[HubRecord]]

    def __init__(self, *args: Any, page_size: str | int | None = None, **kwargs: Any) -> None:
        self._page_size = int(page_size) if page_size else None
        self.visited: dict[str, int] = {}  # URL → page number, in this run
        self.max_pages = 0  # set when the walk starts, from the last complete snapshot
        self.max_pages_why = ""
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> HubListingSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.page_size = spider._page_size or crawler.settings.getint("HUB_PAGE_SIZE")
        return spider

    @property
    def expand(self) -> tuple[str, ...]:
        """The ``expand`` values to ask for: every Hub field of the record."""
        return tuple(
            name
            for name in self.record_class.field_names()
            if name not in {"_id", "id", "repoType"}
        )

    def snapshot_query(self) -> dict[str, Any]:
        """The listing query, recorded in the manifest and compared when resuming."""
        params = [("sort", "createdAt"), *(("expand", name) for name in self.expand)]
        params.append(("limit", str(self.page_size)))
        return {"path": self.api_path, "params": [list(p) for p in params]}

    def first_url(self) -> str:
        query = self.snapshot_query()
        return f"{self.endpoint}{query['path']}?{urlencode([tuple(p) for p in query['params']])}"

    def page_request(self, url: str, number: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            headers={"Accept": "application/json"},
            meta={EXPECT: list, PAGE_NUMBER: number, MAX_ITEMS: self.page_size},
            dont_filter=True,
        )

    def page_cap(self) -> tuple[int, str]:
        """The most pages the listing may have, and where that number comes from."""
        settings = self.crawler.settings
        cap = settings.getint("HUB_MAX_PAGES")
        why = f"HUB_MAX_PAGES = {cap}"
        latest = self.snapshot.store.latest_complete(self.snapshot_name)
        if latest is None:
            return cap, why
        date, manifest = latest
        try:
            pages = int(manifest["counts"]["pages"])
            limit = int(dict(manifest["query"]["params"]).get("limit", self.page_size))
        except (KeyError, TypeError, ValueError):
            return cap, why  # a manifest without the numbers sets no relative cap
        growth = settings.getfloat("HUB_MAX_PAGES_GROWTH")
        slack = settings.getint("HUB_MAX_PAGES_SLACK")
        relative = math.ceil(growth * pages * limit / self.page_size) + slack
        if relative < cap:
            why = (
                f"HUB_MAX_PAGES_GROWTH {growth:g} times the {pages} pages of the {date} snapshot "
                f"at {limit} a page + HUB_MAX_PAGES_SLACK {slack}"
            )
            return relative, why
        return cap, why

    def off_origin(self, url: str) -> bool:
        """Whether ``url`` leaves the endpoint's scheme, host and port."""
        return origin(url) != origin(self.endpoint)

    async def start(self) -> AsyncIterator[Any]:
        attempt = self.attempt()
        if attempt is None or attempt.state.done:
            return  # no snapshot to write, or interrupted while publishing: nothing to fetch
        self.max_pages, self.max_pages_why = self.page_cap()
        cursor = attempt.state.cursor
        if cursor is not None and self.off_origin(cursor):
            # Only an older version could have stored it; fetching it would leave the Hub.
            why = f"the attempt's cursor {brief_url(cursor)} is off the Hub's origin"
            self.snapshot.fail(why)
            self.logger.error("Crawl failed: %s", why)
            return
        yield self.page_request(cursor or self.first_url(), attempt.state.pages + 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        number = response.meta[PAGE_NUMBER]
        next_url = next_link(response.headers.getlist("Link"), response.url)
        self.visited[response.url] = number
        if next_url is not None:
            self.check_next(number, next_url)
        page = SnapshotPage(response.url, number, cursor=next_url)
        from_hub = self.record_class.from_hub
        for raw in response.meta.pop(BODY):
            if isinstance(raw, dict):
                page.records.append(from_hub(raw))
            else:
                page.rejections.append(Rejection({"record": "not a JSON object"}, {"value": raw}))
        self.crawler.stats.inc_value("hub/pages")
        yield page
        if next_url is not None:
            yield self.page_request(next_url, number + 1)

    def check_next(self, number: int, next_url: str) -> None:
        """Fail the crawl unless page ``number`` may be followed by ``next_url``."""
        if self.off_origin(next_url):
            self.fail(
                f"page {number} links to {brief_url(next_url)}, off the Hub's origin "
                f"{brief_url(self.endpoint)}: not followed"
            )
        # A server that links back to a page it already gave would be walked forever.
        if next_url in self.visited:
            self.fail(
                f"page {number} links back to page {self.visited[next_url]} ({brief_url(next_url)})"
            )
        # One that links on to ever new pages, too.
        if number >= self.max_pages:
            self.fail(
                f"the listing goes on past page {number}, the most it may have "
                f"({self.max_pages_why}); raise that bound if the Hub really grew"
            )

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        why = http_error(error.response) if isinstance(error, HttpError) else str(error)
        # Scrapy's own messages quote the whole URL: cut it short there too.
        why = brief(why.replace(request.url, brief_url(request.url)))
        self.fail(f"page {request.meta[PAGE_NUMBER]} ({brief_url(request.url)}) failed: {why}")
