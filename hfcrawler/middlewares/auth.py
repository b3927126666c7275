"""Keeps every request on the Hub's origin, and sends the token there as ``Authorization: Bearer``.

The origin is the scheme, host and port of ``HUB_ENDPOINT``/``HF_ENDPOINT``. A request anywhere
else — a redirect to another host or port, or a ``file:`` or ``data:`` URL — is refused with
:class:`OffOriginError`, which fails the page that led there: what another origin serves is not
the Hub's, and the token must not follow it. The token is read from the environment once and kept
only in this object: it never enters settings, spider arguments, request meta, stats or logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest

from hfcrawler.hub import hub_endpoint, hub_token, origin
from hfcrawler.logsafe import brief_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class OffOriginError(IgnoreRequest):
    """A request that would leave the Hub's origin."""


class HubAuthMiddleware:
    def __init__(self, endpoint: str, token: str | None) -> None:
        self._endpoint = endpoint
        self._origin = origin(endpoint)
        self._header = f"Bearer {token}".encode() if token else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(hub_endpoint(crawler.settings), hub_token())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(origin={self._origin!r})"

    def process_request(self, request: Request) -> None:
        if origin(request.url) != self._origin:
            came_from = request.meta.get("redirect_urls")
            how = f"redirected from {brief_url(came_from[-1])} to" if came_from else "a request to"
            msg = (
                f"{how} {brief_url(request.url)}, off the Hub's origin "
                f"{brief_url(self._endpoint)}: refused"
            )
            raise OffOriginError(msg)
        if self._header is not None:
            request.headers[b"Authorization"] = self._header
