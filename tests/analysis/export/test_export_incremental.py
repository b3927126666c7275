"""The export only adds days, writes nothing when nothing is new, never leaves half a day or half
a repos table behind (a crash at the worst moments, simulated by killing the process there), and
stops, saying why, rather than mix schema versions or run twice at once."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hfcrawler.layout import REPOS_HASHES, DataLayout
from tests.analysis.export.truth import DAYS, FAILED_DAY, records, write_history
from tests.helpers import ROOT, run_analysis, write_partition

TYPES = ("models", "datasets", "spaces")


def _export(data: Path, *arguments: str) -> subprocess.CompletedProcess:
    done = run_analysis("export", "--data", str(data), *arguments, cwd=data.parent)
    assert done.returncode == 0, done.stderr
    return done


def _tree(data: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under the export: its bytes' sha256, modification time and inode (a link's
    target), hidden ones included."""
    entries: dict[str, tuple[Any, ...]] = {}
    exports = DataLayout(data).exports()
    for path in sorted(exports.rglob("*")):
        name = str(path.relative_to(exports))
        stat = path.lstat()
        if path.is_symlink():
            entries[name] = ("link", str(path.readlink()), stat.st_mtime_ns)
        elif path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            entries[name] = (digest, stat.st_mtime_ns, stat.st_ino)
        else:
            entries[name] = ("directory", stat.st_mtime_ns)
    return entries


def _content(data: Path) -> dict[str, Any]:
    """What a reader of the export sees: every day's rows and the repos table, by type."""
    layout = DataLayout(data)
    seen: dict[str, Any] = {}
    for repo_type in TYPES:
        for path in sorted(layout.export_daily(repo_type).glob("date=*/*.parquet")):
            seen[f"{repo_type}/{path.parent.name}"] = pq.read_table(path).to_pylist()
        repos = pq.read_table(layout.export_repos(repo_type)).to_pylist()
        seen[f"{repo_type}/repos"] = sorted(repos, key=lambda row: row["id"])
    return seen


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The export of the whole history in one run."""
    data = tmp_path_factory.mktemp("whole") / "data"
    write_history(data)
    _export(data)
    return _content(data)


def test_a_new_day_adds_its_partition_and_rewrites_none(
    tmp_path: Path, whole: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    write_history(data)
    _export(data, "--until", DAYS[4])
    before = _tree(data)
    days = DataLayout(data).export_daily("models")
    assert sorted(path.name for path in days.iterdir()) == [f"date={day}" for day in DAYS[:5]]
    _export(data)
    after = _tree(data)
    for name, entry in before.items():
        if name.startswith("daily/") and name.endswith(".parquet"):
            assert after[name] == entry, f"{name} was rewritten"
    assert sorted(path.name for path in days.iterdir()) == [f"date={day}" for day in DAYS]
    # Day by day or all at once: the same export.
    assert _content(data) == whole


def test_a_run_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:3])
    _export(data)
    before = _tree(data)
    done = _export(data)
    assert _tree(data) == before
    assert done.stdout.startswith("models: nothing new; 3 days, 2026-11-20 to 2026-11-22 in ")


_KILLED_AT = """
import importlib, os, signal, sys
target = importlib.import_module({module!r})
for attribute in {owner!r}:
    target = getattr(target, attribute)
