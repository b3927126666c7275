import gzip
import http.client
import itertools
import json
import time
from collections import Counter

import pytest

from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess

ARGS = ["--seed", "5", "--models", "1000", "--page-cap", "100"]


def public_ids() -> set[str]:
    return {record["id"] for record in SyntheticHub(seed=5, models=1000).records("models")}


def test_each_fault_kind_fires_on_its_page_then_the_page_is_served() -> None:
    faults = ["error@2", "truncate@3", "html@4", "notarray@5", "drop@6", "slow@7", "error@8x2"]
    args = [*ARGS, "--slow-seconds", "0.4"] + [f"--fault={fault}" for fault in faults]
    with FakeHubProcess(args) as server:
        first = server.get("/api/models?sort=createdAt")
        assert first.status == 200
        link = first.next_link()
        failed = server.get(link)
        assert failed.status == 500
        assert "error" in failed.json()
        second = server.get(link)
        link = second.next_link()
        truncated = server.get(link)
        assert truncated.status == 200
        with pytest.raises(json.JSONDecodeError):
            truncated.json()
        link = server.get(link).next_link()
        html = server.get(link)
        assert html.status == 200
        assert html.headers["Content-Type"].startswith("text/html")
        assert html.next_link() is None
        link = server.get(link).next_link()
        assert server.get(link).json() == {"error": "x"}
        link = server.get(link).next_link()
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            server.get(link)
        link = server.get(link).next_link()
        started = time.monotonic()
        slow = server.get(link)
        assert time.monotonic() - started >= 0.4
        assert len(slow.json()) == 100
        link = slow.next_link()
        assert [server.get(link).status for _ in range(3)] == [500, 500, 200]
        stats = server.get("/_fakehub/stats").json()
        assert stats["by_status"]["0"] == 1


def test_a_fault_with_star_fires_every_time() -> None:
    with FakeHubProcess([*ARGS, "--fault", "error@1x*"]) as server:
        assert {server.get("/api/models").status for _ in range(5)} == {500}


def test_bad_fault_specs_are_refused() -> None:
    with (
        pytest.raises(RuntimeError, match="exit code 2"),
        FakeHubProcess([*ARGS, "--fault", "x@2"]),
    ):
        pytest.fail("the server started")


def test_error_rate_fails_a_seeded_fraction_with_5xx() -> None:
    with FakeHubProcess([*ARGS, "--error-rate", "0.5"]) as server:
        statuses = Counter(server.get("/api/models?limit=1").status for _ in range(60))
        assert set(statuses) <= {200, 500, 502, 503, 504}
        assert 15 < statuses[200] < 45
        assert len(statuses) >= 3


def test_page_size_jitter_serves_short_pages_that_are_not_last() -> None:
    with FakeHubProcess([*ARGS, "--page-size-jitter"]) as server:
        pages = [page.json() for page in server.walk("/api/models?sort=createdAt")]
        sizes = [len(page) for page in pages]
        assert all(1 <= size <= 100 for size in sizes)
        assert len(set(sizes)) > 3
        assert min(sizes[:-1]) < 100
        ids = [item["id"] for page in pages for item in page]
        assert len(ids) == len(set(ids))
        assert set(ids) == public_ids()


def test_empty_last_page_carries_no_link() -> None:
    with FakeHubProcess([*ARGS, "--empty-last-page"]) as server:
        pages = list(server.walk("/api/models?sort=createdAt"))
        assert pages[-1].json() == []
        assert pages[-1].next_link() is None
        assert pages[-2].json()
        assert pages[-2].next_link() is not None
        assert len({item["id"] for page in pages for item in page.json()}) == len(public_ids())


def test_max_limit_with_expand_caps_expanded_pages_only() -> None:
    with FakeHubProcess([*ARGS, "--max-limit-with-expand", "30"]) as server:
        assert len(server.get("/api/models?limit=80").json()) == 80
        assert len(server.get("/api/models?limit=80&expand=likes").json()) == 30
        assert len(server.get("/api/models?full=true").json()) == 30


