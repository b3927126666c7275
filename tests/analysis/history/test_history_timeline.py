"""Windows clipped to the snapshots present, and the snapshot N days before the latest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analysis.history.timeline import Timeline, span_words, window_start
from analysis.store.partitions import Partition


def _line(*days: str) -> Timeline:
    partitions = [
        Partition("models", date.fromisoformat(day), Path(f"date={day}"), {}) for day in days
    ]
    return Timeline(partitions, [], [])


@pytest.mark.parametrize(
    ("days", "window", "expected"),
    [
        # Four days of data: a 7-day window covers four.
        (["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"], 7, "2026-11-29"),
        (["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"], 1, "2026-12-02"),
        # The last interval is two days long: no window is shorter than it.
        (["2026-11-01", "2026-11-04", "2026-11-06"], 1, "2026-11-04"),
        (["2026-11-01", "2026-11-04", "2026-11-06"], 5, "2026-11-01"),
        (["2026-10-01", "2026-11-04", "2026-11-06"], 30, "2026-11-04"),
    ],
)
def test_a_window_covers_what_the_snapshots_allow(
    days: list[str], window: int, expected: str
) -> None:
    line = _line(*days)
    assert line.window(window) == (date.fromisoformat(expected), date.fromisoformat(days[-1]))
    starts = [date.fromisoformat(day) for day in days[:-1]]
    assert window_start(starts, date.fromisoformat(days[-1]), window).isoformat() == expected


def test_the_snapshot_days_before_is_the_latest_on_or_before_then_else_the_oldest() -> None:
    line = _line("2026-11-20", "2026-11-25", "2026-11-27", "2026-12-01", "2026-12-02")
    assert line.before(1).day == date(2026, 12, 1)
    assert line.before(2).day == date(2026, 11, 27)
    assert line.before(7).day == date(2026, 11, 25)
    assert line.before(30).day == date(2026, 11, 20)
    assert _line("2026-12-02").before(1) is None
    assert _line("2026-12-02").window(7) is None


def test_titles_say_the_span() -> None:
    assert [span_words(days) for days in (1, 4, 30)] == ["last day", "last 4 days", "last 30 days"]
