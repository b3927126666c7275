"""``scrapy crawl``, whose exit status says whether a complete snapshot was published.

Scrapy's own ``crawl`` exits 0 after a crawl that gave up on a page or failed in a callback, which
would let a cron job or Scrapyd report a broken daily crawl as a success. This one exits 1, with a
one-line reason on stderr, unless every spider published its partition. It also accepts several
spiders (``scrapy crawl models datasets spaces``), run together in one process so that they share
the rate-limit pacing of one quota. An unknown spider name is a one-line error (exit 2).

Every log record is kept on its line (:func:`hfcrawler.logsafe.install`), so that nothing quoted
from the Hub can start a line of the log, where the status command reads the crawl's verdict.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from hfcrawler.extensions.publish import outcome_of
from hfcrawler.logsafe import install as install_log_safety
from hfcrawler.logsafe import one_line

if TYPE_CHECKING:
    import argparse


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] <spider> [<spider> …]"

    def short_desc(self) -> str:
        return "Crawl into today's snapshot; exit 1 unless it was published complete"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Refuse an unknown spider in one line, before Scrapy starts (and logs its banner)."""
        super().process_options(args, opts)
        if self.settings is None:  # set by scrapy.cmdline before process_options()
            raise UsageError
        known = get_spider_loader(self.settings).list()
        if unknown := [name for name in args if name not in known]:
            names = ", ".join(map(repr, unknown))
            print(
                one_line(f"hfcrawler: no spider {names} (known: {', '.join(sorted(known))})"),
                file=sys.stderr,
            )
            raise SystemExit(2)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError
        if self.crawler_process is None:  # set by scrapy.cmdline before run()
            raise UsageError
        install_log_safety()
        crawlers = [self._create_crawler(name) for name in args]
        for crawler in crawlers:
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        for name, crawler in zip(args, crawlers, strict=True):
            outcome = outcome_of(crawler)
            if outcome is None:
                print(f"hfcrawler: {name}: no snapshot was attempted", file=sys.stderr)
                self.exitcode = 1
            elif outcome.published:
                print(
                    one_line(f"hfcrawler: {name}: {outcome.message} in {outcome.path}"),
                    file=sys.stderr,
                )
            else:
                where = f" (attempt kept in {outcome.path})" if outcome.path else ""
                print(
                    one_line(f"hfcrawler: {name}: FAILED, {outcome.message}{where}"),
                    file=sys.stderr,
                )
                self.exitcode = 1
