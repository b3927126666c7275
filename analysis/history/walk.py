"""Adoption velocity of repos and authors: who gained most downloads lately (or likes, for Spaces:
the repo type's counter), and who rose most against their usual pace (analysis.history.rising), in
one walk. The models are the example below; datasets and Spaces are walked the same way.

A model's gain over a window (see analysis.history.rankings) is the sum of its `gained` over the
window's intervals (an anomaly or a missing count adds nothing), and its rate divides by the days
of the intervals in which it was measured. An author's gain is the sum of its models' gains, per
day of the whole window.

Models are followed across the intervals by position (`_Walk`): each interval knows the row of
every continuing model in the snapshots before and after it, so walking back from the latest
interval numbers every model once (its slot) and sums become numpy additions, where matching ids
again, interval after interval, cost a hash join of millions of strings each time. A model missing
from a snapshot and listed again later keeps its one slot: only the few models deleted in an
interval are matched by id, against the few created after it, so its gains over every stretch it
was listed add up and it is ranked once. One walk reads
each interval once and keeps only running sums (`velocities`): the history's tables took 11 s and
1.3 GB over 30 days of 2.7M models when the rankings and each series walked on their own. The walk,
its window sums and its series are one algorithm whose state moves in step, which is why this
module is longer than most.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.defaults import RELATIVE_FLOOR
from analysis.history.intervals import Interval
from analysis.history.rankings import (
    Velocity,
    empty_ranking,
    fastest_names,
    leaders,
    ranking_frame,
    series_frame,
    span_frame,
    window,
)
from analysis.history.rising import Trends, creation_days, rising, rising_frame, usual_pace

# A nullable integer column as numpy: values (nulls as 0) and validity.
_Gains = tuple[np.ndarray, np.ndarray]
# The running sums per slot: downloads gained, days measured.
_Sums = tuple[np.ndarray, np.ndarray]


def _values(column: pa.ChunkedArray) -> _Gains:
    """A nullable integer column as (values with nulls as 0, validity mask)."""
    valid = column.is_valid().to_numpy()
    return column.fill_null(0).to_numpy(), valid


class _Walk:
    """Numbers the models of consecutive intervals (oldest first) once, walking back from the
    latest: `steps()` yields each interval's slots (the slot of each row of its deltas).

    The latest interval's models take their deltas' row numbers as slots, and their ids and
    authors from the latest snapshot's cache; in each earlier interval, a model continuing into
    the next one takes its slot there, and the others (deleted in the next one, so listed in its
    `deleted.parquet`) take the slot of the same id among the models created after it (listed
    again), or are numbered after. Only positions are read otherwise, and the ids of the models
    deleted and created (a few thousand a day).
    """

    def __init__(self, spans: list[Interval], latest_cache: Path) -> None:
        self.spans = spans
        self.latest_cache = latest_cache
        self.count = 0
        self._ids: list[pa.Array] = []
        self._authors: list[pa.Array] = []
        # The models created in the intervals walked that continue into the next one: their
        # slots and ids, for those deleted earlier to find.
        self._created_slots: list[np.ndarray] = []
        self._created_ids: list[pa.Array] = []
        self._coded: tuple[np.ndarray, pa.Array] = (np.zeros(0, np.intp), pa.array([], pa.string()))

    def ids(self) -> pa.ChunkedArray:
        """The id of every slot numbered so far."""
        return pa.chunked_array(self._ids, pa.string())

    def authors(self) -> pa.ChunkedArray:
        """The author of every slot numbered so far."""
        return pa.chunked_array(self._authors, pa.string())

    def author_codes(self) -> tuple[np.ndarray, pa.Array]:
        """The code of each slot's author (-1 without one) in the names returned, in the order
        the names first appear. Each slot's author is encoded once: the slots numbered since the
        last call (a few thousand, but the first time) are encoded alone and their names looked up
        among those known, new names coded after them, which gives the codes of one encoding of
        every slot (encoding millions of names again for each window ranked took a fifth of the
        walk)."""
        codes, names = self._coded
        if len(codes) == self.count:
            return self._coded
        encoded = pc.dictionary_encode(self.authors().slice(len(codes))).combine_chunks()
        local = encoded.dictionary
        known = pc.fill_null(pc.index_in(local, value_set=names), -1).to_numpy().astype(np.intp)
        unseen = np.flatnonzero(known < 0)
        known[unseen] = len(names) + np.arange(len(unseen))
        names = pa.concat_arrays([names, local.take(pa.array(unseen))])
        # The last entry codes the slots without an author (-1 as an index).
        global_codes = np.append(known, -1)
        indices = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.intp)
        self._coded = np.concatenate([codes, global_codes[indices]]), names
        return self._coded

    def capacity(self) -> int:
        """How many slots the whole walk can number at most."""
        if not self.spans:
            return 0
        later = sum(int(span.totals["deleted"]) for span in self.spans[1:])
        return int(self.spans[-1].totals["continuing"]) + later

    def steps(self) -> Iterator[tuple[int, np.ndarray, pa.Table]]:
        """Each interval from the latest back: its index, its rows' slots and its deltas (rows
        and gains)."""
        slot_of_end: np.ndarray | None = None
        for index in reversed(range(len(self.spans))):
            span = self.spans[index]
            table = span.deltas(["start_row", "end_row", "gained"])
            end_rows = table["end_row"].to_numpy().astype(np.intp)
            if slot_of_end is None:
                slots = np.arange(table.num_rows, dtype=np.intp)
                self._append_latest(pa.array(end_rows), table.num_rows)
            else:
                slots = slot_of_end[end_rows]
                new = np.flatnonzero(slots < 0)
                # Their end rows are the rows the next interval lists as deleted.
                gone = self.spans[index + 1].deleted()
                where = pa.array(np.searchsorted(gone["start_row"].to_numpy(), end_rows[new]))
                ids, authors = gone["id"].take(where), gone["author"].take(where)
                found = self._listed_again(ids)
                unknown = found < 0
                found[unknown] = np.arange(self.count, self.count + unknown.sum(), dtype=np.intp)
                slots[new] = found
                kept = pa.array(unknown)
                self._append(ids.filter(kept), authors.filter(kept), int(unknown.sum()))
                self._note_created(slot_of_end, end_rows)
            # Native-size indices: numpy converts any other kind on every fancy index (twice the
            # time of the indexing itself); only the current interval's are held.
            slot_of_end = np.full(int(span.totals["repos_start"]), -1, dtype=np.intp)
            slot_of_end[table["start_row"].to_numpy().astype(np.intp)] = slots
            yield index, slots, table

    def _note_created(self, slot_of_end: np.ndarray, end_rows: np.ndarray) -> None:
        """Keep the slots and ids of the models created in the interval whose `end_rows` (rows of
        its end snapshot) are given, from the next interval's slots by start row `slot_of_end`:
        the slotted rows that the interval does not continue."""
        continued = np.zeros(len(slot_of_end), dtype=bool)
        continued[end_rows] = True
        created = np.sort(slot_of_end[~continued & (slot_of_end >= 0)])
        if len(created):
            self._created_slots.append(created)
            self._created_ids.append(self._named(created))

    def _named(self, slots: np.ndarray) -> pa.Array:
        """The ids of the ascending `slots`, taken from each block of slots numbered at once
        (taking from all the ids as one chunked array would copy millions of them first)."""
        taken = []
        start = 0
        for block in self._ids:
            low, high = np.searchsorted(slots, [start, start + len(block)])
            if high > low:
                taken.append(block.take(pa.array(slots[low:high] - start)))
            start += len(block)
        return pa.concat_arrays(taken)

    def _listed_again(self, ids: pa.ChunkedArray) -> np.ndarray:
        """The slot of each of `ids` among the models created in the intervals walked (a model
        deleted and listed again later), -1 for the others."""
        slots = np.full(len(ids), -1, dtype=np.intp)
        if not self._created_ids or not len(ids):
            return slots
        # The created ones are looked up among the deleted ones (a few thousand): hashing
        # those costs less than hashing all the created ones of up to 30 intervals.
        created = pa.chunked_array(self._created_ids, pa.string())
        positions = pc.index_in(created, value_set=ids.combine_chunks())
        at = pc.fill_null(positions, -1).to_numpy()
        hits = np.flatnonzero(at >= 0)
        slots[at[hits]] = np.concatenate(self._created_slots)[hits]
        return slots

    def _append_latest(self, rows: pa.Array, count: int) -> None:
        """Name the latest interval's slots from the latest snapshot's rows, one column at a time;
        the columns read are given back to the system (pyarrow's allocator would keep them)."""
        named = []
        for column in ("id", "author"):
            named.append(pq.read_table(self.latest_cache, columns=[column])[column].take(rows))
            pa.default_memory_pool().release_unused()
        self._append(*named, count)

    def _append(self, ids: pa.ChunkedArray, authors: pa.ChunkedArray, count: int) -> None:
        self._ids.append(ids.combine_chunks())
        self._authors.append(authors.combine_chunks())
        self.count += count


@dataclass(frozen=True)
class WindowSums:
    """Per slot over a window: downloads gained, days measured, downloadsAllTime at its start."""

    gained: np.ndarray
    days: np.ndarray
    start: np.ndarray
    has_start: np.ndarray


class _Series:
    """The gains per interval of the slots followed: models by id, authors by author."""

    def __init__(self, key: str, names: list[str]) -> None:
        self.key = key
        self.names = names
        self._wanted = pa.array(names, pa.string())
        # Whether each slot numbered so far is followed; the followed slots, ascending, and the
        # index in `names` of each one's name.
        self._followed = np.zeros(0, dtype=bool)
        self._slots = np.zeros(0, dtype=np.intp)
        self._codes = np.zeros(0, dtype=np.intp)
        self._frames: list[pd.DataFrame] = []

    def _catch_up(self, walk: _Walk) -> None:
        """Follow the slots numbered since the last call (a few thousand, but the first time)."""
        known = len(self._followed)
        if known == walk.count:
            return
        labels = (walk.ids() if self.key == "id" else walk.authors()).slice(known)
        codes = pc.index_in(labels, value_set=self._wanted)
        fresh = np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in codes.chunks])
        self._followed = np.concatenate([self._followed, fresh])
        self._slots = np.concatenate([self._slots, known + np.flatnonzero(fresh)])
        found = pc.drop_null(codes).to_numpy().astype(np.intp)
        self._codes = np.concatenate([self._codes, found])

    def add(self, walk: _Walk, span: Interval, slots: np.ndarray, gains: _Gains) -> None:
        """Keep the followed slots' gains in `span` (slots of its rows, gains of its rows)."""
        self._catch_up(walk)
        rows = np.flatnonzero(self._followed[slots])
        codes = self._codes[np.searchsorted(self._slots, slots[rows])]
        values, valid = gains[0][rows], gains[1][rows]
        if self.key == "author":
            # A model's missing gain (anomaly, no count) adds nothing to its author's; an author
            # with no gain measured in the interval has none (null), not zero.
            summed = np.zeros(len(self.names), dtype=np.int64)
            np.add.at(summed, codes[valid], values[valid])
            measured = np.bincount(codes[valid], minlength=len(self.names)) > 0
            codes = np.flatnonzero(np.bincount(codes, minlength=len(self.names)))
            values, valid = summed[codes], measured[codes]
        gained = pa.array(values, mask=~valid)
        named = pa.table({self.key: self._wanted.take(pa.array(codes)), "gained": gained})
        self._frames.append(span_frame(named, self.key, span))

    def frame(self) -> pd.DataFrame:
        """The series, by name (in the order followed), then by date."""
        return series_frame(self._frames, self.key, self.names)


