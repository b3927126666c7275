"""A hostile Hub: answers that a broken or malicious server could give, for the crawler's bounds.

Page faults (`--fault KIND@PAGE[xCOUNT]`, see fakehub.faults):

- `throttle`: a 429 while the RateLimit header still says requests remain.
- `link` / `redirect`: the page's `Link` points to, or the request is answered with a 307 to,
  `--hostile-url` (`{path}` in it stands for the request's path and query, `{port}` for the
  server's port): another host or port, or a `file:`, `data:` or `javascript:` URL.
- `bomb`: a gzip body of `--bomb-items` empty objects (10 million: 29 KB that inflate to 30 MB).
- `overfull`: the page's items served twice, more than the `limit` asked for.
- `surrogate`: the first item gets a lone surrogate (`"\\ud800"`, valid JSON but not valid
  Unicode) in its tags, the second one in its id.

Options for every response: `--retry-after-value` (sent verbatim as Retry-After on each 429: `0`,
a date in the past, a huge number), `--ratelimit-reset` (sent verbatim as `t` of RateLimit:
`1e9`, `inf`, `nan`), `--ratelimit-extra` (another entry appended to the RateLimit header, such
as `"default";r=50;t=30`), and `--endless` (the last page links on to itself under ever new
URLs, forever).
"""

import argparse
import gzip
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from fakehub.errors import HubError
from fakehub.ratelimit import Decision

HOSTILE_FAULTS = ("throttle", "link", "redirect", "bomb", "overfull", "surrogate")
DEFAULT_BOMB_ITEMS = 10_000_000


@dataclass(frozen=True)
class Hostile:
    """The hostile options of a server; all off by default."""

    retry_after_value: str | None = None
    ratelimit_reset: str | None = None
    ratelimit_extra: str | None = None
    hostile_url: str | None = None
    endless: bool = False
    bomb_items: int = DEFAULT_BOMB_ITEMS

    def rate_headers(self, headers: CIMultiDict[str], status: int, decision: Decision) -> None:
        """Rewrite a response's RateLimit and Retry-After headers as the options say."""
        if "RateLimit" in headers:
            reset = self.ratelimit_reset or str(decision.reset_seconds)
            value = f'"api";r={decision.remaining};t={reset}'
            if self.ratelimit_extra:
                value += f", {self.ratelimit_extra}"
            headers["RateLimit"] = value
        if status == 429 and self.retry_after_value is not None:
            headers["Retry-After"] = self.retry_after_value

    def answer(self, fault: str | None, request: web.Request) -> web.Response | None:
        """The whole answer of a `throttle`, `redirect` or `bomb` fault; None for other faults."""
        if fault == "throttle":
            raise HubError(429, "You have exceeded our rate limit. Retry later.")
        if fault == "redirect":
            return web.Response(status=307, headers={"Location": self._url_for(request)})
        if fault == "bomb":
            return web.Response(
                body=_bomb_body(self.bomb_items),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        return None

    def next_url(self, fault: str | None, request: web.Request, *, last: bool) -> str | None:
        """The Link target of a `link` fault, or of `--endless` on the last page; else None."""
        if fault == "link":
            return self._url_for(request)
        if last and self.endless:
            # The request's URL with a new `again` parameter: a next page never the last.
            again = int(request.query.get("again", "0")) + 1
            parts = request.rel_url.raw_query_string.split("&")
            kept = [part for part in parts if part and not part.startswith("again=")]
            query = "&".join([*kept, f"again={again}"])
            return f"{request.scheme}://{request.host}{request.rel_url.raw_path}?{query}"
        return None

    def _url_for(self, request: web.Request) -> str:
        if self.hostile_url is None:
            raise HubError(500, "link and redirect faults need --hostile-url")
        url = self.hostile_url.replace("{port}", str(request.url.port))
        return url.replace("{path}", request.rel_url.raw_path_qs)


def spoil(fault: str | None, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Apply an `overfull` or `surrogate` fault to a page's items; True when it must be encoded
    as ASCII (lone surrogates exist only as JSON escapes)."""
    if fault == "overfull":
        return items + items, False
    if fault == "surrogate":
        if items:
            items[0]["tags"] = [*items[0].get("tags", []), "bad\ud800tag"]
        if len(items) > 1:
            items[1]["id"] += "\udc00"
        return items, True
    return items, False


@cache
def _bomb_body(items: int) -> bytes:
    body = b"[" + b"{}," * (items - 1) + b"{}]" if items else b"[]"
    return gzip.compress(body, compresslevel=9, mtime=0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "hostile server (faults throttle, link, redirect, bomb, overfull, surrogate)"
    )
    group.add_argument(
        "--retry-after-value",
        metavar="TEXT",
        help="Retry-After sent verbatim on every 429 (e.g. 0, or a date in the past)",
    )
    group.add_argument(
        "--ratelimit-reset",
        metavar="TEXT",
        help="t of the RateLimit header sent verbatim (e.g. 1e9, inf, nan)",
    )
    group.add_argument(
        "--ratelimit-extra",
        metavar="ENTRY",
        help='another entry after the "api" one in RateLimit (e.g. \'"default";r=50;t=30\')',
    )
    group.add_argument(
        "--hostile-url",
        metavar="URL",
        help="target of the link and redirect faults; {path} is the request's path and query, "
        "{port} the server's port",
    )
    group.add_argument(
        "--endless",
        action="store_true",
        help="the last page links on to itself under ever new URLs, forever",
    )
    group.add_argument(
        "--bomb-items",
        type=int,
        default=DEFAULT_BOMB_ITEMS,
        metavar="N",
        help=f"empty objects in the bomb fault's gzip body (default {DEFAULT_BOMB_ITEMS:,})",
    )


def from_arguments(args: argparse.Namespace) -> Hostile:
    return Hostile(
        retry_after_value=args.retry_after_value,
        ratelimit_reset=args.ratelimit_reset,
        ratelimit_extra=args.ratelimit_extra,
        hostile_url=args.hostile_url,
        endless=args.endless,
        bomb_items=args.bomb_items,
    )


def encode(items: list[dict[str, Any]], ascii_only: bool) -> bytes:
    """The page body: compact UTF-8 JSON, or escaped ASCII JSON when it holds lone surrogates."""
    return json.dumps(items, ensure_ascii=ascii_only, separators=(",", ":")).encode()
