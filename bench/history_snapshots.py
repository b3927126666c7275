"""Write consecutive daily snapshots of fakehub's SyntheticHub, for the history benches.

Each day is a complete partition per repo type (models, and datasets and Spaces when asked for) in
the snapshot store's layout, as the crawler writes it: the Hub's record fields (`RECORD_FIELDS`
plus `repoType`), parts of `SNAPSHOT_PART_RECORDS` records made of one gzip member per page of
1000 records, and a manifest with each part's count and sha256. Between days the whole Hub
advances (`SyntheticHub.advance`): new and deleted repos of every type, downloads and likes
growing, a few repos going viral and fading.

Rendering every record from scratch costs ~35 us, 90 s a day at 2.5M models, so each record is
rendered once, without its counters, and re-rendered only when its `lastModified` changes; each
day then splices in the counters its repo type has (Spaces have no downloads). Parts are
compressed at gzip level 1 with python-isal (level 6 with zlib would make the build take an
hour); DuckDB decodes them no faster than the crawler's level-6 members, so the figures are not
flattered. Days are written by two forked workers.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from analysis_snapshot import RECORDS, complete
from isal import igzip

from fakehub.fields import RECORD_FIELDS
from fakehub.hub import SyntheticHub
from fakehub.items import ABSENT
from hfcrawler.layout import DataLayout, part_name
from hfcrawler.settings import SNAPSHOT_PART_RECORDS

PAGE = 1000
# The fields that move every day, spliced into the rendered records (those a repo type has).
COUNTERS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
# Set in the parent before the workers fork, so they read it without pickling.
_WRITER: HistoryWriter | None = None


def _json_texts(values: list[object]) -> list[str]:
    """Each of `values` (numbers, None or ABSENT) as JSON text, encoded in one call: none of
    these texts holds a comma."""
    if not values:
        return []
    return orjson.dumps([None if v is ABSENT else v for v in values]).decode()[1:-1].split(",")


class HistoryWriter:
    """The `repo_type` repos of a SyntheticHub and the rendered static part of each record."""

    def __init__(self, hub: SyntheticHub, repo_type: str = "models") -> None:
        self.hub = hub
        self.repo_type = repo_type
        self.table = hub.tables[repo_type]
        self.builder = hub.builders[repo_type]
        fields = RECORD_FIELDS[repo_type]
        self.counters = tuple(name for name in COUNTERS if name in fields)
        self.static_fields = tuple(name for name in fields if name not in COUNTERS)
        # What follows a record's static part: its counters, then the closing brace.
        self.tail = "".join(f',"{name}":{{}}' for name in self.counters) + "}}\n"
        self.static: list[str] = []
        self.modified = np.empty(0, dtype=np.int64)

    def _refresh(self) -> None:
        """Render the records that are new or were modified since they were last rendered."""
        size = len(self.table)
        known = len(self.static)
        changed = np.flatnonzero(self.table.modified[:known] != self.modified)
        rows = np.concatenate([changed, np.arange(known, size)])
        self.static.extend([""] * (size - known))
        marked = RECORDS[self.repo_type].REPO_TYPE
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            items = self.builder.items(page, self.static_fields)
            for row, item in zip(page.tolist(), items, strict=True):
                fields = {name: item.get(name) for name in self.static_fields}
                fields["repoType"] = marked
                # Without the closing brace: the counters are appended per day.
                self.static[row] = orjson.dumps(fields).decode()[:-1]
        self.modified = self.table.modified[:size].copy()

    def write_part(self, rows: np.ndarray, path: Path) -> dict[str, object]:
        """Write `rows` with today's counters as one part; return its manifest entry."""
        counters = [_json_texts(self.builder.column(name, rows)) for name in self.counters]
        digest = hashlib.sha256()
        with path.open("wb") as stream:
            for start in range(0, len(rows), PAGE):
                lines = [
                    self.static[row] + self.tail.format(*values)
                    for row, *values in zip(
                        rows[start : start + PAGE].tolist(),
                        *(values[start : start + PAGE] for values in counters),
                        strict=True,
                    )
                ]
                member = igzip.compress("".join(lines).encode(), compresslevel=1)
                digest.update(member)
                stream.write(member)
        return {"name": path.name, "records": len(rows), "sha256": digest.hexdigest()}

    def write_day(self, data_dir: Path, day: date) -> Path:
        """Write today's Hub as the complete partition of `day`; return its directory."""
        global _WRITER  # noqa: PLW0603 - handed to the forked workers
        self._refresh()
        partition = DataLayout(data_dir).partition(self.repo_type, day)
        partition.mkdir(parents=True, exist_ok=True)
        rows = np.flatnonzero(self.hub.visible(self.repo_type, None))
        chunks = [
            (rows[start : start + SNAPSHOT_PART_RECORDS], partition / part_name(n))
            for n, start in enumerate(range(0, len(rows), SNAPSHOT_PART_RECORDS))
        ]
        _WRITER = self
        with multiprocessing.get_context("fork").Pool(2) as pool:
            parts = pool.starmap(_write_part, chunks)
        _WRITER = None
        complete(partition, day.isoformat(), parts, self.repo_type)
        return partition


def _write_part(rows: np.ndarray, path: Path) -> dict[str, object]:
    assert _WRITER is not None  # noqa: S101 - set by the parent before the fork
    return _WRITER.write_part(rows, path)


def write_history(data_dir: Path, counts: Mapping[str, int], days: Sequence[date]) -> None:
    """Write one partition per day of `days` (consecutive) of each repo type in `counts` (repos
    on the first day, by repo type), the Hub advancing between them."""
    sizes = {name: counts.get(name, 0) for name in RECORDS}
    hub = SyntheticHub(seed=0, **sizes)
    writers = [HistoryWriter(hub, name) for name, size in sizes.items() if size]
    for number, day in enumerate(days):
        if number:
            hub.advance()
        for writer in writers:
            writer.write_day(data_dir, day)
        rendered = ", ".join(f"{len(w.static):,} {w.repo_type}" for w in writers)
        print(f"  {day} written ({rendered} rendered)", flush=True)
