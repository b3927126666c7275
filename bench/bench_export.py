"""Benchmark the export: 30 daily increments of a 2.5M-model history, then one model's series.

Usage: `python bench/bench_export.py [--models N] [--days D]` (default 2.5M models, 30 days), or
`python -m bench export`. The snapshots are the history bench's (bench/history_snapshots.py,
written once under `bench/out/history/` and shared with it); their Parquet caches are built first,
as the report's run builds them before it exports, and are not part of the figures. Then, from an
empty export, each day is exported on its own, `python -m analysis export --until <day>` in a fresh
subprocess on CPUs 0 and 1: the first day from nothing, every later one an increment (its day
partition and the repos table after it). Wall time and peak memory are measured as in
`bench_analysis.py` (the largest process's peak RSS, the process tree's peak PSS), and the CPU
time of the process tree, a figure a busy machine disturbs less than the wall time.

Then DuckDB reads one model's series over every exported day with the README's query
(`WHERE id = …` on `daily/models/date=*/*.parquet`), for models spread over the latest day, each
in a fresh process (the time of the query itself, DuckDB loaded). The bars: each increment under
5 s and 500 MB, a model's series under 1 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCREMENT_BAR_S = 5.0
MEMORY_BAR_MIB = 500 / 1.048576  # 500 MB
LOOKUP_BAR_S = 1.0
LOOKUPS = 5

_COMPACT = """
import sys
from pathlib import Path
from analysis.store.compact import compact
from analysis.store.partitions import scan
from analysis.store.repo_types import MODELS
from analysis.store.workers import worker_pool
from hfcrawler.layout import DataLayout
layout = DataLayout(Path(sys.argv[1]))
partitions = scan(layout, "models").complete
with worker_pool(partitions[-1].records) as pool:
    done = compact(layout, MODELS, partitions, pool)
assert not done.damaged, done.damaged
"""

_LOOKUP = """
import json, sys, time
import duckdb
query = '''
    SELECT day, downloads_all_time, downloads_gained, days_between
    FROM read_parquet('{daily}/date=*/*.parquet')
    WHERE id = $id
    ORDER BY day
'''
started = time.perf_counter()
rows = duckdb.sql(query, params={{"id": sys.argv[1]}}).fetchall()
print(json.dumps([time.perf_counter() - started, len(rows)]))
"""


def _lookup(daily: Path, model: str) -> tuple[float, int]:
    """Seconds DuckDB takes to read `model`'s series, and how many days it found."""
    done = subprocess.run(
        [sys.executable, "-c", _LOOKUP.format(daily=daily), model],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    seconds, days = json.loads(done.stdout)
    return seconds, days


def _cpu() -> float:
    """CPU seconds the processes this one waited for have used so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> None:
    """Build or reuse the snapshots, export them day by day, read series; print the figures."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import pyarrow.parquet as pq  # noqa: PLC0415 - `--help` needs none of it
    from bench_analysis import _measure  # noqa: PLC0415 - bench/ is not a package
    from bench_history import FIRST_DAY, OUT, _build  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_500_000, help="models on the first day")
    parser.add_argument("--days", type=int, default=30, help="days exported one by one")
    arguments = parser.parse_args(argv)
    data = OUT / f"data-{arguments.models}-{arguments.days}"
    _build(data, arguments.models, arguments.days)
    layout = DataLayout(data)
    print("building the Parquet caches (not measured)", flush=True)
    subprocess.run([sys.executable, "-c", _COMPACT, str(data)], cwd=ROOT, check=True)
    shutil.rmtree(layout.exports(), ignore_errors=True)
    days = [FIRST_DAY + timedelta(days=n) for n in range(arguments.days)]
    print(f"\n{arguments.models:,} models on day 1; CPUs 0 and 1")
    print(
        f"{'day':12} {'s':>6} {'CPU s':>6} {'max proc MiB':>13} {'tree MiB':>9} {'export MiB':>11}"
    )
    increments = []
    for number, day in enumerate(days):
        command = [sys.executable, "-m", "analysis", "export", "--data", str(data)]
        spent = _cpu()
        seconds, largest, tree = _measure([*command, "--until", day.isoformat()])
        cpu = _cpu() - spent
        size = _size(layout.export_day("models", day)) / 2**20
        label = "(first)" if number == 0 else ""
        figures = f"{seconds:6.2f} {cpu:6.2f} {largest:13.0f} {tree:9.0f} {size:11.1f}"
        print(f"{day.isoformat():12} {figures} {label}")
        if number:
            increments.append((seconds, largest, tree, cpu))
    latest = pq.read_table(layout.export_day("models", days[-1]), columns=["id"])["id"]
    step = max(1, len(latest) // LOOKUPS)
    models = [latest[position].as_py() for position in range(0, len(latest), step)][:LOOKUPS]
    lookups = [_lookup(layout.export_daily("models"), model) for model in models]
    print()
    if increments:
        walls = [wall for wall, _, _, _ in increments]
        largest = max(value for _, value, _, _ in increments)
        tree = max(value for _, _, value, _ in increments)
        cpu = statistics.median(value for _, _, _, value in increments)
        met = max(walls) < INCREMENT_BAR_S and tree < MEMORY_BAR_MIB
        print(
            f"increments: median {statistics.median(walls):.2f} s ({cpu:.2f} CPU-s), slowest"
            f" {max(walls):.2f} s; largest process {largest:.0f} MiB, tree {tree:.0f} MiB"
            f" (bar < {INCREMENT_BAR_S:.0f} s, < 500 MB): {'yes' if met else 'NO'}"
        )
    times = [seconds for seconds, _ in lookups]
    found = {count for _, count in lookups}
    print(
        f"one model's series with DuckDB ({len(lookups)} models, {sorted(found)} days each):"
        f" median {statistics.median(times):.3f} s, slowest {max(times):.3f} s"
        f" (bar < {LOOKUP_BAR_S:.0f} s): {'yes' if max(times) < LOOKUP_BAR_S else 'NO'}"
    )
    per_day = _size(layout.export_daily("models")) / len(days) / 2**20
    print(f"export on disk: {per_day:.1f} MiB a day (the repos table links the latest day's file)")


if __name__ == "__main__":
    main()
