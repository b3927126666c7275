"""Helpers the analysis tests share: partitions written as the crawler publishes them,
`python -m analysis` run as a user runs it, and the README's code as it prints it.

Paths and manifest entries come from the data layout's own module (hfcrawler.layout), so the
tests write exactly what the analysis reads.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from hfcrawler.layout import REJECTED, DataLayout, part_entry, part_name, write_manifest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def model_record(model_id: str, **fields: Any) -> dict[str, Any]:
    """A model record with every field the crawler publishes; `fields` replace the defaults."""
    return {
        "_id": hashlib.sha1(model_id.encode(), usedforsecurity=False).hexdigest()[:24],
        "id": model_id,
        "author": model_id.split("/", maxsplit=1)[0] if "/" in model_id else None,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "lastModified": "2025-01-01T00:00:00.000Z",
        "downloads": 0,
        "downloadsAllTime": 0,
        "likes": 0,
        "trendingScore": 0,
        "pipeline_tag": None,
        "library_name": None,
        "tags": [],
        "private": False,
        "gated": False,
        "disabled": False,
        "sha": "0" * 40,
        "repoType": "model",
        **fields,
    }


def gzip_members(records: list[dict[str, Any]], page: int | None = None) -> list[bytes]:
    """`records` as JSON Lines in gzip members of `page` records each (all in one if None), the
    way the crawler writes one member per listing page."""
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    size = page or max(1, len(lines))
    return [
        gzip.compress("".join(lines[start : start + size]).encode(), mtime=0)
        for start in range(0, max(1, len(lines)), size)
    ]


def write_partition(
    data: Path,
    repo_type: str,
    day: str,
    records: list[dict[str, Any]],
    status: str = "complete",
    *,
    page: int | None = None,
    **fields: Any,
) -> Path:
    """Write `records` as the partition of `repo_type` dated `day`: one part of gzip members of
    `page` records, an empty rejected file, and a manifest with each file's record count and
    sha256; `fields` replace the manifest's own. Returns the partition's directory."""
    partition = DataLayout(data).partition(repo_type, day)
    partition.mkdir(parents=True, exist_ok=True)
    part = partition / part_name(0)
    members = gzip_members(records, page)
    part.write_bytes(b"".join(members))
    rejected = partition / REJECTED
    rejected.write_bytes(gzip.compress(b"", mtime=0))
    manifest = {
        "repo_type": repo_type,
        "date": day,
        "status": status,
        "reason": None,
        "crawler_version": "test",
        "endpoint": "http://127.0.0.1:1",
        "query": {"path": f"/api/{repo_type}", "params": [["sort", "createdAt"]]},
        "started_at": f"{day}T03:00:00.000Z",
        "finished_at": f"{day}T03:05:00.000Z",
        "counts": {
            "records": len(records),
            "rejected": 0,
            "duplicates": 0,
            "pages": len(members),
            "requests": len(members),
            "retries": 0,
            "http_429": 0,
        },
        "parts": [part_entry(part, len(records))],
        "rejected": part_entry(rejected, 0),
        **fields,
    }
    write_manifest(partition, manifest)
    return partition


def run_analysis(
    *arguments: str, cwd: Path, data_env: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m analysis`` as a user would, with a minimal environment."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if data_env is not None:
        env["HFCRAWLER_DATA"] = str(data_env)
    return subprocess.run(
        [sys.executable, "-m", "analysis", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def csv_rows(report: Path, name: str) -> list[dict[str, str]]:
    """The rows of one of a report's CSV tables."""
    with (report / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def summary(report: Path) -> dict[str, Any]:
    """A report's summary.json."""
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))


def readme_snippet(name: str) -> str:
    """The code block that follows `<!-- snippet: NAME -->` in the README, exactly as printed."""
    text = README.read_text(encoding="utf-8")
    pattern = rf"<!-- snippet: {re.escape(name)} -->\n```\w*\n(.*?)^```$"
    found = re.findall(pattern, text, flags=re.DOTALL | re.MULTILINE)
    assert len(found) == 1, f"the README prints the snippet {name!r} {len(found)} times, not once"
    return found[0]
