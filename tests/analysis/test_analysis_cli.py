"""The command line of `python -m analysis`: its options, defaults and exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import model_record, run_analysis, summary, write_partition


def _partition(data: Path, day: str, downloads: list[int], status: str = "complete") -> Path:
    records = [
        model_record(f"org/m{i}", downloads=value, downloadsAllTime=value)
        for i, value in enumerate(downloads)
    ]
    return write_partition(data, "models", day, records, status)


def test_help_documents_every_option(tmp_path: Path) -> None:
    done = run_analysis("--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in (
        "--data",
        "--out",
        "--date",
        "--since",
        "--until",
        "--follow",
        "--model",
        "HFCRAWLER_DATA",
        "show ID",
    ):
        assert option in done.stdout
    for behaviour in ("complete", "damaged", "exits 1"):
        assert behaviour in done.stdout


def test_no_complete_partition_exits_2_and_says_where_it_looked(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-02", [1, 2], status="running")
    done = run_analysis("--data", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 2
    assert "no complete models partition" in done.stderr
    assert str(tmp_path / "data") in done.stderr
    assert not (tmp_path / "reports").exists()


def test_an_unknown_date_exits_2(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-02", [1])
    done = run_analysis("--data", str(tmp_path / "data"), "--date", "2026-01-03", cwd=tmp_path)
    assert done.returncode == 2
    assert "2026-01-03" in done.stderr
    malformed = run_analysis("--data", str(tmp_path / "data"), "--date", "January", cwd=tmp_path)
    assert malformed.returncode == 2
    assert "YYYY-MM-DD" in malformed.stderr


def test_defaults_come_from_the_environment_and_the_working_directory(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    _partition(data, "2026-01-01", [5])
    _partition(data, "2026-01-02", [7, 8])
    done = run_analysis(cwd=tmp_path, data_env=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(Path("reports") / "2026-01-02" / "index.html")
    assert summary(tmp_path / "reports" / "2026-01-02")["headline"]["downloads_30d"] == 15
    older = run_analysis("--date", "2026-01-01", cwd=tmp_path, data_env=data)
    assert older.returncode == 0, older.stderr
    assert summary(tmp_path / "reports" / "2026-01-01")["headline"]["downloads_30d"] == 5


@pytest.mark.parametrize("out", ["report.html", "report.html/sub"])
def test_out_naming_a_file_exits_2_with_a_clear_message(tmp_path: Path, out: str) -> None:
    _partition(tmp_path / "data", "2026-02-01", [5])
    (tmp_path / "report.html").write_text("an earlier page", encoding="utf-8")
    done = run_analysis("--data", str(tmp_path / "data"), "--out", out, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith(
        f"python -m analysis: error: --out {out}: report.html exists and is not a directory\n"
    )
    assert "Traceback" not in done.stderr
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "an earlier page"


def test_since_after_until_exits_2(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-02", [1])
    done = run_analysis(
        "--data",
        str(tmp_path / "data"),
        "--since",
        "2026-01-05",
        "--until",
        "2026-01-02",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.endswith(
        "python -m analysis: error: --since 2026-01-05 is after --until 2026-01-02: the history"
        " would hold no day\n"
    )


def test_a_date_without_a_complete_partition_lists_the_dates_there_are(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for day in ("2026-01-01", "2026-01-02", "2026-01-04"):
        _partition(data, day, [1])
    _partition(data, "2026-01-03", [1], status="failed")
    done = run_analysis("--data", str(data), "--date", "2026-01-03", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "python -m analysis: error: no complete models partition for 2026-01-03 (skipped: status"
        f" is 'failed', not 'complete') under {data}; the complete ones: 2026-01-01, 2026-01-02,"
        " 2026-01-04\n"
    )


def test_a_missing_data_directory_is_told_from_an_empty_one(tmp_path: Path) -> None:
    missing = run_analysis("--data", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr == (
        f"python -m analysis: error: no data directory at {tmp_path / 'nowhere'}: nothing was"
        " crawled there; crawl one with `scrapy crawl models` first\n"
    )
    (tmp_path / "empty").mkdir()
    empty = run_analysis("--data", str(tmp_path / "empty"), cwd=tmp_path)
    assert empty.returncode == 2
    assert empty.stderr == (
        "python -m analysis: error: no models partition under"
        f" {tmp_path / 'empty' / 'snapshots' / 'models'} yet: crawl one with `scrapy crawl"
        " models`\n"
    )
    assert not (tmp_path / "reports").exists()


def test_one_snapshot_makes_a_report_and_says_the_history_starts_with_the_second(
    tmp_path: Path,
) -> None:
    _partition(tmp_path / "data", "2026-01-02", [5, 6])
    done = run_analysis("--data", str(tmp_path / "data"), "--follow", "org/m0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "python -m analysis: note: the history starts with the second complete snapshot, and the"
        " range holds 1: the report has no history section, rising repos or rank changes\n"
        "python -m analysis: warning: --follow org/m0 not followed: there is no history\n"
    )
    page = (tmp_path / "reports" / "2026-01-02" / "index.html").read_text(encoding="utf-8")
    assert "Rising models need two snapshots: the history starts with the second." in page


def test_an_unknown_followed_model_is_named_with_its_close_matches(tmp_path: Path) -> None:
    _partition(tmp_path / "data", "2026-01-01", [5, 6, 7])
    _partition(tmp_path / "data", "2026-01-02", [8, 9, 10])
    done = run_analysis(
        "--data", str(tmp_path / "data"), "--model", "org/m1", "--follow", "org/n2", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "python -m analysis: warning: --follow org/n2: in none of the history's snapshots; did"
        " you mean org/m2, org/m1, org/m0?\n"
    )
    followed = summary(tmp_path / "reports" / "2026-01-02")["history"]["models_not_found"]
    assert followed == ["org/n2"]


def test_show_says_where_there_is_nothing_to_show(tmp_path: Path) -> None:
    done = run_analysis("show", "org/m1", "--data", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        f"python -m analysis show: error: no data directory at {tmp_path / 'nowhere'}: nothing"
        " was crawled there; crawl one with `scrapy crawl models` first\n"
    )
    _partition(tmp_path / "data", "2026-01-01", [5])
    reversed_range = run_analysis(
        "show",
        "org/m0",
        "--data",
        str(tmp_path / "data"),
        "--since",
        "2026-01-02",
        "--until",
        "2026-01-01",
        cwd=tmp_path,
    )
    assert reversed_range.returncode == 2
    assert "--since 2026-01-02 is after --until 2026-01-01" in reversed_range.stderr
