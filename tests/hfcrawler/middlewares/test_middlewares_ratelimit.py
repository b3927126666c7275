"""Pacing by the RateLimit headers: the whole quota is used, with next to no 429s."""

import logging
import time
from datetime import datetime

import pytest
from scrapy import Request
from scrapy.http import Response

from fakehub.hub import SyntheticHub
from hfcrawler.headers import RateLimit
from hfcrawler.layout import read_manifest
from hfcrawler.middlewares import ratelimit, retry
from hfcrawler.middlewares.ratelimit import RateLimitMiddleware
from hfcrawler.middlewares.retry import RetriesExhaustedError
from tests.helpers import Sleeps, crawl, partitions, project_crawler, read_partition, run_now

URL = "https://huggingface.co/api/models?sort=createdAt"


def crawl_seconds(manifest):
    start, end = (datetime.fromisoformat(manifest[k]) for k in ("started_at", "finished_at"))
    return (end - start).total_seconds()


def test_a_quota_smaller_than_the_crawl_is_used_to_the_full_without_429s(fakehub, tmp_path):
    # 60 pages against 20 requests per 4-second window: the quota bounds the crawl to 12 s.
    hub = fakehub(
        "--models", "6100", "--seed", "5", "--page-cap", "100", "--quota", "20", "--window", "4"
    )
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 0, result.stderr[-3000:]
    (partition,) = partitions(tmp_path)
    manifest = read_manifest(partition)
    expected = {r["id"] for r in SyntheticHub(seed=5, models=6100).records("models")}
    assert {r["id"] for r in read_partition(partition)} == expected

    requests, throttled = manifest["counts"]["requests"], manifest["counts"]["http_429"]
    pages = manifest["counts"]["pages"]
    assert throttled <= 0.02 * requests
    bound = pages / 20 * 4
    assert crawl_seconds(manifest) <= 1.15 * bound, (crawl_seconds(manifest), bound)
    assert crawl_seconds(manifest) >= 0.7 * bound  # paced, not bursting into 429s


def test_three_spiders_in_one_process_share_one_quota(fakehub, tmp_path):
    hub = fakehub(
        "--models",
        "1500",
        "--datasets",
        "1000",
        "--spaces",
        "1000",
        "--seed",
        "5",
        "--page-cap",
        "100",
        "--quota",
        "15",
        "--window",
        "3",
    )
    result = crawl("models", "datasets", "spaces", endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    stats = hub.stats()
    assert stats["by_status"].get("429", 0) <= 0.02 * stats["requests"]
    for repo_type in ("models", "datasets", "spaces"):
        (partition,) = partitions(tmp_path, repo_type)
        assert read_manifest(partition)["status"] == "complete"


def test_without_ratelimit_headers_429s_are_waited_out_by_retry_after(fakehub, tmp_path):
    hub = fakehub(
        "--models",
        "2000",
        "--seed",
        "5",
        "--page-cap",
        "100",
        "--quota",
        "8",
        "--window",
        "2",
        "--no-ratelimit-headers",
        "--retry-after",
    )
    result = crawl("models", endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    (partition,) = partitions(tmp_path)
    manifest = read_manifest(partition)
    assert manifest["counts"]["http_429"] >= 1
    assert manifest["counts"]["retries"] == 0  # 429s do not spend the error retries
    expected = {r["id"] for r in SyntheticHub(seed=5, models=2000).records("models")}
    assert {r["id"] for r in read_partition(partition)} == expected


# Decisions of the middleware, without a server or a clock: sleeps are recorded, not slept.

NOW = 1_800_000_000.0  # a wall-clock time in 2027


@pytest.fixture
def sleeps(monkeypatch):
    recorded = Sleeps()
    monkeypatch.setattr(retry, "sleep", recorded)
    monkeypatch.setattr(ratelimit, "sleep", recorded)
    monkeypatch.setattr(RateLimitMiddleware, "pacers", {})
    return recorded


def middleware(**settings):
    base = {"HUB_BACKOFF_BASE": 1.0, "HUB_BACKOFF_MAX": 60.0, "HUB_RETRY_MAX_WAIT": 900.0}
    return RateLimitMiddleware.from_crawler(project_crawler(**{**base, **settings}))


def answer(status, ratelimit=None, policy=None, retry_after=None, url=URL):
    headers = {"RateLimit": ratelimit, "RateLimit-Policy": policy, "Retry-After": retry_after}
    return Response(url, status=status, headers={k: v for k, v in headers.items() if v})


def limit(value, policy=None):
    return RateLimit.from_headers(value, policy)


@pytest.mark.parametrize(
    ("ratelimit", "retry_after", "throttled", "expected"),
    [
        # Quota spent: the reset, plus the margin for t's rounding.
        (b'"api";r=0;t=137', None, 0, 138.0),
        (b'"api";r=0;t=137, "default";r=50;t=30', None, 0, 138.0),
        (b'"default";r=50;t=30, "api";r=0;t=137', None, 0, 138.0),
        # Requests left (huggingface_hub #4662): t is no wait; Retry-After, else backoff.
        (b'"api";r=99794;t=241', None, 0, 1.0),
        (b'"api";r=99794;t=241', None, 3, 8.0),
        (b'"api";r=99794;t=241', b"7", 0, 7.0),
        # No zero waits: 0, a date in the past, a reset of 0 get the backoff floor, which grows.
        (None, b"0", 0, 1.0),
        (None, b"0", 4, 16.0),
        (None, b"0", 10, 60.0),
        (None, b"Wed, 21 Oct 2015 07:28:00 GMT", 2, 4.0),
        (b'"api";r=0;t=0', None, 5, 32.0),
        # Unreadable waits are no waits: the backoff.
        (b'"api";r=0;t=inf', b"soon", 1, 2.0),
        (b'"api";r=0;t=nan', None, 0, 1.0),
    ],
)
def test_the_wait_after_a_429(ratelimit, retry_after, throttled, expected):
    wait, _ = middleware().wait_for(limit(ratelimit), retry_after, throttled, NOW)
    assert wait == expected


def test_429s_have_their_own_bound(sleeps):
    mw = middleware(HUB_RETRY_429_TIMES=3)
    request = Request(URL)
    for _ in range(3):
        request = run_now(mw.process_response(request, answer(429, retry_after=b"0")))
        assert isinstance(request, Request)
    assert sleeps.waits == [1.0, 2.0, 4.0]
    with pytest.raises(RetriesExhaustedError, match=r"429\) 4 times, more than HUB_RETRY_429_"):
        run_now(mw.process_response(request, answer(429, retry_after=b"0")))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"retry_after": b"100000"}, r"Retry-After 100000 s\): waiting 100000 s more after 0 s"),
        ({"ratelimit": b'"api";r=0;t=1e9'}, "quota spent, reset in 1e"),
    ],
)
def test_a_429_wait_past_the_time_bound_gives_up_at_once(sleeps, headers, message):
    with pytest.raises(RetriesExhaustedError, match=message):
        run_now(middleware().process_response(Request(URL), answer(429, **headers)))
    assert sleeps.waits == []


