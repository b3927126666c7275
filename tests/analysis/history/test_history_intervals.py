"""Matching the models of two snapshots by the hashes of their ids."""

from __future__ import annotations

import numpy as np

from analysis.history.intervals import rows_in


def test_rows_in_finds_each_continuing_hash_and_refuses_repeated_ones() -> None:
    rng = np.random.default_rng(7)
    start = rng.integers(0, 2**63, size=1000, dtype=np.uint64)
    created = rng.integers(0, 2**63, size=50, dtype=np.uint64)
    # The end snapshot: every third start model deleted, the rest shuffled among new ones.
    kept = np.flatnonzero(np.arange(1000) % 3 != 0)
    end = np.concatenate([start[kept], created])
    shuffle = rng.permutation(len(end))
    end = end[shuffle]
    rows = rows_in(start, end)
    assert rows is not None
    assert (rows[np.arange(1000) % 3 == 0] == -1).all()
    assert (end[rows[kept]] == start[kept]).all()
    # A hash twice in the end snapshot, or two start rows finding one end row: no answer.
    assert rows_in(start, np.concatenate([end, end[:1]])) is None
    assert rows_in(np.concatenate([start, start[1:2]]), end) is None
    # Two start rows sharing a hash that neither continues: both deleted, which is right.
    twice = np.concatenate([start, start[:1]])
    assert (rows_in(twice, end)[[0, 1000]] == -1).all()
    assert (rows_in(start, end[:0]) == -1).all()
