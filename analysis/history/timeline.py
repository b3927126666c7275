"""The history's timeline: which complete partitions fall in [--since, --until], and the gaps.

A day without a complete partition is a gap: it is listed, never filled with zeros, and the rates
of the history divide by the real number of days between the snapshots on either side of it.
Partitions in the range that are not complete, or damaged (their parts do not match their
manifest), are skipped and listed with the reason.

Windows are clipped to the data present: the window of W days is the intervals that start at
most W days before the latest snapshot, and at least the latest interval, so it covers at most W
days when the snapshots allow, and says how many it really covers (`window_start`, `span_words`).
The snapshot "N days before" the latest is the latest one dated on or before that day, or the
oldest when the history is shorter (`Timeline.before`).
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

    def window(self, days: int) -> tuple[date, date] | None:
        """The first and last day of the window of `days` (None without two snapshots)."""
        if len(self.partitions) < 2:
            return None
        snapshot_days = [partition.day for partition in self.partitions]
        return window_start(snapshot_days[:-1], snapshot_days[-1], days), snapshot_days[-1]

    def before(self, days: int) -> Partition | None:
        """The snapshot `days` before the latest (clipped to the oldest; None with one)."""
        if len(self.partitions) < 2:
            return None
        last = self.partitions[-1].day
        earlier = [p for p in self.partitions[:-1] if (last - p.day).days >= days]
        return earlier[-1] if earlier else self.partitions[0]


def window_start(starts: list[date], end: date, days: int) -> date:
    """The first day of the window of `days` ending on `end`, from the start days of its
    intervals (oldest first): the earliest at most `days` before `end`, else the latest."""
    inside = [start for start in starts if (end - start).days <= days]
    return inside[0] if inside else starts[-1]


def span_words(days: int) -> str:
    """A span of `days` ending today, as a title says it."""
    return "last day" if days == 1 else f"last {days} days"


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
