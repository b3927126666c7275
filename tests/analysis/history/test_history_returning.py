"""Models missing from a snapshot and listed again later: ranked once per window, their gains over
every stretch they were listed added up.

Eight daily snapshots, 2026-11-01 to 11-08 (so the 7-day and the 30-day windows hold all seven
intervals). back/again is missing on 11-04; back/twice on 11-03 and 11-06; gone/between on 11-04
and from 11-07 on (it is not in the latest snapshot); steady/one is always there. Each gains a
fixed number of downloads a day, and a gain is counted only between consecutive snapshots that
both list the model: the downloads of the days around an absence are in no interval.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import csv_rows, model_record, run_analysis, write_partition

DAYS = [(date(2026, 11, 1) + timedelta(days=n)).isoformat() for n in range(8)]
# The days (indices of DAYS) each model is listed, its downloadsAllTime on the first day and the
# downloads it gains every day.
LISTED = {
    "back/again": ([0, 1, 2, 4, 5, 6, 7], 10_000, 1_000),
    "back/twice": ([0, 1, 3, 4, 6, 7], 5_000, 500),
    "gone/between": ([0, 1, 2, 4, 5], 8_000, 700),
    "steady/one": (list(range(8)), 2_000, 200),
}


def _all_time(model: str, day: int) -> int:
    _, first, pace = LISTED[model]
    return first + pace * day


def _measured(model: str) -> tuple[int, int]:
    """The downloads gained and the days measured over the whole week: the intervals between
    consecutive snapshots that both list the model."""
    listed = LISTED[model][0]
    pairs = [(day, day + 1) for day in range(len(DAYS) - 1) if {day, day + 1} <= set(listed)]
    gained = sum(_all_time(model, end) - _all_time(model, start) for start, end in pairs)
    return gained, len(pairs)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("returning")
    data = root / "data"
    for day, name in enumerate(DAYS):
        records = [
            model_record(
                model,
                downloadsAllTime=_all_time(model, day),
                # A steady pace: the 30-day downloads are thirty days of it.
                downloads=30 * pace,
            )
            for model, (listed, _, pace) in LISTED.items()
            if day in listed
        ]
        write_partition(data, "models", name, records)
    done = run_analysis("--data", str(data), "--out", str(root / "out"), "--no-export", cwd=root)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip()).parent


def test_the_truth_has_gaps_inside_the_window() -> None:
    # Checks the history itself: each returning model has two stretches or more in the week.
    assert _measured("back/again") == (5_000, 5)
    assert _measured("back/twice") == (1_500, 3)
    assert _measured("gone/between") == (2_100, 3)
    assert _measured("steady/one") == (1_400, 7)


@pytest.mark.parametrize("window_days", ["7", "30"])
@pytest.mark.parametrize("ranking", ["absolute", "relative"])
def test_a_returning_model_is_ranked_once_with_its_stretches_added_up(
    report: Path, window_days: str, ranking: str
) -> None:
    rows = [
        row
        for row in csv_rows(report, "velocity_models")
        if row["window_days"] == window_days and row["ranking"] == ranking
    ]
    assert Counter(row["id"] for row in rows) == dict.fromkeys(LISTED, 1)
    for row in rows:
        gained, days = _measured(row["id"])
        assert (int(row["gained"]), int(row["days"])) == (gained, days), row["id"]
        assert float(row["per_day"]) == pytest.approx(gained / days)
        # Each is listed on the window's first two snapshots: its start is its count on 11-01.
        start = _all_time(row["id"], 0)
        assert int(row["start_all_time"]) == start
        assert float(row["relative_gain"]) == pytest.approx(gained / start)
    ranked_by = {
        model: _measured(model)[0] / (1 if ranking == "absolute" else _all_time(model, 0))
        for model in LISTED
    }
    assert [row["id"] for row in rows] == sorted(LISTED, key=ranked_by.__getitem__, reverse=True)


def test_a_returning_model_rises_once_and_a_gone_one_not_at_all(report: Path) -> None:
    week = [row for row in csv_rows(report, "rising_models") if row["window_days"] == "7"]
    # gone/between is not in the latest snapshot; the others keep their pace (rise 1).
    assert sorted(row["id"] for row in week) == ["back/again", "back/twice", "steady/one"]
    for row in week:
        gained, days = _measured(row["id"])
        assert (int(row["gained"]), int(row["days"])) == (gained, days), row["id"]
        assert float(row["rise"]) == pytest.approx(1)


def test_an_authors_gain_counts_each_of_its_models_once(report: Path) -> None:
    rows = [
        row
        for row in csv_rows(report, "velocity_authors")
        if row["window_days"] == "7" and row["ranking"] == "absolute"
    ]
    gained = {row["author"]: int(row["gained"]) for row in rows}
    assert gained == {
        "back": _measured("back/again")[0] + _measured("back/twice")[0],
        "gone": _measured("gone/between")[0],
        "steady": _measured("steady/one")[0],
    }
