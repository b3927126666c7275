"""``scrapy crawl authors``: the profiles of the Hub's authors, users and organisations.

Authors come from the latest complete ``models`` partition (and ``datasets`` and ``spaces`` when
present), most downloaded first. Each profile comes from ``/api/organizations/{name}/overview``
or ``/api/users/{name}/overview``; the kind that answered last time (or, for a new author, the
kind that answered most in this run) is asked first, so one request is usually enough. An author
that is neither (404 twice), or whose name the Hub refuses with another 4xx (400, 403, 410, 414…),
is counted as not found (``profiles_not_found`` in the manifest) and the crawl goes on; a 429 or
5xx that outlasts the retries stops it. A renamed account is answered with a redirect to its new
name: its profile is kept under the name asked for, with the new one in ``renamedTo``.

Arguments (or settings):

- ``budget`` (``AUTHORS_BUDGET``, default 300): most overview requests in one run, spent on the
  most important authors that need one; 300 leaves room in the anonymous quota of 500 a window.
- ``max_age_days`` (``AUTHORS_MAX_AGE_DAYS``, default 7): a profile fetched more recently than this
  is reused from the previous authors partition without a request.

The partition is always complete for every author ever seen: a profile not refreshed in this run
(past the budget, or an author with no repos left) is carried forward with its ``fetchedAt``.
Writes ``<data>/snapshots/authors/date=<UTC date>/``; fields are those of
:class:`~hfcrawler.items.AuthorRecord`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime, timedelta
from inspect import iscoroutine
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import orjson
import scrapy
from scrapy.exceptions import IgnoreRequest

from hfcrawler.author_sources import known_profiles, rank_authors
from hfcrawler.base_spiders.spider import SnapshotSpider, http_error
from hfcrawler.items import AuthorRecord, SnapshotPage
from hfcrawler.logsafe import one_line
from hfcrawler.meta import BODY, EXPECT
from hfcrawler.store import utc_now

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ENDPOINTS = {"org": "organizations", "user": "users"}
BATCH = 50  # profiles written and checkpointed together
# The Hub's answers for "no such user" or "no such organization": ask the other kind.
NOT_THIS_KIND = frozenset({401, 404})


class AuthorsSpider(SnapshotSpider):
    name = "authors"
    snapshot_name = "authors"
    record_class: ClassVar[type[AuthorRecord]] = AuthorRecord

    def __init__(
        self, *args: Any, budget: str | None = None, max_age_days: str | None = None, **kwargs: Any
    ) -> None:
        self._budget_arg, self._max_age_arg = budget, max_age_days
        self._inputs: tuple[list[str], dict[str, str]] | None = None
        self.answered = {"org": 0, "user": 0}
        self.spent = self.reserved = 0
        self.exhausted = False
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AuthorsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.budget = int(spider._budget_arg or settings.getint("AUTHORS_BUDGET"))
        days = float(spider._max_age_arg or settings.getfloat("AUTHORS_MAX_AGE_DAYS"))
        spider.max_age = timedelta(days=days)
        return spider

    def ranking(self) -> tuple[list[str], dict[str, str]]:
        if self._inputs is None:
            store = self.snapshot.store
            self._inputs = rank_authors(store)
        return self._inputs

    def snapshot_query(self) -> dict[str, Any]:
        _, sources = self.ranking()
        return {
            "path": "/api/{organizations,users}/{name}/overview",
            "params": [
                *(["source", f"{kind}/date={date}"] for kind, date in sources.items()),
                ["budget", str(self.budget)],
                ["max_age_days", str(self.max_age.days)],
            ],
        }

    async def start(self) -> AsyncIterator[Any]:
        attempt = self.attempt()
        if attempt is None or attempt.state.done:
            return
        ranking, sources = self.ranking()
        if not sources:
            self.snapshot.fail(
                "no complete models, datasets or spaces partition to take authors from"
            )
            return
        store = self.snapshot.store
        known = known_profiles(store)
        position = orjson.loads(attempt.state.cursor or '{"rank": 0, "spent": 0}')
        self.spent = position["spent"]
        now = datetime.now(UTC)
        number = attempt.state.pages
        for begin in range(position["rank"], len(ranking), BATCH):
            names = ranking[begin : begin + BATCH]
            page = SnapshotPage(
                f"authors ranked {begin + 1} to {begin + len(names)}", number + 1, cursor=None
            )
            # Decided in rank order before anything is sent; then the fetches run together.
            plans = [self.plan(name, known.get(name), now) for name in names]
            try:
                fetched = iter(await asyncio.gather(*(p for p in plans if iscoroutine(p))))
            except IgnoreRequest as exc:
                self.snapshot.fail(one_line(f"{page.source}: {exc}"))
                return
            profiles = [next(fetched) if iscoroutine(p) else p for p in plans]
            page.records = [p for p in profiles if p is not None]
            page.cursor = orjson.dumps({"rank": begin + len(names), "spent": self.spent}).decode()
            number += 1
            yield page
        ranked = set(ranking)
        gone = [self.carried(known[n]) for n in sorted(known) if n not in ranked]
        yield SnapshotPage("authors without repos in the latest partitions", number + 1, None, gone)

    def plan(
        self, name: str, known: dict[str, Any] | None, now: datetime
    ) -> AuthorRecord | Coroutine[Any, Any, AuthorRecord | None] | None:
        """Reuse a fresh profile, or reserve the budget to fetch one, or fall back to the old one.

        An author of known kind needs one request, a new one up to two. Once one author is
        refused for want of budget so is every later one, so the budget always goes to the most
        important authors, and a reservation given back is not spent out of rank order.
        """
        fallback = self.carried(known) if known is not None else None
        if known is not None and now - datetime.fromisoformat(known["fetchedAt"]) < self.max_age:
            self.crawler.stats.inc_value("authors/reused")
            return fallback
        needed = 1 if known is not None else 2
        if self.exhausted or self.budget - self.spent - self.reserved < needed:
            self.exhausted = True
            self.crawler.stats.inc_value("authors/over_budget")
            return fallback
        self.reserved += needed
        return self.fetch(name, self.kinds_to_ask(known)[:needed], fallback)

    async def fetch(
        self, name: str, kinds: list[str], fallback: AuthorRecord | None
    ) -> AuthorRecord | None:
        """Ask the overview endpoints of ``kinds`` in turn (their requests are reserved).

        Not found, the author keeps the profile of the previous partition if there is one. Only
        a 429 or 5xx past the retries (raised by the middlewares) or an unexpected status stops
        the crawl: one author the Hub will not describe must not cost every other profile.
        """
        stats = self.crawler.stats
        left = len(kinds)
        try:
            for kind in kinds:
                self.reserved, left, self.spent = self.reserved - 1, left - 1, self.spent + 1
                try:
                    response = await self.crawler.engine.download_async(self.overview(kind, name))
                except IgnoreRequest as exc:  # the retries gave up: say on whose profile
                    msg = f"profile of {name!r}: {exc}"
                    raise IgnoreRequest(msg) from exc
                status = response.status
                if status == 200:
                    stats.inc_value("authors/fetched")
                    self.answered[kind] += 1
                    return AuthorRecord.from_overview(kind, name, response.meta[BODY], utc_now())
                if status in NOT_THIS_KIND:
                    continue
                # Any other client error refuses this one name; a 429 is about the quota.
                if 400 <= status < 500 and status != 429:
                    stats.inc_value(f"authors/refused/{status}")
                    logger.warning(
                        "Profile of %r refused (%s): counted as not found",
                        name,
                        http_error(response),
                    )
                    break
                msg = f"profile of {name!r}: {http_error(response)}"
                raise IgnoreRequest(msg)
        finally:
            self.reserved -= left
        stats.inc_value("authors/not_found")
        return fallback

    def kinds_to_ask(self, known: dict[str, Any] | None) -> list[str]:
        """The kind the author was last time first, else the kind that answered most so far."""
        if known is not None:
            first = known.get("kind")
        else:
            first = max(self.answered, key=self.answered.__getitem__)
        return ["org", "user"] if first == "org" else ["user", "org"]

    def overview(self, kind: str, name: str) -> scrapy.Request:
        return scrapy.Request(
            f"{self.endpoint}/api/{ENDPOINTS[kind]}/{quote(name, safe='')}/overview",
            headers={"Accept": "application/json"},
            meta={EXPECT: dict},
            dont_filter=True,
        )

    @staticmethod
    def carried(known: dict[str, Any]) -> AuthorRecord:
        """A profile from the previous partition, unchanged (its fetchedAt says how old it is)."""
        fields = AuthorRecord.field_names()
        return AuthorRecord(**{name: known.get(name) for name in fields})