def test_drift_makes_a_downloads_walk_skip_and_repeat_but_not_a_createdat_walk() -> None:
    with FakeHubProcess([*ARGS, "--drift", "0.05"]) as server:
        by_downloads = [
            item["id"]
            for page in server.walk("/api/models?sort=downloads&expand=downloads")
            for item in page.json()
        ]
        repeated = len(by_downloads) - len(set(by_downloads))
        missed = len(public_ids() - set(by_downloads))
        assert repeated + missed > 0
        by_created = [
            item["id"] for page in server.walk("/api/models?sort=createdAt") for item in page.json()
        ]
        assert len(by_created) == len(set(by_created))
        assert set(by_created) == public_ids()


def test_header_names_can_be_lower_case_like_http2() -> None:
    with FakeHubProcess([*ARGS, "--lowercase-headers", "--quota", "1"]) as server:
        first = server.get("/api/models")
        assert {"link", "ratelimit", "ratelimit-policy", "content-type"} <= set(first.headers)
        assert "Link" not in set(first.headers)
        assert first.next_link() is not None
        assert "ratelimit" in set(server.get("/api/models").headers)


def test_latency_is_added_per_page_and_per_item() -> None:
    with FakeHubProcess([*ARGS, "--latency-page", "0.6", "--latency-item", "0.01"]) as server:
        started = time.monotonic()
        assert len(server.get("/api/models?limit=20").json()) == 20
        assert time.monotonic() - started >= 0.8
        started = time.monotonic()
        server.get("/api/users/open-lab/overview")
        assert time.monotonic() - started < 0.5


def test_hostile_faults_and_headers() -> None:
    faults = ["throttle@1", "link@2", "surrogate@2", "overfull@3", "bomb@4", "redirect@5"]
    args = [
        *ARGS, *(f"--fault={fault}" for fault in faults), "--quota", "50",
        "--hostile-url", "http://localhost:{port}/elsewhere{path}",
        "--ratelimit-reset", "1e9", "--ratelimit-extra", '"default";r=50;t=30',
        "--retry-after-value", "0",
    ]  # fmt: skip
    with FakeHubProcess(args) as server:
        throttled = server.get("/api/models?sort=createdAt")
        assert throttled.status == 429
        assert throttled.headers["RateLimit"] == '"api";r=49;t=1e9, "default";r=50;t=30'
        assert throttled.headers["Retry-After"] == "0"
        first = server.get("/api/models?sort=createdAt")
        link = first.next_link()
        hostile = server.get(link)
        port = server.url.rsplit(":", 1)[1]
        assert hostile.next_link() == f"http://localhost:{port}/elsewhere{link[len(server.url) :]}"
        hostile = server.get(link)  # the next fault of the page: lone surrogates
        # They exist only as JSON escapes: the body is ASCII.
        assert b"\\ud800" in hostile.body
        assert b"\\udc00" in hostile.body
        items = hostile.json()
        assert "bad\ud800tag" in items[0]["tags"]
        assert items[1]["id"].endswith("\udc00")
        link = server.get(link).next_link()
        overfull = server.get(link).json()
        assert len(overfull) == 200
        assert overfull[:100] == overfull[100:]
        link = server.get(link).next_link()
        bomb = server.get(link)
        assert len(bomb.body) < 40_000
        assert gzip.decompress(bomb.body) == b"[" + b"{}," * 9_999_999 + b"{}]"
        link = server.get(link).next_link()
        connection = http.client.HTTPConnection(f"127.0.0.1:{port}", timeout=10)
        connection.request("GET", link[len(server.url) :])  # not followed, unlike urllib
        redirect = connection.getresponse()
        connection.close()
        assert redirect.status == 307
        assert redirect.headers["Location"].startswith(f"http://localhost:{port}/elsewhere/api/")


def test_endless_links_the_last_page_to_ever_new_urls() -> None:
    with FakeHubProcess([*ARGS, "--endless"]) as server:
        pages = list(itertools.islice(server.walk("/api/models?sort=createdAt"), 15))
        assert len(pages) == 15
        links = [page.next_link() for page in pages]
        assert len(set(links)) == 15
        again = [int(link.rpartition("&again=")[2]) for link in links if "&again=" in link]
        assert again == list(range(1, len(again) + 1))
        assert len(again) >= 5
        assert pages[-1].json() == pages[-2].json()
