"""The command line of `python -m analysis`: options, exit statuses and the Parquet cache's life."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import run_analysis, write_partition

ROOT = Path(__file__).resolve().parent.parent


def _record(model_id: str, downloads: int) -> dict[str, object]:
    return {
        "_id": hashlib.sha1(model_id.encode(), usedforsecurity=False).hexdigest()[:24],
        "id": model_id,
        "author": model_id.split("/", maxsplit=1)[0],
        "createdAt": "2025-05-05T05:05:05.000Z",
        "lastModified": "2025-05-05T05:05:05.000Z",
        "downloads": downloads,
        "downloadsAllTime": downloads,
        "likes": 1,
        "trendingScore": 1,
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "tags": ["license:mit"],
        "private": False,
        "gated": False,
        "disabled": False,
        "sha": "1" * 40,
        "repoType": "model",
    }


def _partition(data: Path, day: str, downloads: list[int], status: str = "complete") -> Path:
    records = [_record(f"org/m{i}", value) for i, value in enumerate(downloads)]
    return write_partition(data, "models", day, records, status)


def _downloads(report: Path) -> str:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    return summary["headline"]["downloads_30d"]


def test_help_documents_every_option(tmp_path: Path) -> None:
    done = run_analysis("--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in ("--data", "--out", "--date", "HFCRAWLER_DATA", "complete"):
        assert option in done.stdout


def test_no_complete_partition_exits_2_and_says_where_it_looked(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-02", [1, 2], status="running")
    done = run_analysis("--data", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 2
    assert "no complete models partition" in done.stderr
    assert str(tmp_path / "data") in done.stderr
    assert not (tmp_path / "reports").exists()


def test_an_unknown_date_exits_2(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-02", [1])
    done = run_analysis("--data", str(tmp_path / "data"), "--date", "2026-01-03", cwd=tmp_path)
    assert done.returncode == 2
    assert "2026-01-03" in done.stderr
    malformed = run_analysis("--data", str(tmp_path / "data"), "--date", "January", cwd=tmp_path)
    assert malformed.returncode == 2
    assert "YYYY-MM-DD" in malformed.stderr


def test_defaults_come_from_the_environment_and_the_working_directory(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    _partition(data, "2026-01-01", [5])
    _partition(data, "2026-01-02", [7, 8])
    done = run_analysis(cwd=tmp_path, data_env=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(Path("reports") / "2026-01-02" / "index.html")
    assert _downloads(tmp_path / "reports" / "2026-01-02") == 15
    older = run_analysis("--date", "2026-01-01", cwd=tmp_path, data_env=data)
    assert older.returncode == 0, older.stderr
    assert _downloads(tmp_path / "reports" / "2026-01-01") == 5


def test_the_cache_is_built_once_and_rebuilt_when_the_partition_is_replaced(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-02", [1, 2, 3])
    cache = data / "cache" / "models" / "date=2026-02-02"
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
    assert sorted(p.name for p in cache.parent.iterdir()) == ["date=2026-02-02"]
    assert sorted(p.name for p in cache.iterdir()) == ["_cache.json", "part-00000.parquet"]


def _members(downloads: list[int], page: int = 2) -> list[bytes]:
    """The records of `downloads` as the crawler writes them: one gzip member per page."""
    lines = [json.dumps(_record(f"org/m{i}", value)) + "\n" for i, value in enumerate(downloads)]
    return [
        gzip.compress("".join(lines[start : start + page]).encode(), mtime=0)
        for start in range(0, len(lines), page)
    ]


def _pages(data: Path, day: str, downloads: list[int]) -> Path:
    """A complete partition whose part holds one gzip member per page of two records."""
    partition = _partition(data, day, downloads)
    body = b"".join(_members(downloads))
    (partition / "part-00000.jsonl.gz").write_bytes(body)
    manifest = json.loads((partition / "manifest.json").read_text(encoding="utf-8"))
    manifest["parts"][0]["sha256"] = hashlib.sha256(body).hexdigest()
    (partition / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return partition


def _summary(report: Path) -> dict[str, Any]:
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))


def test_a_part_cut_at_a_gzip_member_boundary_is_left_out_as_damaged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _pages(data, "2026-02-01", [1, 2, 3, 4])
    part = _pages(data, "2026-02-02", [10, 20, 30, 40]) / "part-00000.jsonl.gz"
    _pages(data, "2026-02-03", [5, 6, 7, 8])
    # The first of two pages: a valid gzip stream, half the records.
    part.write_bytes(_members([10, 20, 30, 40])[0])
    done = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    reason = (
        "damaged: part-00000.jsonl.gz holds 2 records where the manifest says 4, and its sha256"
        " is not the manifest's"
    )
    assert done.stderr == f"python -m analysis: warning: date=2026-02-02 left out, {reason}\n"
    summary = _summary(tmp_path / "out" / "2026-02-03")
    assert summary["skipped_partitions"] == [{"name": "date=2026-02-02", "reason": reason}]
    # The history runs over the sound days only: the damaged one is a gap, never a day of data.
    assert summary["history"]["snapshots"] == ["2026-02-01", "2026-02-03"]
    assert summary["history"]["missing_days"] == ["2026-02-02"]
    assert summary["history"]["skipped_partitions"] == summary["skipped_partitions"]
    page = (tmp_path / "out" / "2026-02-03" / "index.html").read_text(encoding="utf-8")
    assert "date=2026-02-02: damaged: part-00000.jsonl.gz holds 2 records" in page
    caches = data / "cache" / "models"
    assert sorted(p.name for p in caches.iterdir()) == ["date=2026-02-01", "date=2026-02-03"]


def test_a_damaged_latest_partition_stops_the_run_and_names_the_day_to_choose(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _pages(data, "2026-02-01", [5, 6])
    part = _pages(data, "2026-02-02", [1, 2, 3]) / "part-00000.jsonl.gz"
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
    caches = data / "cache" / "models"
    assert sorted(p.name for p in caches.iterdir()) == ["date=2026-02-01"]
    older = run_analysis(
        "--data", str(data), "--out", str(tmp_path / "out"), "--date", "2026-02-01", cwd=tmp_path
    )
    assert older.returncode == 0, older.stderr
    assert _downloads(tmp_path / "out" / "2026-02-01") == 11
    # The damaged day lies after the one analysed: outside its history, so neither read nor named.
    assert older.stderr == ""


def _cut_short(body: bytes) -> bytes:
    return body[:-20]


def _bad_line(body: bytes) -> bytes:
    return gzip.compress(gzip.decompress(body) + b'{"id": "org/x", "downloads": oops}\n')


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_cut_short, "Unexpected end of GZIP stream"),
        (_bad_line, "Malformed JSON"),
    ],
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
    manifest = json.loads((partition / "manifest.json").read_text(encoding="utf-8"))
    manifest["parts"][0]["sha256"] = hashlib.sha256(part.read_bytes()).hexdigest()
    (partition / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = run_analysis("--data", str(data), "--date", "2026-02-02", cwd=tmp_path)
    assert done.returncode == 1
    assert "date=2026-02-02 is damaged: part-00000.jsonl.gz cannot be read (" in done.stderr
    assert reason in done.stderr
    assert "sha256" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "reports").exists()
    caches = data / "cache" / "models"
    # The sound day's cache is kept; the damaged day's is not left half-built.
    assert sorted(p.name for p in caches.iterdir()) == ["date=2026-02-01"]
    assert pq.read_table(caches / "date=2026-02-01").num_rows == 2


def test_a_part_replaced_after_its_cache_was_built_is_verified_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    part = _partition(data, "2026-02-02", [1, 2, 3]) / "part-00000.jsonl.gz"
    assert run_analysis("--data", str(data), cwd=tmp_path).returncode == 0
    # Another day's part copied over this one, under the same manifest.
    part.write_bytes((data / "snapshots/models/date=2026-02-01/part-00000.jsonl.gz").read_bytes())
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "date=2026-02-02 is damaged: part-00000.jsonl.gz holds 2 records where the manifest says"
        " 3, and its sha256 is not the manifest's"
    ) in done.stderr
    assert sorted(p.name for p in (data / "cache" / "models").iterdir()) == ["date=2026-02-01"]


def test_a_manifest_whose_counts_do_not_add_up_is_damaged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    partition = _partition(data, "2026-02-02", [1, 2, 3])
    _partition(data, "2026-02-03", [7])
    manifest = json.loads((partition / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"]["records"] = 49_265
    (partition / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _downloads(tmp_path / "reports" / "2026-02-03") == 7
    assert done.stderr == (
        "python -m analysis: warning: date=2026-02-02 left out, damaged: the manifest counts"
        " 49265 records but its parts hold 3\n"
    )


@pytest.mark.parametrize("out", ["report.html", "report.html/sub"])
def test_out_naming_a_file_exits_2_with_a_clear_message(tmp_path: Path, out: str) -> None:
    _partition(tmp_path / "data", "2026-02-01", [5])
    (tmp_path / "report.html").write_text("an earlier page", encoding="utf-8")
    done = run_analysis("--data", str(tmp_path / "data"), "--out", out, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith(
        f"python -m analysis: error: --out {out}: report.html exists and is not a directory\n"
    )
    assert "Traceback" not in done.stderr
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "an earlier page"
