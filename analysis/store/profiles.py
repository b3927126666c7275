"""Load the author profiles that the `authors` spider keeps, to tell organisations from users.

Profiles come from the latest complete `authors` partition dated on or before the analysed models
partition, so a report never uses profiles crawled after its snapshot. Only the columns the report
shows are parsed (name, kind, full name, verified, plan), with an explicit schema so that pyarrow's
JSON reader never guesses a type from a hostile value. No such partition means no profiles yet:
every author is then counted as unknown, never guessed from its name.

The partition is small and read whole on every run, so it is verified against its manifest on every
run (each part's sha256 and records, their total): a damaged one is listed and the one before it
used instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.json as pj

from analysis.store.partitions import Partition, SkippedPartition, scan
from analysis.store.repo_types import AUTHORS, PROFILE_FIELDS
from analysis.store.verify import PartReading, manifest_problem, part_problem
from hfcrawler.layout import DataLayout, file_sha256

COLUMNS = {"name": "author", "kind": "kind", "fullname": "fullname", "isVerified": "verified"}


@dataclass(frozen=True)
class Profiles:
    """The profiles of one authors partition (none when `day` is None), one row per author, and
    the later authors partitions passed over as damaged."""

    day: date | None
    frame: pd.DataFrame
    damaged: list[SkippedPartition] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many authors have a profile."""
        return len(self.frame)


def _read_part(part: Path) -> tuple[pa.Table | None, PartReading]:
    parse_options = pj.ParseOptions(
        explicit_schema=PROFILE_FIELDS, unexpected_field_behavior="ignore"
    )
    sha256 = file_sha256(part)
    try:
        table = pj.read_json(part, parse_options=parse_options)
    except (pa.ArrowInvalid, OSError) as error:
        return None, PartReading(sha256, None, str(error).splitlines()[0])
    return table, PartReading(sha256, table.num_rows)


def _read(partition: Partition) -> tuple[pa.Table | None, str | None]:
    """The profiles of `partition`, or why it does not match its manifest."""
    problem = manifest_problem(partition)
    if problem is not None:
        return None, problem
    tables = []
    for part, entry in zip(partition.parts, partition.manifest["parts"], strict=True):
        table, reading = _read_part(part)
        problem = part_problem(entry, reading)
        if problem is not None:
            return None, problem
        tables.append(table)
    return (pa.concat_tables(tables) if tables else PROFILE_FIELDS.empty_table()), None


def _frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas().rename(columns=COLUMNS)
    frame["verified"] = frame["verified"].astype("boolean")
    # A name listed twice keeps its last profile, the one the crawler wrote latest.
    frame = frame.dropna(subset=["author"]).drop_duplicates("author", keep="last")
    return frame.reset_index(drop=True)


def load_profiles(layout: DataLayout, until: date) -> Profiles:
    """The profiles of the latest sound, complete authors partition dated `until` or earlier."""
    eligible = [p for p in scan(layout, AUTHORS).complete if p.day <= until]
    damaged = []
    for partition in reversed(eligible):
        table, problem = _read(partition)
        if table is not None:
            return Profiles(partition.day, _frame(table), damaged)
        name = f"{AUTHORS}/{partition.path.name}"
        damaged.append(SkippedPartition(name, f"damaged: {problem}", damaged=True))
    return Profiles(None, _frame(PROFILE_FIELDS.empty_table()), damaged)
