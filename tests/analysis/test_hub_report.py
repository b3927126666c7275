"""The whole Hub in one report: datasets, Spaces, the links between them and the models' sizes.

The emulator is crawled once per module (models, datasets and Spaces, as a user runs the crawler)
and analysed once; each test checks one table against the truth computed here from the emulator's
own records, independently of the analysis. A second data directory holds the models alone: its
report has no datasets or Spaces section and says why.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from fakehub.hub import SyntheticHub
from fakehub.vocabulary import HOSTILE_STRINGS
from tests.helpers import ROOT, base_env, crawl, csv_rows, run_analysis, summary, write_partition

SEED = 15
COUNTS = {"models": 2500, "datasets": 400, "spaces": 400}
TOP = 25
GIGA = 10**9


@pytest.fixture(scope="module")
def hub() -> SyntheticHub:
    return SyntheticHub(seed=SEED, **COUNTS)


@pytest.fixture(scope="module")
def truth(hub: SyntheticHub) -> dict[str, list[dict[str, Any]]]:
    return {repo_type: list(hub.records(repo_type)) for repo_type in COUNTS}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a real crawl of the emulator's three listings."""
    data = tmp_path_factory.mktemp("data")
    arguments = ["--seed", str(SEED), "--page-cap", "1000"]
    arguments += [f"--{name}={count}" for name, count in COUNTS.items()]
    process = subprocess.Popen(
        [sys.executable, "-m", "fakehub", "--port", "0", *arguments],
        cwd=ROOT,
        env=base_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        for repo_type in COUNTS:
            result = crawl(repo_type, endpoint=url, data=data)
            assert result.returncode == 0, result.stderr[-3000:]
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    out = tmp_path_factory.mktemp("reports")
    result = run_analysis("--data", str(data), "--out", str(out), cwd=out)
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip()).parent


def _top(records: list[dict[str, Any]], by: str) -> list[tuple[str, int]]:
    counted = [r for r in records if r[by] is not None]
    ranked = sorted(counted, key=lambda r: (-r[by], r["id"]))[:TOP]
    return [(r["id"], r[by]) for r in ranked]


def _shown(value: str) -> str:
    """A Hub string as the CSV tables write it: the one hidden character of the emulator's
    hostile strings (U+202E) as an escape, and a leading quote before a formula start."""
    value = value.replace("\u202e", "\\u202e")
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


def test_top_datasets_are_the_most_downloaded_and_liked(report, truth):
    for name, by in (("datasets_top_downloads", "downloads"), ("datasets_top_likes", "likes")):
        rows = csv_rows(report, name)
        assert [(_unquote(r["id"]), int(r[by])) for r in rows] == _top(truth["datasets"], by)


def _unquote(value: str) -> str:
    return value.removeprefix("'")


def test_dataset_categories_come_from_the_card_tags(report, truth):
    tagged = Counter(
        next((t.removeprefix("size_categories:") for t in d["tags"]
              if t.startswith("size_categories:")), "(no size category)")
        for d in truth["datasets"]
    )  # fmt: skip
    rows = csv_rows(report, "datasets_size_categories")
    assert {r["size_category"]: int(r["datasets"]) for r in rows} == tagged
    # A dataset declaring two modalities counts under each.
    tagged = [{t for t in d["tags"] if t.startswith("modality:")} for d in truth["datasets"]]
    modalities = Counter(
        t.removeprefix("modality:") for tags in tagged for t in tags or {"modality:(no modality)"}
    )
    rows = csv_rows(report, "datasets_modalities")
    assert {r["modality"]: int(r["datasets"]) for r in rows} == modalities
    assert sum(modalities.values()) > len(truth["datasets"])
    gated = sum(d["gated"] not in (False, None) for d in truth["datasets"])
    access = {r["access"]: int(r["datasets"]) for r in csv_rows(report, "datasets_gated")}
    assert access == {"gated": gated, "open": len(truth["datasets"]) - gated}


def test_spaces_per_sdk_and_per_hardware(report, truth):
    spaces = truth["spaces"]
    sdks = {r["sdk"]: int(r["spaces"]) for r in csv_rows(report, "spaces_sdks")}
    assert sdks == Counter(s["sdk"] for s in spaces)
    hardware = {r["hardware"]: int(r["spaces"]) for r in csv_rows(report, "spaces_hardware")}
    requested = Counter(_shown(s["runtime"]["hardware"]["requested"]) for s in spaces)
    assert hardware == requested
    classes = {r["class"]: int(r["spaces"]) for r in csv_rows(report, "spaces_hardware_classes")}
    assert classes["CPU"] == sum(
        s["runtime"]["hardware"]["requested"].startswith("cpu") for s in spaces
    )
    assert classes["ZeroGPU"] == requested["zero-a10g"]
    assert classes["T4"] == requested["t4-small"] + requested["t4-medium"]


