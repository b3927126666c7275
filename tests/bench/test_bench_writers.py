"""The benches' snapshot writers: what they write is what the crawler would publish, every field
of each repo type is read by the compaction, and the whole-Hub bench's options parse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from analysis.store.compact import compact_part
from analysis.store.repo_types import REPO_TYPES
from bench.__main__ import parse_arguments
from bench.analysis_snapshot import RECORDS, listing_query, write_partition
from bench.bench_hub import parse_arguments as hub_arguments
from fakehub.hub import SyntheticHub
from hfcrawler.layout import DataLayout, read_records
from hfcrawler.spiders.datasets import DatasetsSpider
from hfcrawler.spiders.models import ModelsSpider
from hfcrawler.spiders.spaces import SpacesSpider
from hfcrawler.validation import validate
from tests.helpers import ROOT

DAY = "2026-11-29"
SIZE = 200
SPIDERS = {"models": ModelsSpider, "datasets": DatasetsSpider, "spaces": SpacesSpider}


def _read(partition: Path) -> list[dict[str, Any]]:
    return list(read_records(partition))


def _compacted(
    partition: Path, repo_type: str, tmp_path: Path
) -> tuple[int | None, dict[str, list[Any]]]:
    """Compact the partition's one part; return the records read and the cache's columns."""
    target = tmp_path / f"{repo_type}.parquet"
    [part] = partition.glob("part-*.jsonl.gz")
    reading = compact_part(part, target, REPO_TYPES[repo_type])
    assert reading.unreadable is None
    return reading.records, pq.read_table(target).to_pydict()


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_one_day_is_what_the_crawler_publishes(tmp_path: Path, repo_type: str) -> None:
    hub = SyntheticHub(seed=0, models=SIZE, datasets=SIZE, spaces=SIZE)
    partition = write_partition(tmp_path, DAY, hub.records(repo_type), repo_type)
    records = _read(partition)
    assert len(records) == sum(1 for _ in hub.records(repo_type))
    record_class = RECORDS[repo_type]
    for record in records:
        assert set(record) == set(record_class.field_names())
        assert validate(record_class.from_hub(record)) == {}
    # The manifest asks for the fields the crawler's spider asks for.
    spider = SPIDERS[repo_type]
    expand = [value for name, value in listing_query(repo_type)["params"] if name == "expand"]
    assert expand == [
        name for name in spider.record_class.field_names() if name not in {"_id", "id", "repoType"}
    ]
    read, cache = _compacted(partition, repo_type, tmp_path)
    assert read == len(records)
    assert cache["id"] == [record["id"] for record in records]
    if repo_type == "models":
        totals = [(r["safetensors"] or {}).get("total") for r in records]
        assert any(totals)
        assert cache["parameters"] == totals
    if repo_type == "spaces":
        requested = [r["runtime"]["hardware"]["requested"] for r in records]
        assert cache["hardware"] == requested
        assert cache["models"] == [r["models"] for r in records]


def test_days_of_every_type_advance_like_the_hub(tmp_path: Path) -> None:
    counts = {"models": SIZE, "datasets": SIZE, "spaces": SIZE}
    days = [date(2026, 10, 1), date(2026, 10, 2)]
    # In its own process, from bench/, as the benches run it: its workers are forked, which a
    # process already running DuckDB's threads must not do.
    script = (
        "import sys, json; from datetime import date; from pathlib import Path; "
        "from history_snapshots import write_history; "
        "write_history(Path(sys.argv[1]), json.loads(sys.argv[2]), "
        "[date.fromisoformat(day) for day in sys.argv[3:]])"
    )
    days_given = [day.isoformat() for day in days]
    command = [sys.executable, "-c", script, str(tmp_path), json.dumps(counts), *days_given]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, cwd=ROOT / "bench", env=env, check=True, timeout=120)
    # The truth: the Hub one day on, its records rendered from scratch.
    hub = SyntheticHub(seed=0, day=1, **counts)
    layout = DataLayout(tmp_path)
    for repo_type, record_class in RECORDS.items():
        partition = layout.partition(repo_type, days[1])
        expected = [{**r, "repoType": record_class.REPO_TYPE} for r in hub.records(repo_type)]
        assert _read(partition) == expected
        read, _ = _compacted(partition, repo_type, tmp_path)
        assert read == len(expected)


def test_the_hub_bench_is_named_and_sized() -> None:
    assert parse_arguments(["hub", "--quick"]).names == ["hub"]
    arguments = hub_arguments(["--models", "50", "--datasets", "12", "--spaces", "18"])
    assert (arguments.models, arguments.datasets, arguments.spaces) == (50, 12, 18)
    assert (arguments.days, arguments.runs) == (30, 3)
