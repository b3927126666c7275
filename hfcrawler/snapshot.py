"""The snapshot store: date-partitioned JSON Lines with a manifest, published atomically.

Layout under the data directory (see README "Data layout")::

    snapshots/<repo_type>/date=<YYYY-MM-DD>/part-00000.jsonl.gz, manifest.json, rejected.jsonl.gz
    snapshots/<repo_type>/.attempt/          the crawl in progress (same files plus state.json)
    snapshots/<repo_type>/.lock              held by the one crawl of that repo type

An :class:`Attempt` writes each listing page as one gzip member and then checkpoints (fsync, then
an atomic rewrite of ``state.json``), so a crawl killed at any moment — even by SIGKILL — is resumed
from the last checkpoint by truncating the files back to it. Only a walk that reached the last page
is published, by renaming ``.attempt`` to ``date=…``; a ``date=`` directory is therefore always
complete, and readers need no other signal (the manifest's ``status`` says so too).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import orjson

from hfcrawler import __version__

logger = logging.getLogger(__name__)

REPO_TYPES = ("models", "datasets", "spaces", "authors")
MANIFEST = "manifest.json"
STATE = "state.json"
REJECTED = "rejected.jsonl.gz"
ATTEMPT = ".attempt"


class AttemptLockedError(RuntimeError):
    """Another crawl of the same repo type is writing to the same data directory."""


def utc_now() -> str:
    """The current time in the Hub's timestamp form."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _fsync_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class PartState:
    """One part file as of the last checkpoint."""

    name: str
    records: int = 0
    bytes: int = 0


@dataclass
class AttemptState:
    """Everything needed to resume an attempt; rewritten atomically at each checkpoint."""

    repo_type: str
    date: str
    endpoint: str
    query: dict[str, Any]
    started_at: str
    started_ts: float
    cursor: str | None = None
    done: bool = False
    pages: int = 0
    records: int = 0
    rejected: int = 0
    rejected_bytes: int = 0
    parts: list[PartState] = field(default_factory=list)
    # Request counters of earlier runs of this attempt (stats do not survive a restart).
    counters: dict[str, int] = field(default_factory=dict)
    resumed: int = 0

    @classmethod
    def load(cls, path: Path) -> Self:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["parts"] = [PartState(**part) for part in data["parts"]]
        return cls(**data)


