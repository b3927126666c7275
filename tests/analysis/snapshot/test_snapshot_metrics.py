"""Concentration metrics on vectors with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.snapshot.metrics import gini, lorenz, top_share


def test_gini_lorenz_and_top_shares_on_known_vectors() -> None:
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)
    assert gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)
    assert gini(np.array([], dtype=np.int64)) == 0.0
    share, held = lorenz(np.array([0, 0, 0, 8]), 5)
    assert share.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert held.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    values = np.arange(1, 101)
    assert top_share(values, 0.01) == pytest.approx(100 / 5050)
    assert top_share(values, 0.07) == pytest.approx(sum(range(94, 101)) / 5050)
    assert top_share(values, 0.001) == pytest.approx(100 / 5050)
    assert top_share(np.zeros(3), 0.1) == 0.0
