"""Columnar storage of one repo type (models, datasets or spaces) of the synthetic Hub.

Every repo is a row number; numpy columns hold its numbers and categorical codes, and strings (ids,
tags, sha) are built from those only when an item is served. Row numbers follow creation order,
and the `_id` of row r is `<created as 8 hex><40 random bits><r as 24 bits>`, so `_id` order is
row order and the `_id` tie-break of the Hub's sort is simply the row number.
"""

from dataclasses import dataclass, field, fields

import numpy as np

from fakehub.vocabulary import (
    BASE_MODEL_RELATIONS,
    DAY_ZERO,
    FIRST_REAL_CREATED,
    HOSTILE_REPO_NAMES,
    HOSTILE_STRINGS,
    LIBRARIES,
    LIBRARY_TASKS,
    LICENSES,
    PIPELINE_TAGS,
    PLACEHOLDER_CREATED,
    PLACEHOLDER_SECONDS,
    SPACE_SDKS,
)

REPO_TYPES = ("models", "datasets", "spaces")
MAX_ROWS = 2**24
NONE = -1
_TYPE_CODES = {"models": 1, "datasets": 2, "spaces": 3}
_PLACEHOLDER_SHARE = {"models": 0.12, "datasets": 0.06, "spaces": 0.03}
_PRIVATE_SHARE = 0.015
# The first few authors always own private repos so tests can pick an owner.
PRIVATE_OWNER_RANKS = 8
_BASE_MODEL_POOL = 40


def weights(table: tuple[tuple[object, int], ...]) -> np.ndarray:
    """Normalised probabilities of a (value, weight) vocabulary."""
    raw = np.array([weight for _, weight in table], dtype=np.float64)
    return raw / raw.sum()


def _codes(
    rng: np.random.Generator, vocabulary: tuple, count: int, none_share: float
) -> np.ndarray:
    """Categorical codes into `vocabulary`, NONE for a `none_share` of rows."""
    codes = rng.choice(len(vocabulary), size=count, p=weights(vocabulary)).astype(np.int16)
    codes[rng.random(count) < none_share] = NONE
    return codes


@dataclass
class RepoTable:
    """The columns of one repo type; row r is the r-th repo ever created."""

    repo_type: str
    id_prefix: int  # the 40 random bits in the middle of every _id of this table
    created: np.ndarray  # int64 seconds; also the time part of _id
    modified: np.ndarray  # int64 seconds
    owner: np.ndarray  # int32 author rank
    downloads: np.ndarray  # int64 30-day downloads, NONE when the Hub has none
    downloads_all_time: np.ndarray  # int64, NONE when the Hub has none
    likes: np.ndarray  # int64
    trending: np.ndarray  # float64
    pipeline: np.ndarray  # int16 code into PIPELINE_TAGS (task category for datasets)
    library: np.ndarray  # int16 code into LIBRARIES
    license: np.ndarray  # int16 code into LICENSES
    sdk: np.ndarray  # int16 code into SPACE_SDKS
    gated: np.ndarray  # int8 index into GATED_VALUES
    private: np.ndarray  # bool
    disabled: np.ndarray  # bool
    alive: np.ndarray  # bool; False once deleted
    relation: np.ndarray  # int16 code into BASE_MODEL_RELATIONS
    parents: np.ndarray  # int32 (rows, 3) parent model rows, NONE-padded
    hostile_tag: np.ndarray  # int16 index into HOSTILE_STRINGS
    hostile_name: np.ndarray  # int16 index into HOSTILE_REPO_NAMES
    salt: np.ndarray  # int64 random bits for per-item choices made at serve time
    interest: np.ndarray  # float64 expected daily downloads, before any buzz
    buzz: np.ndarray  # float64 multiplier of interest; jumps when a repo goes viral, then fades
    version: int = field(default=0)  # bumped whenever a sort key or the row set changes

    def __len__(self) -> int:
        return len(self.created)

    def extend(self, other: "RepoTable") -> None:
        """Append the rows of `other` (created later) to this table."""
        for column in fields(self):
            value = getattr(self, column.name)
            if isinstance(value, np.ndarray):
                setattr(self, column.name, np.concatenate([value, getattr(other, column.name)]))
        self.version += 1

    def object_id(self, row: int) -> str:
        return format_object_id(int(self.created[row]), self.id_prefix, row)

    def row_of(self, object_id: str) -> int | None:
        """The row an `_id` of this table names (deleted or not), None if it cannot be ours."""
        if len(object_id) != 24:
            return None
        try:
            prefix, row = int(object_id[8:18], 16), int(object_id[18:], 16)
        except ValueError:
            return None
        if prefix != self.id_prefix or row >= len(self) or self.object_id(row) != object_id:
            return None
        return row


def format_object_id(created: int, prefix: int, row: int) -> str:
    """A MongoDB-style ObjectId: creation time, then random bits, then a counter (the row)."""
    return f"{created:08x}{prefix:010x}{row:06x}"


def id_prefix(seed: int, repo_type: str) -> int:
    rng = np.random.default_rng([seed, _TYPE_CODES[repo_type], 99])
    return int(rng.integers(0, 2**40))


