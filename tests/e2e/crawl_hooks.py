"""Scrapy components for tests only, enabled in a crawl subprocess with ``-s`` (see the helpers).

- :class:`KillAfterPublishStep`: the crawl SIGKILLs itself right after a publish step (a name
  from :data:`hfcrawler.store.PUBLISH_STEPS`), given in ``TEST_KILL_AFTER_STEP``.
- :class:`FailingPipeline`: an item pipeline that raises on page ``TEST_FAIL_PAGE``, as a bug or
  an unexpected value anywhere in the pipelines would.

The crawl runs from the project directory, where this module is ``tests.e2e.crawl_hooks``.
"""

from __future__ import annotations

import json
import os
import signal
from typing import TYPE_CHECKING, Any, Self

from hfcrawler.extensions.publish import publish_step
from hfcrawler.settings import EXTENSIONS, ITEM_PIPELINES

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class KillAfterPublishStep:
    def __init__(self, step: str) -> None:
        self.step = step

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler.settings.get("TEST_KILL_AFTER_STEP"))
        crawler.signals.connect(extension.step_done, signal=publish_step)
        return extension

    def step_done(self, step: str) -> None:
        if step == self.step:
            os.kill(os.getpid(), signal.SIGKILL)


class FailingPipeline:
    def __init__(self, page: int) -> None:
        self.page = page

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("TEST_FAIL_PAGE"))

    def process_item(self, item: Any) -> Any:
        if item.number == self.page:
            raise RuntimeError(f"cannot process page {item.number}")
        return item


def kill_after(step: str) -> dict[str, object]:
    """The settings of a crawl that dies right after publish step ``step``."""
    extensions = {**EXTENSIONS, f"{__name__}.KillAfterPublishStep": 900}
    return {"EXTENSIONS": json.dumps(extensions), "TEST_KILL_AFTER_STEP": step}


def fail_page(page: int) -> dict[str, object]:
    """The settings of a crawl whose pipelines raise on page ``page``."""
    pipelines = {**ITEM_PIPELINES, f"{__name__}.FailingPipeline": 250}
    return {"ITEM_PIPELINES": json.dumps(pipelines), "TEST_FAIL_PAGE": page}
