"""The data layout's module: its paths, its manifest reading, and no dependency but Python's."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from hfcrawler.layout import (
    DataLayout,
    ManifestError,
    part_entry,
    part_name,
    read_manifest,
    read_records,
    write_manifest,
)
from tests.helpers import ROOT, write_partition


def test_paths_of_partitions_attempts_and_caches(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path)
    assert layout.partition("models", date(2026, 11, 29)) == (
        tmp_path / "snapshots" / "models" / "date=2026-11-29"
    )
    assert layout.partition("authors", "2026-11-29") == (
        tmp_path / "snapshots" / "authors" / "date=2026-11-29"
    )
    assert layout.attempt("spaces") == tmp_path / "snapshots" / "spaces" / ".attempt"
    assert layout.replaced("spaces", "2026-11-29") == (
        tmp_path / "snapshots" / "spaces" / ".replaced-date=2026-11-29"
    )
    assert layout.cache("models", "2026-11-29") == tmp_path / "cache" / "models" / "date=2026-11-29"
    assert layout.history("models") == tmp_path / "cache" / "history" / "models"
    assert [part_name(n) for n in (0, 1, 12)] == [
        "part-00000.jsonl.gz",
        "part-00001.jsonl.gz",
        "part-00012.jsonl.gz",
    ]


def test_a_partition_reads_back_as_written(tmp_path: Path) -> None:
    records = [{"id": f"org/m{n}", "tags": ["模型", "\u202e"]} for n in range(5)]
    partition = write_partition(tmp_path, "models", "2026-11-29", records, page=2)
    assert list(read_records(partition)) == records
    manifest = read_manifest(partition)
    part = partition / "part-00000.jsonl.gz"
    assert manifest["parts"] == [part_entry(part, 5)]
    assert len(manifest["parts"][0]["sha256"]) == 64
    manifest["status"] = "failed"
    write_manifest(partition, manifest)
    assert read_manifest(partition)["status"] == "failed"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no manifest.json"),
        ("{not json", "unreadable manifest.json: "),
        ("[1, 2]", "manifest.json is not an object"),
    ],
)
def test_a_manifest_that_cannot_be_read_says_why(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    if content is not None:
        (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        read_manifest(tmp_path)
    assert str(raised.value).startswith(reason)


def test_the_module_imports_without_scrapy() -> None:
    # A `None` in sys.modules makes any import of Scrapy (or of anything but the standard
    # library that the module might pull in) fail loudly.
    script = (
        "import sys\n"
        "for name in ('scrapy', 'twisted', 'orjson', 'itemadapter', 'pyarrow', 'numpy'):\n"
        "    sys.modules[name] = None\n"
        "import hfcrawler.layout\n"
        "print(sorted(hfcrawler.layout.REPO_TYPES))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['authors', 'datasets', 'models', 'spaces']"
