"""One day of the synthetic Hub's life: new repos, a few deletions, downloads and likes growing.

Each repo has an `interest` (expected daily downloads) scaled by its `buzz`, which jumps for the
few repos that go viral on a day and then fades. The day's downloads are added to
`downloadsAllTime`, and the 30-day `downloads` window drops a thirtieth of its old content and
gains the day's downloads, so it never exceeds the all-time count. Driven by numpy generators
seeded with (seed, repo type, day), so a given day is always the same.
"""

import numpy as np

from fakehub.table import (
    NONE,
    PRIVATE_OWNER_RANKS,
    RepoTable,
    assign_parents,
    generate,
    popular_models,
)
from fakehub.vocabulary import DAY_ZERO, SECONDS_PER_DAY

_NEW_SHARE = 0.003
_DELETED_SHARE = 0.0005
_VIRAL_SHARE = 0.0002
_VIRAL_BUZZ = 60.0
_BUZZ_FADE = 0.7
_VIRAL_AUDIENCE = 50.0  # extra daily downloads per unit of buzz
_MODIFIED_SHARE = 0.02
_PRIVATE_SHARE_OF_TOP = 0.05


def advance_one_day(
    rng: np.random.Generator, table: RepoTable, day: int, owner_weights: np.ndarray
) -> None:
    """Move `table` from the end of day `day - 1` to the end of day `day`."""
    end = DAY_ZERO + day * SECONDS_PER_DAY
    start = end - SECONDS_PER_DAY
    count = len(table)
    alive = np.flatnonzero(table.alive)
    _grow_counters(rng, table, alive)
    modified = alive[rng.random(len(alive)) < _MODIFIED_SHARE]
    table.modified[modified] = rng.integers(start, end, len(modified))
    deleted = alive[rng.random(len(alive)) < _DELETED_SHARE]
    table.alive[deleted] = False
    born = rng.poisson(max(0.5, count * _NEW_SHARE))
    if born:
        created = np.sort(rng.integers(start, end, born))
        newcomers = generate(
            rng,
            repo_type=table.repo_type,
            prefix=table.id_prefix,
            created=created,
            now=end,
            owner_weights=owner_weights,
            first_row=count,
        )
        owned_by_top = (newcomers.owner >= 0) & (newcomers.owner < PRIVATE_OWNER_RANKS)
        newcomers.private = owned_by_top & (rng.random(born) < _PRIVATE_SHARE_OF_TOP)
        table.extend(newcomers)
        if table.repo_type == "models":
            assign_parents(rng, table, popular_models(table), first_row=count)
    table.version += 1


def _grow_counters(rng: np.random.Generator, table: RepoTable, rows: np.ndarray) -> None:
    table.buzz[rows] = 1 + (table.buzz[rows] - 1) * _BUZZ_FADE
    viral = rows[rng.random(len(rows)) < _VIRAL_SHARE]
    table.buzz[viral] += _VIRAL_BUZZ
    counted = rows[table.downloads[rows] != NONE]
    noise = np.exp(rng.normal(0, 0.3, len(counted)))
    # Buzz multiplies a repo's usual interest, and gives even a forgotten repo a real audience.
    buzz = table.buzz[counted]
    expected = (table.interest[counted] * buzz + (buzz - 1) * _VIRAL_AUDIENCE) * noise
    daily = rng.poisson(expected)
    table.downloads_all_time[counted] += daily
    table.downloads[counted] = table.downloads[counted] * 29 // 30 + daily
    gained = rng.poisson(daily * 0.002 + 0.01 * table.buzz[counted])
    table.likes[counted] += gained
    table.trending[counted] = np.round(0.8 * table.trending[counted] + gained, 1)
    # Spaces have no download counters; their likes and trending still move.
    uncounted = rows[table.downloads[rows] == NONE]
    gained = rng.poisson(0.01 * table.buzz[uncounted])
    table.likes[uncounted] += gained
    table.trending[uncounted] = np.round(0.8 * table.trending[uncounted] + gained, 1)
