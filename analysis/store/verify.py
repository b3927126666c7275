"""Check a partition against its manifest: the manifest's own sums, and each part as read.

A complete partition's manifest states each part's record count and sha256, and the total of
records; a part that hashes otherwise, holds another number of records or cannot be read at all
(a part cut at a gzip member's end reads fine, with fewer records) makes the partition damaged.
The reasons say what differs in a line a person reads: Hub text quoted in them (a reader's error
message) is neutralised and cut (analysis.text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.defaults import PAGE_CHARACTERS
from analysis.store.partitions import Partition
from analysis.text import shown

# The longest manifest value a reason quotes.
_VALUE_CHARACTERS = 40


def _name(entry: dict[str, Any]) -> str:
    """A part's name as a reason quotes it."""
    return shown(entry["name"], _VALUE_CHARACTERS)


@dataclass(frozen=True)
class PartReading:
    """What reading a part found: its sha256, and its records or why it could not be read."""

    sha256: str
    records: int | None
    unreadable: str | None = None


def part_problem(entry: dict[str, Any], reading: PartReading) -> str | None:
    """Why a part read as `reading` is not the one its manifest `entry` describes (or None)."""
    problems = []
    if reading.unreadable is not None:
        problems.append(f"cannot be read ({shown(reading.unreadable, PAGE_CHARACTERS)})")
    elif reading.records != entry["records"]:
        stated = entry["records"]
        problems.append(f"holds {reading.records:,} records where the manifest says {stated:,}")
    if reading.sha256 != entry["sha256"]:
        problems.append("its sha256 is not the manifest's")
    return None if not problems else f"{_name(entry)} " + ", and ".join(problems)


def manifest_problem(partition: Partition) -> str | None:
    """Why the manifest of `partition` cannot vouch for its parts (None when it can)."""
    for entry in partition.manifest["parts"]:
        records, sha256 = entry.get("records"), entry.get("sha256")
        if not isinstance(records, int) or isinstance(records, bool) or records < 0:
            return f"the manifest gives no record count for {_name(entry)}"
        if not isinstance(sha256, str):
            return f"the manifest gives no sha256 for {_name(entry)}"
    stated = (partition.manifest.get("counts") or {}).get("records")
    if stated != partition.records:
        stated_text = shown(repr(stated), _VALUE_CHARACTERS)
        return f"the manifest counts {stated_text} records but its parts hold {partition.records:,}"
    return None
