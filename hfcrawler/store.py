"""The snapshot store: date-partitioned JSON Lines with a manifest, published atomically.

Its paths, part names and manifest entries are those of :mod:`hfcrawler.layout`::

    snapshots/<repo_type>/date=<YYYY-MM-DD>/part-00000.jsonl.gz, manifest.json, rejected.jsonl.gz
    snapshots/<repo_type>/.attempt/          the crawl in progress (same files plus state.json)

**One crawl per repo type.** A crawl holds an exclusive ``flock`` on the repo type's directory
itself for as long as it runs: there is no lock file to delete or to leave behind, and the kernel
releases the lock however the process ends.

**Writing.** An :class:`Attempt` appends each page as one gzip member per file and then
checkpoints (fsync, then an atomic rewrite of ``state.json``), so a crawl killed at any moment
is resumed from its last checkpoint by cutting the files back to it. An error while writing a
page (a full disk, say) cuts the files back at once and fails the attempt: it takes no later
page, and pages are taken only in order, so a page can never be skipped.

**Publishing** happens only once the walk checkpointed its last page and the attempt passes the
sanity rules (:mod:`hfcrawler.sanity`), in steps that each leave the store whole if the process
is killed right after them (their names, in :data:`PUBLISH_STEPS`, are reported to an optional
callback):

1. ``checked``: the sanity rules passed;
2. ``sealed``: ``state.json`` says ``publishing``: from now on the attempt is published, by this
   run or by the next one, whatever the settings then;
3. ``manifest``: the manifest is written into ``.attempt`` (and empty files made empty gzip);
4. ``set-aside``: a partition of the same date is renamed to ``.replaced-date=…``;
5. ``in-place``: ``.attempt`` is renamed to ``date=…``;
6. ``state-removed``: ``state.json`` is removed from the partition;
7. ``old-removed``: the replaced partition is deleted.

The next crawl of the repo type first finishes what an interrupted one left: it puts back a
partition set aside whose replacement is not in place (or deletes it when it is), removes a stray
``state.json`` from a partition, and publishes a finished attempt under its own date, or, when it
is for the date and query of the new crawl, resumes it (the crawl then fetches nothing and
publishes it). A finished attempt that fails the sanity rules (and was never sealed) is discarded
by the next crawl, which then crawls again. A ``date=`` directory thus only ever holds a complete
partition; readers need no other signal (the manifest's ``status`` says so too).
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import gzip
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import orjson

from hfcrawler import __version__
from hfcrawler.layout import (
    PARTITION_PREFIX,
    REJECTED,
    REPLACED,
    STATE,
    DataLayout,
    ManifestError,
    part_entry,
    part_name,
    read_manifest,
    replace_durably,
    write_manifest,
)
from hfcrawler.sanity import SanityRules, expanded_fields

logger = logging.getLogger(__name__)

# What an empty file of a partition holds: a gzip stream of nothing, which every reader accepts.
EMPTY_GZIP = gzip.compress(b"", mtime=0)
PUBLISH_STEPS = (
    "checked",
    "sealed",
    "manifest",
    "set-aside",
    "in-place",
    "state-removed",
    "old-removed",
)


class AttemptLockedError(RuntimeError):
    """Another crawl of the same repo type is writing to the same data directory."""


class AttemptFailedError(RuntimeError):
    """A page could not be written: the attempt is back at its last checkpoint and takes no more."""


class NotPublishableError(RuntimeError):
    """A finished attempt the sanity rules refuse; the message says why and how to accept it."""


def utc_now() -> str:
    """The current time in the Hub's timestamp form."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    # Set once the finished attempt passed the sanity rules and publishing began.
    publishing: bool = False
    pages: int = 0
    records: int = 0
    rejected: int = 0
    rejected_bytes: int = 0
    parts: list[PartState] = field(default_factory=list)
    # Fields asked for with ``expand`` that had a value in at least one record written so far.
    fields_seen: list[str] = field(default_factory=list)
    # Request counters of earlier runs of this attempt (stats do not survive a restart).
    counters: dict[str, int] = field(default_factory=dict)
    resumed: int = 0

    @classmethod
    def load(cls, path: Path) -> Self:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**{**data, "parts": [PartState(**part) for part in data["parts"]]})


