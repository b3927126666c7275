"""A crawl killed at any moment, or stopped by an error in its pipelines, is resumed by the same
command into the exact snapshot."""

import random
import signal

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from tests.e2e.crawl_hooks import fail_page
from tests.helpers import (
    attempt_state,
    crawl,
    partitions,
    read_partition,
    start_crawl,
    wait_for_pages,
)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_crawl_resumes_into_the_exact_snapshot(fakehub, tmp_path, sig):
    hub = fakehub("--models", "4000", "--seed", "6", "--page-cap", "100", "--latency-page", "0.08")
    victim = start_crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    # Somewhere in the middle of its 40 pages, while it fetches the page after a checkpoint.
    wait_for_pages(tmp_path, random.Random(sig).randint(3, 30), victim)
    victim.send_signal(sig)
    _, stderr = victim.communicate(timeout=60)
    assert victim.returncode != 0
    assert not partitions(tmp_path), "a partial crawl was published"
    state = attempt_state(tmp_path)
    assert 0 < state["pages"] < 40
    if sig != signal.SIGKILL:
        assert "interrupted after page" in stderr

    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the models attempt" in result.stderr
    (partition,) = partitions(tmp_path)
    ids = [r["id"] for r in read_partition(partition)]
    expected = [r["id"] for r in SyntheticHub(seed=6, models=4000).records("models")]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(expected)
    manifest = read_manifest(partition)
    assert manifest["resumed"] == 1
    assert manifest["counts"]["records"] == len(expected)


def test_an_error_in_any_pipeline_fails_the_crawl_at_once_and_the_rerun_resumes(fakehub, tmp_path):
    hub = fakehub("--models", "3000", "--seed", "6", "--page-cap", "100")
    settings = fail_page(4)
    failed = crawl(
        "models",
        endpoint=hub.url,
        data=tmp_path,
        settings={**settings, "HUB_PAGE_SIZE": 100},
    )
    assert failed.returncode == 1
    assert "FAILED, page 4 was not written: RuntimeError: cannot process page 4" in failed.stderr
    # The error names the page; it does not dump its hundred records into the log.
    assert "Error processing page 4 (100 records) of http://127.0.0.1:" in failed.stderr
    assert max(len(line) for line in failed.stderr.splitlines()) < 2000
    assert not partitions(tmp_path)
    state = attempt_state(tmp_path)
    assert state["pages"] == 3
    # No page after the failed one was written, and at most one more was fetched.
    assert hub.stats()["by_path"]["/api/models"] <= 5

    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the models attempt of" in result.stderr
    assert "from page 4" in result.stderr
    (partition,) = partitions(tmp_path)
    ids = [r["id"] for r in read_partition(partition)]
    expected = [r["id"] for r in SyntheticHub(seed=6, models=3000).records("models")]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(expected)
