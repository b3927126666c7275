"""Faults of every kind are retried with backoff until the snapshot is complete and exact."""

import json

import pytest
from scrapy import Request
from scrapy.http import Response

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from hfcrawler.meta import BODY, EXPECT, MAX_ITEMS, TRIES, WAITED
from hfcrawler.middlewares import retry
from hfcrawler.middlewares.retry import (
    HubRetryMiddleware,
    PageRefusedError,
    RetriesExhaustedError,
    json_values_at_most,
)
from tests.helpers import Sleeps, crawl, partitions, project_crawler, read_partition, run_now

FAST = {"HUB_BACKOFF_BASE": 0.05, "HUB_BACKOFF_MAX": 0.5, "DOWNLOAD_TIMEOUT": 1}


def test_errors_truncation_drops_and_timeouts_are_survived(fakehub, tmp_path):
    hub = fakehub(
        "--models",
        "3000",
        "--seed",
        "4",
        "--page-cap",
        "100",
        "--error-rate",
        "0.05",
        "--fault",
        "truncate@2",
        "--fault",
        "drop@5",
        "--fault",
        "slow@8",
        "--slow-seconds",
        "3",
        "--fault",
        "html@11",
        "--fault",
        "notarray@14",
        "--fault",
        "error@1x2",
    )
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert result.returncode == 0, result.stderr[-3000:]

    (partition,) = partitions(tmp_path)
    records = read_partition(partition)
    expected = list(SyntheticHub(seed=4, models=3000).records("models"))
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected)
    assert len(records) == len(expected)

    manifest = read_manifest(partition)
    stats = hub.stats()
    # The first page failed twice and each injected fault once; random 5xx come on top.
    assert manifest["counts"]["retries"] >= 7
    # The dropped connection (drop@5) may be one the client had kept alive: Twisted then resends
    # the GET by itself, unseen by Scrapy, so the server can count one request more.
    assert stats["requests"] - manifest["counts"]["requests"] in {0, 1}
    for reason in (
        "HTTP 500",
        "a body that is not JSON",
        "JSON that is not an array",
        "TimeoutError",
    ):
        assert reason in result.stderr, reason


# Decisions on bodies, without a server: sleeps are recorded, not slept.

URL = "https://huggingface.co/api/models?sort=createdAt"


@pytest.fixture
def sleeps(monkeypatch):
    recorded = Sleeps()
    monkeypatch.setattr(retry, "sleep", recorded)
    return recorded


def listing_page(body, max_items=10, **settings):
    mw = HubRetryMiddleware.from_crawler(project_crawler(**settings))
    request = Request(URL, meta={EXPECT: list, MAX_ITEMS: max_items})
    result = run_now(mw.process_response(request, Response(URL, status=200, body=body)))
    return result, request.meta.get(BODY)


def test_a_page_of_at_most_limit_items_is_handed_over(sleeps):
    body = json.dumps([{"id": f"m{i}"} for i in range(10)]).encode()
    result, page = listing_page(body)
    assert isinstance(result, Response)
    assert [item["id"] for item in page] == [f"m{i}" for i in range(10)]
    assert sleeps.waits == []


def test_more_items_than_the_limit_fail_the_page_without_retry(sleeps):
    body = json.dumps([{"id": f"m{i}"} for i in range(11)]).encode()
    with pytest.raises(PageRefusedError, match="11 items on a page that asked for at most 10"):
        listing_page(body)
    assert sleeps.waits == []


def test_a_body_of_too_many_values_is_refused_before_parsing(sleeps, monkeypatch):
    def no_parsing(body):
        raise AssertionError("parsed")

    monkeypatch.setattr(retry.orjson, "loads", no_parsing)
    # 10 items of 5 values at most: 50 values; the body holds 2,000 empty objects.
    body = b"[" + b"{}," * 1999 + b"{}]"
    with pytest.raises(PageRefusedError, match="up to 4,001 JSON values, more than 10 items"):
        listing_page(body, HUB_PAGE_VALUES_PER_ITEM=5)
    assert json_values_at_most(body) >= len(json.loads(body)) + 1


def test_lone_surrogates_are_parsed_for_validation_to_reject(sleeps):
    _, page = listing_page(b'[{"id": "a/b\\ud800", "tags": ["\\udc00"]}]')
    assert page == [{"id": "a/b\ud800", "tags": ["\udc00"]}]


def test_json_nested_past_any_parser_is_retried_as_not_json(sleeps):
    body = b"[" * 5000 + b"]" * 5000  # deeper than orjson (1024) and json (recursion) go
    result, page = listing_page(body, HUB_BACKOFF_BASE=0.5)
    assert isinstance(result, Request)
    assert result.meta[TRIES] == 1
    assert len(sleeps.waits) == 1
    assert page is None


def test_each_retry_waits_its_backoff_and_the_page_gives_up_after_the_last(sleeps):
    crawler = project_crawler(HUB_BACKOFF_BASE=1.0, HUB_BACKOFF_MAX=5.0, HUB_RETRY_TIMES=4)
    mw = HubRetryMiddleware.from_crawler(crawler)
    request = Request(URL)
    for _ in range(4):
        request = run_now(mw.process_response(request, Response(URL, status=503)))
        assert isinstance(request, Request)
    # The n-th wait is min(HUB_BACKOFF_MAX, HUB_BACKOFF_BASE * 2**n), half of it random.
    for wait, ceiling in zip(sleeps.waits, [1.0, 2.0, 4.0, 5.0], strict=True):
        assert ceiling / 2 <= wait <= ceiling
    assert request.meta[WAITED] == pytest.approx(sum(sleeps.waits))
    with pytest.raises(RetriesExhaustedError, match=r"gave up after 5 attempts .*last: HTTP 503"):
        run_now(mw.process_response(request, Response(URL, status=503)))
    assert len(sleeps.waits) == 4


def test_a_retry_that_would_wait_past_the_time_bound_is_not_waited(sleeps):
    crawler = project_crawler(HUB_BACKOFF_BASE=10.0, HUB_RETRY_MAX_WAIT=4.0)
    mw = HubRetryMiddleware.from_crawler(crawler)
    with pytest.raises(RetriesExhaustedError, match="gave up after 1 attempts and 0 s of waiting"):
        run_now(mw.process_response(Request(URL), Response(URL, status=503)))
    assert sleeps.waits == []
