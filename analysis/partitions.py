"""Find the complete partitions of the snapshot store, trusting only their manifests.

A partition is `<data>/snapshots/<repo_type>/date=<YYYY-MM-DD>/`. The crawler renames a partition
into place only when it is complete, but a reader still checks that `manifest.json` says
`"status": "complete"`, names the same date and lists part files that exist; anything else is
skipped with the reason, so a report can say what it left out. Hidden directories (attempts in
progress) are never looked at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

_PARTITION_NAME = re.compile(r"date=(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Partition:
    """One complete, dated partition and its manifest."""

    repo_type: str
    day: date
    path: Path
    manifest: dict[str, Any]

    @property
    def records(self) -> int:
        """The number of records the manifest's parts hold."""
        return sum(int(part.get("records") or 0) for part in self.manifest["parts"])

    @property
    def parts(self) -> list[Path]:
        """The part files in the order the manifest lists them."""
        return [self.path / part["name"] for part in self.manifest["parts"]]


@dataclass(frozen=True)
class SkippedPartition:
    """A `date=` directory that is not analysed, and why; `damaged` when its manifest says it is
    complete but its files do not match it."""

    name: str
    reason: str
    damaged: bool = False


@dataclass(frozen=True)
class PartitionScan:
    """The complete partitions of one repo type, oldest first, and the skipped ones."""

    complete: list[Partition]
    skipped: list[SkippedPartition]


def _read_manifest(directory: Path) -> tuple[str | None, dict[str, Any]]:
    """Return the manifest of `directory`, or why it cannot be read."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no manifest.json", {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"unreadable manifest.json: {error}", {}
    if not isinstance(manifest, dict):
        return "manifest.json is not an object", {}
    return None, manifest


def _problem(directory: Path, day: str) -> tuple[str | None, dict[str, Any]]:
    """Return why `directory` is not a complete partition (None when it is) and its manifest."""
    problem, manifest = _read_manifest(directory)
    if problem is not None:
        return problem, manifest
    if manifest.get("status") != "complete":
        return f"status is {manifest.get('status')!r}, not 'complete'", manifest
    if manifest.get("date") != day:
        return f"manifest date {manifest.get('date')!r} does not match the directory", manifest
    parts = manifest.get("parts")
    if not isinstance(parts, list) or not all(
        isinstance(part, dict) and isinstance(part.get("name"), str) for part in parts
    ):
        return "manifest lists no parts", manifest
    for part in parts:
        name = part["name"]
        if Path(name).name != name or not (directory / name).is_file():
            return f"part {name!r} is missing", manifest
    return None, manifest


def scan(data_dir: Path, repo_type: str) -> PartitionScan:
    """List the complete and the skipped partitions of `repo_type` under `data_dir`."""
    root = data_dir / "snapshots" / repo_type
    complete: list[Partition] = []
    skipped: list[SkippedPartition] = []
    candidates = sorted(root.iterdir()) if root.is_dir() else []
    for directory in candidates:
        match = _PARTITION_NAME.fullmatch(directory.name)
        if match is None or not directory.is_dir():
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            skipped.append(SkippedPartition(directory.name, "not a calendar date"))
            continue
        problem, manifest = _problem(directory, match.group(1))
        if problem is None:
            complete.append(Partition(repo_type, day, directory, manifest))
        else:
            skipped.append(SkippedPartition(directory.name, problem))
    return PartitionScan(complete, skipped)


class NoCompletePartitionError(LookupError):
    """There is no complete partition to analyse (or not for the requested date)."""


def choose(found: PartitionScan, day: date | None, data_dir: Path, repo_type: str) -> Partition:
    """The complete partition of `repo_type` for `day`, or the latest complete one."""
    if day is None:
        if found.complete:
            return found.complete[-1]
        msg = f"no complete {repo_type} partition under {data_dir / 'snapshots' / repo_type}"
        raise NoCompletePartitionError(msg)
    for partition in found.complete:
        if partition.day == day:
            return partition
    msg = f"no complete {repo_type} partition for {day.isoformat()} under {data_dir}"
    raise NoCompletePartitionError(msg)
