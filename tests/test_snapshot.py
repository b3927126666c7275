import gzip
import json

import pytest

from hfcrawler.snapshot import Attempt, AttemptLockedError, SnapshotStore

QUERY = {"path": "/api/models", "params": [["sort", "createdAt"]]}


def open_attempt(store, **kwargs):
    options = {"date": "2026-11-29", "endpoint": "http://hub", "query": QUERY, "part_records": 3}
    return Attempt.open(store, "models", **{**options, **kwargs})


def line(i):
    return (json.dumps({"id": f"org/m{i}"}) + "\n").encode()


def read_ids(path):
    ids = []
    for part in sorted(path.glob("part-*.jsonl.gz")):
        with gzip.open(part, "rt") as fh:
            ids += [json.loads(row)["id"] for row in fh]
    return ids


def test_publish_writes_parts_manifest_and_renames_into_place(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    for page in range(3):
        for i in range(page * 2, page * 2 + 2):
            attempt.add_record(line(i))
        attempt.checkpoint(None if page == 2 else f"http://hub/next{page}", {})
    attempt.add_rejection(b'{"reason":{"id":"missing"}}\n')
    attempt.checkpoint(None, {})
    target = attempt.publish({"requests": 4})
    attempt.close()
    assert target == tmp_path / "snapshots/models/date=2026-11-29"
    assert not store.attempt_dir("models").exists()
    assert read_ids(target) == [f"org/m{i}" for i in range(6)]
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"] == {"records": 6, "rejected": 1, "pages": 4, "requests": 4}
    # Parts roll over at 3 records, at page boundaries: 4 + 2.
    assert [(p["name"], p["records"]) for p in manifest["parts"]] == [
        ("part-00000.jsonl.gz", 4),
        ("part-00001.jsonl.gz", 2),
    ]
    assert sorted(p.name for p in target.iterdir()) == [
        "manifest.json",
        "part-00000.jsonl.gz",
        "part-00001.jsonl.gz",
        "rejected.jsonl.gz",
    ]
    assert store.latest_complete("models")[0] == "2026-11-29"


def test_resume_cuts_back_to_the_last_checkpoint(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    attempt.add_record(line(0))
    attempt.checkpoint("http://hub/page2", {"requests": 1})
    # A page half-written when the process died: bytes on disk past the checkpoint.
    with (store.attempt_dir("models") / "part-00000.jsonl.gz").open("ab") as fh:
        fh.write(gzip.compress(line(1))[:10])
    attempt.close()

    resumed = open_attempt(store)
    assert resumed.state.cursor == "http://hub/page2"
    assert resumed.state.resumed == 1
    assert list(resumed.committed_keys("id")) == ["org/m0"]
    resumed.add_record(line(1))
    resumed.checkpoint(None, {"requests": 2})
    target = resumed.publish({"requests": 2})
    assert read_ids(target) == ["org/m0", "org/m1"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"]["requests"] == 3
    assert manifest["resumed"] == 1


def test_a_different_query_or_an_old_attempt_starts_afresh(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    attempt.add_record(line(0))
    attempt.checkpoint("http://hub/page2", {})
    attempt.close()
    other = open_attempt(store, query={"path": "/api/models", "params": []})
    assert other.state.cursor is None
    assert list(other.committed_keys("id")) == []
    other.add_record(line(5))
    other.checkpoint("http://hub/x", {})
    other.close()
    stale = open_attempt(store, query={"path": "/api/models", "params": []}, resume_max_age=0)
    assert stale.state.records == 0
    stale.close()


def test_one_crawl_per_repo_type_at_a_time(tmp_path):
    store = SnapshotStore(tmp_path)
    first = open_attempt(store)
    with pytest.raises(AttemptLockedError, match="another crawl of models is running"):
        open_attempt(store)
    first.close()
    open_attempt(store).close()


def test_same_day_publish_replaces_and_failed_attempt_leaves_it_alone(tmp_path):
    store = SnapshotStore(tmp_path)
    for ids in ([0, 1], [2]):
        attempt = open_attempt(store)
        for i in ids:
            attempt.add_record(line(i))
        attempt.checkpoint(None, {})
        target = attempt.publish({})
        attempt.close()
    assert read_ids(target) == ["org/m2"]
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".replaced")] == []

    failed = open_attempt(store)
    failed.add_record(line(9))
    failed.checkpoint("http://hub/more", {})
    path = failed.abandon("page 2 failed", {})
    failed.close()
    assert read_ids(target) == ["org/m2"]
    manifest = json.loads((path / "manifest.json").read_text())
    assert (manifest["status"], manifest["reason"]) == ("incomplete", "page 2 failed")
    assert [d for d, _ in store.complete_partitions("models")] == ["2026-11-29"]
