"""Where chosen repos ranked in a snapshot, by the columns its top lists rank by.

Ranks are competition ranks (analysis.snapshot.ranks: equal counts share one, no count no rank),
as the top lists number their rows. The repos are found by their ids' hashes
(analysis.store.compact.id_hashes), and only the hash column and the ranked columns of the
snapshot's cache are read. A top list's rank change against an earlier
snapshot is the rank then minus the rank now (3: three places up), none when the repo was absent
or had no count then (it is new to the ranking).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.snapshot.ranks import competition_ranks
from analysis.store.compact import CachedPartition, id_hashes
from analysis.store.repo_types import HASH_COLUMN


def ranks_at(cache: Path, hashes: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """The `hashes` found in the snapshot cached in `cache`, with their rank by each of
    `columns` (`rank_<column>`, missing where the repo has no count)."""
    table = pq.read_table(cache, columns=[HASH_COLUMN, *columns])
    wanted = pc.is_in(table[HASH_COLUMN], value_set=pa.array(hashes, pa.uint64()))
    rows = np.flatnonzero(wanted.to_numpy(zero_copy_only=False))
    found = table[HASH_COLUMN].take(pa.array(rows)).to_numpy()
    frame = pd.DataFrame({HASH_COLUMN: found})
    for column in columns:
        values = pc.drop_null(table[column]).to_numpy()
        mine = table[column].take(rows)
        ranks = pd.array([pd.NA] * len(rows), dtype="Int64")
        known = np.flatnonzero(mine.is_valid().to_numpy(zero_copy_only=False))
        ranks[known] = competition_ranks(values, pc.drop_null(mine).to_numpy())
        frame[f"rank_{column}"] = ranks
    return frame


def ranks_of(caches: list[Path], ids: list[str], columns: list[str]) -> list[pd.DataFrame]:
    """For each snapshot cached in `caches`: per id of `ids` (in order), its rank by each of
    `columns` (missing where it was absent or had no count). The ids are hashed once."""
    hashes = id_hashes(ids).to_numpy()
    named = pd.DataFrame({"id": ids, HASH_COLUMN: hashes})
    return [
        named.merge(ranks_at(cache, hashes, columns).drop_duplicates(HASH_COLUMN), how="left").drop(
            columns=HASH_COLUMN
        )
        for cache in caches
    ]


def earlier_ranks(
    snapshots: dict[str, CachedPartition], lists: dict[str, list[str]]
) -> dict[str, pd.DataFrame]:
    """For each top list (its ids by the column it ranks by), the ids' ranks by that column in
    each of the earlier `snapshots` (by label): columns `id` and one per label. A worker's job:
    each snapshot's columns are read once for every list."""
    ids = list(dict.fromkeys(model for listed in lists.values() for model in listed))
    # A short history compares twice with one snapshot: it is read once.
    caches = list(dict.fromkeys(snapshot.directory for snapshot in snapshots.values()))
    by_cache = dict(zip(caches, ranks_of(caches, ids, list(lists)), strict=True))
    per_label = {
        label: by_cache[snapshot.directory].set_index("id") for label, snapshot in snapshots.items()
    }
    return {
        column: pd.DataFrame(
            {
                "id": listed,
                **{
                    label: ranks[f"rank_{column}"].reindex(listed).array
                    for label, ranks in per_label.items()
                },
            }
        )
        for column, listed in lists.items()
    }
