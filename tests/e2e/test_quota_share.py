"""Crawls in separate processes share no pacer; with HUB_QUOTA_SHARED_BY each keeps to its share.

Scrapyd runs each job in a process of its own, as this test does: three ``scrapy crawl`` processes,
one per listing, at once against one emulator whose small quota all three draw on.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from fakehub.hub import SyntheticHub
from hfcrawler.headers import RateLimit
from hfcrawler.middlewares.ratelimit import Pacer, RateLimitMiddleware
from tests.helpers import crawl, read_partition

LISTINGS = ("models", "datasets", "spaces")
SIZE = 200
# Ten pages of 20 per listing, 9 requests a 2-second window for all three together.
HUB = ["--page-cap", "20", "--quota", "9", "--window", "2"]
HUB += [arg for kind in LISTINGS for arg in (f"--{kind}", str(SIZE))]


def crawl_apart(hub, data: Path, settings: dict[str, object]) -> dict[str, int]:
    """Each listing crawled by a process of its own, all at once; their 429s by listing."""
    with ThreadPoolExecutor(len(LISTINGS)) as pool:
        runs = pool.map(
            lambda spider: crawl(spider, endpoint=hub.url, data=data, settings=settings), LISTINGS
        )
        results = dict(zip(LISTINGS, runs, strict=True))
    truth = SyntheticHub(**dict.fromkeys(LISTINGS, SIZE))
    throttled = {}
    for kind, result in results.items():
        assert result.returncode == 0, result.stderr[-2000:]
        (partition,) = (data / "snapshots" / kind).glob("date=*")
        ids = sorted(record["id"] for record in read_partition(partition))
        assert ids == sorted(record["id"] for record in truth.records(kind)), kind
        manifest = json.loads((partition / "manifest.json").read_text())
        throttled[kind] = manifest["counts"]["http_429"]
    assert sum(throttled.values()) == hub.stats()["by_status"].get("429", 0)
    return throttled


@pytest.mark.slow
def test_separate_processes_each_keeping_to_a_third_of_the_quota_meet_no_429(
    fakehub, tmp_path: Path
) -> None:
    throttled = crawl_apart(fakehub(*HUB), tmp_path, {"HUB_QUOTA_SHARED_BY": 3})
    assert throttled == dict.fromkeys(LISTINGS, 0)


@pytest.mark.slow
def test_separate_processes_each_counting_the_whole_quota_meet_429s(
    fakehub, tmp_path: Path
) -> None:
    # Each sees what the Hub says is left and books it as its own: at the end of each window two
    # of them book the last request. The crawls still complete, each 429 waited out.
    throttled = crawl_apart(fakehub(*HUB), tmp_path, {})
    assert sum(throttled.values()) > 0


def pacers(origin: str, **settings: object) -> tuple[Pacer, Pacer]:
    """The pacers of ``origin`` in a process that crawls alone and in one of three."""
    alone, shared = (
        RateLimitMiddleware.from_crawler(
            get_crawler(settings_dict={**settings, "HUB_QUOTA_SHARED_BY": shared_by})
        ).pacer(f"http://{shared_by}.{origin}/api/models")
        for shared_by in (1, 3)
    )
    return alone, shared


def test_a_pacer_kept_to_a_third_counts_a_third_of_what_is_left() -> None:
    alone, shared = pacers("counts.test", HUB_RESET_MARGIN=1.0, HUB_QUOTA_BURST=0.9)
    # 2 of 9 left, 1.5 s before the window resets: alone, the next request goes within the
    # window; a third of 2 is nothing, so the shared pacer waits for the reset and its margin.
    for pacer in (alone, shared):
        pacer.observe(RateLimit(remaining=2, reset=1.5, quota=9, window=2), now=100.0)
    assert (alone.next_slot(100.0) - 100.0) < 1.5
    assert (shared.next_slot(100.0) - 100.0) == pytest.approx(1.5 + 0.02 * 2)
    # 3 left: one of them is this process's, booked within the window.
    shared.observe(RateLimit(remaining=3, reset=1.5, quota=9, window=2), now=100.0)
    assert (shared.next_slot(100.0) - 100.0) < 1.5