def test_most_used_models_in_spaces_beside_their_downloads(report, truth):
    used = Counter(name for space in truth["spaces"] for name in space["models"])
    downloads = {m["id"]: m["downloads"] for m in truth["models"]}
    rows = csv_rows(report, "links_space_models")
    assert {r["id"]: int(r["using_spaces"]) for r in rows} == dict(used)
    top = sorted(used.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    assert [(r["id"], int(r["using_spaces"])) for r in rows[:TOP]] == top
    for row in rows:
        known = row["id"] in downloads
        assert row["in_snapshot"] == str(known)
        expected = downloads.get(row["id"])
        assert row["downloads"] == ("" if expected is None else str(expected))
    # A Space may name a model that does not exist (deleted, or never there).
    assert any(row["in_snapshot"] == "False" for row in rows)


def test_datasets_most_declared_by_models_beside_their_own_counts(report, truth):
    declared = Counter(
        tag.removeprefix("dataset:")
        for model in truth["models"]
        for tag in set(model["tags"])
        if tag.startswith("dataset:")
    )
    own = {d["id"]: d for d in truth["datasets"]}
    rows = csv_rows(report, "links_declared_datasets")
    assert {r["id"]: int(r["declaring_models"]) for r in rows} == dict(declared)
    for row in rows[:TOP]:
        dataset = own.get(row["id"])
        assert row["likes"] == ("" if dataset is None else str(dataset["likes"]))


def _size_class(total: int | None) -> str:
    if total is None:
        return "unknown"
    bounds = ((1, "< 1B"), (3, "1-3B"), (8, "3-8B"), (15, "8-15B"), (35, "15-35B"), (80, "35-80B"))
    return next((label for bound, label in bounds if total < bound * GIGA), "> 80B")


def test_models_per_parameter_class(report, truth):
    models = truth["models"]
    classes = Counter(_size_class((m["safetensors"] or {}).get("total")) for m in models)
    downloads = Counter()
    for model in models:
        downloads[_size_class((model["safetensors"] or {}).get("total"))] += model["downloads"] or 0
    rows = {r["size_class"]: r for r in csv_rows(report, "model_sizes")}
    assert {name: int(row["models"]) for name, row in rows.items() if int(row["models"])} == classes
    assert {name: int(row["downloads"]) for name, row in rows.items() if classes[name]} == {
        name: downloads[name] for name in classes
    }
    assert classes["> 80B"] > 0
    assert classes["< 1B"] > classes["1-3B"]


def test_the_page_has_a_section_per_repo_type_and_a_headline_for_the_hub(report, truth):
    page = (report / "index.html").read_text(encoding="utf-8")
    for anchor in ("hub", "datasets", "spaces", "links", "sizes", "authors"):
        assert f'id="{anchor}"' in page
        assert f'href="#{anchor}"' in page
    assert "The Hub keeps no download counts for Spaces" in page
    headline = summary(report)["headline"]
    assert headline["datasets"] == len(truth["datasets"])
    assert headline["spaces"] == len(truth["spaces"])
    assert headline["datasets_downloads_30d"] == sum(d["downloads"] or 0 for d in truth["datasets"])
    for chart in summary(report)["charts"]:
        assert (report / chart["png"]).stat().st_size > 0


def test_hostile_strings_in_the_new_fields_stay_inert(report, truth):
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # a Space's stage, escaped
    stages = [_unquote(r["stage"]) for r in csv_rows(report, "spaces_stages")]
    assert "\\u202etxt.exe" in stages
    assert "\u202e" not in "".join(stages)
    for name in ("spaces_stages", "spaces_hardware", "datasets_task_categories"):
        text = (report / "tables" / f"{name}.csv").read_text(encoding="utf-8")
        cells = re.findall(r'"([^"]*)"', text)
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], name
    # The hostile tags reached the table (as the test's premise), quoted where they are formulas.
    categories = {r["task_category"] for r in csv_rows(report, "datasets_task_categories")}
    assert {_shown(s) for s in HOSTILE_STRINGS} & categories
    for hostile in categories - {_shown(s) for s in HOSTILE_STRINGS}:
        assert not hostile.startswith(("=", "+", "-", "@"))


def test_a_missing_datasets_or_spaces_partition_leaves_its_section_out(tmp_path, truth):
    day = "2026-11-01"
    records = [{**record, "repoType": "model"} for record in truth["models"]]
    write_partition(tmp_path / "data", "models", day, records)
    write_partition(tmp_path / "data", "spaces", day, [], status="failed")
    out = tmp_path / "reports"
    result = run_analysis("--data", str(tmp_path / "data"), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = Path(result.stdout.strip()).parent
    page = (report / "index.html").read_text(encoding="utf-8")
    assert f"No complete datasets partition for {day}: not crawled that day." in page
    assert f"No complete spaces partition for {day} (" in page
    assert 'id="datasets"' not in page
    assert 'id="spaces"' not in page
    assert 'id="links"' in page
    assert not list((report / "tables").glob("datasets_*.csv"))
    assert not list((report / "tables").glob("spaces_*.csv"))
    declared = {r["id"]: r for r in csv_rows(report, "links_declared_datasets")}
    assert declared
    assert {row["in_snapshot"] for row in declared.values()} == {""}
    # With the models alone, every author publishes only models, and none publishes "every" type.
    authors = {r["author"] for r in truth["models"] if r["author"] is not None}
    overlap = csv_rows(report, "links_author_overlap")
    assert [(r["publishes"], int(r["authors"])) for r in overlap] == [("models", len(authors))]
    assert csv_rows(report, "links_cross_authors") == []


def test_authors_across_the_three_repo_types(report, truth):
    owners = {
        repo_type: Counter(r["author"] for r in records if r["author"] is not None)
        for repo_type, records in truth.items()
    }
    every = set(owners["models"]) & set(owners["datasets"]) & set(owners["spaces"])
    overlap = {r["publishes"]: r for r in csv_rows(report, "links_author_overlap")}
    assert int(overlap["models + datasets + spaces"]["authors"]) == len(every)
    only_models = set(owners["models"]) - set(owners["datasets"]) - set(owners["spaces"])
    assert int(overlap["models"]["authors"]) == len(only_models)
    share = sum(owners["spaces"][a] for a in every) / sum(owners["spaces"].values())
    assert abs(float(overlap["models + datasets + spaces"]["spaces_share"]) - share) < 1e-9
    cross = csv_rows(report, "links_cross_authors")
    assert {r["author"] for r in cross} == every
    assert [int(r["repos"]) for r in cross] == sorted(
        (int(r["repos"]) for r in cross), reverse=True
    )