def test_a_429_with_requests_left_holds_back_that_request_only(sleeps):
    mw = middleware()
    retried = run_now(mw.process_response(Request(URL), answer(429, b'"api";r=99794;t=241')))
    assert retried.meta["hub_throttled"] == 1
    assert sleeps.waits == [1.0]
    now = time.monotonic()
    assert mw.pacer(URL).next_slot(now) == now  # other requests go on


def test_a_429_with_the_quota_spent_holds_back_every_request(sleeps):
    mw = middleware()
    run_now(mw.process_response(Request(URL), answer(429, b'"api";r=0;t=30')))
    assert sleeps.waits == [31.0]
    now = time.monotonic()
    assert mw.pacer(URL).next_slot(now) - now == pytest.approx(31.0, abs=1.0)


@pytest.mark.parametrize(
    ("ratelimit", "policy", "paced"),
    [
        # A reset past the policy's window is cut to the window.
        (b'"api";r=0;t=1e9', b'"fixed window";"api";q=500;w=300', 301.0),
        (b'"api";r=0;t=inf', None, 0.0),  # unreadable: as if not sent
    ],
)
def test_absurd_resets_are_bounded_or_ignored(sleeps, ratelimit, policy, paced):
    mw = middleware()
    run_now(mw.process_response(Request(URL), answer(200, ratelimit, policy)))
    run_now(mw.process_request(Request(URL)))
    assert sleeps.waits == ([pytest.approx(paced, abs=1.0)] if paced else [])


def test_the_pacer_gives_up_rather_than_wait_past_the_bound(sleeps, caplog):
    mw = middleware(HUB_RETRY_MAX_WAIT=120.0)
    run_now(mw.process_response(Request(URL), answer(200, b'"api";r=0;t=100000')))
    with pytest.raises(RetriesExhaustedError, match=r"wait 10000\d s .* HUB_RETRY_MAX_WAIT \(120"):
        run_now(mw.process_request(Request(URL)))
    assert sleeps.waits == []
    # A long wait within the bound is said, not silent.
    mw.pacer(URL).observe(limit(b'"api";r=0;t=60'), time.monotonic())
    with caplog.at_level(logging.INFO):
        run_now(mw.process_request(Request(URL)))
    assert sleeps.waits == [pytest.approx(61.0, abs=1.0)]
    assert "Pacing: waiting 61 s" in caplog.text


def test_pacing_reads_the_api_entry_whatever_the_order(sleeps):
    mw = middleware()
    for header in (b'"api";r=0;t=20, "default";r=50;t=30', b'"default";r=50;t=30, "api";r=0;t=20'):
        mw.pacers.clear()
        run_now(mw.process_response(Request(URL), answer(200, header)))
        now = time.monotonic()
        assert mw.pacer(URL).next_slot(now) - now == pytest.approx(21.0, abs=1.0)
