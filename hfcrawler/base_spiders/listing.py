"""The cursor walk shared by every Hub listing spider.

A listing is walked sorted by ``createdAt`` (which never changes, so the walk neither skips nor
repeats a repo whose counters move while we crawl), asking explicitly with ``expand`` for the
snapshot's fields, from the first page to the one that carries no ``Link: <…>; rel="next"``
header. A short or empty page never ends the walk: only a missing Link does. Each page's body was
already checked to be a JSON array by :mod:`hfcrawler.middlewares.retry`, which retries anything
else; items in it that are not JSON objects are rejected, never dropped.

Spider arguments: none are needed. ``page_size`` overrides ``HUB_PAGE_SIZE``. A token given as an
argument is refused (use HF_TOKEN).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from hfcrawler.base_spiders.snapshot import BODY, EXPECT, SnapshotSpider, http_error
from hfcrawler.headers import next_link
from hfcrawler.items import HubRecord, Rejection, SnapshotPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

PAGE_NUMBER = "hub_page_number"


class HubListingSpider(SnapshotSpider):
    """Walks one Hub listing (``api_path``) into a snapshot of ``record_class`` items."""

    api_path: ClassVar[str]
    record_class: ClassVar[type[HubRecord]]

    def __init__(self, *args: Any, page_size: str | int | None = None, **kwargs: Any) -> None:
        self._page_size = int(page_size) if page_size else None
        self.visited: dict[str, int] = {}  # URL → page number, in this run
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
            meta={EXPECT: list, PAGE_NUMBER: number},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Any]:
        attempt = self.attempt()
        if attempt is None or attempt.state.done:
            return  # no snapshot to write, or interrupted while publishing: nothing to fetch
        yield self.page_request(attempt.state.cursor or self.first_url(), attempt.state.pages + 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        number = response.meta[PAGE_NUMBER]
        next_url = next_link(response.headers.getlist("Link"), response.url)
        # A server that links back to a page it already gave would be walked forever.
        self.visited[response.url] = number
        if next_url in self.visited:
            self.fail(f"page {number} links back to page {self.visited[next_url]} ({next_url})")
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

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        why = http_error(error.response) if isinstance(error, HttpError) else str(error)
        self.fail(f"page {request.meta[PAGE_NUMBER]} ({request.url}) failed: {why}")
