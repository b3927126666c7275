"""The datasets and Spaces partitions of the analysed day: found, verified and compacted beside the
models' one, or the reason the report goes without them.

A repo type whose partition for the day is missing, incomplete or damaged gets no section in the
report, only a line saying why; it never fails the run. A damaged one is also named among the
partitions left out, like a damaged models partition of the history. A repo type the run was not
asked for (`python -m analysis --type`) gets a line saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.store.compact import compact
from analysis.store.partitions import SkippedPartition, scan
from analysis.store.repo_types import REPO_TYPES
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


def companions(layout: DataLayout, day: date, pool: Executor, asked: Iterable[str]) -> Companions:
    """Compact the datasets and Spaces partitions of `day` on `pool` (each once, like the models'
    partitions) for the repo types `asked`, and say which are analysed."""
    found = Companions()
    asked = list(asked)
    for repo_type in COMPANION_TYPES:
        if repo_type not in asked:
            found.missing[repo_type] = left_out(repo_type, asked)
            continue
        scanned = scan(layout, repo_type)
        chosen = next((p for p in scanned.complete if p.day == day), None)
        if chosen is None:
            name = partition_name(day)
            why = next((s.reason for s in scanned.skipped if s.name == name), None)
            found.missing[repo_type] = (
                f"No complete {repo_type} partition for {day.isoformat()}"
                + (f" ({why})." if why else ": not crawled that day.")
            )
            continue
        compaction = compact(layout, REPO_TYPES[repo_type], [chosen], pool)
        if day in compaction.caches:
            found.caches[repo_type] = compaction.caches[day].directory
            continue
        reason = compaction.damaged[0][1]
        found.damaged.append(SkippedPartition(f"{repo_type}/{chosen.path.name}", reason, True))
        found.missing[repo_type] = (
            f"The {repo_type} partition of {day.isoformat()} is damaged ({reason}): left out."
        )
    return found
