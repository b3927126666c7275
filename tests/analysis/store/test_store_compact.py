"""The Parquet cache of a partition: built once, rebuilt when the partition changes, and never
built from a partition that does not match its manifest (a damaged one is left out and named)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hfcrawler.layout import DataLayout, file_sha256, read_manifest, write_manifest
from tests.helpers import gzip_members, model_record, run_analysis, summary, write_partition


def _records(downloads: list[int]) -> list[dict[str, object]]:
    return [
        model_record(f"org/m{i}", downloads=value, downloadsAllTime=value)
        for i, value in enumerate(downloads)
    ]


def _partition(data: Path, day: str, downloads: list[int]) -> Path:
    """A complete partition whose part holds one gzip member per page of two records."""
    return write_partition(data, "models", day, _records(downloads), page=2)


def _downloads(report: Path) -> int:
    return summary(report)["headline"]["downloads_30d"]


def _caches(data: Path) -> list[str]:
    return sorted(path.name for path in (data / "cache" / "models").iterdir())


def test_the_cache_is_built_once_and_rebuilt_when_the_partition_is_replaced(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-02", [1, 2, 3])
    cache = DataLayout(data).cache("models", "2026-02-02")
    assert run_analysis("--data", str(data), cwd=tmp_path).returncode == 0
    assert pq.read_table(cache).num_rows == 3
    built = (cache / "part-00000.parquet").stat().st_mtime_ns
    assert run_analysis("--data", str(data), cwd=tmp_path).returncode == 0
    assert (cache / "part-00000.parquet").stat().st_mtime_ns == built
    # A second complete crawl of the same day replaces the partition: the cache must follow.
    _partition(data, "2026-02-02", [10, 20, 30, 40])
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert pq.read_table(cache).num_rows == 4
    assert _downloads(tmp_path / "reports" / "2026-02-02") == 100
    assert _caches(data) == ["date=2026-02-02"]
    assert sorted(p.name for p in cache.iterdir()) == ["_cache.json", "part-00000.parquet"]


def _first_page(body: bytes) -> bytes:
    """The part cut after its first gzip member: a valid gzip stream, half the records."""
    return gzip_members(_records([10, 20, 30, 40]), page=2)[0]


def _flipped(body: bytes) -> bytes:
    """One bit of the part flipped, as a failing disk or a bad copy does."""
    flipped = bytearray(body)
    flipped[len(body) // 2] ^= 0x01
    return bytes(flipped)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            _first_page,
            "holds 2 records where the manifest says 4, and its sha256 is not the manifest's",
        ),
        (_flipped, "its sha256 is not the manifest's"),
    ],
)
def test_a_damaged_partition_of_the_history_is_left_out_and_named(
    tmp_path: Path, damage: Callable[[bytes], bytes], problem: str
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [1, 2, 3, 4])
    part = _partition(data, "2026-02-02", [10, 20, 30, 40]) / "part-00000.jsonl.gz"
    _partition(data, "2026-02-03", [5, 6, 7, 8])
    part.write_bytes(damage(part.read_bytes()))
    done = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [warning] = done.stderr.splitlines()
    prefix = "python -m analysis: warning: date=2026-02-02 left out, damaged: part-00000.jsonl.gz "
    assert warning.startswith(prefix)
    assert warning.endswith(problem)
    reason = warning.removeprefix("python -m analysis: warning: date=2026-02-02 left out, ")
    report = summary(tmp_path / "out" / "2026-02-03")
    assert report["skipped_partitions"] == [{"name": "date=2026-02-02", "reason": reason}]
    # The history runs over the sound days only: the damaged one is a gap, never a day of data.
    assert report["history"]["snapshots"] == ["2026-02-01", "2026-02-03"]
    assert report["history"]["missing_days"] == ["2026-02-02"]
    assert report["history"]["skipped_partitions"] == report["skipped_partitions"]
    assert _downloads(tmp_path / "out" / "2026-02-03") == 26
    page = (tmp_path / "out" / "2026-02-03" / "index.html").read_text(encoding="utf-8")
    assert "date=2026-02-02: damaged: part-00000.jsonl.gz " in page
    assert _caches(data) == ["date=2026-02-01", "date=2026-02-03"]


def test_a_damaged_latest_partition_stops_the_run_and_names_the_day_to_choose(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    part = _partition(data, "2026-02-02", [1, 2, 3]) / "part-00000.jsonl.gz"
    body = bytearray(part.read_bytes())
    body[len(body) // 2] ^= 0x01
    part.write_bytes(bytes(body))
    done = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 1
    warning, error = done.stderr.splitlines()
    assert warning.startswith("python -m analysis: warning: date=2026-02-02 left out, damaged: ")
    assert error.startswith(
        "python -m analysis: error: the models partition date=2026-02-02 is damaged: "
        "part-00000.jsonl.gz "
    )
    assert "its sha256 is not the manifest's" in error
    assert error.endswith(
        "Choose another day with --date (the latest sound one before it is 2026-02-01)."
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
    assert _caches(data) == ["date=2026-02-01"]
    older = run_analysis(
        "--data", str(data), "--out", str(tmp_path / "out"), "--date", "2026-02-01", cwd=tmp_path
    )
    assert older.returncode == 0, older.stderr
    assert _downloads(tmp_path / "out" / "2026-02-01") == 11
    # The damaged day lies after the one analysed: outside its history, so neither read nor named.
    assert "2026-02-02" not in older.stderr
    assert "warning" not in older.stderr


def _cut_short(body: bytes) -> bytes:
    return body[:-20]


def _bad_line(body: bytes) -> bytes:
    return gzip.compress(gzip.decompress(body) + b'{"id": "org/x", "downloads": oops}\n')


@pytest.mark.parametrize(
    ("damage", "reason"),
    [(_cut_short, "Unexpected end of GZIP stream"), (_bad_line, "Malformed JSON")],
)
def test_a_part_the_manifest_vouches_for_but_unreadable_is_damaged(
    tmp_path: Path, damage: Callable[[bytes], bytes], reason: str
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    partition = _partition(data, "2026-02-02", [1, 2, 3])
    part = partition / "part-00000.jsonl.gz"
    # Written so by the crawler (the manifest hashes the damaged bytes): unreadable all the same.
    part.write_bytes(damage(part.read_bytes()))
    manifest = read_manifest(partition)
    manifest["parts"][0]["sha256"] = file_sha256(part)
    write_manifest(partition, manifest)
    done = run_analysis("--data", str(data), "--date", "2026-02-02", cwd=tmp_path)
    assert done.returncode == 1
    assert "date=2026-02-02 is damaged: part-00000.jsonl.gz cannot be read (" in done.stderr
    assert reason in done.stderr
    assert "sha256" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "reports").exists()
    # The sound day's cache is kept; the damaged day's is not left half-built.
    assert _caches(data) == ["date=2026-02-01"]
    assert pq.read_table(DataLayout(data).cache("models", "2026-02-01")).num_rows == 2


def test_a_part_replaced_after_its_cache_was_built_is_verified_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    part = _partition(data, "2026-02-02", [1, 2, 3]) / "part-00000.jsonl.gz"
    assert run_analysis("--data", str(data), cwd=tmp_path).returncode == 0
    # Another day's part copied over this one, under the same manifest.
    other = DataLayout(data).partition("models", "2026-02-01") / "part-00000.jsonl.gz"
    part.write_bytes(other.read_bytes())
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "date=2026-02-02 is damaged: part-00000.jsonl.gz holds 2 records where the manifest says"
        " 3, and its sha256 is not the manifest's"
    ) in done.stderr
    assert _caches(data) == ["date=2026-02-01"]


def test_a_manifest_whose_counts_do_not_add_up_is_damaged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    partition = _partition(data, "2026-02-02", [1, 2, 3])
    _partition(data, "2026-02-03", [7])
    manifest = read_manifest(partition)
    manifest["counts"]["records"] = 49_265
    write_manifest(partition, manifest)
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _downloads(tmp_path / "reports" / "2026-02-03") == 7
    assert done.stderr == (
        "python -m analysis: warning: date=2026-02-02 left out, damaged: the manifest counts"
        " 49265 records but its parts hold 3\n"
    )
