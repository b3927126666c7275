"""``scrapy crawl``'s exit status and what a failed crawl leaves behind."""

import time

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import DataLayout, read_manifest
from tests.helpers import crawl, partitions, read_partition, tree_digest

FAST_RETRIES = {"HUB_BACKOFF_BASE": 0.05, "HUB_BACKOFF_MAX": 0.2, "HUB_RETRY_MAX_WAIT": 2}


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_a_page_that_always_fails_exits_non_zero_and_keeps_the_earlier_snapshot(
    fakehub, tmp_path, repo_type
):
    sizes = ["--models", "1500", "--datasets", "1500", "--spaces", "1500"]
    healthy = fakehub(*sizes, "--seed", "2", "--page-cap", "500")
    earlier = crawl(
        repo_type, endpoint=healthy.url, data=tmp_path, settings={"SNAPSHOT_DATE": "2026-01-01"}
    )
    assert earlier.returncode == 0, earlier.stderr[-2000:]
    old = tmp_path / f"snapshots/{repo_type}/date=2026-01-01"
    before = tree_digest(old)

    broken = fakehub(*sizes, "--seed", "2", "--page-cap", "500", "--fault", "error@3x*")
    for date in ("2026-01-01", "2026-01-02"):
        started = time.monotonic()
        result = crawl(
            repo_type,
            endpoint=broken.url,
            data=tmp_path,
            settings={**FAST_RETRIES, "SNAPSHOT_DATE": date},
        )
        # The retry bound is 2 s of waiting; the rest is Scrapy starting and stopping.
        assert time.monotonic() - started < 20
        assert result.returncode == 1
        assert f"hfcrawler: {repo_type}: FAILED, page 3" in result.stderr
        assert "gave up after" in result.stderr
        assert "HTTP 500" in result.stderr
        assert not (tmp_path / f"snapshots/{repo_type}/date=2026-01-02").exists()
        assert tree_digest(old) == before

    attempt = read_manifest(DataLayout(tmp_path).attempt(repo_type))
    assert attempt["status"] == "incomplete"
    assert attempt["reason"].startswith("page 3 (")
    assert attempt["counts"]["records"] == 1000


def test_the_same_command_resumes_a_failed_crawl(fakehub, tmp_path):
    # Page 3 fails 20 times in a row: more than one run's retries, fewer than two runs'.
    hub = fakehub("--models", "1500", "--seed", "2", "--page-cap", "500", "--fault", "error@3x20")
    failed = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST_RETRIES)
    assert failed.returncode == 1

    resumed = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST_RETRIES)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resuming the models attempt" in resumed.stderr
    (partition,) = partitions(tmp_path)
    records = read_partition(partition)
    expected = [r["id"] for r in SyntheticHub(seed=2, models=1500).records("models")]
    assert sorted(r["id"] for r in records) == sorted(expected)
    manifest = read_manifest(partition)
    assert manifest["resumed"] == 1
    # Both runs' requests are counted: 2 good pages, 20 failures of page 3, then page 3 itself.
    assert -(-len(expected) // 500) == 3  # page 3 is the last one
    assert manifest["counts"]["pages"] == 3
    assert manifest["counts"]["requests"] == 23
    # Every failure was retried but the one the first run gave up on.
    assert manifest["counts"]["retries"] == 19


def test_a_token_on_the_command_line_is_refused(fakehub, tmp_path):
    hub = fakehub("--models", "10")
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HF_TOKEN": "hf_secret"})
    assert result.returncode == 1
    assert "HF_TOKEN environment variable" in result.stderr
    assert not (tmp_path / "snapshots/models").exists() or not any(partitions(tmp_path))


def test_no_control_ports_are_opened(fakehub, tmp_path):
    hub = fakehub("--models", "10")
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"LOG_LEVEL": "INFO"})
    assert result.returncode == 0
    assert "Enabled extensions" in result.stderr
    assert "TelnetConsole" not in result.stderr
    assert "RemoteControl" not in result.stderr
    assert "remote control" not in result.stderr.lower()


def test_an_unknown_spider_is_one_line_naming_the_known_ones(tmp_path):
    result = crawl("modles", endpoint="http://127.0.0.1:9", data=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "hfcrawler: no spider 'modles' (known: authors, datasets, models, spaces)"
    ]
    assert not (tmp_path / "snapshots").exists()
