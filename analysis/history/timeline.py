"""The history's timeline: which complete partitions fall in [--since, --until], and the gaps.

A day without a complete partition is a gap: it is listed, never filled with zeros, and the rates
of the history divide by the real number of days between the snapshots on either side of it.
Partitions in the range that are not complete, or damaged (their parts do not match their
manifest), are skipped and listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from analysis.store.partitions import Partition, PartitionScan, SkippedPartition


@dataclass(frozen=True)
class Gap:
    """Days with no complete partition between two consecutive snapshots."""

    after: date
    before: date

    @property
    def missing(self) -> list[date]:
        """The missing days, in order."""
        return [self.after + timedelta(days=n) for n in range(1, (self.before - self.after).days)]


@dataclass(frozen=True)
class Timeline:
    """The complete partitions of the range, oldest first, with what was skipped and missing."""

    partitions: list[Partition]
    skipped: list[SkippedPartition]
    gaps: list[Gap]


def _day_of(skipped: SkippedPartition) -> date | None:
    try:
        return date.fromisoformat(skipped.name.removeprefix("date="))
    except ValueError:
        return None


def _within(day: date | None, since: date | None, until: date | None) -> bool:
    return day is not None and (since is None or day >= since) and (until is None or day <= until)


def timeline(found: PartitionScan, since: date | None, until: date | None) -> Timeline:
    """The timeline of the partitions `found` between `since` and `until` (both included)."""
    partitions = [p for p in found.complete if _within(p.day, since, until)]
    skipped = [s for s in found.skipped if _within(_day_of(s), since, until)]
    gaps = [
        Gap(earlier.day, later.day)
        for earlier, later in pairwise(partitions)
        if (later.day - earlier.day).days > 1
    ]
    return Timeline(partitions, skipped, gaps)
