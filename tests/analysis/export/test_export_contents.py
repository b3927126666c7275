"""The export's rows against the truth of the snapshots they come from (tests/analysis/export/
truth.py): every gain, gap, drop, new, returning and deleted repo, for models, datasets and
Spaces, as `python -m analysis export` writes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hfcrawler.layout import DataLayout
from tests.analysis.export.truth import (
    DATASETS,
    DAYS,
    FAILED_DAY,
    LATEST,
    MODELS,
    SPACES,
    TRUTH,
    expected,
    write_history,
)
from tests.helpers import run_analysis

CHECKED = [
    "first_seen",
    "previous_day",
    "days_between",
    "downloads_all_time",
    "downloads_gained",
    "downloads_all_time_dropped",
    "likes",
    "likes_gained",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("export") / "data"
    write_history(data)
    done = run_analysis("export", "--data", str(data), cwd=data.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    days = [day for day in DAYS if day != FAILED_DAY]
    daily = DataLayout(data).export_daily("models")
    assert lines[0] == (
        f"models: added {', '.join(days)}; 9 days, {DAYS[0]} to {LATEST} in {daily}, "
        f"every repo's latest row in {DataLayout(data).export_repos('models')}"
    )
    assert [line.split(":")[0] for line in lines] == ["models", "datasets", "spaces"]
    return data


def _rows(data: Path, repo_type: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = {}
    for path in sorted(DataLayout(data).export_daily(repo_type).glob("date=*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"], row["day"].isoformat()] = row
    return rows


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_every_row_is_its_snapshots_truth(data: Path, repo_type: str) -> None:
    rows = _rows(data, repo_type)
    truth = expected(repo_type)
    assert sorted(rows) == sorted(truth)
    for key, want in truth.items():
        assert {column: rows[key][column] for column in CHECKED} == want, key


def test_gains_are_the_differences_of_downloads_all_time_never_split_over_a_gap(
    data: Path,
) -> None:
    rows = _rows(data, "models")
    gpt2 = [rows["openai-community/gpt2", day] for day in DAYS]
    assert [row["downloads_gained"] for row in gpt2] == [None, *[5_000] * 5, 10_000, 5_000, 5_000]
    # The failed crawl of 11-26 is a gap: 11-27 follows 11-25, two days later, in one number.
    after_gap = rows["openai-community/gpt2", "2026-11-27"]
    assert after_gap["previous_day"] == date(2026, 11, 25)
    assert after_gap["days_between"] == 2
    assert not DataLayout(data).export_day("models", FAILED_DAY).exists()


def test_a_drop_of_downloads_all_time_is_flagged_and_gains_nothing(data: Path) -> None:
    rows = _rows(data, "models")
    dropped = rows["google-bert/bert-base-uncased", "2026-11-24"]
    assert dropped["downloads_all_time"] == 40_000
    assert dropped["downloads_gained"] is None
    assert dropped["downloads_all_time_dropped"] is True
    # The next day's gain is measured from the dropped count.
    assert rows["google-bert/bert-base-uncased", "2026-11-25"]["downloads_gained"] == 25_000
    flagged = [key for key, row in rows.items() if row["downloads_all_time_dropped"]]
    assert flagged == [("google-bert/bert-base-uncased", "2026-11-24")]


def test_new_and_returning_repos_have_no_gain_and_keep_their_first_day(data: Path) -> None:
    rows = _rows(data, "models")
    new = rows["meta-llama/Llama-3.1-8B", "2026-11-23"]
    assert (new["previous_day"], new["downloads_gained"], new["likes_gained"]) == (None, None, None)
    assert new["first_seen"] == date(2026, 11, 23)
    back = rows["someone/back-again", "2026-11-25"]
    assert (back["previous_day"], back["days_between"], back["downloads_gained"]) == (
        None,
        None,
        None,
    )
    assert back["first_seen"] == date(2026, 11, 20)
    # A day without a count gains nothing, and neither does the next one.
    assert rows["someone/no-count", "2026-11-27"]["downloads_gained"] is None
    assert rows["someone/no-count", "2026-11-28"]["downloads_gained"] is None
    assert rows["someone/no-count", "2026-11-29"]["downloads_gained"] == 700


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_repos_hold_the_last_row_of_every_repo_ever_seen(data: Path, repo_type: str) -> None:
    table = pq.read_table(DataLayout(data).export_repos(repo_type)).to_pylist()
    rows = _rows(data, repo_type)
    repos = {row["id"]: row for row in table}
    assert len(table) == len(repos) == len(TRUTH[repo_type])
    for repo, series in TRUTH[repo_type].items():
        last = max(series)
        assert repos[repo] == rows[repo, last], repo
        assert repos[repo]["first_seen"] == date.fromisoformat(min(series))


def test_a_deleted_repo_keeps_its_last_row_dated_before_the_latest_day(data: Path) -> None:
    repos = {
        row["id"]: row for row in pq.read_table(DataLayout(data).export_repos("models")).to_pylist()
    }
    gone = [repo for repo, row in repos.items() if row["day"] != date.fromisoformat(LATEST)]
    assert gone == ["someone/deleted-model"]
    assert repos["someone/deleted-model"]["day"] == date(2026, 11, 24)
    assert (
        repos["someone/deleted-model"]["downloads_all_time"]
        == MODELS["someone/deleted-model"]["2026-11-24"]
    )


def test_the_attributes_are_the_hubs_fields_typed(data: Path) -> None:
    models = _rows(data, "models")
    gpt2 = models["openai-community/gpt2", LATEST]
    assert gpt2["gated"] == "false"
    assert gpt2["repo_type"] == "model"
    assert gpt2["author"] == "openai-community"
    assert gpt2["pipeline_tag"] == "text-generation"
    assert gpt2["library_name"] == "transformers"
    assert gpt2["license"] == "mit"
    assert gpt2["downloads_30d"] == MODELS["openai-community/gpt2"][LATEST] // 10
    assert gpt2["private"] is False
    assert gpt2["parameters"] is None
    assert gpt2["last_modified"].isoformat() == "2026-11-29T01:02:03.456000+00:00"
    assert gpt2["trending_score"] == 8 + len("openai-community/gpt2") / 8
    assert models["google-bert/bert-base-uncased", LATEST]["gated"] == "manual"
    assert models["meta-llama/Llama-3.1-8B", LATEST]["gated"] == "auto"
    dataset = _rows(data, "datasets")["rajpurkar/squad", LATEST]
    assert (dataset["repo_type"], dataset["gated"], dataset["pipeline_tag"]) == (
        "dataset",
        "auto",
        None,
    )
    assert dataset["downloads_all_time"] == DATASETS["rajpurkar/squad"][LATEST]
    space = _rows(data, "spaces")["gradio/demo", LATEST]
    assert space["repo_type"] == "space"
    assert space["downloads_all_time"] is space["downloads_30d"] is space["gated"] is None
    # Likes taken back since the day before: a gain below zero, as it happened.
    assert space["likes_gained"] == -37
    assert sorted(SPACES) == sorted(
        row["id"] for row in pq.read_table(DataLayout(data).export_repos("spaces")).to_pylist()
    )
