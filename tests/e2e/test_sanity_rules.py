"""A finished crawl that does not look like the whole Hub is not published, says why, and is
published as it is only on purpose (a setting), else crawled again by the next run."""

import gzip
import json
import shutil

from fakehub.hub import SyntheticHub
from hfcrawler.layout import DataLayout, read_manifest
from tests.helpers import crawl, listing_requests, read_partition, write_partition

SEED, MODELS, PAGE = 3, 2000, 200
HUB = ("--models", str(MODELS), "--seed", str(SEED), "--page-cap", str(PAGE))
DAY, NEXT_DAY = "2026-04-01", "2026-04-02"
SETTINGS = {"HUB_PAGE_SIZE": PAGE, "SNAPSHOT_DATE": NEXT_DAY}


def truth():
    return list(SyntheticHub(seed=SEED, models=MODELS).records("models"))


def published(data, day=NEXT_DAY):
    partition = data / "snapshots/models" / f"date={day}"
    return partition, read_manifest(partition)


def assert_refused(result, data, *words):
    assert result.returncode == 1
    assert "hfcrawler: models: FAILED, not published: " in result.stderr
    for word in words:
        assert word in result.stderr
    assert "run the same command with -s" in result.stderr
    assert not (data / f"snapshots/models/date={NEXT_DAY}").exists()
    manifest = read_manifest(DataLayout(data).attempt("models"))
    assert manifest["status"] == "incomplete"


def test_a_listing_that_ends_early_is_not_published(fakehub, tmp_path):
    # The page-4 response comes without its Link header, once: the walk ends after 800 records.
    hub = fakehub(*HUB, "--fault", "nolink@4")
    store = tmp_path / "store"
    earlier = write_partition(store, "models", DAY, truth())
    manifest = read_manifest(earlier)
    (earlier / "manifest.json").write_text(json.dumps({**manifest, "endpoint": hub.url}))

    short = crawl("models", endpoint=hub.url, data=store, settings=SETTINGS)
    total = len(truth())
    seen = f"ended with 800 records, {800 / total:.0%} of the {total} of the complete snapshot"
    assert_refused(short, store, seen, "SNAPSHOT_MIN_SHARE=0")

    accepted_store = tmp_path / "accepted"
    shutil.copytree(store, accepted_store)
    requests = listing_requests(hub)
    accepted = crawl(
        "models",
        endpoint=hub.url,
        data=accepted_store,
        settings={**SETTINGS, "SNAPSHOT_MIN_SHARE": 0},
    )
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    assert listing_requests(hub) == requests, "the kept attempt was not published as it was"
    partition, manifest = published(accepted_store)
    assert manifest["counts"]["records"] == len(read_partition(partition)) == 800

    again = crawl("models", endpoint=hub.url, data=store, settings=SETTINGS)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Discarding the finished models attempt" in again.stderr
    partition, manifest = published(store)
    assert sorted(r["id"] for r in read_partition(partition)) == sorted(r["id"] for r in truth())


def test_an_empty_listing_is_not_published_unless_accepted(fakehub, tmp_path):
    hub = fakehub("--models", "0")
    empty = crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
    assert_refused(empty, tmp_path, "gave 0 records", "SNAPSHOT_MIN_RECORDS=0")

    accepted = crawl(
        "models", endpoint=hub.url, data=tmp_path, settings={**SETTINGS, "SNAPSHOT_MIN_RECORDS": 0}
    )
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    partition, manifest = published(tmp_path)
    assert manifest["counts"]["records"] == 0
    # Empty files are still gzip files, which zcat and DuckDB read as empty.
    for name in ("part-00000.jsonl.gz", "rejected.jsonl.gz"):
        assert gzip.decompress((partition / name).read_bytes()) == b""


def test_a_field_the_hub_stopped_sending_is_not_published_as_nulls(fakehub, tmp_path):
    hub = fakehub(*HUB, "--omit-field", "trendingScore")
    dropped = crawl("models", endpoint=hub.url, data=tmp_path, settings=SETTINGS)
    assert_refused(
        dropped,
        tmp_path,
        f"no value for trendingScore in any of the {len(truth())} models records",
        "SNAPSHOT_ALLOW_ABSENT_FIELDS=trendingScore",
    )
    accepted = crawl(
        "models",
        endpoint=hub.url,
        data=tmp_path,
        settings={**SETTINGS, "SNAPSHOT_ALLOW_ABSENT_FIELDS": "trendingScore"},
    )
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    partition, _ = published(tmp_path)
    records = read_partition(partition)
    assert len(records) == len(truth())
    assert {r["trendingScore"] for r in records} == {None}
