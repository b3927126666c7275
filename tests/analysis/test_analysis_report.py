"""`python -m analysis` on a small snapshot with known aggregates and hostile strings.

The report is built once per module (a real subprocess, as a user runs it) and each test checks
one output against numbers worked out by hand from the records below.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.helpers import (
    csv_rows,
    model_record,
    run_analysis,
    without_own_script,
    write_partition,
)

DAY = "2026-11-28"
# Seconds of the 2022-03-02 migration batch (creation date unknown), and the second just after it.
MIGRATION_BATCH = ("2022-03-02T23:29:04.000Z", "2022-03-02T23:29:22.000Z")
AFTER_THE_BATCH = "2022-03-02T23:30:00.000Z"
SCRIPT_ID = "dave/<script>document.title='PWNED'</script>"
IMG_BASE = "<img src=x onerror=document.title='PWNED'>"
LONG_ID = "eve/模型" + "x" * 100_000
# An author name with ESC (a terminal's clear-screen), a right-to-left override and a NUL.
MALLORY = "@mallory\x1b[2J\u202e\x00"
MALLORY_SHOWN = "@mallory\\x1b[2J\\u202e\\x00"
ARABIC_LICENSE = "مرخص-عربي"
CHARTS = (
    "top_models_downloads",
    "top_models_likes",
    "tasks",
    "modalities",
    "top_authors_downloads",
    "top_authors_models",
    "libraries",
    "licenses",
    "likes_vs_downloads",
    "created_per_month",
    "concentration",
    "lineage",
    "author_kinds",
    # The whole Hub's chart that a models partition alone still has (no model here declares a
    # dataset, so the links have tables but no chart).
    "model_sizes",
)


def _model(*fields: Any, gated: bool | str = False) -> dict[str, Any]:
    """A full model record from (id, author, createdAt, downloads, likes, task, library, tags)."""
    model_id, author, created, downloads, likes, task, library, tags = fields
    return model_record(
        model_id,
        author=author,
        createdAt=created,
        lastModified=created,
        downloads=downloads,
        downloadsAllTime=None if downloads is None else downloads * 4,
        likes=likes,
        trendingScore=0.5,
        pipeline_tag=task,
        library_name=library,
        tags=tags,
        gated=gated,
    )


MODELS = [
    _model(
        "acme/alpha",
        "acme",
        "2024-01-15T10:00:00.000Z",
        1000,
        50,
        "text-generation",
        "transformers",
        ["transformers", "license:apache-2.0"],
        gated="manual",
    ),
    _model(
        "acme/alpha-ft",
        "acme",
        "2024-01-20T10:00:00.000Z",
        300,
        5,
        "text-generation",
        "transformers",
        ["license:apache-2.0", "base_model:acme/alpha", "base_model:finetune:acme/alpha"],
    ),
    _model(
        "bob/alpha-q",
        "bob",
        "2024-02-01T10:00:00.000Z",
        200,
        1,
        "text-generation",
        "gguf",
        ["license:apache-2.0", "base_model:acme/alpha", "base_model:quantized:acme/alpha"],
        gated="auto",
    ),
    _model(
        "bob/lora",
        "bob",
        AFTER_THE_BATCH,
        0,
        0,
        None,
        "peft",
        ["base_model:acme/alpha", "base_model:adapter:acme/alpha", "license:mit"],
    ),
    _model(
        "carol/merge",
        "carol",
        MIGRATION_BATCH[0],
        50,
        2,
        "text-generation",
        "transformers",
        [
            "base_model:acme/alpha",
            "base_model:merge:acme/alpha",
            "base_model:carol/img",
            "base_model:merge:carol/img",
        ],
    ),
    _model(
        "carol/img",
        "carol",
        "2024-02-11T10:00:00.000Z",
        5000,
        100,
        "image-classification",
        "timm",
        ["license:mit"],
    ),
    _model(
        SCRIPT_ID,
        "dave",
        "2024-03-01T10:00:00.000Z",
        10,
        3,
        "<b>bold</b>",
        "$\\alpha$",
        ["license:=1+2", f"base_model:{IMG_BASE}", "$x^2$"],
    ),
    _model("gpt2-legacy", None, None, None, None, None, None, []),
    _model(
        "@mallory/+cmd",
        MALLORY,
        MIGRATION_BATCH[1],
        7,
        0,
        "text-generation",
        None,
        ["\u202eevil"],
    ),
    _model(
        LONG_ID, "eve", "2024-03-05T10:00:00.000Z", 3, 4, None, None, [f"license:{ARABIC_LICENSE}"]
    ),
]


def _partition(
    data: Path, day: str, records: list[dict[str, Any]], status: str = "complete"
) -> Path:
    """A partition of two gzip members, whose manifest tells of a crawl with a rejected record,
    duplicates, a retry and a hostile endpoint."""
    counts = {
        "records": len(records),
        "rejected": 1,
        "duplicates": 2,
        "pages": 1,
        "requests": 2,
        "retries": 1,
        "http_429": 0,
    }
    return write_partition(
        data,
        "models",
        day,
        records,
        status,
        page=-(-len(records) // 2),
        crawler_version="0.1.0",
        endpoint="http://127.0.0.1:1/<i>hub</i>",
        counts=counts,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analysis")
    data = root / "data"
    _partition(data, DAY, MODELS)
    # A later crawl that did not finish, and an attempt still in progress: neither is analysed.
    _partition(data, "2026-11-29", MODELS[:2], status="failed")
    _partition(data, "2026-11-30", MODELS[:1]).rename(
        data / "snapshots" / "models" / ".date=2026-11-30.tmp"
    )
    done = run_analysis("--data", str(data), "--out", str(root / "reports"), cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(root / "reports" / DAY / "index.html")
    return root / "reports" / DAY


def columns(table: list[dict[str, str]], *names: str) -> list[tuple[str, ...]]:
    return [tuple(row[name] for name in names) for row in table]


def test_the_latest_complete_partition_is_analysed_and_the_failed_one_listed(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["date"] == DAY
    assert summary["headline"]["models"] == 10
    assert summary["skipped_partitions"] == [
        {"name": "date=2026-11-29", "reason": "status is 'failed', not 'complete'"}
    ]
    assert summary["data_quality"]["rejected"] == 1
    assert summary["data_quality"]["duplicates"] == 2
    assert summary["data_quality"]["records"] == 10
    # One complete partition is no history.
    assert summary["history"] is None
    assert 'id="history"' not in (report / "index.html").read_text(encoding="utf-8")


def test_headline_numbers(report: Path) -> None:
    headline = json.loads((report / "summary.json").read_text(encoding="utf-8"))["headline"]
    assert headline["downloads_30d"] == 6570
    assert headline["likes"] == 165
    assert headline["authors"] == 6
    assert headline["models_without_task"] == 3
    assert headline["models_declaring_base_share"] == pytest.approx(0.5)
    assert headline["createdAt_placeholder_models"] == 2


def test_top_models(report: Path) -> None:
    by_downloads = csv_rows(report, "top_models_downloads")
    assert columns(by_downloads, "rank", "id", "downloads") == [
        ("1", "carol/img", "5000"),
        ("2", "acme/alpha", "1000"),
        ("3", "acme/alpha-ft", "300"),
        ("4", "bob/alpha-q", "200"),
        ("5", "carol/merge", "50"),
        ("6", SCRIPT_ID, "10"),
        ("7", "'@mallory/+cmd", "7"),
        ("8", LONG_ID, "3"),
        ("9", "bob/lora", "0"),
    ]
    by_likes = csv_rows(report, "top_models_likes")
    assert columns(by_likes, "id", "likes") == [
        ("carol/img", "100"),
        ("acme/alpha", "50"),
        ("acme/alpha-ft", "5"),
        (LONG_ID, "4"),
        (SCRIPT_ID, "3"),
        ("carol/merge", "2"),
        ("bob/alpha-q", "1"),
        ("'@mallory/+cmd", "0"),
        ("bob/lora", "0"),
    ]


def test_tasks_keep_models_without_a_task(report: Path) -> None:
    assert columns(
        csv_rows(report, "tasks"),
        "pipeline_tag",
        "task",
        "modality",
        "models",
        "downloads",
        "likes",
    ) == [
        ("text-generation", "Text Generation", "nlp", "5", "1557", "58"),
        ("(no task)", "(no task)", "(no task)", "3", "3", "4"),
        ("<b>bold</b>", "<b>bold</b>", "other", "1", "10", "3"),
        ("image-classification", "Image Classification", "cv", "1", "5000", "100"),
    ]


def test_modalities(report: Path) -> None:
    assert columns(csv_rows(report, "modalities"), "modality", "models", "downloads", "likes") == [
        ("nlp", "5", "1557", "58"),
        ("(no task)", "3", "3", "4"),
        ("cv", "1", "5000", "100"),
        ("other", "1", "10", "3"),
    ]


def test_libraries_and_licenses(report: Path) -> None:
    assert columns(csv_rows(report, "libraries"), "library", "models", "downloads", "likes") == [
        ("(no library)", "3", "10", "4"),
        ("transformers", "3", "1350", "57"),
        ("$\\alpha$", "1", "10", "3"),
        ("gguf", "1", "200", "1"),
        ("peft", "1", "0", "0"),
        ("timm", "1", "5000", "100"),
    ]
    assert columns(csv_rows(report, "licenses"), "license", "models", "downloads", "likes") == [
        ("(no license)", "3", "57", "2"),
        ("apache-2.0", "3", "1500", "56"),
        ("mit", "2", "5000", "100"),
        ("'=1+2", "1", "10", "3"),
        (ARABIC_LICENSE, "1", "3", "4"),
    ]


def test_authors(report: Path) -> None:
    by_downloads = csv_rows(report, "top_authors_downloads")
    assert columns(by_downloads, "author", "kind", "models", "downloads", "likes") == [
        ("carol", "unknown", "2", "5050", "102"),
        ("acme", "unknown", "2", "1300", "55"),
        ("bob", "unknown", "2", "200", "1"),
        ("dave", "unknown", "1", "10", "3"),
        ("'" + MALLORY_SHOWN, "unknown", "1", "7", "0"),
        ("eve", "unknown", "1", "3", "4"),
    ]
    assert float(by_downloads[0]["downloads_share"]) == pytest.approx(5050 / 6570)
    by_models = csv_rows(report, "top_authors_models")
    assert [row["author"] for row in by_models] == [
        "acme",
        "bob",
        "carol",
        "'" + MALLORY_SHOWN,
        "dave",
        "eve",
    ]


def test_without_profiles_every_author_is_unknown(report: Path) -> None:
    assert columns(csv_rows(report, "author_kinds"), "kind", "authors", "models", "downloads") == [
        ("org", "0", "0", "0"),
        ("user", "0", "0", "0"),
        ("unknown", "6", "10", "6570"),
    ]
    assert csv_rows(report, "top_organisations") == []
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["authors"]["profiles_date"] is None
    assert summary["authors"]["kinds"]["unknown"]["models_share"] == 1.0
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "No author profiles yet" in page


def _gini(values: list[int]) -> float:
    """Mean absolute difference over twice the mean: independent of the sorted-rank formula."""
    n, mean = len(values), sum(values) / len(values)
    pairs = sum(abs(a - b) for a, b in itertools.product(values, repeat=2))
    return pairs / (2 * n * n * mean)


def test_concentration(report: Path) -> None:
    table = {row["population"]: row for row in csv_rows(report, "concentration")}
    models = [1000, 300, 200, 0, 50, 5000, 10, 7, 3]
    authors = [1300, 200, 5050, 10, 7, 3]
    assert table["models"]["members"] == "9"
    assert table["authors"]["members"] == "6"
    assert table["models"]["downloads"] == table["authors"]["downloads"] == "6570"
    assert float(table["models"]["gini"]) == pytest.approx(_gini(models))
    assert float(table["authors"]["gini"]) == pytest.approx(_gini(authors))
    for share in ("top_0.1%_share", "top_1%_share", "top_10%_share"):
        # ceil(f * n) is one member for both populations at every fraction.
        assert float(table["models"][share]) == pytest.approx(5000 / 6570)
        assert float(table["authors"][share]) == pytest.approx(5050 / 6570)
    lorenz = csv_rows(report, "lorenz")
    assert len(lorenz) == 101
    assert float(lorenz[0]["models_downloads_share"]) == 0.0
    assert float(lorenz[-1]["authors_downloads_share"]) == pytest.approx(1.0)


def test_lineage(report: Path) -> None:
    assert columns(
        csv_rows(report, "lineage"),
        "base_model",
        "finetune",
        "adapter",
        "quantized",
        "merge",
        "unspecified",
        "derivatives",
    ) == [
        ("acme/alpha", "1", "1", "1", "1", "0", "4"),
        (IMG_BASE, "0", "0", "0", "0", "1", "1"),
        ("carol/img", "0", "0", "0", "1", "0", "1"),
    ]
    relations = {row["relation"]: row for row in csv_rows(report, "lineage_relations")}
    assert {name: row["models"] for name, row in relations.items()} == {
        "(no base model)": "5",
        "finetune": "1",
        "adapter": "1",
        "quantized": "1",
        "merge": "1",
        "unspecified": "1",
    }
    assert float(relations["merge"]["share"]) == pytest.approx(0.1)


def test_created_per_month_sets_the_migration_batch_apart(report: Path) -> None:
    table = {row["month"]: row for row in csv_rows(report, "created_per_month")}
    assert list(table) == [
        "2022-03",
        "2024-01",
        "2024-02",
        "2024-03",
        "createdAt placeholder",
        "no createdAt",
    ]
    # A second after the batch's minute is a real creation date.
    assert (table["2022-03"]["(no task)"], table["2022-03"]["total"]) == ("1", "1")
    assert (table["2024-01"]["nlp"], table["2024-01"]["total"]) == ("2", "2")
    assert (table["2024-02"]["nlp"], table["2024-02"]["cv"], table["2024-02"]["total"]) == (
        "1",
        "1",
        "2",
    )
    assert (table["2024-03"]["other"], table["2024-03"]["total"]) == ("1", "2")
    # 23:29:04 and 23:29:22 alike: the whole batch has no known creation date.
    assert (table["createdAt placeholder"]["nlp"], table["createdAt placeholder"]["total"]) == (
        "2",
        "2",
    )
    assert table["no createdAt"]["(no task)"] == "1"
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "the 2 models of the 2022-03-02 migration batch (createdAt from 23:29:00 to" in page


def test_likes_vs_downloads_bins(report: Path) -> None:
    table = {
        (row["downloads"], row["likes"]): int(row["models"])
        for row in csv_rows(report, "likes_vs_downloads")
    }
    assert table == {
        ("0", "0"): 1,
        ("1-9", "0"): 1,
        ("1-9", "1-9"): 1,
        ("10-99", "1-9"): 2,
        ("100-999", "1-9"): 2,
        ("1000-9999", "10-99"): 1,
        ("1000-9999", "100-999"): 1,
    }


def test_every_chart_is_a_png_shown_in_the_page(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    assert sorted(path.stem for path in (report / "charts").iterdir()) == sorted(CHARTS)
    embedded = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(CHARTS)
    for name in CHARTS:
        png = report / "charts" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(png) as image:
            image.load()
            assert image.width > 300
            assert image.height > 200
        assert f'id="{name}"' in page


def test_hostile_strings_are_escaped_in_the_page(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "<script" not in without_own_script(page)
    assert "<b>bold" not in page
    assert "<img src=x" not in page
    assert "<i>hub" not in page
    assert "dave/&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in page
    assert "http://127.0.0.1:1/&lt;i&gt;hub&lt;/i&gt;" in page


def test_control_and_bidi_characters_are_shown_as_escapes_everywhere(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    for hidden in ("\x00", "\x1b", "\u202e"):
        assert hidden not in page
    assert MALLORY_SHOWN in page
    for table in (report / "tables").glob("*.csv"):
        text = table.read_text(encoding="utf-8")
        for hidden in ("\x00", "\x1b", "\u202e"):
            assert hidden not in text, table.name
    assert ("'" + MALLORY_SHOWN, "7") in columns(
        csv_rows(report, "top_authors_downloads"), "author", "downloads"
    )


def test_long_strings_are_cut_in_the_page_and_kept_whole_in_the_csv(report: Path) -> None:
    page = (report / "index.html").read_text(encoding="utf-8")
    # Cut at 200 characters with an ellipsis, in every table that shows the id: the top models
    # by downloads and by likes.
    assert page.count(f">{LONG_ID[:199]}…<") == 2
    assert "x" * 200 not in page
    assert LONG_ID in [row["id"] for row in csv_rows(report, "top_models_likes")]


def test_hostile_cells_are_defused_in_every_csv(report: Path) -> None:
    for table in (report / "tables").glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as stream:
            for row in csv.reader(stream):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (table.name, cell)
                    assert not cell.startswith("-") or _is_number(cell), (table.name, cell)


def _is_number(cell: str) -> bool:
    try:
        return not math.isnan(float(cell))
    except ValueError:
        return False


# Flags that keep a headless Chromium from reaching out on its own (updates, sync, QUIC).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    """The system's Chromium (never one downloaded): the test skips, saying so, without it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed: the browser checks of index.html did not run")
    return found


