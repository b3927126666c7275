"""Trends over a synthetic week: rising repos, new entrants, rank changes, headline changes, `show`.

Eight daily snapshots, 2026-11-01 to 11-08. Thirty large models gain steadily (10,000 downloads
a day and more, their 30-day downloads thirty days of it); a small one (tiny/riser) gains 100 a
day until it gains 1,000 on the last day, ten times its pace; another (noise/three) goes from 3
downloads a month to 30 in a day; one (new/entrant) is created on 11-06 and tops the 30-day
downloads on the last day. Ranks by 30-day downloads and likes change on known days. Every
expected figure is worked out from the tables below, with the formula the README documents.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import csv_rows, model_record, run_analysis, write_partition

DAYS = [(date(2026, 11, 1) + timedelta(days=n)).isoformat() for n in range(8)]
LAST = len(DAYS) - 1
BIG = [f"big/m{n:02d}" for n in range(30)]
# Downloads a day each large model gains, steadily.
PACE = {model: 10_000 + 100 * n for n, model in enumerate(BIG)}
FLOOR = 100


def _big(model: str, day: int) -> dict[str, Any]:
    pace = PACE[model]
    downloads = 30 * pace
    if model == "big/m27" and day == LAST:
        # Overtakes big/m28 on the last day.
        downloads = 30 * PACE["big/m28"] + 50
    if model == "big/m26" and day == 0:
        # Ranked lower a week before.
        downloads = 30 * PACE["big/m10"] - 10
    likes = 100 + BIG.index(model)
    if model == "big/m00" and day == LAST:
        likes = 1_000
    return {
        "downloadsAllTime": 1_000_000 + day * pace,
        "downloads": downloads,
        "likes": likes,
    }


def _counts(model: str, day: int) -> dict[str, Any] | None:
    """The record's counts of `model` on the `day`-th snapshot (None: not listed)."""
    if model in PACE:
        return _big(model, day)
    if model == "tiny/riser":
        # 100 a day (3,000 in 30 days), then 1,000 on the last day.
        all_time = 5_000 + 100 * min(day, LAST - 1) + (1_000 if day == LAST else 0)
        return {"downloadsAllTime": all_time, "downloads": 3_900 if day == LAST else 3_000}
    if model == "noise/three":
        # From 3 downloads a month to 30 in a day.
        return {
            "downloadsAllTime": 530 if day == LAST else 500,
            "downloads": 33 if day == LAST else 3,
        }
    # new/entrant, created on 11-06: gains 2,000 a day, and tops the 30-day downloads at last.
    if day < 5:
        return None
    return {
        "downloadsAllTime": 2_000 * (day - 4),
        "downloads": 1_000_000 if day == LAST else 2_000 * (day - 4),
        "createdAt": "2026-11-06T10:00:00.000Z",
    }


MODELS = [*BIG, "tiny/riser", "noise/three", "new/entrant"]


def counts(day: int) -> dict[str, dict[str, Any]]:
    """Every model listed on the `day`-th snapshot, with its counts (likes 0 unless given)."""
    listed = {model: _counts(model, day) for model in MODELS}
    return {model: {"likes": 0, **fields} for model, fields in listed.items() if fields}


def rank(day: int, model: str, by: str) -> int | None:
    """The competition rank of `model` by `by` on the `day`-th snapshot (None: not listed)."""
    listed = counts(day)
    if model not in listed:
        return None
    return 1 + sum(other[by] > listed[model][by] for other in listed.values())


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("trends") / "data"
    for day, name in enumerate(DAYS):
        records = [model_record(model, **fields) for model, fields in counts(day).items()]
        write_partition(data, "models", name, records)
    return data


@pytest.fixture(scope="module")
def report(data: Path) -> Path:
    done = run_analysis("--data", str(data), "--out", str(data.parent / "out"), cwd=data.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return Path(done.stdout.strip()).parent


def test_a_small_repo_gaining_ten_times_its_pace_tops_rising_not_the_gainers(report: Path) -> None:
    rising = csv_rows(report, "rising_models")
    last_day = [row for row in rising if row["window_days"] == "1"]
    assert (last_day[0]["id"], last_day[0]["start"], last_day[0]["end"]) == (
        "tiny/riser",
        "2026-11-07",
        "2026-11-08",
    )
    # 1,000 gained in a day against 3,000 in 30 days before it.
    assert float(last_day[0]["per_day"]) == 1_000
    assert float(last_day[0]["usual_per_day"]) == pytest.approx(100)
    assert float(last_day[0]["rise"]) == pytest.approx(10)
    # The large models keep their pace (rise 1); from 3 to 30 is 30 against the floor of 100,
    # a rise of 0.3: far from the top, and below the 25 listed.
    by_id = {row["id"]: float(row["rise"]) for row in last_day}
    assert len(by_id) == 25
    assert by_id["big/m05"] == pytest.approx(1.0)
    assert min(by_id.values()) == pytest.approx(1.0)
    assert 30 / FLOOR < 1
    assert "noise/three" not in by_id
    # Over the week: 1,600 in 7 days against 100 a day.
    week = [row for row in rising if row["window_days"] == "7"]
    assert (week[0]["id"], week[0]["start"], week[0]["days"]) == ("tiny/riser", DAYS[0], "7")
    assert float(week[0]["rise"]) == pytest.approx(1_600 / 7 / 100)
    # The same model is nowhere among the top gainers by downloads.
    gainers = csv_rows(report, "velocity_models")
    absolute = [row["id"] for row in gainers if row["ranking"] == "absolute"]
    assert len(absolute) == 50
    assert "tiny/riser" not in absolute
    page = (report / "index.html").read_text(encoding="utf-8")
    rising_table = page.split("<h3>Rising models, last day (2026-11-07 to 2026-11-08)</h3>")[1]
    assert rising_table.index(">tiny/riser<") < rising_table.index(">big/m")
    gainers_table = page.split("<h3>Models that gained the most downloads, last 7 days")[1]
    assert "tiny/riser" not in gainers_table.split("</table>")[0]


def test_windows_clipped_to_the_data_are_titled_by_the_span_they_cover(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))["history"]
    assert summary["trend_windows"]["30_days"] == {
        "start": DAYS[0],
        "end": DAYS[-1],
        "days": 7,
        "intervals": 7,
    }
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "last 30 days (" not in page
    # 7 and 30 days cover the same week: one table.
    assert page.count("<h3>Rising models, last 7 days (2026-11-01 to 2026-11-08)</h3>") == 1