class SnapshotStore:
    """Paths of the snapshot tree under one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "snapshots"

    def repo_dir(self, repo_type: str) -> Path:
        return self.root / repo_type

    def partition_dir(self, repo_type: str, date: str) -> Path:
        return self.repo_dir(repo_type) / f"date={date}"

    def attempt_dir(self, repo_type: str) -> Path:
        return self.repo_dir(repo_type) / ATTEMPT

    def complete_partitions(self, repo_type: str) -> list[tuple[str, dict[str, Any]]]:
        """(date, manifest) of every complete partition of a repo type, oldest first."""
        found = []
        for path in sorted(self.repo_dir(repo_type).glob("date=*")):
            try:
                manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if manifest.get("status") == "complete":
                found.append((path.name.removeprefix("date="), manifest))
        return found

    def latest_complete(self, repo_type: str) -> tuple[str, dict[str, Any]] | None:
        partitions = self.complete_partitions(repo_type)
        return partitions[-1] if partitions else None


class Attempt:
    """A partition being written: resumable, published only when complete."""

    def __init__(
        self, store: SnapshotStore, state: AttemptState, lock: int, *, part_records: int, level: int
    ) -> None:
        self.store = store
        self.state = state
        self.path = store.attempt_dir(state.repo_type)
        self._lock = lock
        self._part_records = part_records
        self._level = level
        self._records: list[bytes] = []
        self._rejections: list[bytes] = []
        self._counters: dict[str, int] = {}

    @classmethod
    def open(
        cls,
        store: SnapshotStore,
        repo_type: str,
        *,
        date: str,
        endpoint: str,
        query: dict[str, Any],
        part_records: int,
        level: int = 6,
        resume_max_age: float = 12 * 3600,
    ) -> Self:
        """Lock the repo type, then resume a recent compatible attempt or start a new one."""
        repo_dir = store.repo_dir(repo_type)
        repo_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(repo_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            msg = f"another crawl of {repo_type} is running on {store.data_dir}"
            raise AttemptLockedError(msg) from None
        path = store.attempt_dir(repo_type)
        state = cls._resumable(path, endpoint, query, resume_max_age)
        if state is None:
            if path.exists():
                shutil.rmtree(path)
            path.mkdir()
            state = AttemptState(
                repo_type=repo_type,
                date=date,
                endpoint=endpoint,
                query=query,
                started_at=utc_now(),
                started_ts=time.time(),
                parts=[PartState("part-00000.jsonl.gz")],
            )
        else:
            state.resumed += 1
        attempt = cls(store, state, lock, part_records=part_records, level=level)
        attempt._rewind()
        return attempt

    @staticmethod
    def _resumable(
        path: Path, endpoint: str, query: dict[str, Any], max_age: float
    ) -> AttemptState | None:
        try:
            state = AttemptState.load(path / STATE)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        age = time.time() - state.started_ts
        if state.endpoint != endpoint or state.query != query:
            logger.warning("Discarding an interrupted attempt made with another endpoint or query")
            return None
        if age > max_age:
            logger.warning("Discarding an interrupted attempt started %.1f hours ago", age / 3600)
            return None
        logger.info(
            "Resuming the %s attempt of %s from page %d (%d records kept)",
            state.repo_type,
            state.date,
            state.pages + 1,
            state.records,
        )
        return state

    def _rewind(self) -> None:
        """Cut every file back to the last checkpoint and drop anything written after it."""
        keep = {part.name: part.bytes for part in self.state.parts}
        keep[REJECTED] = self.state.rejected_bytes
        for path in self.path.iterdir():
            if path.name in keep:
                continue
            if path.name != STATE:
                path.unlink()
        for name, size in keep.items():
            with (self.path / name).open("ab") as fh:
                fh.truncate(size)
        self._write_state()

    @property
    def date(self) -> str:
        return self.state.date

    @property
    def part(self) -> PartState:
        return self.state.parts[-1]

    def add_record(self, line: bytes) -> None:
        """Buffer one serialized record (a JSON line) until the page's checkpoint."""
        self._records.append(line)

    def add_rejection(self, line: bytes) -> None:
        self._rejections.append(line)

    def checkpoint(self, cursor: str | None, counters: dict[str, int]) -> None:
        """Durably append the page's buffered lines, then record where the crawl resumes.

        ``cursor`` is the next page's URL for a listing (a position for other crawls), and None
        once the crawl is complete.
        """
        if self._records:
            self.part.bytes += self._append(self.part.name, self._records)
            self.part.records += len(self._records)
            self.state.records += len(self._records)
        if self._rejections:
            self.state.rejected_bytes += self._append(REJECTED, self._rejections)
            self.state.rejected += len(self._rejections)
        self._records, self._rejections = [], []
        if self.part.records >= self._part_records:
            self.state.parts.append(PartState(f"part-{len(self.state.parts):05d}.jsonl.gz"))
            (self.path / self.part.name).touch()
        self.state.pages += 1
        self.state.cursor = cursor
        self.state.done = cursor is None
        self._counters = counters
        self._write_state()

    def _append(self, name: str, lines: list[bytes]) -> int:
        member = gzip.compress(b"".join(lines), compresslevel=self._level, mtime=0)
        with (self.path / name).open("ab") as fh:
            fh.write(member)
            fh.flush()
            os.fsync(fh.fileno())
        return len(member)

    def _write_state(self) -> None:
        state = asdict(self.state)
        state["counters"] = self.totals(self._counters)
        _fsync_write(self.path / STATE, json.dumps(state, indent=1).encode())

    def totals(self, counters: dict[str, int]) -> dict[str, int]:
        """This run's request counters added to those of the attempt's earlier runs."""
        keys = set(self.state.counters) | set(counters)
        return {key: self.state.counters.get(key, 0) + counters.get(key, 0) for key in keys}

    def committed_keys(self, key: str) -> Iterator[str]:
        """The ``key`` field of every record written up to the last checkpoint (for dedupe)."""
        for part in self.state.parts:
            if not part.records:
                continue
            with gzip.open(self.path / part.name, "rb") as fh:
                for line in fh:
                    yield orjson.loads(line)[key]

    def manifest(self, status: str, reason: str | None, counts: dict[str, int]) -> dict[str, Any]:
        """The manifest of this attempt, given this run's request counters."""
        parts = [p for p in self.state.parts if p.records or p is self.state.parts[0]]
        return {
            "repo_type": self.state.repo_type,
            "date": self.state.date,
            "status": status,
            "reason": reason,
            "crawler_version": __version__,
            "endpoint": self.state.endpoint,
            "query": self.state.query,
            "started_at": self.state.started_at,
            "finished_at": utc_now(),
            "resumed": self.state.resumed,
            "counts": {
                "records": self.state.records,
                "rejected": self.state.rejected,
                "pages": self.state.pages,
                **self.totals(counts),
            },
            "parts": [
                {"name": p.name, "records": p.records, "sha256": file_sha256(self.path / p.name)}
                for p in parts
            ],
            "rejected": {
                "name": REJECTED,
                "records": self.state.rejected,
                "sha256": file_sha256(self.path / REJECTED),
            },
        }

    def publish(self, counts: dict[str, int]) -> Path:
        """Write the manifest and rename the attempt to ``date=…`` (replacing a same-day one)."""
        for part in self.state.parts[1:]:
            if not part.records:
                (self.path / part.name).unlink()
        manifest = self.manifest("complete", None, counts)
        (self.path / STATE).unlink()
        _fsync_write(self.path / MANIFEST, json.dumps(manifest, indent=1).encode())
        _fsync_dir(self.path)
        target = self.store.partition_dir(self.state.repo_type, self.state.date)
        replaced = target.with_name(f".replaced-{target.name}")
        if target.exists():
            # Two renames: readers see the old partition or the new one, never a mixture.
            shutil.rmtree(replaced, ignore_errors=True)
            target.rename(replaced)
        self.path.rename(target)
        _fsync_dir(target.parent)
        shutil.rmtree(replaced, ignore_errors=True)
        return target

    def abandon(self, reason: str, counts: dict[str, int]) -> Path:
        """Record why this attempt stopped; it stays in place to be resumed by the next run."""
        self._counters = counts
        self._write_state()
        manifest = self.manifest("incomplete", reason, counts)
        _fsync_write(self.path / MANIFEST, json.dumps(manifest, indent=1).encode())
        return self.path

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._lock)
