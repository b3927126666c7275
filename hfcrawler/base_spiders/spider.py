"""What every snapshot spider shares: the Hub endpoint, the refusal of tokens as arguments, its
place in the snapshot store, and how it stops when the snapshot cannot be completed.

A subclass names its ``snapshot_name`` (the directory under ``snapshots/``), its ``record_class``
and the ``snapshot_query()`` recorded in the manifest (a resumed attempt must have the same one),
and yields :class:`~hfcrawler.items.SnapshotPage` items whose cursor says where to resume.
Scrapyd's ``_job`` and ``_version`` arguments are accepted and ignored.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy.exceptions import CloseSpider

from hfcrawler.extensions.publish import PublishExtension
from hfcrawler.hub import hub_endpoint, refuse_token_arguments
from hfcrawler.logsafe import one_line

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from hfcrawler.items import Record
    from hfcrawler.store import Attempt


# Enough of a Hub error message to say what went wrong; the body itself may be anything.
ERROR_MESSAGE_CHARS = 200


def http_error(response: Response) -> str:
    """``HTTP <status>``, with the Hub's own error message when its body has one, on one line."""
    try:
        message = json.loads(response.body)["error"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status}"
    shown = one_line(str(message)[:ERROR_MESSAGE_CHARS])[:ERROR_MESSAGE_CHARS]
    return f"HTTP {response.status}: {shown}"


class SnapshotSpider(scrapy.Spider):
    """A spider whose output is one snapshot partition."""

    snapshot_name: ClassVar[str]
    record_class: ClassVar[type[Record]]

    endpoint: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("_job", None)
        kwargs.pop("_version", None)
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SnapshotSpider:
        refuse_token_arguments(crawler.settings, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.endpoint = hub_endpoint(crawler.settings)
        return spider

    def snapshot_query(self) -> dict[str, Any]:
        """What was asked of the Hub, for the manifest; resuming requires the same query."""
        raise NotImplementedError

    @property
    def snapshot(self) -> PublishExtension:
        """The crawl's publishing extension, which owns the attempt."""
        return self.crawler.get_extension(PublishExtension)

    def attempt(self) -> Attempt | None:
        """The snapshot attempt, or None when it could not be opened (the extension says why)."""
        try:
            return self.snapshot.attempt()
        except CloseSpider:
            return None

    def fail(self, reason: str) -> None:
        """Stop the crawl; the attempt is kept (with this reason) to be resumed later.

        The reason can quote the Hub (a URL, an error message): it is kept on one line.
        """
        reason = one_line(reason)
        self.snapshot.fail(reason)
        self.logger.error("Crawl failed: %s", reason)
        raise CloseSpider("hub_failed")