def test_new_entrants_are_the_models_created_inside_the_window(report: Path) -> None:
    entrants = csv_rows(report, "new_models")
    assert [(row["window_days"], row["since"], row["id"], row["rank"]) for row in entrants] == [
        ("7", "2026-11-01", "new/entrant", "1"),
        ("30", "2026-10-09", "new/entrant", "1"),
    ]
    page = (report / "index.html").read_text(encoding="utf-8")
    yesterday = page.split("<h3>New models: created since 2026-11-07")[1]
    assert yesterday.split("<h3>")[0].count('<p class="none">none</p>') == 1


@pytest.mark.parametrize("by", ["downloads", "likes"])
def test_the_top_lists_give_the_ranks_1_and_7_days_before(report: Path, by: str) -> None:
    top = csv_rows(report, f"top_models_{by}")
    assert len(top) == 25
    for row in top:
        model = row["id"]
        assert int(row["rank"]) == rank(LAST, model, by)
        for days, column in ((1, "rank_1d_before"), (7, "rank_7d_before")):
            then = rank(LAST - days, model, by)
            assert row[column] == ("" if then is None else str(then)), (model, column)
    # Spot checks of the truth itself: the entrant tops the list, new since a week.
    assert (top[0]["id"], top[0]["rank_1d_before"], top[0]["rank_7d_before"]) == (
        ("new/entrant", "31", "") if by == "downloads" else ("big/m00", "30", "30")
    )


def test_the_page_shows_rank_changes_as_arrows(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    top = page.split("<h3>Top models by downloads in the last 30 days</h3>")[1].split("</table>")[0]
    headers = '<span class="word">change</span> <span class="word">since</span>'
    assert top.count(headers) == 2
    # Each row's cells as text: rank, the two changes, id, ...
    rows = [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", top)
    ]
    by_id = {row[3]: row for row in rows if row}

    def cells(model: str) -> list[str]:
        return by_id[model][1:3]

    # Against 11-07 and 11-01. Ranks on 11-08: the entrant 1, big/m29 2, m27 3 (past m28), m28
    # 4, m26 5; on 11-07: m29 1, m28 2, m27 3, m26 4, the entrant 31 (only the riser below it);
    # on 11-01: the entrant absent, m26 20 (below m10).
    assert cells("new/entrant") == ["▲30", "new"]
    assert cells("big/m29") == ["▼1", "▼1"]
    assert cells("big/m27") == ["=", "="]
    assert cells("big/m28") == ["▼2", "▼2"]
    assert cells("big/m26") == ["▼1", "▲15"]


def test_headline_changes_since_the_day_before_and_the_week_before(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    changes = summary["history"]["headline_changes"]
    latest = counts(LAST)
    for key, day in (("1_day", LAST - 1), ("7_days", 0)):
        earlier = counts(day)
        assert changes[key]["date"] == DAYS[day]
        assert changes[key]["days"] == LAST - day
        assert changes[key]["changes"]["models"] == len(latest) - len(earlier)
        for figure, field in (("downloads_30d", "downloads"), ("likes", "likes")):
            total = sum(row[field] for row in latest.values())
            before = sum(row[field] for row in earlier.values())
            assert changes[key]["changes"][figure] == total - before
    page = (report / "index.html").read_text(encoding="utf-8")
    assert '<small title="since the snapshot of 2026-11-01">+1 in 7 days</small>' in page


def test_show_prints_a_models_series_and_writes_its_chart(data: Path) -> None:
    out = data.parent / "shown"
    done = run_analysis("show", "tiny/riser", "--data", str(data), "--out", str(out), cwd=data)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "tiny/riser (model) https://huggingface.co/tiny/riser"
    assert lines[1].split() == [
        "date",
        "all-time",
        "downloads",
        "gained",
        "30-day",
        "downloads",
        "likes",
        "rank",
    ]
    for day, line in enumerate(lines[2:10]):
        fields = counts(day)["tiny/riser"]
        before = counts(day - 1)["tiny/riser"]["downloadsAllTime"] if day else None
        gained = "-" if before is None else f"{fields['downloadsAllTime'] - before:,}"
        assert line.split() == [
            DAYS[day],
            f"{fields['downloadsAllTime']:,}",
            gained,
            f"{fields['downloads']:,}",
            "0",
            f"{rank(day, 'tiny/riser', 'downloads'):,}",
        ]
    chart = out / "show" / "models" / "tiny--riser.png"
    assert lines[10] == f"chart: {chart}"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_of_an_unknown_id_exits_2_and_suggests_close_ones(data: Path) -> None:
    done = run_analysis(
        "show", "big/m05", "tiny/risr", "--data", str(data), "--out", str(data.parent), cwd=data
    )
    assert done.returncode == 2
    # The known id is still shown.
    assert done.stdout.startswith("big/m05 (model)")
    assert done.stderr == (
        "python -m analysis show: error: no model tiny/risr in the snapshots from 2026-11-01 to"
        " 2026-11-08; did you mean tiny/riser?\n"
    )
