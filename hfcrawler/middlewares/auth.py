"""Sends the Hub token as ``Authorization: Bearer …`` to the Hub's own origin and nowhere else.

The origin is the scheme, host and port of ``HUB_ENDPOINT``/``HF_ENDPOINT``. A request to any other
origin — a ``Link`` header or a redirect pointing elsewhere — has any Authorization header
removed. The token is read from the environment once and kept only in this object: it never
enters settings, spider arguments, request meta, stats or logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from hfcrawler.hub import hub_endpoint, hub_token, origin

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class HubAuthMiddleware:
    def __init__(self, endpoint: str, token: str | None) -> None:
        self._origin = origin(endpoint)
        self._header = f"Bearer {token}".encode() if token else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(hub_endpoint(crawler.settings), hub_token())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(origin={self._origin!r})"

    def process_request(self, request: Request) -> None:
        if self._header is not None and origin(request.url) == self._origin:
            request.headers[b"Authorization"] = self._header
        else:
            request.headers.pop(b"Authorization", None)
