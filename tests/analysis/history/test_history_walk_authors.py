"""Authors known only from models deleted before the shortest window: ranked in the longer one.

Ten daily snapshots, 2026-11-01 to 11-10: the 7-day window holds the last seven intervals, the
30-day window all nine. The walk ranks the 7-day window first, then meets the models deleted
before it and their authors: early/one (listed on the first three days: its author has no other
model) and late/gone (listed on the first two: its author also has late/one, listed every day).
Solo has no author. Each model gains a fixed number of downloads a day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import csv_rows, model_record, run_analysis, write_partition

DAYS = [(date(2026, 11, 1) + timedelta(days=n)).isoformat() for n in range(10)]
# The days (indices of DAYS) each model is listed and the downloads it gains every day.
LISTED = {
    "early/one": (range(3), 900),
    "late/gone": (range(2), 400),
    "late/one": (range(10), 300),
    "steady/one": (range(10), 100),
    "solo": (range(10), 5_000),
}


def _gained(model: str, first_interval: int) -> int:
    """What `model` gained in the intervals from `first_interval` on (between consecutive days
    that both list it)."""
    listed, pace = LISTED[model]
    return pace * sum(1 for day in range(first_interval, 9) if {day, day + 1} <= set(listed))


@pytest.fixture(scope="module")
def authors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    root = tmp_path_factory.mktemp("walk-authors")
    data = root / "data"
    for day, name in enumerate(DAYS):
        records = [
            model_record(model, downloadsAllTime=1_000 + pace * day, downloads=30 * pace)
            for model, (listed, pace) in LISTED.items()
            if day in listed
        ]
        write_partition(data, "models", name, records)
    done = run_analysis("--data", str(data), "--out", str(root / "out"), "--no-export", cwd=root)
    assert done.returncode == 0, done.stderr
    rows = csv_rows(Path(done.stdout.strip()).parent, "velocity_authors")
    return {
        window: {
            row["author"]: int(row["gained"])
            for row in rows
            if row["window_days"] == window and row["ranking"] == "absolute"
        }
        for window in ("7", "30")
    }


def test_the_week_knows_only_the_authors_listed_in_it(authors: dict[str, dict[str, int]]) -> None:
    assert authors["7"] == {
        "late": _gained("late/one", 2),
        "steady": _gained("steady/one", 2),
    }


def test_the_month_adds_the_authors_of_models_deleted_before_the_week(
    authors: dict[str, dict[str, int]],
) -> None:
    # early is a name first met after the week was ranked; late/gone's gains go to the late
    # already known, not to a second late; solo, without an author, is in no author's sum.
    assert authors["30"] == {
        "early": _gained("early/one", 0),
        "late": _gained("late/one", 0) + _gained("late/gone", 0),
        "steady": _gained("steady/one", 0),
    }
    assert _gained("early/one", 0) == 1_800
    assert _gained("late/gone", 0) == 400
