"""Finding the complete partitions of the snapshot store, and why others are skipped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analysis.store.partitions import scan
from hfcrawler.layout import DataLayout


def _manifest(directory: Path, **fields: object) -> None:
    directory.mkdir(parents=True)
    (directory / "part-00000.jsonl.gz").write_bytes(b"")
    manifest = {
        "status": "complete",
        "date": directory.name[5:],
        "parts": [{"name": "part-00000.jsonl.gz"}],
    }
    manifest.update(fields)
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_scan_keeps_only_complete_partitions_and_says_why_others_are_skipped(
    tmp_path: Path,
) -> None:
    root = tmp_path / "snapshots" / "models"
    _manifest(root / "date=2026-03-01")
    _manifest(root / "date=2026-03-02", status="running")
    _manifest(root / "date=2026-03-03", date="2026-03-04")
    _manifest(root / "date=2026-03-05", parts=[{"name": "../escape.jsonl.gz"}])
    (root / "date=2026-03-06").mkdir()
    _manifest(root / ".date=2026-03-07.tmp")
    _manifest(root / "date=2026-03-08")
    found = scan(DataLayout(tmp_path), "models")
    assert [p.day for p in found.complete] == [date(2026, 3, 1), date(2026, 3, 8)]
    assert [(s.name, s.reason) for s in found.skipped] == [
        ("date=2026-03-02", "status is 'running', not 'complete'"),
        ("date=2026-03-03", "manifest date '2026-03-04' does not match the directory"),
        ("date=2026-03-05", "part '../escape.jsonl.gz' is missing"),
        ("date=2026-03-06", "no manifest.json"),
    ]


def test_scan_of_a_missing_directory_finds_nothing(tmp_path: Path) -> None:
    found = scan(DataLayout(tmp_path / "absent"), "models")
    assert (found.complete, found.skipped) == ([], [])
