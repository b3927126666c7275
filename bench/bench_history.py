"""Benchmark the history of `python -m analysis` over 30 daily snapshots, then a 31st day.

Usage: `python bench/bench_history.py [--models N] [--days D]` (default 2.5M models, 30 days), or
`python -m bench history`. The bench writes D+1 consecutive daily partitions of fakehub's
SyntheticHub (seed 0, the population of the analysis bench) under `bench/out/history/`
(git-ignored, built once and reused): gzip JSON Lines as the crawler writes them, the Hub advancing
a day between them (see `bench/history_snapshots.py`). Each step runs in a fresh subprocess on
CPUs 0 and 1, end to end from the JSON Lines:

- cold: no cache at all, the report of day D with the history of days 1..D (every day compacted,
  every digest and interval computed);
- +1 day: day D+1 added, the report and its history again (one day compacted, one digest and one
  interval computed, the rest read from the caches);
- warm: the same report again with everything cached;
- report alone: the same day's report without its history (`--since` that day), for the share
  of the +1 day run that the history itself costs.

The cold step runs once (five minutes); the others `--runs` times (3), the +1 day each time from
the state where day D+1 is not cached yet, and their medians are shown with every run's time.

Wall time and the peak memory of the process tree (as in `bench_analysis.py`) are printed with the
bars (cold < 300 s, +1 day < 30 s, peak < 2 GB), the disk per day of snapshots and caches, and a
projection of a year of daily snapshots from the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "history"
FIRST_DAY = date(2026, 10, 1)
BARS = {"cold": 300.0, "+1 day": 30.0}
MEMORY_BAR_MIB = 2000 / 1.048576  # 2 GB


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _build(data: Path, counts: Mapping[str, int], days: int) -> None:
    """Write the snapshots of every repo type in `counts` (repos on the first day) unless this
    exact history is already there."""
    from analysis_snapshot import written_as_crawled  # noqa: PLC0415 - bench/ is not a package
    from history_snapshots import write_history  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415 - the path is set in main

    last = FIRST_DAY + timedelta(days=days)
    layout = DataLayout(data)
    if all(written_as_crawled(layout.partition(name, last), name) for name in counts):
        return
    shutil.rmtree(data, ignore_errors=True)
    sizes = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    print(f"writing {days + 1} daily snapshots of {sizes} under {data} (once)")
    write_history(data, counts, [FIRST_DAY + timedelta(days=n) for n in range(days + 1)])


def _forget(data: Path, day: date, repo_types: Iterable[str] = ("models",)) -> None:
    """Remove what a run cached for `day` of each of `repo_types`: its Parquet cache, digest,
    interval and size sums."""
    from hfcrawler.layout import DataLayout, partition_name  # noqa: PLC0415 - set in main

    layout = DataLayout(data)
    for repo_type in repo_types:
        history = layout.history(repo_type)
        for path in [
            layout.cache(repo_type, day),
            history / partition_name(day),
            *history.glob(f"interval=*_{day.isoformat()}"),
            *history.glob(f"sizes=*_{day.isoformat()}"),
        ]:
            shutil.rmtree(path, ignore_errors=True)


def _cold(
    data: Path, newest: date, repo_types: Iterable[str], command: list[str]
) -> tuple[float, float, float]:
    """Measure `command` from no cache at all, the partitions of `newest` set aside meanwhile."""
    from bench_analysis import _measure  # noqa: PLC0415 - bench/ is not a package

    from hfcrawler.layout import DataLayout  # noqa: PLC0415 - set in main

    layout = DataLayout(data)
    shutil.rmtree(layout.caches(), ignore_errors=True)
    newest_partitions = [layout.partition(name, newest) for name in repo_types]
    parked = [path.with_name(f".{path.name}.parked") for path in newest_partitions]
    for path, aside in zip(newest_partitions, parked, strict=True):
        path.rename(aside)
    try:
        return _measure(command)
    finally:
        for path, aside in zip(newest_partitions, parked, strict=True):
            aside.rename(path)


Figures = tuple[float, float, float, list[float]]


def _repeat(measure: Callable[[], tuple[float, float, float]], runs: int) -> Figures:
    """Median wall time, largest memory figures, and every run's wall time."""
    results = [measure() for _ in range(runs)]
    walls = [result[0] for result in results]
    largest = max(result[1] for result in results)
    tree = max(result[2] for result in results)
    return statistics.median(walls), largest, tree, walls


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> None:
    """Build the history, run the three steps, print the figures, the bars and the projection."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from bench_analysis import _analysis, _measure  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_500_000, help="models on the first day")
    parser.add_argument("--days", type=int, default=30, help="daily snapshots before the +1 day")
    parser.add_argument("--runs", type=int, default=3, help="runs of each step but the cold one")
    arguments = parser.parse_args(argv)
    days = arguments.days
    data = OUT / f"data-{arguments.models}-{days}"
    _build(data, {"models": arguments.models}, days)
    newest_day = FIRST_DAY + timedelta(days=days)
    layout = DataLayout(data)
    newest = layout.partition("models", newest_day)
    reports = OUT / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    # Only the latest day's partition is moved away for the cold run, then put back.
    cold = _cold(data, newest_day, ["models"], _analysis(data, reports))
    parquet_cold = _size(layout.caches() / "models")
    history_cold = _size(layout.history("models"))

    def add_day() -> tuple[float, float, float]:
        _forget(data, newest_day)
        return _measure(_analysis(data, reports))

    added = _repeat(add_day, arguments.runs)
    history_day = _size(layout.history("models")) - history_cold
    parquet_day = _size(layout.caches() / "models") - parquet_cold
    warm = _repeat(lambda: _measure(_analysis(data, reports)), arguments.runs)
    since = ["--since", newest_day.isoformat()]
    alone = _repeat(lambda: _measure([*_analysis(data, reports), *since]), arguments.runs)
    figures: dict[str, Figures] = {
        f"cold: {days} days from JSON Lines": (*cold, [cold[0]]),
        "+1 day": added,
        "warm": warm,
        "report alone (no history), warm": alone,
    }
    snapshot_day = _size(newest)
    print(
        f"\n{arguments.models:,} models on day 1, {days} days + 1; CPUs 0 and 1\n"
        f"{'step':34} {'median s':>8} {'runs s':>18} {'bar s':>6} {'max proc MiB':>13}"
        f" {'tree MiB':>9}  met?"
    )
    for name, (seconds, largest, tree, walls) in figures.items():
        bar = next((limit for key, limit in BARS.items() if name.startswith(key)), None)
        met = "" if bar is None else ("yes" if seconds < bar and tree < MEMORY_BAR_MIB else "NO")
        shown = "" if bar is None else f"{bar:.0f}"
        runs = " ".join(f"{wall:.1f}" for wall in walls)
        print(f"{name:34} {seconds:8.1f} {runs:>18} {shown:>6} {largest:13.0f} {tree:9.0f}  {met}")
    # The cold run's own cost per day, beyond the report that any run draws (the warm run).
    per_day = (cold[0] - warm[0]) / days
    print(
        f"\nof the +1 day run, the history's share (beyond the day's own report):"
        f" {added[0] - alone[0]:.1f} s"
    )
    per_year_disk = 365 * (snapshot_day + parquet_day + history_day)
    print(
        f"\nper day: snapshot {_mib(snapshot_day)} (gzip JSON Lines), Parquet cache"
        f" {_mib(parquet_day)}, history cache {_mib(history_day)}; cold work {per_day:.1f} s"
    )
    print(
        f"projected year of daily snapshots: cold analysis ~{(warm[0] + 365 * per_day) / 60:.0f}"
        f" min, each new day ~{added[0]:.0f} s plus what grows with the days (see README);"
        f" disk ~{per_year_disk / 2**30:.0f} GiB"
        f" ({365 * snapshot_day / 2**30:.0f} GiB of snapshots)"
    )


if __name__ == "__main__":
    main()
