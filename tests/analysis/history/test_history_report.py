"""The history across daily snapshots, on a timeline with known truth.

Six partitions: 2026-10-20, 11-01, 11-02, 11-04 and 11-06 are complete; 11-05 failed (skipped and
listed). So the days from 10-21 to 10-31, 11-03 and 11-05 are gaps. Between them a model is
created (e/null on 11-01, d/new on 11-02), one is deleted (c/gone after 11-02), one model's
downloadsAllTime drops (b/drop on 11-04) and one has no downloadsAllTime at first (e/null on 11-01).
Every expected number below is worked out by hand from the table `ALL_TIME`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import csv_rows, model_record, run_analysis, write_partition

DAYS = ["2026-10-20", "2026-11-01", "2026-11-02", "2026-11-04", "2026-11-06"]
FAILED_DAY = "2026-11-05"
# downloadsAllTime per model and snapshot (None: the Hub gave no count; absent: not listed).
ALL_TIME: dict[str, dict[str, int | None]] = {
    "a/up": dict(zip(DAYS, [40, 100, 150, 250, 400], strict=True)),
    "b/drop": dict(zip(DAYS, [1000, 1000, 1200, 1100, 1300], strict=True)),
    "c/gone": dict(zip(DAYS[:3], [45, 50, 60], strict=True)),
    "d/new": dict(zip(DAYS[2:], [10, 30, 90], strict=True)),
    "e/null": dict(zip(DAYS[1:], [None, 5, 7, 9], strict=True)),
}
TASKS = {
    "a/up": "text-generation",
    "b/drop": "image-classification",
    "c/gone": "text-generation",
    "d/new": "automatic-speech-recognition",
    "e/null": None,
}
TAGS = {
    "d/new": ["base_model:a/up", "base_model:finetune:a/up"],
    "e/null": ["base_model:a/up", "base_model:adapter:a/up"],
}
# 30-day downloads on every snapshot, so that the latest ranks a, b, d, e.
DOWNLOADS = {"a/up": 400, "b/drop": 300, "c/gone": 250, "d/new": 200, "e/null": 100}


def _record(model_id: str, all_time: int | None) -> dict[str, Any]:
    return model_record(
        model_id,
        downloads=DOWNLOADS[model_id],
        downloadsAllTime=all_time,
        likes=1,
        pipeline_tag=TASKS[model_id],
        library_name="transformers",
        tags=TAGS.get(model_id, []),
    )


def snapshot(day: str) -> list[dict[str, Any]]:
    return [_record(model, days[day]) for model, days in ALL_TIME.items() if day in days]


def run(data: Path, out: Path, *arguments: str) -> Path:
    done = run_analysis("--data", str(data), "--out", str(out), *arguments, cwd=data.parent)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip()).parent


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("history") / "data"
    for day in DAYS:
        write_partition(data, "models", day, snapshot(day))
    # A crawl that failed: its numbers would wreck every gain if they were read.
    write_partition(data, "models", FAILED_DAY, [_record("a/up", 10**9)], status="failed")
    return data


@pytest.fixture(scope="module")
def report(data: Path) -> Path:
    return run(data, data.parent / "out", "--model", "c/gone", "--model", "nobody/none")


def pick(table: list[dict[str, str]], *names: str) -> list[tuple[str, ...]]:
    return [tuple(row[name] for name in names) for row in table]


def test_snapshots_gaps_and_skipped_partitions_are_reported(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))["history"]
    assert summary["snapshots"] == DAYS
    assert summary["skipped_partitions"] == [
        {"name": f"date={FAILED_DAY}", "reason": "status is 'failed', not 'complete'"}
    ]
    october = [f"2026-10-{day}" for day in range(21, 32)]
    assert summary["missing_days"] == [*october, "2026-11-03", "2026-11-05"]
    assert summary["anomalies"] == 1
    assert summary["models_not_found"] == ["nobody/none"]
    assert summary["velocity_windows"] == {
        "7_days": {"start": "2026-11-01", "end": "2026-11-06", "days": 5, "intervals": 3},
        "30_days": {"start": "2026-10-20", "end": "2026-11-06", "days": 17, "intervals": 4},
    }
    # The last interval is two days long: the 1-day window is clipped up to it.
    assert summary["trend_windows"]["1_day"] == {
        "start": "2026-11-04",
        "end": "2026-11-06",
        "days": 2,
        "intervals": 1,
    }
    assert summary["compared"] == {"1_day": "2026-11-04", "7_days": "2026-10-20"}
    assert pick(csv_rows(report, "history_gaps"), "after", "before", "missing_days") == [
        ("2026-10-20", "2026-11-01", "11"),
        ("2026-11-02", "2026-11-04", "1"),
        ("2026-11-04", "2026-11-06", "1"),
    ]
    assert pick(csv_rows(report, "history_skipped"), "partition") == [(f"date={FAILED_DAY}",)]


def test_intervals_use_the_real_days_between_snapshots(report: Path) -> None:
    table = csv_rows(report, "history_intervals")
    assert pick(
        table,
        "start",
        "end",
        "days",
        "models_start",
        "models_end",
        "continuing",
        "created",
        "deleted",
        "downloads_gained",
        "anomalies",
        "without_counts",
    ) == [
        ("2026-10-20", "2026-11-01", "12", "3", "4", "3", "1", "0", "65", "0", "0"),
        ("2026-11-01", "2026-11-02", "1", "4", "5", "4", "1", "0", "260", "0", "1"),
        # b/drop went from 1200 to 1100: flagged, not counted.
        ("2026-11-02", "2026-11-04", "2", "5", "4", "4", "0", "1", "122", "1", "0"),
        ("2026-11-04", "2026-11-06", "2", "4", "4", "4", "0", "0", "412", "0", "0"),
    ]
    assert [float(row["downloads_per_day"]) for row in table] == pytest.approx(
        [65 / 12, 260.0, 61.0, 206.0]
    )


def test_the_drop_is_listed_as_an_anomaly(report: Path) -> None:
    assert pick(
        csv_rows(report, "history_anomalies"), "start", "end", "id", "before", "after", "difference"
    ) == [("2026-11-02", "2026-11-04", "b/drop", "1200", "1100", "-100")]


def test_churn_per_interval_and_modality(report: Path) -> None:
    assert pick(
        csv_rows(report, "history_churn"),
        "start",
        "modality",
        "created",
        "deleted",
        "created_per_day",
    ) == [
        ("2026-10-20", "(no task)", "1", "0", str(1 / 12)),
        ("2026-11-01", "audio", "1", "0", "1.0"),
        ("2026-11-02", "nlp", "0", "1", "0.0"),
    ]


def test_hype_shares_by_modality(report: Path) -> None:
    second = [row for row in csv_rows(report, "history_modalities") if row["start"] == "2026-11-01"]
    assert pick(second, "modality", "downloads_gained", "created") == [
        ("(no task)", "0", "0"),
        ("audio", "0", "1"),
        ("cv", "200", "0"),
        ("nlp", "60", "0"),
    ]
    shares = {row["modality"]: float(row["downloads_share"]) for row in second}
    assert shares == pytest.approx(
        {"(no task)": 0.0, "audio": 0.0, "cv": 200 / 260, "nlp": 60 / 260}
    )
    assert [float(row["created_share"]) for row in second] == [0.0, 1.0, 0.0, 0.0]
    tasks = [row for row in csv_rows(report, "history_tasks") if row["start"] == "2026-11-01"]
    assert pick(tasks, "pipeline_tag", "downloads_gained", "created") == [
        ("(no task)", "0", "0"),
        ("automatic-speech-recognition", "0", "1"),
        ("image-classification", "200", "0"),
        ("text-generation", "60", "0"),
    ]
    libraries = csv_rows(report, "history_libraries")
    assert pick(
        libraries, "start", "library_name", "downloads_gained", "created", "downloads_share"
    ) == [
        ("2026-10-20", "transformers", "65", "1", "1.0"),
        ("2026-11-01", "transformers", "260", "1", "1.0"),
        ("2026-11-02", "transformers", "122", "0", "1.0"),
        ("2026-11-04", "transformers", "412", "0", "1.0"),
    ]


def test_model_velocity_over_7_and_30_days(report: Path) -> None:
    table = csv_rows(report, "velocity_models")
    absolute = [row for row in table if row["ranking"] == "absolute"]
    assert pick(
        absolute, "window_days", "rank", "id", "start", "days", "gained", "start_all_time"
    ) == [
        ("7", "1", "b/drop", "2026-11-01", "3", "400", "1000"),
        ("7", "2", "a/up", "2026-11-01", "5", "300", "100"),
        ("7", "3", "d/new", "2026-11-01", "4", "80", ""),
        ("7", "4", "c/gone", "2026-11-01", "1", "10", "50"),
        ("7", "5", "e/null", "2026-11-01", "4", "4", ""),
        ("30", "1", "b/drop", "2026-10-20", "15", "400", "1000"),
        ("30", "2", "a/up", "2026-10-20", "17", "360", "40"),
        ("30", "3", "d/new", "2026-10-20", "4", "80", ""),
        ("30", "4", "c/gone", "2026-10-20", "13", "15", "45"),
        ("30", "5", "e/null", "2026-10-20", "4", "4", ""),
    ]
    assert [float(row["per_day"]) for row in absolute[:2]] == pytest.approx([400 / 3, 60.0])
    relative = [row for row in table if row["ranking"] == "relative"]
    # Only b/drop starts a window with the 1000 downloads the relative ranking asks for.
    assert pick(relative, "window_days", "id", "relative_gain") == [
        ("7", "b/drop", "0.4"),
        ("30", "b/drop", "0.4"),
    ]


def test_author_velocity_is_per_day_of_the_window(report: Path) -> None:
    table = [row for row in csv_rows(report, "velocity_authors") if row["ranking"] == "absolute"]
    assert pick(table, "window_days", "author", "days", "gained", "per_day")[:2] == [
        ("7", "b", "5", "400", "80.0"),
        ("7", "a", "5", "300", "60.0"),
    ]
    assert pick(table, "window_days", "author", "days", "gained")[5:7] == [
        ("30", "b", "17", "400"),
        ("30", "a", "17", "360"),
    ]


def test_base_model_families_gain_what_their_derivatives_gain(report: Path) -> None:
    # a/up's derivatives: e/null (no count on 11-01, so nothing that interval) and d/new (listed
    # from 11-02): 20 + 2 from 11-02 to 11-04, 60 + 2 from 11-04 to 11-06.
    table = csv_rows(report, "velocity_families")
    assert pick(table, "window_days", "ranking", "base_model", "start", "days", "gained") == [
        ("7", "absolute", "a/up", "2026-11-01", "5", "84"),
        ("30", "absolute", "a/up", "2026-10-20", "17", "84"),
    ]
    assert [row["start_all_time"] for row in table] == ["", ""]


def test_daily_series_of_the_fastest_models(report: Path) -> None:
    series = [row for row in csv_rows(report, "velocity_series") if row["id"] == "b/drop"]
    assert pick(series, "start", "days", "gained", "per_day") == [
        ("2026-10-20", "12", "0", "0.0"),
        ("2026-11-01", "1", "200", "200.0"),
        ("2026-11-02", "2", "", ""),
        ("2026-11-04", "2", "200", "100.0"),
    ]


def test_daily_series_of_the_fastest_authors_and_families(report: Path) -> None:
    authors = csv_rows(report, "velocity_series_authors")
    assert [row["author"] for row in authors if row["start"] == "2026-11-04"] == [
        "b",
        "a",
        "d",
        "e",
    ]
    by_author = {
        name: pick([row for row in authors if row["author"] == name], "start", "gained", "per_day")
        for name in ("a", "b", "e")
    }
    assert by_author["a"] == [
        ("2026-10-20", "60", "5.0"),
        ("2026-11-01", "50", "50.0"),
        ("2026-11-02", "100", "50.0"),
        ("2026-11-04", "150", "75.0"),
    ]
    # b's only model dropped from 11-02 to 11-04, e's had no count on 11-01: nothing measured.
    assert by_author["b"][2] == ("2026-11-02", "", "")
    assert by_author["e"] == [
        ("2026-11-01", "", ""),
        ("2026-11-02", "2", "1.0"),
        ("2026-11-04", "2", "1.0"),
    ]
    # a/up's family: e/null (no count on 11-01) and d/new (from 11-02), 20 + 2 then 60 + 2.
    families = csv_rows(report, "velocity_series_families")
    assert pick(families, "base_model", "start", "days", "gained", "per_day") == [
        ("a/up", "2026-11-01", "1", "", ""),
        ("a/up", "2026-11-02", "2", "22", "11.0"),
        ("a/up", "2026-11-04", "2", "62", "31.0"),
    ]


def test_concentration_per_snapshot(report: Path) -> None:
    table = csv_rows(report, "history_snapshots")
    assert pick(table, "date", "models", "downloads_30d", "downloads_all_time") == [
        ("2026-10-20", "3", "950", "1085"),
        ("2026-11-01", "4", "1050", "1150"),
        ("2026-11-02", "5", "1250", "1425"),
        ("2026-11-04", "4", "1000", "1387"),
        ("2026-11-06", "4", "1000", "1799"),
    ]
    # Gini as mean absolute difference over twice the mean; top 1% is the largest model.
    last = [400, 300, 200, 100]
    pairs = sum(abs(x - y) for x in last for y in last)
    assert float(table[-1]["gini"]) == pytest.approx(pairs / (2 * 16 * 250))
    assert float(table[-1]["top_1%_share"]) == pytest.approx(400 / 1000)


def test_lineage_over_time(report: Path) -> None:
    assert pick(
        csv_rows(report, "history_lineage"),
        "date",
        "base_model",
        "finetune",
        "adapter",
        "derivatives",
    ) == [
        ("2026-10-20", "a/up", "0", "0", "0"),
        ("2026-11-01", "a/up", "0", "1", "1"),
        ("2026-11-02", "a/up", "1", "1", "2"),
        ("2026-11-04", "a/up", "1", "1", "2"),
        ("2026-11-06", "a/up", "1", "1", "2"),
    ]


def test_model_history_follows_top_and_named_models(report: Path) -> None:
    table = csv_rows(report, "model_history")
    assert list(dict.fromkeys(row["id"] for row in table)) == [
        "a/up",
        "b/drop",
        "d/new",
        "e/null",
        "c/gone",
    ]
    drop = [row for row in table if row["id"] == "b/drop"]
    assert pick(drop, "date", "downloads_all_time", "gained", "per_day", "anomaly") == [
        ("2026-10-20", "1000", "", "", "False"),
        ("2026-11-01", "1000", "0", "0.0", "False"),
        ("2026-11-02", "1200", "200", "200.0", "False"),
        ("2026-11-04", "1100", "", "", "True"),
        ("2026-11-06", "1300", "200", "100.0", "False"),
    ]
    gone = [row for row in table if row["id"] == "c/gone"]
    assert pick(gone, "date", "gained", "per_day") == [
        ("2026-10-20", "", ""),
        ("2026-11-01", "5", str(5 / 12)),
        ("2026-11-02", "10", "10.0"),
    ]


def test_rise_peak_and_decline_of_the_followed_models(report: Path) -> None:
    # Daily rates: a/up 5, 50, 50, 75; b/drop 0, 200, (anomaly), 100; c/gone 5/12, 10 (then gone);
    # d/new 10, 30; e/null none on 11-01, then 1, 1.
    assert pick(
        csv_rows(report, "model_cycles"), "id", "first_seen", "peak_date", "peak_per_day", "phase"
    ) == [
        ("a/up", "2026-10-20", "2026-11-06", "75.0", "rising"),
        # 100 a day is half the peak, not below it.
        ("b/drop", "2026-10-20", "2026-11-02", "200.0", "past peak"),
        ("d/new", "2026-11-02", "2026-11-06", "30.0", "rising"),
        ("e/null", "2026-11-01", "2026-11-04", "1.0", "rising"),
        ("c/gone", "2026-10-20", "2026-11-02", "10.0", "rising"),
    ]


def test_the_page_has_a_history_section(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    assert '<section id="history">' in page
    assert "&lt;NA&gt;" not in page
    for chart in (
        "history_concentration",
        "history_velocity",
        "history_churn",
        "history_hype",
        "history_hype_tasks",
        "history_hype_libraries",
    ):
        assert f'id="{chart}"' in page
        assert (report / "charts" / f"{chart}.png").read_bytes()[:4] == b"\x89PNG"


def test_a_new_day_reuses_every_cached_interval(data: Path, report: Path) -> None:
    history = data / "cache" / "history" / "models"
    before = {path.parent.name: path.stat().st_mtime_ns for path in history.glob("*/_key.json")}
    write_partition(data, "models", "2026-11-07", snapshot("2026-11-06"))
    later = run(data, data.parent / "later", "--since", "2026-11-01")
    after = {path.parent.name: path.stat().st_mtime_ns for path in history.glob("*/_key.json")}
    assert {name: after[name] for name in before} == before
    assert sorted(set(after) - set(before)) == [
        "date=2026-11-07",
        "interval=2026-11-06_2026-11-07",
        "sizes=2026-11-06_2026-11-07",
    ]
    summary = json.loads((later / "summary.json").read_text(encoding="utf-8"))["history"]
    assert summary["snapshots"] == [*DAYS[1:], "2026-11-07"]
    assert pick(csv_rows(later, "history_intervals"), "end", "downloads_gained")[-1] == (
        "2026-11-07",
        "0",
    )
