"""The export's schema is pinned to its version: the columns of each version are written down here
once and for all, so a change to the schema without a new version fails, and the README's table
of columns is the schema of the current version."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analysis.export.schema import DAILY, SCHEMA_VERSION
from hfcrawler.layout import DataLayout
from tests.analysis.export.truth import DAYS, write_history
from tests.helpers import README, run_analysis

# Every version ever released: (column, type, nullable). Add a version, never edit one.
VERSIONS = {
    1: [
        ("id", "string", False),
        ("author", "string", True),
        ("repo_type", "string", False),
        ("day", "date32[day]", False),
        ("first_seen", "date32[day]", False),
        ("previous_day", "date32[day]", True),
        ("days_between", "int32", True),
        ("downloads_all_time", "int64", True),
        ("downloads_gained", "int64", True),
        ("downloads_all_time_dropped", "bool", False),
        ("downloads_30d", "int64", True),
        ("likes", "int64", True),
        ("likes_gained", "int64", True),
        ("trending_score", "double", True),
        ("pipeline_tag", "string", True),
        ("library_name", "string", True),
        ("license", "string", True),
        ("gated", "string", True),
        ("private", "bool", True),
        ("created_at", "timestamp[ms, tz=UTC]", True),
        ("last_modified", "timestamp[ms, tz=UTC]", True),
        ("parameters", "int64", True),
    ],
}


def _declared() -> list[tuple[str, str, bool]]:
    return [(field.name, str(field.type), field.nullable) for field in DAILY]


def test_the_schema_is_the_one_its_version_pins() -> None:
    assert max(VERSIONS) == SCHEMA_VERSION, "a new version of the schema is pinned here first"
    assert _declared() == VERSIONS[SCHEMA_VERSION], (
        "the schema changed without a new SCHEMA_VERSION: a change is a new version"
    )


def test_the_readme_documents_every_column_of_this_version() -> None:
    text = README.read_text(encoding="utf-8")
    assert f"### Columns (schema version {SCHEMA_VERSION})" in text
    table = text.split("<!-- export-columns -->")[1].split("<!-- /export-columns -->")[0]
    rows = [line.split(" | ") for line in table.strip().splitlines()[2:]]
    documented = [
        (row[0].strip("| `"), row[1].strip("`"), {"yes": True, "never": False}[row[2]])
        for row in rows
    ]
    assert documented == _declared()
    for row in rows:
        assert re.fullmatch(r".+[^ |] \|", row[3]), f"column {row[0]} has no meaning written"


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_every_file_says_its_schema_version_and_holds_the_schema(
    tmp_path: Path, repo_type: str
) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[-3:])
    assert run_analysis("export", "--data", str(data), cwd=tmp_path).returncode == 0
    layout = DataLayout(data)
    files = sorted(layout.export_daily(repo_type).glob("date=*/*.parquet"))
    files += sorted(layout.export_repos(repo_type).glob("*.parquet"))
    assert files
    for path in files:
        schema = pq.read_schema(path)
        assert schema.metadata[b"hfcrawler.schema_version"] == str(SCHEMA_VERSION).encode()
        assert schema.metadata[b"hfcrawler.repo_type"] == repo_type.encode()
        assert schema.remove_metadata() == DAILY
