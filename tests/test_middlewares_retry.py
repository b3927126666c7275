"""Faults of every kind are retried with backoff until the snapshot is complete and exact."""

import json

from conftest import crawl, read_partition

from fakehub.hub import SyntheticHub

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

    (partition,) = (tmp_path / "snapshots/models").glob("date=*")
    records = read_partition(partition)
    expected = list(SyntheticHub(seed=4, models=3000).records("models"))
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected)
    assert len(records) == len(expected)

    manifest = json.loads((partition / "manifest.json").read_text())
    stats = hub.stats()
    # The first page failed twice and each injected fault once; random 5xx come on top.
    assert manifest["counts"]["retries"] >= 7
    assert manifest["counts"]["requests"] == stats["requests"]
    for reason in (
        "HTTP 500",
        "a body that is not JSON",
        "JSON that is not an array",
        "TimeoutError",
    ):
        assert reason in result.stderr, reason
