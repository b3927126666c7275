"""The command line of `python -m analysis`: options, exit statuses and the Parquet cache's life."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

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


def _cut_short(body: bytes) -> bytes:
    return body[:-20]


def _bad_line(body: bytes) -> bytes:
    return gzip.compress(gzip.decompress(body) + b'{"id": "org/x", "downloads": oops}\n')


@pytest.mark.parametrize(
    ("damage", "reason"),
    [(_cut_short, "Unexpected end of GZIP stream"), (_bad_line, "Malformed JSON")],
)
def test_a_damaged_part_fails_clearly_and_keeps_the_other_caches(
    tmp_path: Path, damage: Callable[[bytes], bytes], reason: str
) -> None:
    data = tmp_path / "data"
    _partition(data, "2026-02-01", [5, 6])
    damaged = _partition(data, "2026-02-02", [1, 2, 3]) / "part-00000.jsonl.gz"
    # A published part spoilt after the crawl (a disk error, a bad copy, a hand edit).
    damaged.write_bytes(damage(damaged.read_bytes()))
    done = run_analysis("--data", str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"python -m analysis: error: cannot read {damaged}: ")
    assert reason in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "reports" / "2026-02-02").exists()
    caches = data / "cache" / "models"
    # The sound day's cache is kept; the damaged day's is not left half-built.
    assert sorted(p.name for p in caches.iterdir()) == ["date=2026-02-01"]
    assert pq.read_table(caches / "date=2026-02-01").num_rows == 2
