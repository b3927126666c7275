"""The history of datasets and Spaces, and `--type`, over three days of known truth.

Three daily snapshots, 2026-11-01 to 11-03, of a few models, datasets and Spaces (the tables
below). Datasets gain downloads (downloadsAllTime differences): one declares two task categories
and two modalities, one a hostile task category, one is deleted and one created, and one's counter
goes back (an anomaly). Spaces gain likes, and lose one taken back; one has a hostile SDK, one is
deleted and one created. The report is analysed once for every repo type and once narrowed to the
datasets; each expected figure is worked out here from the tables, independently of the analysis.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    csv_rows,
    dataset_record,
    model_record,
    run_analysis,
    space_record,
    write_partition,
)

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]
HOSTILE_TAG = "<img src=x onerror=alert(1)>$x$"
HOSTILE_SDK = '=HYPERLINK("http://example.invalid")<script>alert(1)</script>'
MULTIMODAL = ["modality:text", "modality:audio"]
# downloadsAllTime per dataset and snapshot (absent: not listed), and its card's tags.
DATASETS: dict[str, tuple[list[int | None], list[str]]] = {
    "d/big": ([1000, 1500, 2500], ["task_categories:text-generation", "modality:text"]),
    "d/multi": (
        [100, 400, 500],
        ["task_categories:translation", "task_categories:summarization", *MULTIMODAL],
    ),
    "d/none": ([50, 50, 60], []),
    "d/hostile": ([10, 20, 30], [f"task_categories:{HOSTILE_TAG}", "modality:image"]),
    "d/gone": ([700, 800, None], ["task_categories:text-generation", "modality:text"]),
    "d/new": ([None, 5, 905], ["task_categories:translation", "modality:text"]),
    "d/drop": ([300, 200, 250], ["task_categories:translation", "modality:text"]),
}
CREATED = {"d/new": "2026-11-02T08:00:00.000Z", "s/fresh": "2026-11-03T08:00:00.000Z"}
# Likes per Space and snapshot (None: not listed), and its SDK.
SPACES: dict[str, tuple[list[int | None], str]] = {
    "s/app": ([10, 15, 12], "gradio"),
    "s/tool": ([3, 4, 10], "docker"),
    "s/hostile": ([0, 2, 2], HOSTILE_SDK),
    "s/old": ([5, 5, None], "streamlit"),
    "s/fresh": ([None, None, 7], "gradio"),
}
MODELS = {"m/a": [100, 150, 300], "m/b": [40, 45, 50]}
NO_TASK_CATEGORY = "(no task category)"


def _records(day: int) -> dict[str, list[dict[str, Any]]]:
    """The records of each repo type on the `day`-th snapshot."""
    datasets = [
        dataset_record(
            name,
            downloadsAllTime=counts[day],
            downloads=30 * counts[day],
            tags=tags,
            createdAt=CREATED.get(name, "2025-01-01T00:00:00.000Z"),
        )
        for name, (counts, tags) in DATASETS.items()
        if counts[day] is not None
    ]
    spaces = [
        space_record(
            name,
            likes=likes[day],
            sdk=sdk,
            tags=[],
            createdAt=CREATED.get(name, "2025-01-01T00:00:00.000Z"),
        )
        for name, (likes, sdk) in SPACES.items()
        if likes[day] is not None
    ]
    models = [
        model_record(name, downloadsAllTime=counts[day], downloads=counts[day])
        for name, counts in MODELS.items()
    ]
    return {"models": models, "datasets": datasets, "spaces": spaces}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("hub-history") / "data"
    for day, name in enumerate(DAYS):
        for repo_type, records in _records(day).items():
            write_partition(data, repo_type, name, records)
    return data


def _report(data: Path, out: str, *arguments: str) -> tuple[Path, str]:
    """The report asked for with `arguments`, and what the run wrote on stderr."""
    done = run_analysis(
        "--data", str(data), "--out", str(data.parent / out), "--no-export", *arguments,
        cwd=data.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip()).parent, done.stderr


@pytest.fixture(scope="module")
def report(data: Path) -> Path:
    """Every repo type, with the models' history beside the others'."""
    path, stderr = _report(data, "all")
    assert stderr == ""
    return path


@pytest.fixture(scope="module")
def narrowed(data: Path) -> tuple[Path, str]:
    """The datasets alone, asked to follow a model."""
    return _report(data, "datasets", "--type", "datasets", "--follow", "m/a")


@pytest.fixture(scope="module")
def datasets_only(narrowed: tuple[Path, str]) -> Path:
    return narrowed[0]


def _gains(series: dict[str, list[int | None]]) -> list[dict[str, int | None]]:
    """Per interval, each repo listed at both ends: what its counter gained (None: a counter
    that cannot fall, going back)."""
    return [
        {name: counts[end] - counts[start] for name, counts in series.items()
         if counts[start] is not None and counts[end] is not None}
        for start, end in pairwise(range(len(DAYS)))
    ]  # fmt: skip


def _top(gains: list[dict[str, int]], intervals: range) -> list[tuple[str, int]]:
    """The gainers over `intervals` (their gains summed where measured), most first, by name."""
    summed: Counter[str] = Counter()
    measured = set()
    for index in intervals:
        for name, gained in gains[index].items():
            if gained is not None:
                summed[name] += gained
                measured.add(name)
    return sorted(((n, summed[n]) for n in measured), key=lambda item: (-item[1], item[0]))


def _ranked(report: Path, name: str, window: int) -> list[tuple[str, int]]:
    rows = csv_rows(report, name)
    return [
        (row["id"], int(row["gained"]))
        for row in rows
        if row["window_days"] == str(window) and row["ranking"] == "absolute"
    ]


def _dataset_gains() -> list[dict[str, int | None]]:
    gains = _gains({name: counts for name, (counts, _) in DATASETS.items()})
    # downloadsAllTime never falls: one that goes back is an anomaly, left out.
    return [{name: g if g >= 0 else None for name, g in gained.items()} for gained in gains]


def test_dataset_top_gainers_over_each_window(report: Path) -> None:
    gains = _dataset_gains()
    # The last day holds the latest interval, the week and the month both.
    assert _ranked(report, "velocity_datasets", 1) == _top(gains, range(1, 2))
    assert _ranked(report, "velocity_datasets", 7) == _top(gains, range(2))
    assert _ranked(report, "velocity_datasets", 30) == _top(gains, range(2))
    assert _ranked(report, "velocity_datasets", 7)[:2] == [("d/big", 1500), ("d/new", 900)]
    anomalies = csv_rows(report, "history_datasets_anomalies")
    assert [(r["id"], r["before"], r["after"]) for r in anomalies] == [("d/drop", "300", "200")]


def test_dataset_churn_counts_creations_and_deletions(report: Path) -> None:
    rows = csv_rows(report, "history_datasets_churn")
    listed = [{n for n, (c, _) in DATASETS.items() if c[day] is not None} for day in range(3)]
    expected = [(DAYS[d + 1], len(listed[d + 1] - listed[d]), len(listed[d] - listed[d + 1]))
                for d in range(2)]  # fmt: skip
    assert [(r["end"], int(r["created"]), int(r["deleted"])) for r in rows] == expected
    assert expected == [(DAYS[1], 1, 0), (DAYS[2], 0, 1)]


def _categories(tags: list[str], prefix: str, unlabelled: str) -> set[str]:
    return {t.removeprefix(prefix) for t in tags if t.startswith(prefix)} or {unlabelled}


def test_hype_cycles_count_a_dataset_in_each_of_its_task_categories(report: Path) -> None:
    gains = _dataset_gains()
    rows = csv_rows(report, "history_datasets_task_categories")
    for index, gained in enumerate(gains):
        expected_gains: Counter[str] = Counter()
        created: Counter[str] = Counter()
        for name, (counts, tags) in DATASETS.items():
            categories = _categories(tags, "task_categories:", NO_TASK_CATEGORY)
            for category in categories:
                if gained.get(name) is not None:
                    expected_gains[category] += gained[name]
                if counts[index] is None and counts[index + 1] is not None:
                    created[category] += 1
        end = [r for r in rows if r["end"] == DAYS[index + 1]]
        shown = {_unquote(r["task_category"]): r for r in end}
        assert set(shown) == set(expected_gains) | set(created)
        assert {c: int(r["downloads_gained"]) for c, r in shown.items()} == {
            c: expected_gains[c] for c in shown
        }
        assert {c: int(r["created"]) for c, r in shown.items()} == {c: created[c] for c in shown}
        # Shares of the interval's whole gain: d/multi counts in both its categories.
        total = sum(g for g in gained.values() if g is not None)
        for category, row in shown.items():
            assert float(row["downloads_share"]) == pytest.approx(expected_gains[category] / total)
    assert {r["task_category"] for r in rows} >= {"translation", "summarization"}
    modalities = {
        (r["end"], r["modality"]): int(r["downloads_gained"])
        for r in csv_rows(report, "history_datasets_modalities")
    }
    # d/multi's 100 on the last day counts under text and audio both.
    assert modalities[DAYS[2], "audio"] == 100
    assert modalities[DAYS[2], "text"] == 1000 + 100 + 900 + 50


def _unquote(value: str) -> str:
    return value.removeprefix("'")


def test_spaces_gain_likes_and_lose_those_taken_back(report: Path) -> None:
    gains = _gains({name: likes for name, (likes, _) in SPACES.items()})
    assert _ranked(report, "velocity_spaces", 1) == _top(gains, range(1, 2))
    assert _ranked(report, "velocity_spaces", 7) == _top(gains, range(2))
    # s/app's like taken back is a loss, not an anomaly.
    assert ("s/app", -3) in _ranked(report, "velocity_spaces", 1)
    assert csv_rows(report, "history_spaces_anomalies") == []
    intervals = csv_rows(report, "history_spaces_intervals")
    assert [int(r["likes_gained"]) for r in intervals] == [sum(g.values()) for g in gains]
    # Spaces have no download counts: no table of their history counts any.
    for table in (report / "tables").glob("*spaces*.csv"):
        header = table.read_text(encoding="utf-8").splitlines()[0]
        assert "downloads" not in header, table.name


def test_spaces_sdk_shares_per_day_and_churn_by_sdk(report: Path) -> None:
    rows = csv_rows(report, "history_spaces_sdk_shares")
    for day, date in enumerate(DAYS):
        listed = Counter(sdk for likes, sdk in SPACES.values() if likes[day] is not None)
        shown = {_unquote(r["sdk"]): r for r in rows if r["date"] == date}
        assert {sdk: int(r["spaces"]) for sdk, r in shown.items()} == dict(listed)
        for sdk, row in shown.items():
            assert float(row["share"]) == pytest.approx(listed[sdk] / sum(listed.values()))
    churn = {(r["end"], r["sdk"]): (int(r["created"]), int(r["deleted"]))
             for r in csv_rows(report, "history_spaces_churn")}  # fmt: skip
    assert churn == {(DAYS[2], "gradio"): (1, 0), (DAYS[2], "streamlit"): (0, 1)}


def test_the_page_has_a_history_section_per_repo_type(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    for anchor in ("datasets-history", "spaces-history", "history"):
        assert f'id="{anchor}"' in page
        assert f'href="#{anchor}"' in page
    spaces = page.split('id="spaces-history"')[1].split("</section>")[0]
    assert "The Hub keeps no download counts for Spaces" in spaces
    assert "a like taken back counting as a loss" in spaces
    # Each id links to the page of its own repo type.
    assert '<a href="https://huggingface.co/spaces/s/tool">s/tool</a>' in spaces
    for anchor in ("datasets", "datasets-history"):
        datasets = page.split(f'id="{anchor}"')[1].split("</section>")[0]
        assert '<a href="https://huggingface.co/datasets/d/big">d/big</a>' in datasets
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["repo_types"] == ["models", "datasets", "spaces"]
    for chart in summary["charts"]:
        assert (report / chart["png"]).stat().st_size > 0
    named = {chart["png"] for chart in summary["charts"]}
    assert {"charts/history_datasets_task_categories.png",
            "charts/history_spaces_sdk_shares.png"} <= named  # fmt: skip
    # The models' history beside the others', its tables as they were.
    header = (report / "tables" / "history_intervals.csv").read_text(encoding="utf-8")
    assert header.splitlines()[0] == (
        '"start","end","days","models_start","models_end","continuing","created","deleted",'
        '"downloads_gained","downloads_per_day","anomalies","without_counts"'
    )


def test_a_hostile_tag_and_sdk_stay_inert_in_the_page_and_the_tables(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page
    assert "<script>alert(1)</script>" not in page
    # The tag reached the page (the top datasets' categories), escaped.
    assert "&lt;img src=x onerror=alert(1)&gt;$x$" in page
    for table in (report / "tables").glob("*.csv"):
        cells = re.findall(r'"([^"]*(?:""[^"]*)*)"', table.read_text(encoding="utf-8"))
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], table.name
    sdks = {r["sdk"] for r in csv_rows(report, "history_spaces_sdks")}
    assert "'" + HOSTILE_SDK in sdks
    tags = {r["task_category"] for r in csv_rows(report, "history_datasets_task_categories")}
    assert HOSTILE_TAG in tags


def test_type_narrows_the_run_and_says_why_the_others_are_absent(
    narrowed: tuple[Path, str],
) -> None:
    datasets_only, stderr = narrowed
    assert (
        stderr
        == "python -m analysis: warning: --follow m/a not followed: --type leaves the models out\n"
    )
    page = (datasets_only / "index.html").read_text(encoding="utf-8")
    assert 'id="datasets"' in page
    assert 'id="datasets-history"' in page
    for absent in ('id="spaces"', 'id="spaces-history"', 'id="charts"', 'id="links"',
                   'id="sizes"', 'id="history"', 'id="trends"', 'id="key-tables"'):  # fmt: skip
        assert absent not in page
    assert "No spaces in this report: --type asks for datasets only." in page
    assert "No models, links between repo types or model sizes in this report" in page
    summary = json.loads((datasets_only / "summary.json").read_text(encoding="utf-8"))
    assert summary["repo_types"] == ["datasets"]
    assert set(summary["left_out"]) == {"models", "spaces"}
    tables = {path.stem for path in (datasets_only / "tables").glob("*.csv")}
    assert "velocity_datasets" in tables
    assert not [name for name in tables if "spaces" in name or "models" in name]
    assert not {"history_intervals", "model_sizes", "links_declared_datasets"} & tables


def test_an_unknown_type_exits_2_naming_the_known_ones(tmp_path: Path) -> None:
    done = run_analysis("--data", str(tmp_path), "--type", "datasets,model", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown repo type 'model': choose among models, datasets, spaces" in done.stderr
    assert not (tmp_path / "reports").exists()
    assert "--type" in run_analysis("--help", cwd=tmp_path).stdout


def test_a_dataset_counts_in_each_of_its_task_categories(datasets_only: Path) -> None:
    per_category = defaultdict(int)
    for row in csv_rows(datasets_only, "datasets_task_categories"):
        per_category[_unquote(row["task_category"])] = int(row["datasets"])
    latest = [tags for counts, tags in DATASETS.values() if counts[-1] is not None]
    expected: Counter[str] = Counter()
    for tags in latest:
        expected.update(_categories(tags, "task_categories:", NO_TASK_CATEGORY))
    assert dict(per_category) == dict(expected)
    assert sum(expected.values()) > len(latest)
