"""The snapshot store: checkpoints, resuming, failed pages, the lock, publishing, recovery."""

import errno
import gzip
import json
import os
import shutil

import pytest

from hfcrawler.layout import read_manifest
from hfcrawler.sanity import SanityRules
from hfcrawler.store import (
    Attempt,
    AttemptFailedError,
    AttemptLockedError,
    AttemptState,
    NotPublishableError,
    SnapshotStore,
)

QUERY = {"path": "/api/models", "params": [["sort", "createdAt"]]}
EXPANDING = {"path": "/api/models", "params": [["sort", "createdAt"], ["expand", "likes"]]}


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


def write(attempt, ids, cursor=None, counters=None, rejections=()):
    number = attempt.state.pages + 1
    lines = [line(i) for i in ids]
    attempt.commit(number, lines, list(rejections), cursor=cursor, counters=counters or {})


def test_publish_writes_parts_manifest_and_renames_into_place(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    for page in range(3):
        write(attempt, range(page * 2, page * 2 + 2), f"http://hub/next{page}")
    write(attempt, [], rejections=[b'{"reason":{"id":"missing"}}\n'])
    target = attempt.publish({"requests": 4})
    attempt.close()
    assert target == tmp_path / "snapshots/models/date=2026-11-29"
    assert not store.layout.attempt("models").exists()
    assert read_ids(target) == [f"org/m{i}" for i in range(6)]
    manifest = read_manifest(target)
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
    write(attempt, [0], "http://hub/page2", {"requests": 1})
    # A page half-written when the process died: bytes on disk past the checkpoint.
    with (store.layout.attempt("models") / "part-00000.jsonl.gz").open("ab") as fh:
        fh.write(gzip.compress(line(1))[:10])
    attempt.close()

    resumed = open_attempt(store)
    assert resumed.state.cursor == "http://hub/page2"
    assert resumed.state.resumed == 1
    assert list(resumed.committed_keys("id")) == ["org/m0"]
    write(resumed, [1], None, {"requests": 2})
    target = resumed.publish({"requests": 2})
    assert read_ids(target) == ["org/m0", "org/m1"]
    manifest = read_manifest(target)
    assert manifest["counts"]["requests"] == 3
    assert manifest["resumed"] == 1


def test_a_different_query_or_an_old_attempt_starts_afresh(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    write(attempt, [0], "http://hub/page2")
    attempt.close()
    other = open_attempt(store, query={"path": "/api/models", "params": []})
    assert other.state.cursor is None
    assert list(other.committed_keys("id")) == []
    write(other, [5], "http://hub/x")
    other.close()
    stale = open_attempt(store, query={"path": "/api/models", "params": []}, resume_max_age=0)
    assert stale.state.records == 0
    stale.close()


def test_one_crawl_per_repo_type_at_a_time(tmp_path):
    store = SnapshotStore(tmp_path)
    first = open_attempt(store)
    with pytest.raises(AttemptLockedError, match="another crawl of models is running"):
        open_attempt(store)
    # No file stands for the lock: removing every file but the attempt lets no one in.
    repo = store.layout.snapshots("models")
    assert [p.name for p in repo.iterdir()] == [".attempt"]
    with pytest.raises(AttemptLockedError):
        open_attempt(store)
    first.close()
    open_attempt(store).close()


def test_same_day_publish_replaces_and_failed_attempt_leaves_it_alone(tmp_path):
    store = SnapshotStore(tmp_path)
    for ids in ([0, 1], [2, 3]):
        attempt = open_attempt(store)
        write(attempt, ids)
        target = attempt.publish({})
        attempt.close()
    assert read_ids(target) == ["org/m2", "org/m3"]
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".replaced")] == []

    failed = open_attempt(store)
    write(failed, [9], "http://hub/more")
    path = failed.abandon("page 2 failed", {})
    failed.close()
    assert read_ids(target) == ["org/m2", "org/m3"]
    manifest = read_manifest(path)
    assert (manifest["status"], manifest["reason"]) == ("incomplete", "page 2 failed")
    assert [d for d, _ in store.complete_partitions("models")] == ["2026-11-29"]


# The disk fills up while appending the page (1st fsync) or while writing the state (2nd).
@pytest.mark.parametrize("failing_fsync", [1, 2])
def test_a_page_that_fails_to_write_is_rolled_back_and_no_later_page_is_taken(
    tmp_path, monkeypatch, failing_fsync
):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store)
    write(attempt, [0, 1], "http://hub/page2")
    part = store.layout.attempt("models") / "part-00000.jsonl.gz"
    size = part.stat().st_size
    calls = []
    fsync = os.fsync

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == failing_fsync:
            raise OSError(errno.ENOSPC, "No space left on device")
        fsync(fd)

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space left"):
            write(attempt, [2], "http://hub/page3")
    assert part.stat().st_size == size  # the half-written page is cut off
    assert attempt.state.pages == 1
    assert (
        attempt.error == "page 2 could not be written: OSError: [Errno 28] No space left on device"
    )
    with pytest.raises(AttemptFailedError, match="an earlier page failed"):
        write(attempt, [2], "http://hub/page3")
    with pytest.raises(AttemptFailedError):
        attempt.publish({})
    attempt.abandon(attempt.error, {})
    attempt.close()

    resumed = open_attempt(store)
    assert (resumed.state.pages, resumed.state.cursor) == (1, "http://hub/page2")
    write(resumed, [2])
    assert read_ids(resumed.publish({})) == ["org/m0", "org/m1", "org/m2"]
    resumed.close()