def _column(page: Any, table: Any, header: str) -> list[str]:
    """The texts of the visible cells of `table`'s column headed `header`, in page order."""
    headers = [cell.inner_text().strip() for cell in table.locator("thead th").all()]
    index = headers.index(header)
    rows = table.locator("tbody tr").all()
    return [row.locator("td").nth(index).inner_text() for row in rows if row.is_visible()]


TOP_BY_DOWNLOADS = [
    "carol/img",
    "acme/alpha",
    "acme/alpha-ft",
    "bob/alpha-q",
    "carol/merge",
    SCRIPT_ID,
    "@mallory/+cmd",
    LONG_ID[:199] + "…",
    "bob/lora",
]


@pytest.mark.browser
def test_the_page_sorts_filters_and_links_in_headless_chromium(report: Path) -> None:
    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    index = report / "index.html"
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: errors.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.goto(index.as_uri(), wait_until="load")
            # Every chart drawn from its data: URI; no script but the page's own; nothing the
            # Hub's strings held ran or became an element.
            loaded = page.evaluate(
                "[...document.images].filter((i) => i.complete && i.naturalWidth > 0).length"
            )
            assert loaded == len(CHARTS)
            assert page.evaluate("document.scripts.length") == 1
            assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
            assert page.title() != "PWNED"
            table = page.locator("h3", has_text="Top models by downloads").locator(
                "xpath=following-sibling::div[1]//table"
            )
            assert _column(page, table, "id") == TOP_BY_DOWNLOADS
            # Sorted by a number column, ascending then descending, by clicking its header.
            table.locator("thead th", has_text="downloads").click()
            assert _column(page, table, "id") == TOP_BY_DOWNLOADS[::-1]
            assert _column(page, table, "downloads")[:3] == ["0", "3", "7"]
            table.locator("thead th", has_text="downloads").click()
            assert _column(page, table, "id") == TOP_BY_DOWNLOADS
            # By a text column.
            table.locator("thead th", has_text="author").click()
            assert _column(page, table, "author") == [
                MALLORY_SHOWN,
                "acme",
                "acme",
                "bob",
                "bob",
                "carol",
                "carol",
                "dave",
                "eve",
            ]
            # Filtered by typing: the rows holding the text, in the order sorted.
            label = table.locator("xpath=../preceding-sibling::label[1]")
            label.locator("input").fill("alpha")
            assert _column(page, table, "id") == ["acme/alpha", "acme/alpha-ft", "bob/alpha-q"]
            assert label.inner_text().endswith("3 of 9 rows")
            label.locator("input").fill("")
            assert len(_column(page, table, "id")) == len(TOP_BY_DOWNLOADS)
            # Ids of the Hub's form link to their page; the others are text only.
            links = {
                anchor.inner_text(): anchor.get_attribute("href")
                for anchor in table.locator("tbody td a").all()
            }
            assert links["acme/alpha"] == "https://huggingface.co/acme/alpha"
            assert links["carol"] == "https://huggingface.co/carol"
            assert SCRIPT_ID not in links
            assert "@mallory/+cmd" not in links
            # Without JavaScript the page reads the same, unsorted and without filters.
            plain = browser.new_page(java_script_enabled=False)
            plain.goto(index.as_uri(), wait_until="load")
            assert plain.locator("label.filter").count() == 0
            plain_table = plain.locator("h3", has_text="Top models by downloads").locator(
                "xpath=following-sibling::div[1]//table"
            )
            assert _column(plain, plain_table, "id") == TOP_BY_DOWNLOADS
        finally:
            browser.close()
    assert errors == []
    assert {url for url in requests if not url.startswith("data:")} == {index.as_uri()}
