"""Organisations vs users in `python -m analysis`, on known profiles and known downloads.

The models partition and the authors partitions are written by hand; the split, the top
organisations and the kinds in the top-authors tables are checked against sums worked out below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    csv_rows,
    model_record,
    run_analysis,
    without_own_script,
    write_partition,
)

DAY = "2026-11-20"
HOSTILE_FULLNAME = "=HYPERLINK(\"x\")<script>document.title='PWNED'</script>"
# (id, author, 30-day downloads); "legacy" names no author and has no owner in its id.
MODELS = [
    ("acme/a", "acme", 1000),
    ("acme/b", "acme", 500),
    ("bob/x", "bob", 300),
    ("carol/y", "carol", 200),
    ("dave/z", "dave", 50),
    ("eve/w", "eve", 40),
    ("legacy", None, 10),
    ("frank/v", "frank", None),
]


def _profile(name: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "fullname": name.title(),
        "avatarUrl": f"/avatars/{name}.svg",
        "isPro": False if kind == "user" else None,
        "plan": None,
        "isVerified": None,
        "numFollowers": 1,
        "numFollowing": 2 if kind == "user" else None,
        "numLikes": 3 if kind == "user" else None,
        "numUsers": 4 if kind == "org" else None,
        "numModels": 1,
        "numDatasets": 0,
        "numSpaces": 0,
        "fetchedAt": "2026-11-20T10:19:31.478Z",
        **fields,
    }


PROFILES = [
    _profile("acme", "org", isVerified=True, plan="enterprise", fullname="ACME Labs"),
    _profile("dave", "org", isVerified=False, fullname=HOSTILE_FULLNAME),
    _profile("bob", "user", isPro=True),
    _profile("carol", "user"),
    _profile("zed", "user"),
]


def _model(model_id: str, author: str | None, downloads: int | None) -> dict[str, Any]:
    return model_record(
        model_id,
        author=author,
        downloads=downloads,
        downloadsAllTime=downloads,
        likes=1,
        pipeline_tag="text-generation",
        library_name="transformers",
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("authors")
    data = root / "data"
    write_partition(data, "models", DAY, [_model(*fields) for fields in MODELS])
    # An older complete partition, a failed one of the same day's eve and a later one: only the
    # latest complete partition dated on or before the models snapshot is used.
    write_partition(data, "authors", "2026-11-18", [_profile("acme", "user")])
    write_partition(data, "authors", "2026-11-19", [_profile("eve", "user")], status="failed")
    write_partition(data, "authors", DAY, PROFILES)
    write_partition(data, "authors", "2026-11-21", [_profile("frank", "org")])
    done = run_analysis("--data", str(data), "--out", str(root / "out"), cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "out" / DAY


def test_the_split_by_author_kind_is_exact(report: Path) -> None:
    split = csv_rows(report, "author_kinds")
    assert [(row["kind"], row["authors"], row["models"], row["downloads"]) for row in split] == [
        ("org", "2", "3", "1550"),
        ("user", "2", "2", "500"),
        # eve has no profile, frank's is later than the snapshot, legacy names no author.
        ("unknown", "2", "3", "50"),
    ]
    shares = {
        row["kind"]: (float(row["models_share"]), float(row["downloads_share"])) for row in split
    }
    assert shares["org"] == pytest.approx((3 / 8, 1550 / 2100))
    assert shares["user"] == pytest.approx((2 / 8, 500 / 2100))
    assert shares["unknown"] == pytest.approx((3 / 8, 50 / 2100))


def test_top_organisations_carry_their_profile(report: Path) -> None:
    top = csv_rows(report, "top_organisations")
    assert [
        (row["rank"], row["author"], row["fullname"], row["verified"], row["plan"]) for row in top
    ] == [
        ("1", "acme", "ACME Labs", "True", "enterprise"),
        ("2", "dave", "'" + HOSTILE_FULLNAME, "False", ""),
    ]
    assert [row["downloads"] for row in top] == ["1500", "50"]
    assert float(top[0]["downloads_share"]) == pytest.approx(1500 / 2100)


def test_top_authors_tables_name_the_kind(report: Path) -> None:
    by_downloads = csv_rows(report, "top_authors_downloads")
    assert [(row["author"], row["kind"]) for row in by_downloads] == [
        ("acme", "org"),
        ("bob", "user"),
        ("carol", "user"),
        ("dave", "org"),
        ("eve", "unknown"),
        ("frank", "unknown"),
    ]


def test_summary_and_page_show_the_split(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))["authors"]
    assert summary["profiles_date"] == DAY
    assert summary["profiles"] == 5
    assert summary["kinds"]["org"]["downloads_30d"] == 1550
    assert summary["kinds"]["unknown"]["models"] == 3
    page = (report / "index.html").read_text(encoding="utf-8")
    assert '<section id="authors">' in page
    assert 'id="author_kinds"' in page
    assert "profiles of 2026-11-20" in page
    assert "<script" not in without_own_script(page)
    # dave's missing plan is an empty cell, not a placeholder.
    assert "&lt;NA&gt;" not in page
    assert ">nan<" not in page
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in page


def test_a_damaged_authors_partition_is_passed_over_for_the_one_before(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_partition(data, "models", DAY, [_model(*fields) for fields in MODELS])
    write_partition(data, "authors", "2026-11-18", [_profile("acme", "user")])
    damaged = write_partition(data, "authors", DAY, PROFILES) / "part-00000.jsonl.gz"
    body = bytearray(damaged.read_bytes())
    body[len(body) // 2] ^= 0x01
    damaged.write_bytes(bytes(body))
    done = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        f"python -m analysis: warning: authors/date={DAY} left out, damaged: part-00000.jsonl.gz "
    )
    report = tmp_path / "out" / DAY
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["authors"]["profiles_date"] == "2026-11-18"
    [skipped] = summary["skipped_partitions"]
    assert skipped["name"] == f"authors/date={DAY}"
    assert "its sha256 is not the manifest's" in skipped["reason"]
    split = csv_rows(report, "author_kinds")
    # Only acme has a profile, the older one's: a user.
    assert [(row["kind"], row["authors"]) for row in split] == [
        ("org", "0"),
        ("user", "1"),
        ("unknown", "5"),
    ]
