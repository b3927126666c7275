"""The datasets and Spaces partitions of the analysed day: found, then verified and compacted with
the models' ones (analysis.store.compact), or the reason the report goes without them.

A repo type whose partition for the day is missing, incomplete or damaged gets no section in the
report, only a line saying why; it never fails the run. A damaged one is also named among the
partitions left out, like a damaged models partition of the history. A repo type the run was not
asked for (`python -m analysis --type`) gets a line saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.store.compact import Compaction
from analysis.store.partitions import Partition, PartitionScan, SkippedPartition, scan
from hfcrawler.layout import DataLayout, partition_name

# The repo types analysed beside the models, in the report's order.
COMPANION_TYPES = ("datasets", "spaces")


@dataclass(frozen=True)
class Companions:
    """The cache directory of each companion repo type analysed, and why each other one is not."""

    caches: dict[str, Path] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    damaged: list[SkippedPartition] = field(default_factory=list)


def left_out(repo_type: str, asked: Iterable[str]) -> str:
    """Why `repo_type` has no section: the run was asked for the `asked` repo types only."""
    return f"No {repo_type} in this report: --type asks for {', '.join(asked)} only."


def companion_days(
    layout: DataLayout, day: date, asked: Iterable[str]
) -> tuple[Companions, dict[str, Partition], dict[str, PartitionScan]]:
    """The companions so far (why each repo type without a partition of `day` gets no section),
    and the datasets' and Spaces' partitions of `day` to compact for the repo types `asked`,
    with their repo types' scans (for their histories)."""
    found = Companions()
    chosen: dict[str, Partition] = {}
    scans: dict[str, PartitionScan] = {}
    asked = list(asked)
    for repo_type in COMPANION_TYPES:
        if repo_type not in asked:
            found.missing[repo_type] = left_out(repo_type, asked)
            continue
        scanned = scan(layout, repo_type)
        partition = next((p for p in scanned.complete if p.day == day), None)
        if partition is None:
            name = partition_name(day)
            why = next((s.reason for s in scanned.skipped if s.name == name), None)
            found.missing[repo_type] = (
                f"No complete {repo_type} partition for {day.isoformat()}"
                + (f" ({why})." if why else ": not crawled that day.")
            )
            continue
        chosen[repo_type], scans[repo_type] = partition, scanned
    return found, chosen, scans


def settle(
    found: Companions, chosen: Mapping[str, Partition], compactions: Mapping[str, Compaction]
) -> None:
    """Each `chosen` partition's cache from the `compactions` (each once, like the models'
    partitions), or why it is left out: damaged."""
    for repo_type, partition in chosen.items():
        compaction = compactions[repo_type]
        if partition.day in compaction.caches:
            found.caches[repo_type] = compaction.caches[partition.day].directory
            continue
        reason = next(why for damaged, why in compaction.damaged if damaged.day == partition.day)
        found.damaged.append(SkippedPartition(f"{repo_type}/{partition.path.name}", reason, True))
        found.missing[repo_type] = (
            f"The {repo_type} partition of {partition.day.isoformat()} is damaged ({reason}):"
            " left out."
        )
