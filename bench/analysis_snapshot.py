"""Write repo records as one complete partition of the snapshot store, for the analysis benches.

Records of models, datasets or Spaces are streamed into gzip parts of a million lines each (as the
crawler cuts them), each with the `repoType` the crawler adds; then the manifest is written with
each part's record count and sha256, the listing query the crawler would have sent (every field
of its record asked for with `expand`), and `status` "complete". Paths, part names and manifest
entries come from the data layout's module (hfcrawler.layout), the fields from the crawler's
record classes (hfcrawler.items).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from hfcrawler.items import DatasetRecord, HubRecord, ModelRecord, SpaceRecord
from hfcrawler.layout import (
    MANIFEST,
    REJECTED,
    DataLayout,
    part_entry,
    part_name,
    write_manifest,
)

PART_RECORDS = 1_000_000
PAGE_SIZE = 1000
# The crawler's record of each repo type the benches write.
RECORDS: dict[str, type[HubRecord]] = {
    "models": ModelRecord,
    "datasets": DatasetRecord,
    "spaces": SpaceRecord,
}


def write_partition(
    data_dir: Path, date: str, records: Iterable[dict[str, Any]], repo_type: str = "models"
) -> Path:
    """Write `records` as the complete `repo_type` partition of `date`; return its directory."""
    partition = DataLayout(data_dir).partition(repo_type, date)
    partition.mkdir(parents=True, exist_ok=True)
    marked = RECORDS[repo_type].REPO_TYPE
    parts: list[dict[str, Any]] = []
    remaining = iter(records)
    while True:
        path = partition / part_name(len(parts))
        count = 0
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            for record in islice(remaining, PART_RECORDS):
                stream.write(json.dumps({**record, "repoType": marked}, separators=(",", ":")))
                stream.write("\n")
                count += 1
        if count == 0:
            path.unlink()
            break
        parts.append(part_entry(path, count))
        if count < PART_RECORDS:
            break
    complete(partition, date, parts, repo_type)
    return partition


def written_as_crawled(partition: Path, repo_type: str) -> bool:
    """Whether `partition` is complete and its records carry every field of the crawler's
    record: one written before a field was crawled is to be written again."""
    if not (partition / MANIFEST).exists():
        return False
    with gzip.open(partition / part_name(0), "rt", encoding="utf-8") as stream:
        first = json.loads(stream.readline() or "{}")
    return set(RECORDS[repo_type].field_names()) <= set(first)


def listing_query(repo_type: str) -> dict[str, Any]:
    """The query the crawler records in a manifest: its sort, its `expand` fields, its limit."""
    fields = RECORDS[repo_type].field_names()
    expand = [name for name in fields if name not in ("_id", "id", "repoType")]
    params = [["sort", "createdAt"], *(["expand", name] for name in expand)]
    return {"path": f"/api/{repo_type}", "params": [*params, ["limit", str(PAGE_SIZE)]]}


def complete(
    partition: Path, date: str, parts: list[dict[str, Any]], repo_type: str = "models"
) -> None:
    """Write an empty rejected file and the manifest that makes `partition` complete."""
    written = sum(int(part["records"]) for part in parts)
    rejected = partition / REJECTED
    with gzip.open(rejected, "wb"):
        pass
    manifest = {
        "repo_type": repo_type,
        "date": date,
        "status": "complete",
        "reason": None,
        "crawler_version": "bench",
        "endpoint": "http://127.0.0.1",
        "query": listing_query(repo_type),
        "started_at": f"{date}T03:00:00.000Z",
        "finished_at": f"{date}T03:20:00.000Z",
        "counts": {
            "records": written,
            "rejected": 0,
            "duplicates": 0,
            "pages": -(-written // PAGE_SIZE),
            "requests": -(-written // PAGE_SIZE),
            "retries": 0,
            "http_429": 0,
        },
        "parts": parts,
        "rejected": part_entry(rejected, 0),
    }
    write_manifest(partition, manifest)
