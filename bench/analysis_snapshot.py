"""Write model records as one complete partition of the snapshot store, for the analysis bench.

Records are streamed into gzip parts of a million lines each (as the crawler cuts them), then the
manifest is written with each part's record count and sha256, and `status` "complete". Paths,
part names and manifest entries come from the data layout's module (hfcrawler.layout).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from hfcrawler.layout import REJECTED, DataLayout, part_entry, part_name, write_manifest

PART_RECORDS = 1_000_000


def write_partition(data_dir: Path, date: str, records: Iterable[dict[str, Any]]) -> Path:
    """Write `records` as the complete `models` partition of `date`; return its directory."""
    partition = DataLayout(data_dir).partition("models", date)
    partition.mkdir(parents=True, exist_ok=True)
    parts: list[dict[str, Any]] = []
    remaining = iter(records)
    while True:
        path = partition / part_name(len(parts))
        count = 0
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            for record in islice(remaining, PART_RECORDS):
                stream.write(json.dumps({**record, "repoType": "model"}, separators=(",", ":")))
                stream.write("\n")
                count += 1
        if count == 0:
            path.unlink()
            break
        parts.append(part_entry(path, count))
        if count < PART_RECORDS:
            break
    complete(partition, date, parts)
    return partition


def complete(partition: Path, date: str, parts: list[dict[str, Any]]) -> None:
    """Write an empty rejected file and the manifest that makes `partition` complete."""
    written = sum(int(part["records"]) for part in parts)
    rejected = partition / REJECTED
    with gzip.open(rejected, "wb"):
        pass
    manifest = {
        "repo_type": "models",
        "date": date,
        "status": "complete",
        "reason": None,
        "crawler_version": "bench",
        "endpoint": "http://127.0.0.1",
        "query": {"path": "/api/models", "params": [["sort", "createdAt"]]},
        "started_at": f"{date}T03:00:00.000Z",
        "finished_at": f"{date}T03:20:00.000Z",
        "counts": {
            "records": written,
            "rejected": 0,
            "duplicates": 0,
            "pages": -(-written // 1000),
            "requests": -(-written // 1000),
            "retries": 0,
            "http_429": 0,
        },
        "parts": parts,
        "rejected": part_entry(rejected, 0),
    }
    write_manifest(partition, manifest)
