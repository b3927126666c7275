"""A crawl killed at any moment is resumed by the same command into the exact snapshot."""

import json
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, base_env, crawl, read_partition

from fakehub.hub import SyntheticHub


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_crawl_resumes_into_the_exact_snapshot(fakehub, tmp_path, sig):
    hub = fakehub("--models", "4000", "--seed", "6", "--page-cap", "100", "--latency-page", "0.08")
    command = [sys.executable, "-m", "scrapy", "crawl", "models", "-s", "HUB_PAGE_SIZE=100"]
    env = base_env(HF_ENDPOINT=hub.url, HFCRAWLER_DATA=str(tmp_path))
    victim = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    time.sleep(random.Random(sig).uniform(2.0, 3.5))  # somewhere in the middle of 40 pages
    victim.send_signal(sig)
    _, stderr = victim.communicate(timeout=60)
    assert victim.returncode != 0
    assert not list((tmp_path / "snapshots/models").glob("date=*")), "a partial crawl was published"
    state = json.loads((tmp_path / "snapshots/models/.attempt/state.json").read_text())
    assert 0 < state["pages"] < 40
    if sig != signal.SIGKILL:
        assert "interrupted after page" in stderr

    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the models attempt" in result.stderr
    (partition,) = (tmp_path / "snapshots/models").glob("date=*")
    ids = [r["id"] for r in read_partition(partition)]
    expected = [r["id"] for r in SyntheticHub(seed=6, models=4000).records("models")]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(expected)
    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["resumed"] == 1
    assert manifest["counts"]["records"] == len(expected)
