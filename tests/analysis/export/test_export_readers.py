"""Each reader the README documents runs here exactly as printed (tests.helpers.readme_snippet),
from the directory holding `data/`, and reads what the snapshots hold: DuckDB, pyarrow, Polars
and pandas on the export, DuckDB on the raw snapshots while a crawl is in progress."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hfcrawler.layout import DataLayout
from tests.analysis.export.truth import DAYS, MODELS, expected, records, write_history
from tests.helpers import readme_snippet, run_analysis


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readers")
    data = root / "data"
    write_history(data, failed=False)
    done = run_analysis("export", "--data", str(data), cwd=root)
    assert done.returncode == 0, done.stderr
    # A crawl in progress: its attempt holds a part and a manifest that no reader may pick up.
    attempt = DataLayout(data).attempt("models")
    attempt.mkdir()
    bogus = {"id": "openai-community/gpt2", "downloadsAllTime": 10**12, "gated": "auto"}
    (attempt / "part-00000.jsonl.gz").write_bytes(gzip.compress(json.dumps(bogus).encode()))
    (attempt / "manifest.json").write_text('{"status": "incomplete"}', encoding="utf-8")
    return root


def _run(name: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the README's snippet `name` from `root`; return the names it defined."""
    monkeypatch.chdir(root)
    namespace: dict[str, Any] = {}
    exec(compile(readme_snippet(name), f"README.md:{name}", "exec"), namespace)  # noqa: S102
    return namespace


def _day(text: str) -> date:
    return date.fromisoformat(text)


TRUTH = expected("models")


def test_duckdb_reads_one_models_daily_series(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    series = _run("export-duckdb", root, monkeypatch)["series"]
    gpt2 = "openai-community/gpt2"
    assert series == [
        (
            _day(day),
            TRUTH[gpt2, day]["downloads_all_time"],
            TRUTH[gpt2, day]["downloads_gained"],
            TRUTH[gpt2, day]["days_between"],
        )
        for day in DAYS
    ]


def test_pyarrow_reads_a_week_of_gains(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    week = _run("export-pyarrow", root, monkeypatch)["week"]
    assert week.column_names == ["id", "day", "downloads_gained"]
    got = sorted((row["id"], row["day"], row["downloads_gained"]) for row in week.to_pylist())
    want = sorted(
        (repo, _day(day), row["downloads_gained"])
        for (repo, day), row in TRUTH.items()
        if day >= "2026-11-23"
    )
    assert got == want


def test_polars_reads_the_repos_gone_and_the_gains(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _run("export-polars", root, monkeypatch)
    assert names["gone"].rows() == [
        ("someone/deleted-model", date(2026, 11, 20), date(2026, 11, 24))
    ]
    gained = dict(names["gained"].rows())
    assert sorted(gained) == sorted(MODELS)
    for repo in MODELS:
        gains = [row["downloads_gained"] for (name, _), row in TRUTH.items() if name == repo]
        assert gained[repo] == sum(gain for gain in gains if gain is not None), repo


def test_pandas_reads_counts_as_nullable_integers(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily = _run("export-pandas", root, monkeypatch)["daily"]
    assert len(daily) == len(TRUTH)
    for column in ("downloads_gained", "downloads_all_time", "likes_gained", "parameters"):
        assert daily[column].dtype == "Int64", column
    assert daily["days_between"].dtype == "Int32"
    assert daily["created_at"].dtype == "datetime64[ms, UTC]"
    assert set(daily["gated"]) == {"false", "auto", "manual"}
    gpt2 = daily[daily["id"] == "openai-community/gpt2"].sort_values("day")
    assert gpt2["downloads_gained"].tolist() == [
        pd.NA
        if TRUTH["openai-community/gpt2", day]["downloads_gained"] is None
        else TRUTH["openai-community/gpt2", day]["downloads_gained"]
        for day in DAYS
    ]


def test_duckdb_reads_the_raw_snapshots_and_gated_never_the_attempt(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _run("snapshots-duckdb", root, monkeypatch)["raw"]
    gated = {False: "false", "auto": "auto", "manual": "manual"}
    want = [
        (_day(day), record["id"], record["downloadsAllTime"], gated[record["gated"]])
        for day in DAYS
        for record in records("models", day)
    ]
    assert raw == sorted(want, key=lambda row: (row[1], row[0]))
