"""The export of real crawls: the spiders crawl the emulated Hub on three days (the Hub advancing
in between, a day skipped), and every row of the export says what the published snapshots say:
its counts, and gains that are the true differences of downloadsAllTime between consecutive
snapshots, the skipped day explicit, the deleted repos kept with their last day."""

from __future__ import annotations

import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hfcrawler.layout import DataLayout
from tests.helpers import crawl, read_partition, run_analysis

DAYS = ["2026-03-01", "2026-03-02", "2026-03-04"]
TYPES = ("models", "datasets", "spaces")
GATED = {False: "false", "auto": "auto", "manual": "manual", None: None}


def _advance(url: str, days: int) -> None:
    request = urllib.request.Request(f"{url}/_fakehub/advance?days={days}", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


def _expected(snapshots: dict[str, dict[str, dict[str, Any]]]) -> dict[tuple[str, str], Any]:
    """(id, day) -> what its row must hold, from the published records."""
    rows = {}
    first_seen: dict[str, str] = {}
    for position, day in enumerate(DAYS):
        before = snapshots[DAYS[position - 1]] if position else {}
        for repo, record in snapshots[day].items():
            first_seen.setdefault(repo, day)
            earlier = before.get(repo)
            now = record.get("downloadsAllTime")
            then = None if earlier is None else earlier.get("downloadsAllTime")
            difference = None if now is None or then is None else now - then
            rows[repo, day] = {
                "first_seen": date.fromisoformat(first_seen[repo]),
                "previous_day": None if earlier is None else date.fromisoformat(DAYS[position - 1]),
                "downloads_all_time": now,
                "downloads_gained": None if difference is None or difference < 0 else difference,
                "downloads_30d": record.get("downloads"),
                "likes": record["likes"],
                "likes_gained": None if earlier is None else record["likes"] - earlier["likes"],
                "gated": GATED[record.get("gated")],
            }
    return rows


@pytest.mark.slow
def test_the_export_of_real_crawls_says_what_the_snapshots_say(fakehub, tmp_path: Path) -> None:
    hub = fakehub("--models", "3000", "--datasets", "600", "--spaces", "600", "--seed", "7")
    data = tmp_path / "data"
    for position, day in enumerate(DAYS):
        if position:
            gap = date.fromisoformat(day) - date.fromisoformat(DAYS[position - 1])
            _advance(hub.url, gap.days)
        settings = {"SNAPSHOT_DATE": day, "PROGRESS_INTERVAL": 0}
        done = crawl(*TYPES, endpoint=hub.url, data=data, settings=settings)
        assert done.returncode == 0, done.stderr[-2000:]
    exported = run_analysis("export", "--data", str(data), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    layout = DataLayout(data)
    for repo_type in TYPES:
        snapshots = {
            day: {r["id"]: r for r in read_partition(layout.partition(repo_type, day))}
            for day in DAYS
        }
        rows = {}
        for day in DAYS:
            for row in pq.read_table(layout.export_day(repo_type, day)).to_pylist():
                rows[row["id"], day] = row
        want = _expected(snapshots)
        assert sorted(rows) == sorted(want)
        for key, expected in want.items():
            assert {column: rows[key][column] for column in expected} == expected, key
        # The skipped day: the last snapshot's gains span two days, in one number.
        between = {row["days_between"] for (_, day), row in rows.items() if day == DAYS[2]}
        assert between == {2, None}
        repos = {
            row["id"]: row for row in pq.read_table(layout.export_repos(repo_type)).to_pylist()
        }
        ever = {repo for snapshot in snapshots.values() for repo in snapshot}
        assert set(repos) == ever
        gone = ever - set(snapshots[DAYS[-1]])
        for repo in gone:
            last = max(day for day in DAYS if repo in snapshots[day])
            assert repos[repo] == rows[repo, last]
        if repo_type == "models":
            assert gone, "the emulated Hub deleted no model: choose another seed"
            assert any(row["downloads_gained"] for row in rows.values())
