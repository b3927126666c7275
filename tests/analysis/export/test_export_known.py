"""The export's matching of a day's repos with the latest day's, by the hashes of their ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.export.known import Hashes


def _day(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` hashes in which some share their high bits (as two repos' hashes do once in a
    while among millions) and one is repeated."""
    hashes = rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)
    if count > 8:
        # Neighbours in their high bits, in both orders of their rows, and a repeated hash.
        hashes[1] = hashes[0] ^ np.uint64(1)
        hashes[2] = hashes[3] ^ np.uint64(3)
        hashes[5] = hashes[7]
    return hashes


@pytest.mark.parametrize("count", [0, 1, 2, 9, 1000, 70_000])
def test_a_days_hashes_are_sorted_with_the_row_of_each(count: int) -> None:
    hashes = _day(np.random.default_rng(count), count)
    sorted_hashes = Hashes.of(hashes)
    assert (sorted_hashes.ordered == np.sort(hashes)).all()
    assert (hashes[sorted_hashes.order] == sorted_hashes.ordered).all()
    assert sorted(sorted_hashes.order.tolist()) == list(range(count))
    assert sorted_hashes.repeated.sum() == (1 if count > 8 else 0)


def test_the_hashes_kept_for_the_next_day_are_read_back_only_whole(tmp_path: Path) -> None:
    hashes = Hashes.of(_day(np.random.default_rng(3), 1000))
    path = tmp_path / "hashes.npz"
    hashes.save(path)
    loaded = Hashes.load(path, 1000)
    assert loaded is not None
    assert (loaded.ordered == hashes.ordered).all()
    assert (loaded.order == hashes.order).all()
    # Of another number of rows than the day's file, cut short, or missing: not used.
    assert Hashes.load(path, 999) is None
    path.write_bytes(path.read_bytes()[:5000])
    assert Hashes.load(path, 1000) is None
    assert Hashes.load(tmp_path / "missing.npz", 1000) is None
