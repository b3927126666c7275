"""Helpers for unit tests of components: a crawler with the project's settings, and a coroutine
run to its end without a reactor (sleeps are patched out, so nothing may really wait)."""

from collections.abc import Coroutine
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from hfcrawler import settings as project_settings


def project_crawler(**overrides: Any) -> Crawler:
    """A crawler with hfcrawler's settings, some of them overridden (the reactor is the test's)."""
    settings = {
        k: v for k, v in vars(project_settings).items() if k.isupper() and k != "TWISTED_REACTOR"
    }
    return get_crawler(settings_dict={**settings, **overrides})


def run_now(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """The coroutine's result (or exception), which it must give without suspending."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the coroutine waited for something real")


class Sleeps:
    """A stand-in for ``scrapy.utils.asyncio.sleep`` that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
