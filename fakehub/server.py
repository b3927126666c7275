"""The aiohttp application that serves a SyntheticHub over the Hub's HTTP API.

Routes: GET /api/{models,datasets,spaces}, GET /api/users/{name}/overview,
GET /api/organizations/{name}/overview (a renamed account's old name redirects with a 307, as the
Hub does), and the unmetered control routes GET /_fakehub/stats,
POST /_fakehub/advance?days=N, POST /_fakehub/reset-stats. Every /api response, errors included,
goes through the rate limiter and carries the RateLimit headers; ServerOptions (filled from the
command line) adds latency, faults, drift, page-size jitter and the other misbehaviours, such as
fields left out of every listing item (`omit_fields`, a field the Hub renamed or dropped).
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import numpy as np
from aiohttp import web

from fakehub.authors import AccountFaults, named
from fakehub.cursor import Cursor
from fakehub.drift import Drift
from fakehub.errors import HubError
from fakehub.faults import Fault, FaultPlan
from fakehub.hostile import Hostile, encode, spoil
from fakehub.hub import SyntheticHub
from fakehub.listing import ListingQuery, parse_listing_query, select_page
from fakehub.ordering import SortOrders
from fakehub.ratelimit import FixedWindowLimiter
from fakehub.stats import ServerStats

logger = logging.getLogger(__name__)

_HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>502 Bad Gateway</h1><p>The upstream server is unavailable.</p></body></html>"
)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ServerOptions:
    """How the emulated Hub behaves beyond its data; see `python -m fakehub --help`."""

    seed: int = 0
    page_cap: int = 1000
    page_size_jitter: bool = False
    quota: int = 0
    window: int = 300
    retry_after: bool = False
    ratelimit_headers: bool = True
    latency_page: float = 0.0
    latency_item: float = 0.0
    error_rate: float = 0.0
    faults: tuple[Fault, ...] = ()
    slow_seconds: float = 30.0
    drift: float = 0.0
    link_host: str | None = None
    empty_last_page: bool = False
    lowercase_headers: bool = False
    max_limit_with_expand: int | None = None
    omit_fields: tuple[str, ...] = ()
    tokens: Mapping[str, str] = field(default_factory=dict)  # token -> user name
    accounts: AccountFaults = field(default_factory=AccountFaults)
    hostile: Hostile = field(default_factory=Hostile)


class _DroppedConnectionError(Exception):
    """The handler closed the connection on purpose; there is no response to send."""


class FakeHubServer:
    """Request handling state: the hub, its sort orders, limiter, faults, drift and stats."""

    def __init__(self, hub: SyntheticHub, options: ServerOptions) -> None:
        self.hub = hub
        self.options = options
        self.orders = SortOrders()
        self.limiter = FixedWindowLimiter(options.quota, options.window)
        # Copies, so that fault firings counted here never leak into the caller's options.
        faults = [Fault(f.kind, f.page, f.remaining) for f in options.faults]
        self.faults = FaultPlan(faults, options.error_rate, options.seed)
        self.drift = Drift(options.drift, options.seed)
        self.stats = ServerStats()
        self._jitter = np.random.default_rng([options.seed, 1234])

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._api_middleware])
        app.router.add_get("/api/{repo_type:models|datasets|spaces}", self.list_repos)
        app.router.add_get("/api/users/{name}/overview", self.user_overview)
        app.router.add_get("/api/organizations/{name}/overview", self.organization_overview)
        app.router.add_get("/_fakehub/stats", self.show_stats)
        app.router.add_post("/_fakehub/advance", self.advance)
        app.router.add_post("/_fakehub/reset-stats", self.reset_stats)
        return app

    @web.middleware
    async def _api_middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        decision = self.limiter.take()
        host = request.headers.get("Host", "")
        authorized = "Authorization" in request.headers
        try:
            if not decision.allowed:
                raise HubError(429, "You have exceeded our rate limit. Retry later.")
            self._caller(request)
            response = await handler(request)
        except _DroppedConnectionError:
            self.stats.record(request.path, host, 0, authorized)
            # The transport is already closed: aiohttp discards whatever is returned here.
            return web.Response(status=500)
        except HubError as error:
            response = web.json_response({"error": error.message}, status=error.status)
        except web.HTTPException as error:
            response = web.json_response({"error": error.reason}, status=error.status)
        if self.options.ratelimit_headers:
            response.headers.update(decision.headers())
        if response.status == 429 and self.options.retry_after:
            response.headers["Retry-After"] = str(decision.reset_seconds)
        self.options.hostile.rate_headers(response.headers, response.status, decision)
        if self.options.lowercase_headers:
            # HTTP/2 spells every header name in lower case; clients must not care.
            for name, value in list(response.headers.items()):
                del response.headers[name]
                response.headers.add(name.lower(), value)
        self.stats.record(request.path, host, response.status, authorized)
        return response

    def _caller(self, request: web.Request) -> str | None:
        """The user a request authenticates as; None when anonymous; 401 for a bad token."""
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        user = self.options.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return user

    async def list_repos(self, request: web.Request) -> web.StreamResponse:
        repo_type = request.match_info["repo_type"]
        options = self.options
        query = parse_listing_query(
            repo_type, request.query, options.page_cap, options.max_limit_with_expand
        )
        fault = self.faults.fault_for(query.page)
        status = self.faults.random_error()
        if status is not None:
            raise HubError(status, "Internal Error - We're working hard to fix this!")
        if fault == "error":
            raise HubError(500, "Internal Error")
        if fault == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise _DroppedConnectionError
        if fault == "html":
            return web.Response(text=_HTML_ERROR_PAGE, content_type="text/html")
        if fault == "notarray":
            return web.json_response({"error": "x"})
        if fault == "slow":
            await asyncio.sleep(options.slow_seconds)
        answer = options.hostile.answer(fault, request)
        if answer is not None:
            return answer
        self.drift.apply(self.hub.tables[repo_type], self.hub.now)
        size = query.limit
        if options.page_size_jitter:
            size = int(self._jitter.integers(1, query.limit + 1))
        page = select_page(
            self.hub,
            self.orders,
            query,
            self._caller(request),
            size=size,
            announce_empty_last=options.empty_last_page,
        )
        builder = self.hub.builders[repo_type]
        items = builder.items(page.rows, query.fields)
        _omit(items, options.omit_fields)
        items, ascii_only = spoil(fault, items)
        body = encode(items, ascii_only)
        delay = options.latency_page + options.latency_item * len(items)
        if delay > 0:
            await asyncio.sleep(delay)
        headers = self._link(request, query, page.next_cursor, fault)
        if fault == "truncate":
            body = body[: len(body) // 2]
        else:
            self.stats.record_page(len(items))
        return web.Response(body=body, content_type="application/json", headers=headers)

    def _link(
        self, request: web.Request, query: ListingQuery, cursor: Cursor | None, fault: str | None
    ) -> dict[str, str]:
        """The Link header announcing the next page (none on the last), or a hostile one."""
        url = self.options.hostile.next_url(fault, request, last=cursor is None)
        if url is None and cursor is not None and fault != "nolink":
            url = self._next_url(request, query, cursor)
        return {} if url is None else {"Link": f'<{url}>; rel="next"'}

    def _next_url(self, request: web.Request, query: ListingQuery, cursor: Cursor) -> str:
        """The request's own URL, parameters kept verbatim, then `sort` if absent, cursor last."""
        parts = [
            part
            for part in request.rel_url.raw_query_string.split("&")
            if part and unquote(part.partition("=")[0]) != "cursor"
        ]
        if not any(unquote(part.partition("=")[0]) == "sort" for part in parts):
            parts.append(f"sort={query.sort}")
        parts.append(f"cursor={quote(cursor.encode(), safe='')}")
        host = request.host
        if self.options.link_host is not None:
            port = request.url.port
            host = self.options.link_host if port is None else f"{self.options.link_host}:{port}"
        return f"{request.scheme}://{host}{request.rel_url.raw_path}?{'&'.join(parts)}"

    async def user_overview(self, request: web.Request) -> web.Response:
        return self._overview(request.match_info["name"], "user")

    async def organization_overview(self, request: web.Request) -> web.Response:
        return self._overview(request.match_info["name"], "org")

    def _overview(self, name: str, kind: str) -> web.Response:
        accounts = self.options.accounts
        if name in accounts.statuses:
            raise HubError(accounts.statuses[name], f"Cannot serve the overview of {name}")
        owner = accounts.former_name(name)
        if self.hub.author_kind(owner) != kind:
            noun = "User" if kind == "user" else "Organization"
            raise HubError(404, f"{noun} not found")
        if (location := accounts.redirect(name, kind)) is not None:
            return web.Response(status=307, headers={"Location": location})
        return web.json_response(named(self.hub.profile(owner), name), dumps=_compact_json)

    async def show_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.as_json())

    async def advance(self, request: web.Request) -> web.Response:
        try:
            days = int(request.query.get("days", "1"))
        except ValueError:
            days = -1
        if days < 0:
            return web.json_response({"error": '"days" must be a non-negative integer'}, status=400)
        # Synchronous on purpose: no listing may observe a half-advanced table.
        self.hub.advance(days)
        logger.info("advanced the synthetic Hub to day %d", self.hub.day)
        return web.json_response({"day": self.hub.day})

    async def reset_stats(self, request: web.Request) -> web.Response:
        self.stats = ServerStats()
        return web.json_response({"reset": True})


def _omit(items: list[dict], names: tuple[str, ...]) -> None:
    """Leave `names` out of every item, as a Hub that renamed or dropped a field would."""
    for item in items:
        for name in names:
            item.pop(name, None)


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
