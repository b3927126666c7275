"""Write consecutive daily model snapshots of fakehub's SyntheticHub, for the history bench.

Each day is a complete partition in the snapshot store's layout, as the crawler writes it: the
Hub's record fields (`RECORD_FIELDS` plus `repoType`), parts of `SNAPSHOT_PART_RECORDS` records
made of one gzip member per page of 1000 records, and a manifest with each part's count and
sha256. Between days the Hub advances (`SyntheticHub.advance`): new and deleted models, downloads
and likes growing, a few models going viral and fading.

Rendering every record from scratch costs ~35 us, 90 s a day at 2.5M models, so each record is
rendered once, without its counters, and re-rendered only when its `lastModified` changes; each
day then splices in the counters. Parts are compressed at gzip level 1 with python-isal (level 6
with zlib would make the build take an hour); DuckDB decodes them no faster than the crawler's
level-6 members, so the figures are not flattered. Days are written by two forked workers.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from analysis_snapshot import complete
from isal import igzip

from fakehub.fields import RECORD_FIELDS
from fakehub.hub import SyntheticHub
from fakehub.items import ABSENT
from hfcrawler.layout import DataLayout, part_name
from hfcrawler.settings import SNAPSHOT_PART_RECORDS

PAGE = 1000
COUNTERS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
_STATIC_FIELDS = tuple(name for name in RECORD_FIELDS["models"] if name not in COUNTERS)
# Set in the parent before the workers fork, so they read it without pickling.
_WRITER: HistoryWriter | None = None


def _json(value: object) -> str:
    return "null" if value is None or value is ABSENT else orjson.dumps(value).decode()


class HistoryWriter:
    """A SyntheticHub of `models` models and the rendered static part of each of its records."""

    def __init__(self, models: int, seed: int = 0) -> None:
        self.hub = SyntheticHub(seed=seed, models=models)
        self.table = self.hub.tables["models"]
        self.builder = self.hub.builders["models"]
        self.static: list[str] = []
        self.modified = np.empty(0, dtype=np.int64)

    def advance(self) -> None:
        """One day of the Hub's life."""
        self.hub.advance()

    def _refresh(self) -> None:
        """Render the records that are new or were modified since they were last rendered."""
        size = len(self.table)
        known = len(self.static)
        changed = np.flatnonzero(self.table.modified[:known] != self.modified)
        rows = np.concatenate([changed, np.arange(known, size)])
        self.static.extend([""] * (size - known))
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            items = self.builder.items(page, _STATIC_FIELDS)
            for row, item in zip(page.tolist(), items, strict=True):
                fields = {name: item.get(name) for name in _STATIC_FIELDS}
                fields["repoType"] = "model"
                # Without the closing brace: the counters are appended per day.
                self.static[row] = orjson.dumps(fields).decode()[:-1]
        self.modified = self.table.modified[:size].copy()

    def write_part(self, rows: np.ndarray, path: Path) -> dict[str, object]:
        """Write `rows` with today's counters as one part; return its manifest entry."""
        counters = [self.builder.column(name, rows) for name in COUNTERS]
        digest = hashlib.sha256()
        with path.open("wb") as stream:
            for start in range(0, len(rows), PAGE):
                lines = [
                    f'{self.static[row]},"downloads":{_json(d)},"downloadsAllTime":{_json(a)},'
                    f'"likes":{_json(likes)},"trendingScore":{_json(t)}}}\n'
                    for row, d, a, likes, t in zip(
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
        """Write today's Hub as the complete `models` partition of `day`; return its directory."""
        global _WRITER  # noqa: PLW0603 - handed to the forked workers
        self._refresh()
        partition = DataLayout(data_dir).partition("models", day)
        partition.mkdir(parents=True, exist_ok=True)
        rows = np.flatnonzero(self.hub.visible("models", None))
        chunks = [
            (rows[start : start + SNAPSHOT_PART_RECORDS], partition / part_name(n))
            for n, start in enumerate(range(0, len(rows), SNAPSHOT_PART_RECORDS))
        ]
        _WRITER = self
        with multiprocessing.get_context("fork").Pool(2) as pool:
            parts = pool.starmap(_write_part, chunks)
        _WRITER = None
        complete(partition, day.isoformat(), parts)
        return partition


def _write_part(rows: np.ndarray, path: Path) -> dict[str, object]:
    assert _WRITER is not None  # noqa: S101 - set by the parent before the fork
    return _WRITER.write_part(rows, path)


def write_history(data_dir: Path, models: int, days: Sequence[date]) -> None:
    """Write one partition per day of `days` (consecutive), the Hub advancing between them."""
    writer = HistoryWriter(models)
    for number, day in enumerate(days):
        if number:
            writer.advance()
        writer.write_day(data_dir, day)
        print(f"  {day} written ({len(writer.static):,} models rendered)", flush=True)
