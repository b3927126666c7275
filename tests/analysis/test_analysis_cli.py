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
    for option in ("--data", "--out", "--date", "--since", "--until", "--model", "HFCRAWLER_DATA"):
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