def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
setattr(target, {name!r}, crash)
from analysis.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def _killed_at(data: Path, where: str) -> None:
    """Run the export and kill it (SIGKILL) when it calls `where` (module:name.name…)."""
    module, path = where.split(":")
    *owner, name = path.split(".")
    script = _KILLED_AT.format(module=module, owner=owner, name=name)
    done = subprocess.run(
        [sys.executable, "-c", script, "export", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -9, done.stderr


def test_a_crash_between_a_day_and_its_repos_table_is_completed_next_run(
    tmp_path: Path, whole: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    write_history(data)
    _export(data, "--until", DAYS[-2])
    # Killed once the last day is in place, before its repos table replaces the old one.
    _killed_at(data, "analysis.export.dataset:publish_repos")
    layout = DataLayout(data)
    assert layout.export_day("models", DAYS[-1]).is_dir()
    assert pq.read_table(layout.export_repos("models"))["day"].to_pylist().count(None) == 0
    assert (
        max(pq.read_table(layout.export_repos("models"))["day"].to_pylist()).isoformat()
        == (DAYS[-2])
    )
    link = layout.export_repos("models")
    assert link.readlink().name == f".models-{DAYS[-2]}"
    assert layout.export_repos_version("models", DAYS[-1]).is_dir()
    _export(data)
    assert _content(data) == whole
    assert link.readlink().name == f".models-{DAYS[-1]}"


def test_a_crash_while_a_day_is_written_leaves_no_partition_of_it(
    tmp_path: Path, whole: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    write_history(data)
    _export(data, "--until", DAYS[-2])
    # Killed as the first row group of the last day is written.
    _killed_at(data, "analysis.export.files:TableWriter._flush")
    layout = DataLayout(data)
    assert not layout.export_day("models", DAYS[-1]).exists()
    daily = layout.export_daily("models")
    assert [path.name for path in daily.iterdir() if path.name.endswith(".tmp")]
    # What a reader's glob sees is the days before, whole.
    assert len(list(daily.glob("date=*/*.parquet"))) == len(DAYS) - 1
    _export(data)
    assert _content(data) == whole
    assert not list(layout.exports().rglob("*.tmp"))


def test_a_second_export_at_once_stops_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:2])
    exports = DataLayout(data).exports()
    exports.mkdir(parents=True)
    held = os.open(exports, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = run_analysis("export", "--data", str(data), cwd=tmp_path)
        analysed = run_analysis("--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    finally:
        os.close(held)
    assert done.returncode == 1
    assert done.stderr == (
        f"python -m analysis export: error: another export is running on {exports};"
        " nothing was exported\n"
    )
    assert list(exports.iterdir()) == []
    # The analysis writes its report all the same, and says the export failed.
    assert analysed.returncode == 1
    assert Path(analysed.stdout.strip()).is_file()
    assert analysed.stderr.startswith(
        "python -m analysis: error: the export failed: another export is running on "
    )


def test_an_export_of_another_schema_version_is_never_added_to(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:2])
    _export(data)
    latest = DataLayout(data).export_day("models", DAYS[1]) / "part-00000.parquet"
    table = pq.read_table(latest)
    metadata = {**table.schema.metadata, b"hfcrawler.schema_version": b"0"}
    pq.write_table(table.replace_schema_metadata(metadata), latest)
    write_history(data, DAYS[2:3], failed=False)
    done = run_analysis("export", "--data", str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"python -m analysis export: error: {latest} is not a daily file of schema version 1"
        " (it says version '0')"
    )
    assert "Move the export aside (or delete it)" in done.stderr
    assert not DataLayout(data).export_day("models", DAYS[2]).exists()


def test_a_backfill_and_a_recrawl_are_named_and_the_days_after_follow_the_export(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:-1], failed=False)
    _export(data)
    exported = _tree(data)
    # The gap day crawled after all, the day before the latest crawled again, then a new day.
    write_partition(data, "models", FAILED_DAY, records("models", DAYS[5]))
    write_partition(data, "models", DAYS[-2], records("models", DAYS[-3]))
    write_history(data, DAYS[-1:], failed=False)
    done = _export(data)
    warning = "python -m analysis export: warning:"
    backfill = f"not exported: dated before the export's latest day, {DAYS[-2]}"
    recrawl = "recrawled after its export: the export keeps the earlier crawl of that day"
    assert done.stderr.splitlines() == [
        f"{warning} date={FAILED_DAY} {backfill}",
        f"{warning} date={DAYS[-2]} {recrawl}",
    ]
    after = _tree(data)
    files = [name for name in exported if name.startswith("daily/") and name.endswith(".parquet")]
    assert [after[name] for name in files] == [exported[name] for name in files]
    newest = pq.read_table(DataLayout(data).export_day("models", DAYS[-1])).to_pylist()
    gpt2 = next(row for row in newest if row["id"] == "openai-community/gpt2")
    # Measured from the day the export holds, whatever crawl replaced it since.
    assert gpt2["previous_day"].isoformat() == DAYS[-2]
    assert gpt2["downloads_gained"] == 5_000


def test_the_analysis_exports_up_to_the_day_it_analyses_unless_told_not_to(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:4])
    out = str(tmp_path / "out")
    skipped = run_analysis("--data", str(data), "--out", out, "--no-export", cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert not DataLayout(data).exports().exists()
    done = run_analysis("--data", str(data), "--out", out, "--date", DAYS[2], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{Path(out) / DAYS[2] / 'index.html'}\n"
    assert done.stderr == ""
    daily = DataLayout(data).export_daily("models")
    assert sorted(path.name for path in daily.iterdir()) == [f"date={day}" for day in DAYS[:3]]


def test_a_new_day_needs_only_the_export_not_the_snapshots_it_holds(
    tmp_path: Path, whole: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    write_history(data, DAYS[:3], failed=False)
    _export(data)
    layout = DataLayout(data)
    # The exported days' snapshots archived elsewhere, and their caches gone.
    shutil.rmtree(layout.caches())
    for repo_type in TYPES:
        for day in DAYS[:3]:
            shutil.rmtree(layout.partition(repo_type, day), ignore_errors=True)
    write_history(data, DAYS[3:4], failed=False)
    _export(data)
    rows = pq.read_table(layout.export_day("models", DAYS[3])).to_pylist()
    assert rows == whole[f"models/date={DAYS[3]}"]


@pytest.mark.parametrize("removed", ["hashes", "hashes and caches"])
def test_a_repos_table_without_its_id_hashes_is_matched_all_the_same(
    tmp_path: Path, whole: dict[str, Any], removed: str
) -> None:
    # As an export written before the repos table kept them: the latest day's ids are hashed
    # from its cache, or without it from the export's own file.
    data = tmp_path / "data"
    write_history(data)
    _export(data, "--until", DAYS[4])
    layout = DataLayout(data)
    for repo_type in TYPES:
        (layout.export_repos(repo_type) / REPOS_HASHES).unlink(missing_ok=True)
    if removed == "hashes and caches":
        shutil.rmtree(layout.caches())
    _export(data)
    assert _content(data) == whole
    assert (layout.export_repos("models") / REPOS_HASHES).is_file()