def _models_table(ids: pa.ChunkedArray, sums: WindowSums, top: int) -> pa.Table:
    """The models measured in the window that can rank among the `top` by gain or by relative
    gain: only their ids are looked up, not millions."""
    measured = sums.days > 0
    above = measured & sums.has_start & (sums.start >= RELATIVE_FLOOR)
    relative = np.zeros(len(measured))
    np.divide(sums.gained, sums.start, out=relative, where=above)
    chosen = np.flatnonzero(leaders(sums.gained, measured, top) | leaders(relative, above, top))
    return pa.table(
        {
            "name": ids.take(pa.array(chosen)),
            "gained": sums.gained[chosen],
            "days": sums.days[chosen],
            "start_all_time": pa.array(sums.start[chosen], mask=~sums.has_start[chosen]),
        }
    )


def _authors_table(walk: _Walk, sums: WindowSums) -> pa.Table:
    """Per author with at least one model measured: gains summed, start of the models known."""
    codes, names = walk.author_codes()
    counted = len(sums.days)
    codes = codes[:counted]
    # Summed by the names' codes with numpy (np.add.at on integers: the sums stay exact); the
    # names are hashed once per walk, not once per window.
    rows = np.flatnonzero(((sums.days > 0) | sums.has_start) & (codes >= 0))
    kept = codes[rows]
    groups = len(names)
    measured = np.bincount(kept[sums.days[rows] > 0], minlength=groups)
    started = np.bincount(kept[sums.has_start[rows]], minlength=groups)
    starts = _group_sums(kept, np.where(sums.has_start[rows], sums.start[rows], 0), groups)
    gained = _group_sums(kept, sums.gained[rows], groups)
    shown = np.flatnonzero(measured > 0)
    return pa.table(
        {
            "name": names.take(pa.array(shown)),
            "gained": gained[shown],
            "start_all_time": pa.array(starts[shown], mask=started[shown] == 0),
        }
    )