def creation_times(rng: np.random.Generator, count: int, repo_type: str) -> np.ndarray:
    """Sorted creation times up to day 0: old placeholders first, then ever faster growth."""
    placeholders = int(count * _PLACEHOLDER_SHARE[repo_type])
    # The cube root skews the draws towards recent dates, like the Hub's growth.
    spread = np.sort(rng.random(count - placeholders)) ** (1 / 3)
    real = FIRST_REAL_CREATED + (spread * (DAY_ZERO - 1 - FIRST_REAL_CREATED)).astype(np.int64)
    return np.concatenate([_migration_batch(placeholders), real])


def _migration_batch(count: int) -> np.ndarray:
    """`count` sorted createdAt of the migration batch, spread over its seconds by their weights.

    Apportioned, not drawn: the random stream, and so every other column, stays as it was.
    """
    seconds = np.array([second for second, _ in PLACEHOLDER_SECONDS], dtype=np.int64)
    bounds = np.round(np.cumsum([0.0, *weights(PLACEHOLDER_SECONDS)]) * count).astype(np.int64)
    return PLACEHOLDER_CREATED + np.repeat(seconds, np.diff(bounds))


def generate(
    rng: np.random.Generator,
    *,
    repo_type: str,
    prefix: int,
    created: np.ndarray,
    now: int,
    owner_weights: np.ndarray,
    first_row: int = 0,
) -> RepoTable:
    """Rows `first_row`… of a repo type, created at the sorted times `created`, seen at `now`.

    Private and disabled repos, lineage and outliers are left to `finish_initial`."""
    count = len(created)
    if first_row + count > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} {repo_type} are supported")
    age_days = np.maximum((now - created) / 86_400, 0.5)
    modified = created + (rng.random(count) ** 3 * (now - created)).astype(np.int64)
    owner = rng.choice(len(owner_weights), size=count, p=owner_weights).astype(np.int32)
    # Heavy tails: many repos are never downloaded, a few are downloaded millions of times.
    never = rng.random(count) < 0.35
    all_time = np.exp(rng.normal(3.5, 2.4, count)) * np.sqrt(age_days / 30)
    all_time = np.where(never, 0, np.minimum(all_time, 1.5e9)).astype(np.int64)
    recent = np.minimum(1.0, 30 / age_days * np.exp(rng.normal(0, 1.0, count)))
    downloads = np.floor(all_time * recent).astype(np.int64)
    likes = np.floor(np.sqrt(all_time) * np.exp(rng.normal(-2.5, 1.2, count))).astype(np.int64)
    trending = _trending_scores(rng, count)
    if repo_type == "spaces":
        downloads = np.full(count, NONE, dtype=np.int64)
        all_time = downloads.copy()
        likes = np.floor(np.exp(rng.normal(0, 1.8, count)) * (rng.random(count) < 0.5)).astype(
            np.int64
        )
    pipeline = _codes(rng, PIPELINE_TAGS, count, 0.33 if repo_type == "models" else 0.5)
    library = _codes(rng, LIBRARIES, count, 0.33 if repo_type == "models" else 1.0)
    _match_tasks_to_libraries(rng, pipeline, library)
    license_ = _codes(rng, LICENSES, count, 0.33)
    sdk = _codes(rng, SPACE_SDKS, count, 0.0 if repo_type == "spaces" else 1.0)
    gated = rng.choice(3, size=count, p=[0.93, 0.04, 0.03]).astype(np.int8)
    if repo_type == "spaces":
        gated[:] = 0
    relation = _codes(rng, BASE_MODEL_RELATIONS, count, 0.75 if repo_type == "models" else 1.0)
    hostile_tag = np.full(count, NONE, dtype=np.int16)
    hostile_rows = np.flatnonzero(rng.random(count) < 1 / 500)
    hostile_tag[hostile_rows] = rng.integers(0, len(HOSTILE_STRINGS), len(hostile_rows))
    return RepoTable(
        repo_type=repo_type,
        id_prefix=prefix,
        created=created,
        modified=modified,
        owner=owner,
        downloads=downloads,
        downloads_all_time=all_time,
        likes=likes,
        trending=trending,
        pipeline=pipeline,
        library=library,
        license=license_,
        sdk=sdk,
        gated=gated,
        private=np.zeros(count, dtype=bool),
        disabled=np.zeros(count, dtype=bool),
        alive=np.ones(count, dtype=bool),
        relation=relation,
        parents=np.full((count, 3), NONE, dtype=np.int32),
        hostile_tag=hostile_tag,
        hostile_name=np.full(count, NONE, dtype=np.int16),
        salt=rng.integers(0, 2**62, size=count, dtype=np.int64),
        interest=np.maximum(downloads, 0) / 30,
        buzz=np.ones(count),
    )


