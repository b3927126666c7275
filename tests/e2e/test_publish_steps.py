"""A crawl killed at any step of publishing leaves the old partition or the new one, whole, and the
next run (that day or the next) publishes the finished attempt under its own date."""

import hashlib
import shutil

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from hfcrawler.store import PUBLISH_STEPS
from tests.e2e.crawl_hooks import kill_after
from tests.helpers import crawl, listing_requests, read_partition, tree_digest, write_partition

HUB = ("--models", "600", "--seed", "11", "--page-cap", "200")
DAY, NEXT_DAY = "2026-03-01", "2026-03-02"
SETTINGS = {"HUB_PAGE_SIZE": 200}


def assert_exact(partition, truth):
    records = read_partition(partition)
    assert sorted(r["id"] for r in records) == truth
    manifest = read_manifest(partition)
    assert manifest["status"] == "complete"
    assert manifest["counts"]["records"] == len(truth)
    for part in [*manifest["parts"], manifest["rejected"]]:
        digest = hashlib.sha256((partition / part["name"]).read_bytes()).hexdigest()
        assert digest == part["sha256"], part["name"]
    assert sorted(p.name for p in partition.iterdir()) == [
        "manifest.json",
        "part-00000.jsonl.gz",
        "rejected.jsonl.gz",
    ]


@pytest.mark.parametrize("step", PUBLISH_STEPS)
def test_a_kill_at_each_publish_step_is_finished_by_the_next_run(fakehub, tmp_path, step):
    hub = fakehub(*HUB)
    truth = sorted(r["id"] for r in SyntheticHub(seed=11, models=600).records("models"))
    killed_store = tmp_path / "killed"
    # The same day's earlier partition, which this crawl replaces.
    old = write_partition(killed_store, "models", DAY, [{"id": "old/m1"}, {"id": "old/m2"}])
    before = tree_digest(old)
    repo = killed_store / "snapshots/models"
    settings = kill_after(step)
    killed = crawl(
        "models",
        endpoint=hub.url,
        data=killed_store,
        settings={**SETTINGS, **settings, "SNAPSHOT_DATE": DAY},
    )
    assert killed.returncode == -9, killed.stderr[-3000:]
    pages = listing_requests(hub)
    assert pages == 3, killed.stderr[-6000:]

    # Whatever the step, the store holds the old partition or the new one, whole.
    in_place = PUBLISH_STEPS.index(step) >= PUBLISH_STEPS.index("in-place")
    if in_place:
        assert sorted(r["id"] for r in read_partition(old)) == truth
    elif step == "set-aside":
        assert not old.exists()
        assert tree_digest(repo / f".replaced-date={DAY}") == before
    else:
        assert tree_digest(old) == before
    assert (repo / ".attempt").exists() != in_place

    for day in (DAY, NEXT_DAY):
        store = tmp_path / day
        shutil.copytree(killed_store, store)
        requests = listing_requests(hub)
        rerun = crawl(
            "models", endpoint=hub.url, data=store, settings={**SETTINGS, "SNAPSHOT_DATE": day}
        )
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        repo = store / "snapshots/models"
        assert sorted(p.name for p in repo.iterdir()) == sorted({f"date={DAY}", f"date={day}"})
        assert_exact(repo / f"date={DAY}", truth)
        if day == NEXT_DAY:
            # The finished attempt went under its own date; only the new day was crawled.
            assert_exact(repo / f"date={NEXT_DAY}", truth)
            assert listing_requests(hub) - requests == pages
        elif not in_place:
            # The finished attempt was published as it was, without fetching anything again.
            assert listing_requests(hub) == requests
            assert "Resuming the models attempt" in rerun.stderr