def _group_sums(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """The sums of `values` by their `codes` (0 to `groups` - 1), as exact integers."""
    sums = np.zeros(groups, dtype=np.int64)
    np.add.at(sums, codes, values.astype(np.int64))
    return sums


def _ranking(
    walk: _Walk, key: str, window_days: int, top: int, sums: dict[int, WindowSums]
) -> pd.DataFrame:
    """The `top` gainers by `key` (id or author) in the window of `window_days`, absolute and
    relative, from the window's `sums`."""
    try:
        return _ranked(walk, key, window_days, top, sums)
    finally:
        # Grouping millions of authors leaves memory in pyarrow's allocator: give it back.
        pa.default_memory_pool().release_unused()


def _ranked(
    walk: _Walk, key: str, window_days: int, top: int, sums: dict[int, WindowSums]
) -> pd.DataFrame:
    chosen = window(walk.spans, window_days)
    if not chosen:
        return empty_ranking(key, window_days)
    if key == "id":
        table = _models_table(walk.ids(), sums[window_days], top)
    else:
        table = _authors_table(walk, sums[window_days])
    return ranking_frame(table, key, window_days, top, chosen)


KEYS = ("id", "author")


def _first_of(spans: list[Interval], days: int) -> int | None:
    """The index in `spans` of the first interval of the window of `days`, if any."""
    inside = window(spans, days)
    return len(spans) - len(inside) if inside else None


def _firsts(spans: list[Interval], windows: tuple[int, ...]) -> dict[int, list[int]]:
    """The windows by the index in `spans` of their first interval."""
    firsts: dict[int, list[int]] = {}
    for days in windows:
        first = _first_of(spans, days)
        if first is not None:
            firsts.setdefault(first, []).append(days)
    return firsts


class _Risers:
    """The rising repos of the `trends`' windows, ranked as the walk passes each one's first
    interval, from the walk's running sums."""

    def __init__(self, walk: _Walk, trends: Trends) -> None:
        self.trends = trends
        self.firsts = _firsts(walk.spans, trends.windows)
        # When each repo of the latest snapshot was created (the first slots), read at the
        # latest interval: a repo keeps its creation date.
        self.created = np.zeros(0)
        self.ranked: list[tuple[int, pd.DataFrame]] = []

    def step(
        self, walk: _Walk, index: int, table: pa.Table, slots: np.ndarray, sums: _Sums
    ) -> None:
        """Take the walk's `index`-th interval (its rows `table`, their `slots`) with the
        running `sums` (gained, days measured)."""
        span = walk.spans[index]
        if index == len(walk.spans) - 1:
            end_rows = table["end_row"].to_numpy().astype(np.intp)
            self.created = creation_days(self.trends.caches[span.end], end_rows)
        if index not in self.firsts:
            return
        usual = np.full(walk.count, np.nan)
        # Only the repos still listed at the end, numbered first from the latest interval.
        listed = slots < len(self.created)
        rows = table["start_row"].to_numpy().astype(np.intp)[listed]
        cache, trend = self.trends.caches[span.start], self.trends.trend
        created = self.created[slots[listed]]
        usual[slots[listed]] = usual_pace(cache, rows, created, span.start, trend)
        gained, measured = (values[: walk.count] for values in sums)
        ranked = rising(walk.ids(), gained, measured, usual, trend=trend, top=self.trends.top)
        end = walk.spans[-1].end
        self.ranked += [
            (days, rising_frame(ranked, days, span.start, end)) for days in self.firsts[index]
        ]

    def frame(self) -> pd.DataFrame:
        """The risers of every window, in the order of the windows."""
        self.ranked.sort(key=lambda ranked: self.trends.windows.index(ranked[0]))
        return pd.concat([frame for _, frame in self.ranked], ignore_index=True)


def velocities(
    spans: list[Interval], windows: tuple[int, ...], top: int, follow: int, trends: Trends
) -> Velocity:
    """Rank models and authors by the downloads gained over each window (in days) before the
    latest snapshot, follow the `follow` fastest of the shortest window day by day over the
    longest one, and rank the rising repos over each of the `trends`' windows.

    One walk back from the latest interval reads each interval's deltas once: the sums of the
    nested windows are taken as the walk passes their first interval (the risers are ranked
    there and then); once it has passed the shortest window's, the fastest are known, and each
    interval adds its followed slots' gains (those already walked were kept until then). `spans`
    are all the intervals, oldest first.
    """
    shortest = min(windows)
    longest = max(*windows, *trends.windows)
    walk = _Walk(window(spans, longest), trends.caches[spans[-1].end])
    firsts = _firsts(walk.spans, windows)
    risers = _Risers(walk, trends)
    size = walk.capacity()
    gained = np.zeros(size, dtype=np.int64)
    # Days measured fit in 32 bits; the window sums are kept for each window until it is ranked.
    measured = np.zeros(size, dtype=np.int32)
    sums: dict[int, WindowSums] = {}
    follow_from = _first_of(walk.spans, shortest)
    ranked: dict[int, dict[str, pd.DataFrame]] = {}
    # Until the walk has passed the shortest window, the fastest are unknown: the slots of the
    # intervals walked wait (their gains are read again then).
    followers: list[_Series] | None = [] if follow_from is None else None
    waiting: list[tuple[int, np.ndarray]] = []
    for index, slots, table in walk.steps():
        span = walk.spans[index]
        gains = _values(table["gained"])
        # A model has one row per interval, so these slots are distinct; a missing gain is 0.
        gained[slots] += gains[0]
        measured[slots] += gains[1].astype(np.int32) * span.days
        risers.step(walk, index, table, slots, (gained, measured))
        if index in firsts:
            before, known = _values(span.deltas(["before"])["before"])
            start = np.zeros(walk.count, dtype=np.int64)
            has_start = np.zeros(walk.count, dtype=bool)
            start[slots[known]] = before[known]
            has_start[slots[known]] = True
            summed = WindowSums(
                gained[: walk.count].copy(), measured[: walk.count].copy(), start, has_start
            )
            sums.update(dict.fromkeys(firsts[index], summed))
        if followers is not None:
            for followed in followers:
                followed.add(walk, span, slots, gains)
            continue
        waiting.append((index, slots.astype(np.int32)))
        if index == follow_from:
            ranked[shortest] = {key: _ranking(walk, key, shortest, top, sums) for key in KEYS}
            del sums[shortest]
            followers = [
                _Series(key, fastest_names(ranked[shortest][key], key, follow)) for key in KEYS
            ]
            for waited, waited_slots in waiting:
                again = _values(walk.spans[waited].deltas(["gained"])["gained"])
                for followed in followers:
                    followed.add(walk, walk.spans[waited], waited_slots.astype(np.intp), again)
            waiting.clear()
    for days in windows:
        if days not in ranked:
            ranked[days] = {key: _ranking(walk, key, days, top, sums) for key in KEYS}
    rankings = {
        key: pd.concat([ranked[days][key] for days in windows], ignore_index=True) for key in KEYS
    }
    series = {followed.key: followed.frame() for followed in followers or []}
    return Velocity(rankings, series, risers.frame())
