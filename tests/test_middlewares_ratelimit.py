"""Pacing by the RateLimit headers: the whole quota is used, with next to no 429s."""

import json
from datetime import datetime

from conftest import crawl, read_partition

from fakehub.hub import SyntheticHub


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
    (partition,) = (tmp_path / "snapshots/models").glob("date=*")
    manifest = json.loads((partition / "manifest.json").read_text())
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
        (partition,) = (tmp_path / "snapshots" / repo_type).glob("date=*")
        assert json.loads((partition / "manifest.json").read_text())["status"] == "complete"


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
    (partition,) = (tmp_path / "snapshots/models").glob("date=*")
    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["counts"]["http_429"] >= 1
    assert manifest["counts"]["retries"] == 0  # 429s do not spend the error retries
    expected = {r["id"] for r in SyntheticHub(seed=5, models=2000).records("models")}
    assert {r["id"] for r in read_partition(partition)} == expected
