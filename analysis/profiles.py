"""Load the author profiles that the `authors` spider keeps, to tell organisations from users.

Profiles come from the latest complete `authors` partition dated on or before the analysed models
partition, so a report never uses profiles crawled after its snapshot. Only the columns the report
shows are parsed (name, kind, full name, verified, plan), with an explicit schema so that pyarrow's
JSON reader never guesses a type from a hostile value. No such partition means no profiles yet:
every author is then counted as unknown, never guessed from its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.json as pj

from analysis.partitions import Partition, scan

AUTHORS_REPO_TYPE = "authors"
PROFILE_SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("kind", pa.string()),
        ("fullname", pa.string()),
        ("isVerified", pa.bool_()),
        ("plan", pa.string()),
    ]
)
COLUMNS = {"name": "author", "kind": "kind", "fullname": "fullname", "isVerified": "verified"}


@dataclass(frozen=True)
class Profiles:
    """The profiles of one authors partition (none when `day` is None), one row per author."""

    day: date | None
    frame: pd.DataFrame

    @property
    def count(self) -> int:
        """How many authors have a profile."""
        return len(self.frame)


def _read(partition: Partition) -> pa.Table:
    parse_options = pj.ParseOptions(
        explicit_schema=PROFILE_SCHEMA, unexpected_field_behavior="ignore"
    )
    tables = [pj.read_json(part, parse_options=parse_options) for part in partition.parts]
    return pa.concat_tables(tables) if tables else PROFILE_SCHEMA.empty_table()


def _frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas().rename(columns=COLUMNS)
    frame["verified"] = frame["verified"].astype("boolean")
    # A name listed twice keeps its last profile, the one the crawler wrote latest.
    frame = frame.dropna(subset=["author"]).drop_duplicates("author", keep="last")
    return frame.reset_index(drop=True)


def load_profiles(data_dir: Path, until: date) -> Profiles:
    """The profiles of the latest complete authors partition dated `until` or earlier."""
    eligible = [p for p in scan(data_dir, AUTHORS_REPO_TYPE).complete if p.day <= until]
    if not eligible:
        return Profiles(None, _frame(PROFILE_SCHEMA.empty_table()))
    partition = eligible[-1]
    return Profiles(partition.day, _frame(_read(partition)))
