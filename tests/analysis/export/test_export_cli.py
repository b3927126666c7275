"""The command line of `python -m analysis export`: its help, and its exit statuses."""

from __future__ import annotations

from pathlib import Path

from tests.analysis.export.truth import DAYS, write_history
from tests.helpers import run_analysis


def test_help_says_what_is_written_and_where(tmp_path: Path) -> None:
    done = run_analysis("export", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for text in ("--data", "--until", "HFCRAWLER_DATA", "daily/<type>/date=", "repos/<type>/"):
        assert text in done.stdout
    # As argparse wraps it.
    analysis = " ".join(run_analysis("--help", cwd=tmp_path).stdout.split())
    assert "--no-export" in analysis
    assert "`python -m analysis export --help` tells more" in analysis


def test_nothing_to_export_exits_2_and_says_where_it_looked(tmp_path: Path) -> None:
    write_history(tmp_path / "data", [], failed=True)
    done = run_analysis("export", "--data", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("python -m analysis export: error: no complete partition under ")
    assert str(tmp_path / "data" / "snapshots" / "spaces") in done.stderr
    assert not (tmp_path / "data" / "exports").exists()


def test_a_malformed_day_exits_2(tmp_path: Path) -> None:
    write_history(tmp_path / "data", DAYS[:1])
    done = run_analysis(
        "export", "--data", str(tmp_path / "data"), "--until", "29/11", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "not a date in YYYY-MM-DD form: '29/11'" in done.stderr
    assert not (tmp_path / "data" / "exports").exists()
