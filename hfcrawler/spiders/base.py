"""The cursor walk shared by every Hub listing spider.

A listing is walked sorted by ``createdAt`` (which never changes, so the walk neither skips nor
repeats a repo whose counters move while we crawl), asking explicitly with ``expand`` for the
snapshot's fields, from the first page to the one that carries no ``Link: <…>; rel="next"``
header. A short or empty page never ends the walk: only a missing Link does. Each page's body was
already checked to be a JSON array by :mod:`hfcrawler.middlewares.retry`, which retries anything
else; items in it that are not JSON objects are rejected, never dropped.

Spider arguments: none are needed. ``page_size`` overrides ``HUB_PAGE_SIZE``. Scrapyd's ``_job``
and ``_version`` are accepted and ignored. A token given as an argument is refused (use HF_TOKEN).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.spidermiddlewares.httperror import HttpError

from hfcrawler.extensions.snapshot import SnapshotExtension
from hfcrawler.headers import next_link
from hfcrawler.hub import hub_endpoint, refuse_token_arguments
from hfcrawler.items import HubRecord, ListingPage, Rejection

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

# Request meta keys shared with the middlewares.
LISTING = "hub_listing"  # the response must be a JSON array; its parsed body lands in PAGE
PAGE = "hub_page"
PAGE_NUMBER = "hub_page_number"


def http_error(response: Response) -> str:
    """``HTTP <status>``, with the Hub's own error message when its body has one."""
    try:
        message = json.loads(response.body)["error"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status}"
    return f"HTTP {response.status}: {str(message)[:200]}"


class HubListingSpider(scrapy.Spider):
    """Walks one Hub listing (``api_path``) into a snapshot of ``record_class`` items."""

    api_path: ClassVar[str]
    record_class: ClassVar[type[HubRecord]]
    #: The directory name of this listing in the snapshot store.
    snapshot_name: ClassVar[str]

    def __init__(self, *args: Any, page_size: str | int | None = None, **kwargs: Any) -> None:
        kwargs.pop("_job", None)
        kwargs.pop("_version", None)
        self._page_size = int(page_size) if page_size else None
        self._arguments = dict(kwargs)
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> HubListingSpider:
        refuse_token_arguments(crawler.settings, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.page_size = spider._page_size or crawler.settings.getint("HUB_PAGE_SIZE")
        spider.endpoint = hub_endpoint(crawler.settings)
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
            meta={LISTING: True, PAGE_NUMBER: number},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Any]:
        try:
            state = self.crawler.get_extension(SnapshotExtension).attempt().state
        except CloseSpider:
            return  # the snapshot could not be opened; the extension says why
        if state.done:
            return  # interrupted while publishing: nothing left to fetch
        yield self.page_request(state.next_url or self.first_url(), state.pages + 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        number = response.meta[PAGE_NUMBER]
        next_url = next_link(response.headers.getlist("Link"), response.url)
        if next_url is not None and next_url == response.url:
            self.fail(f"page {number} links to itself ({response.url}); the listing cannot end")
        page = ListingPage(response.url, number, next_url)
        from_hub = self.record_class.from_hub
        for raw in response.meta.pop(PAGE):
            if isinstance(raw, dict):
                page.records.append(from_hub(raw))
            else:
                page.rejections.append(Rejection({"record": "not a JSON object"}, {"value": raw}))
        self.crawler.stats.inc_value("hub/pages")
        yield page
        if next_url is not None:
            yield self.page_request(next_url, number + 1)

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        why = http_error(error.response) if isinstance(error, HttpError) else str(error)
        self.fail(f"page {request.meta[PAGE_NUMBER]} ({request.url}) failed: {why}")

    def fail(self, reason: str) -> None:
        """Stop the crawl; the attempt is kept (with this reason) to be resumed later."""
        self.crawler.get_extension(SnapshotExtension).fail(reason)
        self.logger.error("Crawl failed: %s", reason)
        raise CloseSpider("hub_failed")
