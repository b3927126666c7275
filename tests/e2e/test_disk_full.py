"""A disk that fills up mid-crawl fails the crawl at once; the rerun resumes to the exact partition.

The data directory lives on a small tmpfs (mounting one needs root, as in CI; elsewhere these
tests are skipped) where a filler file leaves room for about half of the partition.
"""

import gzip
import hashlib
import json
import os
import subprocess

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from tests.helpers import crawl, listing_requests, partitions, read_partition

SEED, MODELS, PAGE = 4, 3000, 100
HUB = ("--models", str(MODELS), "--seed", str(SEED), "--page-cap", str(PAGE))
SETTINGS = {"HUB_PAGE_SIZE": PAGE, "SNAPSHOT_DATE": "2026-05-01"}
ROOM = 150 * 1024  # about half of the 300 kB partition


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs with a filler file that leaves ROOM bytes free; yields (data dir, filler)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)]
    try:
        mounted = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("disk-full tests need the mount command to mount a small tmpfs")
    if mounted.returncode != 0:
        pytest.skip(f"disk-full tests need to mount a tmpfs (as root): {mounted.stderr.strip()}")
    try:
        data = mount_point / "data"
        data.mkdir()
        filler = mount_point / "filler"
        free = os.statvfs(mount_point).f_bavail * os.statvfs(mount_point).f_frsize
        filler.write_bytes(b"\0" * (free - ROOM))
        yield data, filler
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def truth():
    return sorted(r["id"] for r in SyntheticHub(seed=SEED, models=MODELS).records("models"))


def assert_stopped_at_a_checkpoint(data, result):
    assert result.returncode == 1
    assert "hfcrawler: models: FAILED, page " in result.stderr
    assert "No space left on device" in result.stderr
    repo = data / "snapshots/models"
    assert not list(repo.glob("date=*")), "a partition was published from a full disk"
    state = json.loads((repo / ".attempt/state.json").read_text())
    assert 0 < state["pages"] < MODELS // PAGE
    # Cut back to the last checkpoint: each file holds exactly the pages written before it.
    (part,) = state["parts"]
    assert (repo / ".attempt" / part["name"]).stat().st_size == part["bytes"]
    with gzip.open(repo / ".attempt" / part["name"], "rt") as fh:
        assert sum(1 for _ in fh) == part["records"] == state["records"]
    return state


def assert_exact(data):
    (partition,) = partitions(data)
    ids = [r["id"] for r in read_partition(partition)]
    assert sorted(ids) == truth()  # every id of the listing, exactly once
    manifest = read_manifest(partition)
    assert manifest["status"] == "complete"
    assert manifest["counts"]["records"] == len(ids)
    assert manifest["resumed"] >= 1
    for part in [*manifest["parts"], manifest["rejected"]]:
        body = (partition / part["name"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == part["sha256"]
        assert len(gzip.decompress(body).splitlines()) == part["records"]


def test_a_disk_full_mid_crawl_fails_it_and_the_rerun_resumes_exactly(fakehub, small_disk):
    data, filler = small_disk
    hub = fakehub(*HUB)
    full = crawl("models", endpoint=hub.url, data=data, settings=SETTINGS)
    assert_stopped_at_a_checkpoint(data, full)

    filler.unlink()
    resumed = crawl("models", endpoint=hub.url, data=data, settings=SETTINGS)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming the models attempt" in resumed.stderr
    assert_exact(data)


def test_a_disk_that_stays_full_stops_the_crawl_at_once(fakehub, small_disk):
    data, filler = small_disk
    hub = fakehub(*HUB)
    written = 0
    for _ in range(2):  # and the next run, on a disk still full, fails just as fast
        before = listing_requests(hub)
        full = crawl("models", endpoint=hub.url, data=data, settings=SETTINGS)
        state = assert_stopped_at_a_checkpoint(data, full)
        # The pages written, the one that could not be, and at most one already in flight.
        assert listing_requests(hub) - before <= state["pages"] - written + 2
        assert len(full.stderr) < 100_000
        written = state["pages"]
    filler.unlink()
    resumed = crawl("models", endpoint=hub.url, data=data, settings=SETTINGS)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"from page {state['pages'] + 1}" in resumed.stderr
    assert_exact(data)