def _match_tasks_to_libraries(
    rng: np.random.Generator, pipeline: np.ndarray, library: np.ndarray
) -> None:
    """Most repos of a specialised library do that library's usual task, as on the Hub."""
    tasks = [tag for tag, _ in PIPELINE_TAGS]
    for library_name, task in LIBRARY_TASKS.items():
        code = [name for name, _ in LIBRARIES].index(library_name)
        rows = (library == code) & (pipeline != NONE) & (rng.random(len(library)) < 0.8)
        pipeline[rows] = tasks.index(task)


def _trending_scores(rng: np.random.Generator, count: int) -> np.ndarray:
    """Mostly 0, some small integers, some fractions (the Hub serves both)."""
    kind = rng.random(count)
    values = np.exp(rng.normal(1.5, 1.5, count))
    return np.where(kind < 0.7, 0.0, np.where(kind < 0.9, np.floor(values), np.round(values, 1)))


def finish_initial(rng: np.random.Generator, table: RepoTable) -> None:
    """Day-0 extras that need the whole table: private and disabled repos, lineage, outliers."""
    count = len(table)
    if count == 0:
        return
    _assign_private(rng, table)
    disabled = rng.choice(count, size=min(count, max(2, count // 20_000)), replace=False)
    table.disabled[disabled] = True
    table.private[disabled] = False
    # A disabled repo's download counters are gone, which also puts nulls in the sort orders.
    table.downloads[disabled] = NONE
    table.downloads_all_time[disabled] = NONE
    named = rng.choice(count, size=min(count, len(HOSTILE_REPO_NAMES)), replace=False)
    table.hostile_name[named] = np.arange(len(named))
    # Every hostile string shows up at least once, even in a small Hub.
    tagged = rng.choice(count, size=min(count, len(HOSTILE_STRINGS)), replace=False)
    table.hostile_tag[tagged] = np.arange(len(tagged))
    if table.repo_type != "spaces":
        _add_giants(rng, table)
    if table.repo_type == "models":
        assign_parents(rng, table, popular_models(table))


def _assign_private(rng: np.random.Generator, table: RepoTable) -> None:
    count = len(table)
    candidates = (table.owner >= 0) & (table.owner < PRIVATE_OWNER_RANKS)
    share = min(0.5, _PRIVATE_SHARE * count / max(1, int(candidates.sum())))
    table.private[:] = candidates & (rng.random(count) < share)
    for rank in range(PRIVATE_OWNER_RANKS):
        owned = np.flatnonzero(table.owner == rank)
        if len(owned) > 1 and not table.private[owned].any():
            table.private[owned[-1]] = True


def _add_giants(rng: np.random.Generator, table: RepoTable) -> None:
    """A few repos past 2^31 downloads in all; in a Hub of a million repos, one even in 30 days.

    Their 30-day downloads lead the Hub by a few times, not by orders of magnitude, so that a
    small Hub keeps a realistic concentration.
    """
    public_old = np.flatnonzero(~table.private & ~table.disabled)[:1000]
    giants = rng.choice(public_old, size=min(3, len(public_old)), replace=False)
    table.downloads_all_time[giants] = rng.integers(2**31 + 1, 6 * 2**30, size=len(giants))
    leader = int(np.max(table.downloads, initial=0))
    table.downloads[giants] = np.minimum(
        table.downloads_all_time[giants], leader * np.array([4, 3, 2][: len(giants)])
    )
    table.likes[giants] += 5_000
    if len(giants) and len(table) >= 1_000_000:
        table.downloads[giants[0]] = 2**31 + 12_345
        table.downloads_all_time[giants[0]] = 3 * 2**31
    # Their daily audience keeps their 30-day downloads where they are as days go by.
    table.interest[giants] = table.downloads[giants] / 30


def popular_models(table: RepoTable) -> np.ndarray:
    """Rows of the most downloaded public models: the parents most derived models point to."""
    eligible = np.flatnonzero(~table.private & table.alive)
    top = np.argsort(-table.downloads_all_time[eligible], kind="stable")[:_BASE_MODEL_POOL]
    return eligible[top]


def assign_parents(
    rng: np.random.Generator, table: RepoTable, pool: np.ndarray, first_row: int = 0
) -> None:
    """Parents for the derived models from `first_row` on, drawn Zipf-like from `pool`."""
    if len(pool) == 0:
        table.relation[first_row:] = NONE
        return
    rows = first_row + np.flatnonzero(table.relation[first_row:] != NONE)
    zipf = 1 / np.arange(1, len(pool) + 1)
    picks = rng.choice(pool, size=(len(rows), 3), p=zipf / zipf.sum())
    merge = BASE_MODEL_RELATIONS.index(("merge", 8))
    width = np.where(table.relation[rows] == merge, rng.integers(2, 4, len(rows)), 1)
    picks[np.arange(3)[None, :] >= width[:, None]] = NONE
    # A model is never its own parent; a merge of one model with itself is just that one parent.
    picks[picks == rows[:, None]] = NONE
    picks[:, 1][picks[:, 1] == picks[:, 0]] = NONE
    picks[:, 2][(picks[:, 2] == picks[:, 0]) | (picks[:, 2] == picks[:, 1])] = NONE
    table.parents[rows] = picks
    orphans = rows[(picks == NONE).all(axis=1)]
    table.relation[orphans] = NONE
