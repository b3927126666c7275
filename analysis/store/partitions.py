"""Find the complete partitions of the snapshot store, trusting only their manifests.

A partition is `snapshots/<repo_type>/date=<YYYY-MM-DD>/` (see hfcrawler.layout). The crawler
renames a partition into place only when it is complete, but a reader still checks that
`manifest.json` says `"status": "complete"`, names the same date and lists part files that exist;
anything else is skipped with the reason, so a report can say what it left out. Hidden
directories (attempts in progress) are never looked at. Whether the parts hold what the manifest
says is checked when a partition is first compacted (analysis.store.verify).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hfcrawler.layout import (
    PARTITION_NAME,
    DataLayout,
    ManifestError,
    part_paths,
    partition_name,
    read_manifest,
)


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
        return part_paths(self.path, self.manifest)


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

    layout: DataLayout
    repo_type: str
    complete: list[Partition]
    skipped: list[SkippedPartition]

    def without(self, damaged: list[tuple[Partition, str]]) -> PartitionScan:
        """This scan with the `damaged` partitions (and why) moved among the skipped ones."""
        days = {partition.day for partition, _ in damaged}
        named = [
            SkippedPartition(partition.path.name, f"damaged: {reason}", damaged=True)
            for partition, reason in damaged
        ]
        return PartitionScan(
            self.layout,
            self.repo_type,
            [p for p in self.complete if p.day not in days],
            sorted([*self.skipped, *named], key=lambda skipped: skipped.name),
        )


def _problem(directory: Path, day: str) -> tuple[str | None, dict[str, Any]]:
    """Return why `directory` is not a complete partition (None when it is) and its manifest."""
    try:
        manifest = read_manifest(directory)
    except ManifestError as error:
        return str(error), {}
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


def scan(layout: DataLayout, repo_type: str) -> PartitionScan:
    """List the complete and the skipped partitions of `repo_type`."""
    root = layout.snapshots(repo_type)
    complete: list[Partition] = []
    skipped: list[SkippedPartition] = []
    candidates = sorted(root.iterdir()) if root.is_dir() else []
    for directory in candidates:
        match = PARTITION_NAME.fullmatch(directory.name)
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
    return PartitionScan(layout, repo_type, complete, skipped)


class NoCompletePartitionError(LookupError):
    """There is no complete partition to analyse (or not for the requested date)."""


class DamagedPartitionError(ValueError):
    """The partition to analyse does not match its manifest; `damaged` lists every damaged one."""

    def __init__(self, message: str, damaged: list[SkippedPartition]) -> None:
        super().__init__(message)
        self.damaged = damaged


# The dates listed whole in a message; past this, the first and the latest few.
_LISTED_DATES = 10


def dates_listed(partitions: list[Partition]) -> str:
    """The dates of `partitions` (oldest first) for a message: every one, or when there are many
    the range, their number and the latest few."""
    days = [partition.day.isoformat() for partition in partitions]
    if len(days) <= _LISTED_DATES:
        return ", ".join(days)
    latest = ", ".join(days[-3:])
    return f"{len(days)} dates from {days[0]} to {days[-1]} (the latest: {latest})"


def _nothing_to_analyse(found: PartitionScan) -> str:
    """Why `found` has no complete partition at all, and what to do about it."""
    repo_type, root = found.repo_type, found.layout.root
    crawl = f"crawl one with `scrapy crawl {repo_type}`"
    if not root.is_dir():
        return f"no data directory at {root}: nothing was crawled there; {crawl} first"
    where = found.layout.snapshots(repo_type)
    if not found.skipped:
        return f"no {repo_type} partition under {where} yet: {crawl}"
    reasons = "; ".join(f"{s.name}: {s.reason}" for s in found.skipped[-3:])
    return f"no complete {repo_type} partition under {where} ({reasons})"


def choose(found: PartitionScan, day: date | None) -> Partition:
    """The complete partition of `found` for `day`, or the latest complete one; the error says
    why there is none (no data directory, an empty one, none complete, which dates there are)."""
    if not found.complete:
        raise NoCompletePartitionError(_nothing_to_analyse(found))
    if day is None:
        return found.complete[-1]
    for partition in found.complete:
        if partition.day == day:
            return partition
    named = [s for s in found.skipped if s.name == partition_name(day)]
    why = f" (skipped: {named[0].reason})" if named else ""
    msg = (
        f"no complete {found.repo_type} partition for {day.isoformat()}{why} under"
        f" {found.layout.root}; the complete ones: {dates_listed(found.complete)}"
    )
    raise NoCompletePartitionError(msg)