class SnapshotStore:
    """The snapshot tree under one data directory: its complete partitions and its lock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.layout = DataLayout(data_dir)

    def complete_partitions(self, repo_type: str) -> list[tuple[str, dict[str, Any]]]:
        """(date, manifest) of every complete partition of a repo type, oldest first."""
        found = []
        for path in sorted(self.layout.snapshots(repo_type).glob(f"{PARTITION_PREFIX}*")):
            try:
                manifest = read_manifest(path)
            except ManifestError:
                continue
            if manifest.get("status") == "complete":
                found.append((path.name.removeprefix(PARTITION_PREFIX), manifest))
        return found

    def latest_complete(self, repo_type: str) -> tuple[str, dict[str, Any]] | None:
        partitions = self.complete_partitions(repo_type)
        return partitions[-1] if partitions else None

    def baseline(self, state: AttemptState) -> tuple[str, dict[str, Any]] | None:
        """The latest complete partition an attempt is compared with: same repo type, same
        endpoint (another Hub's size says nothing), dated no later than the attempt."""
        for date, manifest in reversed(self.complete_partitions(state.repo_type)):
            if date <= state.date and manifest.get("endpoint") == state.endpoint:
                return date, manifest
        return None

    def lock(self, repo_type: str) -> int:
        """Lock the repo type's directory for this process; closing the returned fd unlocks it.

        The lock is held on the directory itself, not on a file in it, so that deleting a file
        can never let a second crawl in, and nothing is left behind to block the next crawl.
        """
        repo_dir = self.layout.snapshots(repo_type)
        repo_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(repo_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            msg = f"another crawl of {repo_type} is running on {self.data_dir}"
            raise AttemptLockedError(msg) from None
        except OSError:
            os.close(fd)
            raise
        return fd

    def tidy(self, repo_type: str) -> None:
        """Undo or finish what a publish killed half-way left behind (the caller holds the lock).

        A partition set aside is put back when its replacement is not in place, else deleted; a
        ``state.json`` left in a published partition is removed.
        """
        repo_dir = self.layout.snapshots(repo_type)
        for aside in repo_dir.glob(f"{REPLACED}{PARTITION_PREFIX}*"):
            target = repo_dir / aside.name.removeprefix(REPLACED)
            if target.exists():
                shutil.rmtree(aside)
                continue
            aside.rename(target)
            _fsync_dir(repo_dir)
            logger.warning("Put back the partition %s, set aside by an interrupted publish", target)
        for stray in repo_dir.glob(f"{PARTITION_PREFIX}*/{STATE}"):
            stray.unlink()
            logger.info("Removed the state file left in %s by an interrupted publish", stray.parent)


class Attempt:
    """A partition being written: resumable, published only when complete."""

    def __init__(
        self,
        store: SnapshotStore,
        state: AttemptState,
        lock: int | None,
        *,
        part_records: int,
        level: int,
        sanity: SanityRules,
        on_step: Callable[[str], None] | None,
    ) -> None:
        self.store = store
        self.state = state
        self.path = store.layout.attempt(state.repo_type)
        self._lock = lock
        self._part_records = part_records
        self._level = level
        self._sanity = sanity
        self._on_step = on_step
        # The state as of the last checkpoint, which a failed page rolls back to.
        self._committed = copy.deepcopy(state)
        self._counters: dict[str, int] = {}
        self.error: str | None = None

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
        sanity: SanityRules | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> Self:
        """Lock the repo type, settle what an earlier run left, then resume or start an attempt.

        ``on_step`` is called with the name of each publish step once it is durable.
        """
        lock = store.lock(repo_type)
        options: dict[str, Any] = {
            "part_records": part_records,
            "level": level,
            "sanity": sanity or SanityRules(),
            "on_step": on_step,
        }
        try:
            store.tidy(repo_type)
            attempt = cls._earlier(store, repo_type, lock, options)
            if attempt is not None and attempt._continues(date, endpoint, query, resume_max_age):
                attempt._resume()
                return attempt
            if attempt is not None and attempt.state.done:
                attempt._settle()
            state = AttemptState(
                repo_type=repo_type,
                date=date,
                endpoint=endpoint,
                query=query,
                started_at=utc_now(),
                started_ts=time.time(),
                parts=[PartState(part_name(0))],
            )
            return cls._start(store, state, lock, options)
        except BaseException:
            os.close(lock)
            raise

    @classmethod
    def _earlier(
        cls, store: SnapshotStore, repo_type: str, lock: int, options: dict[str, Any]
    ) -> Self | None:
        """The attempt an earlier run left, cut back to its last checkpoint, if it has one."""
        try:
            state = AttemptState.load(store.layout.attempt(repo_type) / STATE)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        attempt = cls(store, state, lock, **options)
        attempt._rewind()
        return attempt

    @classmethod
    def _start(
        cls, store: SnapshotStore, state: AttemptState, lock: int, options: dict[str, Any]
    ) -> Self:
        path = store.layout.attempt(state.repo_type)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir()
        attempt = cls(store, state, lock, **options)
        attempt._rewind()
        return attempt

    def _resume(self) -> None:
        self.state.resumed += 1
        self._commit_state()
        logger.info(
            "Resuming the %s attempt of %s from page %d (%d records kept)",
            self.state.repo_type,
            self.state.date,
            self.state.pages + 1,
            self.state.records,
        )

    def _continues(self, date: str, endpoint: str, query: dict[str, Any], max_age: float) -> bool:
        """Whether this crawl carries on with the earlier attempt rather than starting afresh."""
        state = self.state
        if state.endpoint != endpoint or state.query != query:
            if not state.done:
                logger.warning(
                    "Discarding an interrupted attempt made with another endpoint or query"
                )
            return False
        if state.done:
            # Finished: resumed (to publish it) only by a crawl of its own date; never too old.
            return state.date == date and (state.publishing or self.problem() is None)
        age = time.time() - state.started_ts
        if age > max_age:
            logger.warning("Discarding an interrupted attempt started %.1f hours ago", age / 3600)
            return False
        return True

    def _settle(self) -> None:
        """Publish a finished attempt of another date or query under its own date, if it may."""
        try:
            target = self.publish({})
        except NotPublishableError as exc:
            logger.warning(
                "Discarding the finished %s attempt of %s, not published: %s",
                self.state.repo_type,
                self.state.date,
                exc,
            )
            return
        logger.warning(
            "Published %s, finished by an earlier run that was stopped before publishing it",
            target,
        )

    def _rewind(self) -> None:
        """Cut every file back to the last checkpoint and drop anything written after it."""
        keep = {part.name for part in self.state.parts} | {REJECTED, STATE}
        for path in self.path.iterdir():
            if path.name not in keep:
                path.unlink()
        self._truncate()
        self._commit_state()

    def _truncate(self) -> None:
        """Cut (or create) every file at its size as of the last checkpoint."""
        sizes = {part.name: part.bytes for part in self._committed.parts}
        sizes[REJECTED] = self._committed.rejected_bytes
        for name, size in sizes.items():
            with (self.path / name).open("ab") as fh:
                fh.truncate(size)

    @property
    def date(self) -> str:
        return self.state.date

    @property
    def part(self) -> PartState:
        return self.state.parts[-1]

    def unseen_fields(self) -> list[str]:
        """Fields asked for with ``expand`` that no record written so far had a value for."""
        seen = set(self.state.fields_seen)
        return [name for name in expanded_fields(self.state.query) if name not in seen]

    def commit(
        self,
        number: int,
        records: list[bytes],
        rejections: list[bytes],
        *,
        cursor: str | None,
        counters: dict[str, int],
        fields: Iterable[str] = (),
    ) -> None:
        """Durably append page ``number``'s lines, then record where the crawl resumes.

        ``records`` and ``rejections`` are serialized JSON lines; ``cursor`` is the next page's
        URL for a listing (a position for other crawls), None once the crawl is complete;
        ``fields`` are the expanded fields that had a value on this page. Pages must come in
        order; after an error the attempt is back at its last checkpoint and refuses every page.
        """
        if self.error is not None:
            msg = f"page {number} not written: an earlier page failed ({self.error})"
            raise AttemptFailedError(msg)
        if number != self.state.pages + 1:
            self.fail(f"page {number} came when page {self.state.pages + 1} was expected")
            raise AttemptFailedError(self.error)
        state = self.state
        try:
            if records:
                self.part.bytes += self._append(self.part.name, records)
                self.part.records += len(records)
                state.records += len(records)
            if rejections:
                state.rejected_bytes += self._append(REJECTED, rejections)
                state.rejected += len(rejections)
            if self.part.records >= self._part_records:
                state.parts.append(PartState(part_name(len(state.parts))))
                (self.path / self.part.name).touch()
            state.fields_seen += sorted(set(fields) - set(state.fields_seen))
            state.pages = number
            state.cursor = cursor
            state.done = cursor is None
            self._counters = counters
            self._commit_state()
        except Exception as exc:
            self.fail(f"page {number} could not be written: {type(exc).__name__}: {exc}")
            raise

    def fail(self, reason: str) -> None:
        """Take no more pages, and cut the files back to the last checkpoint.

        Called when a page could not be written or processed; only the first reason is kept.
        """
        if self.error is None:
            self.error = reason
            logger.error("The %s attempt takes no more pages: %s", self.state.repo_type, reason)
        self.state = copy.deepcopy(self._committed)
        try:
            self._truncate()
        except OSError as exc:  # the next run cuts them back anyway
            logger.warning("Could not cut the attempt back to its last checkpoint: %s", exc)

    def _append(self, name: str, lines: list[bytes]) -> int:
        member = gzip.compress(b"".join(lines), compresslevel=self._level, mtime=0)
        with (self.path / name).open("ab") as fh:
            fh.write(member)
            fh.flush()
            os.fsync(fh.fileno())
        return len(member)

    def _commit_state(self) -> None:
        """Write the state durably; it is then what a failure rolls back to."""
        state = asdict(self.state)  # a deep copy
        committed = AttemptState.from_dict(state)
        state["counters"] = self.totals(self._counters)
        replace_durably(self.path / STATE, json.dumps(state, indent=1).encode())
        self._committed = committed

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

    def _published_parts(self) -> list[PartState]:
        """The parts a partition lists: every part with records, and always the first."""
        return [p for p in self.state.parts if p.records or p is self.state.parts[0]]

    def manifest(self, status: str, reason: str | None, counts: dict[str, int]) -> dict[str, Any]:
        """The manifest of this attempt, given this run's request counters."""
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
            "parts": [part_entry(self.path / p.name, p.records) for p in self._published_parts()],
            "rejected": part_entry(self.path / REJECTED, self.state.rejected),
        }

    def problem(self) -> str | None:
        """Why the sanity rules refuse to publish this attempt, or None."""
        return self._sanity.problem(self.state, self.store.baseline(self.state))

    def _step(self, name: str) -> None:
        if self._on_step is not None:
            self._on_step(name)

    def publish(self, counts: dict[str, int]) -> Path:
        """Publish the finished attempt as ``date=…``, replacing a same-day partition.

        Raises NotPublishableError when the sanity rules refuse it (unless it was sealed before).
        Each step is durable before the next begins; see the module docstring.
        """
        if self.error is not None or not self.state.done:
            msg = f"an unfinished or failed attempt is never published ({self.error})"
            raise AttemptFailedError(msg)
        if not self.state.publishing:
            if problem := self.problem():
                raise NotPublishableError(problem)
            self._step("checked")
            self.state.publishing = True
            self._counters = counts
            self._commit_state()
        self._step("sealed")
        self._write_manifest(counts)
        self._step("manifest")
        target = self.store.layout.partition(self.state.repo_type, self.state.date)
        aside = self.store.layout.replaced(self.state.repo_type, self.state.date)
        if target.exists():
            # Two renames: readers see the old partition or the new one, never a mixture; a kill
            # between them is undone by the next crawl (SnapshotStore.tidy).
            target.rename(aside)
            _fsync_dir(target.parent)
        self._step("set-aside")
        self.path.rename(target)
        try:
            _fsync_dir(target.parent)
            self._step("in-place")
            (target / STATE).unlink()
            _fsync_dir(target)
            self._step("state-removed")
            if aside.exists():
                shutil.rmtree(aside)
            self._step("old-removed")
        except OSError as exc:  # the partition is in place: what is left, the next crawl tidies
            logger.warning("Published %s, but could not tidy up after it: %s", target, exc)
        return target

    def _write_manifest(self, counts: dict[str, int]) -> None:
        """Drop a trailing empty part, make every empty file an empty gzip, write the manifest."""
        listed = [part.name for part in self._published_parts()]
        for part in self.state.parts:
            if part.name not in listed:
                (self.path / part.name).unlink(missing_ok=True)
        for name in [*listed, REJECTED]:
            if (self.path / name).stat().st_size == 0:
                replace_durably(self.path / name, EMPTY_GZIP)
        write_manifest(self.path, self.manifest("complete", None, counts), durable=True)
        _fsync_dir(self.path)

    def abandon(self, reason: str, counts: dict[str, int]) -> Path:
        """Record why this attempt stopped; it stays in place to be resumed by the next run.

        On a full disk the record may not fit: the attempt still resumes from its checkpoint.
        """
        self._counters = counts
        try:
            self._commit_state()
            write_manifest(self.path, self.manifest("incomplete", reason, counts), durable=True)
        except OSError as exc:
            logger.warning("Could not record why the attempt stopped: %s", exc)
        return self.path

    def close(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
