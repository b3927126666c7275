"""The data directory's layout, defined once: where snapshots, attempts and caches live, and how a
partition's manifest and records are read. Standard library only, so that the analysis, the tests
and the benchmarks use it without Scrapy::

    <data>/snapshots/<repo_type>/                                        locked by its one crawl
    <data>/snapshots/<repo_type>/date=<YYYY-MM-DD>/part-00000.jsonl.gz   one gzip member per page
    <data>/snapshots/<repo_type>/date=<YYYY-MM-DD>/manifest.json         status, counts, parts
    <data>/snapshots/<repo_type>/date=<YYYY-MM-DD>/rejected.jsonl.gz
    <data>/snapshots/<repo_type>/.attempt/                               the crawl in progress
    <data>/snapshots/<repo_type>/.attempt/state.json                     its checkpoint
    <data>/snapshots/<repo_type>/.replaced-date=<YYYY-MM-DD>/            set aside while replaced
    <data>/cache/<repo_type>/date=<YYYY-MM-DD>/                          the analysis' Parquet cache
    <data>/cache/history/<repo_type>/                                    the history's results
    <data>/exports/daily/<repo_type>/date=<YYYY-MM-DD>/part-00000.parquet  the export: a day
    <data>/exports/repos/<repo_type>/{latest,earlier}.parquet            the export: every repo
    <data>/exports/repos/.<repo_type>-<YYYY-MM-DD>/                      what the link points to

A manifest lists its parts as `{"name", "records", "sha256"}`; `part_entry` makes such an entry
and `write_manifest` writes one (durably, as the crawler needs, with `durable=True`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO_TYPES = ("models", "datasets", "spaces", "authors")
SNAPSHOTS = "snapshots"
CACHE = "cache"
HISTORY = "history"
EXPORTS = "exports"
DAILY = "daily"
REPOS = "repos"
EXPORT_PART = "part-00000.parquet"
# The repos table: the latest day's file (a hard link to its day partition's), and the last row of
# every repo absent from that day.
REPOS_LATEST = "latest.parquet"
REPOS_EARLIER = "earlier.parquet"
# Beside them, what the next day is matched with: the latest day's id hashes, sorted (hidden, and
# not Parquet, so that no reader's glob takes it for a part of the table).
REPOS_HASHES = ".latest-id-hashes.npz"
ATTEMPT = ".attempt"
# An attempt's checkpoint: where its crawl resumes (never in a published partition).
STATE = "state.json"
# A partition replaced by a same-day one waits under this prefix until the new one is in place.
REPLACED = ".replaced-"
MANIFEST = "manifest.json"
REJECTED = "rejected.jsonl.gz"
PARTITION_PREFIX = "date="
# A partition's directory name; the date is checked against the calendar separately.
PARTITION_NAME = re.compile(r"date=(\d{4}-\d{2}-\d{2})")


def part_name(number: int) -> str:
    """The file name of a partition's `number`-th part (from 0)."""
    return f"part-{number:05d}.jsonl.gz"


def partition_name(day: date | str) -> str:
    """The directory name of the partition of `day`."""
    return f"{PARTITION_PREFIX}{day if isinstance(day, str) else day.isoformat()}"


@dataclass(frozen=True)
class DataLayout:
    """The paths under one data directory."""

    root: Path

    def snapshots(self, repo_type: str) -> Path:
        """The directory of every partition and attempt of `repo_type`."""
        return self.root / SNAPSHOTS / repo_type

    def partition(self, repo_type: str, day: date | str) -> Path:
        """The partition of `repo_type` dated `day`."""
        return self.snapshots(repo_type) / partition_name(day)

    def attempt(self, repo_type: str) -> Path:
        """The crawl of `repo_type` in progress (never read by the analysis)."""
        return self.snapshots(repo_type) / ATTEMPT

    def replaced(self, repo_type: str, day: date | str) -> Path:
        """Where the partition of `repo_type` dated `day` waits while a new one replaces it."""
        return self.snapshots(repo_type) / (REPLACED + partition_name(day))

    def caches(self) -> Path:
        """Every cache of the analysis (safe to delete: it is rebuilt from the snapshots)."""
        return self.root / CACHE

    def cache(self, repo_type: str, day: date | str) -> Path:
        """The analysis' Parquet cache of the partition of `repo_type` dated `day`."""
        return self.caches() / repo_type / partition_name(day)

    def history(self, repo_type: str) -> Path:
        """The analysis' cached history results of `repo_type` (digests, intervals)."""
        return self.caches() / HISTORY / repo_type

    def exports(self) -> Path:
        """The export: the history as a dataset of Parquet files (analysis.export)."""
        return self.root / EXPORTS

    def export_daily(self, repo_type: str) -> Path:
        """The export's day partitions of `repo_type`."""
        return self.exports() / DAILY / repo_type

    def export_day(self, repo_type: str, day: date | str) -> Path:
        """The export's partition of `repo_type` dated `day`."""
        return self.export_daily(repo_type) / partition_name(day)

    def export_repos(self, repo_type: str) -> Path:
        """The export's table of every `repo_type` repo ever seen: a symbolic link to the version
        of the table after its latest day, replaced in one step by the next one."""
        return self.exports() / REPOS / repo_type

    def export_repos_version(self, repo_type: str, day: date | str) -> Path:
        """The version of the export's table of every `repo_type` repo after `day`."""
        day_text = day if isinstance(day, str) else day.isoformat()
        return self.exports() / REPOS / f".{repo_type}-{day_text}"


class ManifestError(ValueError):
    """A partition's manifest.json is missing, unreadable or not a JSON object."""


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of the partition (or attempt) `directory`; ManifestError says why not."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"no {MANIFEST}"
        raise ManifestError(msg) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"unreadable {MANIFEST}: {error}"
        raise ManifestError(msg) from None
    if not isinstance(manifest, dict):
        msg = f"{MANIFEST} is not an object"
        raise ManifestError(msg)
    return manifest


def part_paths(directory: Path, manifest: dict[str, Any]) -> list[Path]:
    """The part files of a partition, in the order its manifest lists them."""
    return [directory / part["name"] for part in manifest["parts"]]


def read_records(
    directory: Path, loads: Callable[[bytes], Any] = json.loads
) -> Iterator[dict[str, Any]]:
    """Every record of a published partition, in file order, each line parsed by `loads` (the
    crawler passes a faster parser than the standard library's)."""
    for path in part_paths(directory, read_manifest(directory)):
        with gzip.open(path, "rb") as stream:
            for line in stream:
                yield loads(line)


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def part_entry(path: Path, records: int) -> dict[str, Any]:
    """A manifest's entry for the part file `path` holding `records` records."""
    return {"name": path.name, "records": records, "sha256": file_sha256(path)}


def replace_durably(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (a reader sees the old file or the new one) and
    durably (on disk once this returns; the directory entry needs its own fsync)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    tmp.replace(path)


def write_manifest(directory: Path, manifest: dict[str, Any], *, durable: bool = False) -> Path:
    """Write `manifest` as the manifest.json of `directory`, atomically and durably if
    `durable`; return its path."""
    path = directory / MANIFEST
    data = json.dumps(manifest, indent=1).encode()
    if durable:
        replace_durably(path, data)
    else:
        path.write_bytes(data)
    return path