def test_pages_are_taken_only_in_order(tmp_path):
    attempt = open_attempt(SnapshotStore(tmp_path))
    write(attempt, [0], "http://hub/page2")
    with pytest.raises(AttemptFailedError, match="page 3 came when page 2 was expected"):
        attempt.commit(3, [line(2)], [], cursor=None, counters={})
    with pytest.raises(AttemptFailedError):
        write(attempt, [1], "http://hub/page3")
    assert attempt.state.pages == 1
    attempt.close()


def test_an_empty_rejected_file_is_an_empty_gzip(tmp_path):
    attempt = open_attempt(SnapshotStore(tmp_path))
    write(attempt, [0])
    target = attempt.publish({})
    attempt.close()
    assert gzip.decompress((target / "rejected.jsonl.gz").read_bytes()) == b""


def test_a_finished_attempt_of_another_day_is_published_under_its_own_date(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store, date="2026-11-28")
    write(attempt, [0, 1])
    attempt.close()  # killed before publishing

    today = open_attempt(store)
    today.close()
    assert today.date == "2026-11-29"
    assert today.state.pages == 0
    assert read_ids(store.layout.partition("models", "2026-11-28")) == ["org/m0", "org/m1"]


def test_a_sealed_attempt_is_published_whatever_the_rules_of_the_next_run(tmp_path):
    store = SnapshotStore(tmp_path)

    def killed_after(step):
        def on_step(name):
            if name == step:
                raise KeyboardInterrupt

        return on_step

    attempt = open_attempt(store, date="2026-11-28", on_step=killed_after("sealed"))
    write(attempt, [0])
    with pytest.raises(KeyboardInterrupt):
        attempt.publish({})
    attempt.close()
    strict = SanityRules(min_records=100)
    open_attempt(store, sanity=strict).close()
    assert read_ids(store.layout.partition("models", "2026-11-28")) == ["org/m0"]


def test_a_partition_set_aside_is_put_back_or_removed(tmp_path):
    store = SnapshotStore(tmp_path)
    for date in ("2026-11-27", "2026-11-28"):
        attempt = open_attempt(store, date=date)
        write(attempt, [0, 1])
        attempt.publish({})
        attempt.close()
    repo = store.layout.snapshots("models")
    # Left by publishes killed between their two renames, or before deleting the old partition.
    (repo / "date=2026-11-27").rename(repo / ".replaced-date=2026-11-27")
    shutil.copytree(repo / "date=2026-11-28", repo / ".replaced-date=2026-11-28")
    (repo / "date=2026-11-28/state.json").write_text("{}")
    open_attempt(store).close()
    assert sorted(p.name for p in repo.iterdir()) == [
        ".attempt",
        "date=2026-11-27",
        "date=2026-11-28",
    ]
    assert sorted(p.name for p in (repo / "date=2026-11-28").iterdir()) == [
        "manifest.json",
        "part-00000.jsonl.gz",
        "rejected.jsonl.gz",
    ]
    assert read_ids(repo / "date=2026-11-27") == ["org/m0", "org/m1"]


def test_fields_seen_before_an_interruption_count_at_publish(tmp_path):
    store = SnapshotStore(tmp_path)
    attempt = open_attempt(store, query=EXPANDING)
    assert attempt.unseen_fields() == ["likes"]
    attempt.commit(1, [line(0)], [], cursor="http://hub/page2", counters={}, fields={"likes"})
    attempt.close()
    resumed = open_attempt(store, query=EXPANDING)
    assert resumed.unseen_fields() == []
    write(resumed, [1])
    resumed.publish({})
    resumed.close()

    never = open_attempt(store, query=EXPANDING, date="2026-11-30")
    write(never, [2, 3])
    with pytest.raises(NotPublishableError, match="SNAPSHOT_ALLOW_ABSENT_FIELDS=likes"):
        never.publish({})
    never.close()


def state(records, query=QUERY, fields=(), date="2026-11-29", endpoint="http://hub"):
    return AttemptState(
        repo_type="models",
        date=date,
        endpoint=endpoint,
        query=query,
        started_at="2026-11-29T00:00:00.000Z",
        started_ts=0,
        records=records,
        fields_seen=list(fields),
    )


def test_the_sanity_rules():
    rules = SanityRules()
    baseline = ("2026-11-28", {"counts": {"records": 1000}})
    assert rules.problem(state(900), baseline) is None
    assert "SNAPSHOT_MIN_SHARE=0" in rules.problem(state(899), baseline)
    assert rules.problem(state(899), None) is None
    assert "SNAPSHOT_MIN_RECORDS=0" in rules.problem(state(0), None)
    assert SanityRules(min_records=0).problem(state(0, EXPANDING), None) is None
    assert "SNAPSHOT_ALLOW_ABSENT_FIELDS=likes" in rules.problem(state(5, EXPANDING), None)
    assert rules.problem(state(5, EXPANDING, ["likes"]), None) is None
    assert SanityRules(allow_absent=frozenset({"likes"})).problem(state(5, EXPANDING), None) is None
    # The authors crawl asks for no expand: no field can be missing from it.
    authors = {"path": "/api/{organizations,users}/{name}/overview", "params": [["budget", "3"]]}
    assert rules.problem(state(5, authors), None) is None


def test_the_baseline_is_the_latest_partition_of_the_same_hub_up_to_the_date(tmp_path):
    store = SnapshotStore(tmp_path)
    for date, endpoint in [("2026-11-27", "http://hub"), ("2026-11-28", "http://other")]:
        attempt = open_attempt(store, date=date, endpoint=endpoint)
        write(attempt, [0])
        attempt.publish({})
        attempt.close()
    assert store.baseline(state(1))[0] == "2026-11-27"
    assert store.baseline(state(1, endpoint="http://other"))[0] == "2026-11-28"
    assert store.baseline(state(1, date="2026-11-26")) is None
