"""Benchmark the whole Hub's report against the models' alone, and a +1 day of its history.

Usage: `python -m bench hub`, or `python bench/bench_hub.py [--models N] [--datasets N]
[--spaces N] [--days D] [--runs R]` (default 2.5M models, 600k datasets, 900k Spaces, 30 days, 3
rounds). Every command is `python -m analysis --no-export` in a fresh process on CPUs 0 and 1,
measured as `bench_analysis.py` measures it (wall time, the largest process's peak RSS, the peak
memory of the whole process tree); the whole Hub and each repo type alone (`--type`) alternate,
the first of a round rotating. Two parts, their data written once under `bench/out/hub/`
(git-ignored) from fakehub's SyntheticHub (seed 0) as the crawler writes it:

1. one day: a snapshot of each repo type (`bench/analysis_snapshot.py`), every run from no cache
   at all. Bars: the whole Hub <= 1.5x the models alone, < 35 s, < 1.5 GB;
2. +1 day of a history: D+1 daily snapshots of each repo type, the Hub advancing a day between
   them (`bench/history_snapshots.py`); the cold run of days 1..D once, then every round adds day
   D+1 again, its caches, digests, intervals and size sums forgotten first (those of the repo
   types the run analyses, as `bench_history.py` does for the models). Bars for the whole Hub:
   < 30 s, < 2 GB.

The tables show medians over the rounds with every run, and what each repo type adds: the whole
Hub beyond the models alone, each type's own run, each type's snapshot and caches on disk.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from hfcrawler.layout import DataLayout

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "hub"
DATE = "2026-11-29"
REPO_TYPES = ("models", "datasets", "spaces")
LABELS = {"models": "models", "datasets": "datasets", "spaces": "Spaces"}
WHOLE = "whole Hub"
# Each round runs the whole Hub and each repo type alone.
SIDES = (WHOLE, *REPO_TYPES)
RATIO_BAR = 1.5
COLD_BAR_S, COLD_MEMORY_MIB = 35.0, 1500 / 1.048576  # 1.5 GB
DAY_BAR_S, DAY_MEMORY_MIB = 30.0, 2000 / 1.048576  # 2 GB

# Wall seconds, largest process MiB, process tree MiB: one measured command.
Run = tuple[float, float, float]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/bench_hub.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--models", type=int, default=2_500_000, help="models (default 2.5M)")
    parser.add_argument("--datasets", type=int, default=600_000, help="datasets (default 600k)")
    parser.add_argument("--spaces", type=int, default=900_000, help="Spaces (default 900k)")
    parser.add_argument(
        "--days", type=int, default=30, help="days of history before the +1 day (default 30)"
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds, medians shown (default 3)")
    return parser.parse_args(argv)


def _type_option(side: str) -> list[str]:
    return [] if side == WHOLE else ["--type", side]


def _analysed(side: str) -> tuple[str, ...]:
    return REPO_TYPES if side == WHOLE else (side,)


def _label(side: str) -> str:
    return WHOLE if side == WHOLE else f"{LABELS[side]} alone"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _rounds(runs: int, measure: Callable[[str], Run]) -> dict[str, list[Run]]:
    """`runs` rounds of every side, the first of a round rotating so that no side always runs
    on the page cache the same other side left."""
    results: dict[str, list[Run]] = {side: [] for side in SIDES}
    for number in range(runs):
        shift = number % len(SIDES)
        for side in SIDES[shift:] + SIDES[:shift]:
            results[side].append(measure(side))
        print(f"  round {number + 1} of {runs} done", flush=True)
    return results


def _met(seconds: float, tree: float, bar_s: float, memory_mib: float) -> str:
    return "yes" if seconds < bar_s and tree < memory_mib else "NO"


def _print_rows(rows: list[tuple[str, list[Run], str, str]]) -> None:
    """step | median | every run | bar | largest process | process tree | met?"""
    print(
        f"{'step':34} {'median s':>8} {'runs s':>18} {'bar':>14} {'max proc MiB':>13}"
        f" {'tree MiB':>9}  met?"
    )
    for name, runs, bar, met in rows:
        seconds = statistics.median(run[0] for run in runs)
        shown = " ".join(f"{run[0]:.1f}" for run in runs)
        largest = max(run[1] for run in runs)
        tree = max(run[2] for run in runs)
        print(f"{name:34} {seconds:8.1f} {shown:>18} {bar:>14} {largest:13.0f} {tree:9.0f}  {met}")


def _median(runs: list[Run], figure: int = 0) -> float:
    return statistics.median(run[figure] for run in runs)


def _records(partition: Path) -> int:
    from hfcrawler.layout import MANIFEST  # noqa: PLC0415 - the path is set in main

    return int(json.loads((partition / MANIFEST).read_text())["counts"]["records"])


def _one_day(counts: Mapping[str, int]) -> Path:
    """One day's snapshot of each repo type, written unless this exact one is there."""
    from analysis_snapshot import write_partition, written_as_crawled  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    data = OUT / ("day-" + "-".join(str(counts[name]) for name in REPO_TYPES))
    layout = DataLayout(data)
    if all(written_as_crawled(layout.partition(name, DATE), name) for name in REPO_TYPES):
        return data
    shutil.rmtree(data, ignore_errors=True)
    from fakehub.hub import SyntheticHub  # noqa: PLC0415 - only the first run needs it

    sizes = ", ".join(f"{counts[name]:,} {LABELS[name]}" for name in REPO_TYPES)
    print(f"writing a snapshot of {sizes} under {data} (once)", flush=True)
    hub = SyntheticHub(seed=0, **counts)
    for name in REPO_TYPES:
        write_partition(data, DATE, hub.records(name), name)
    return data


def cold_report(counts: Mapping[str, int], runs: int) -> None:
    """Part 1: the cold report of the whole Hub and of each repo type alone, one day."""
    from bench_analysis import _analysis, _measure  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    data = _one_day(counts)
    layout = DataLayout(data)
    reports = OUT / "reports"

    caches: dict[str, int] = {}

    def cold(side: str) -> Run:
        shutil.rmtree(layout.caches(), ignore_errors=True)
        run = _measure([*_analysis(data, reports), *_type_option(side)])
        if side == WHOLE:
            caches.update(_caches(layout, DATE))
        return run

    results = _rounds(runs, cold)
    whole, models = results[WHOLE], results["models"]
    ratio = _median(whole) / _median(models)
    tree = max(run[2] for run in whole)
    bar = f"<{COLD_BAR_S:.0f} s, <1.5 GB"
    rows = [(f"cold: {WHOLE}", whole, bar, _met(_median(whole), tree, COLD_BAR_S, COLD_MEMORY_MIB))]
    rows += [(f"cold: {_label(name)}", results[name], "", "") for name in REPO_TYPES]
    print(f"\none day: {_sizes(layout, DATE)}; rounds: {runs}; CPUs 0 and 1")
    _print_rows(rows)
    met = "yes" if ratio <= RATIO_BAR else "NO"
    print(f"\n{WHOLE} / models alone = {ratio:.2f}x (bar: <= {RATIO_BAR}x): {met}")
    _adds(results)
    _disk(layout, DATE, caches)


def _sizes(layout: DataLayout, day: date | str) -> str:
    """The records of each repo type's partition of `day`."""
    partitions = {name: layout.partition(name, day) for name in REPO_TYPES}
    return ", ".join(f"{_records(path):,} {LABELS[name]}" for name, path in partitions.items())


def _adds(results: Mapping[str, list[Run]]) -> None:
    """What the whole Hub costs beyond the models alone, and each other type's own run."""
    beyond = _median(results[WHOLE]) - _median(results["models"])
    memory = max(r[2] for r in results[WHOLE]) - max(r[2] for r in results["models"])
    print(
        f"datasets, Spaces and the links between them add {beyond:.1f} s and {memory:,.0f} MiB"
        " (process tree) to the models alone; alone, "
        + ", ".join(f"{LABELS[name]} take {_median(results[name]):.1f} s" for name in REPO_TYPES)
    )


def _caches(layout: DataLayout, day: date | str) -> dict[str, int]:
    """The bytes of each repo type's Parquet cache of `day`."""
    return {name: _size(layout.cache(name, day)) for name in REPO_TYPES}


def _disk(layout: DataLayout, day: date | str, caches: Mapping[str, int]) -> None:
    """Each repo type's snapshot of `day` and its Parquet cache (`caches`, bytes) on disk."""
    parts = []
    for name in REPO_TYPES:
        snapshot = _size(layout.partition(name, day)) / 2**20
        cache = caches[name] / 2**20
        parts.append(f"{LABELS[name]} {snapshot:,.1f} MiB of snapshot, {cache:,.1f} MiB of cache")
    print(f"on disk, the day of each type: {'; '.join(parts)}")


def added_day(counts: Mapping[str, int], days: int, runs: int) -> None:
    """Part 2: +1 day of a whole-Hub history, and of each repo type alone."""
    from bench_analysis import _analysis, _measure  # noqa: PLC0415
    from bench_history import FIRST_DAY, _build, _cold, _forget  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    sizes = "-".join(str(counts[name]) for name in REPO_TYPES)
    data = OUT / f"history-{sizes}-{days}"
    _build(data, counts, days)
    layout = DataLayout(data)
    newest = FIRST_DAY + timedelta(days=days)
    reports = OUT / "history-reports"
    shutil.rmtree(reports, ignore_errors=True)
    print(f"cold run of {days} days of the whole Hub (once)", flush=True)
    cold = _cold(data, newest, REPO_TYPES, _analysis(data, reports))
    history = {name: _size(layout.history(name)) for name in REPO_TYPES}

    def add_day(side: str) -> Run:
        _forget(data, newest, _analysed(side))
        return _measure([*_analysis(data, reports), *_type_option(side)])

    results = _rounds(runs, add_day)
    whole = results[WHOLE]
    tree = max(run[2] for run in whole)
    rows = [(f"cold: {days} days, {WHOLE}", [cold], "", "")]
    met = _met(_median(whole), tree, DAY_BAR_S, DAY_MEMORY_MIB)
    rows.append((f"+1 day: {WHOLE}", whole, f"<{DAY_BAR_S:.0f} s, <2 GB", met))
    rows += [(f"+1 day: {_label(name)}", results[name], "", "") for name in REPO_TYPES]
    print(f"\n{days} days + 1; on day {days + 1}: {_sizes(layout, newest)}; CPUs 0 and 1")
    _print_rows(rows)
    print()
    _adds(results)
    _disk(layout, newest, _caches(layout, newest))
    grown = ", ".join(
        f"{LABELS[name]} {(_size(layout.history(name)) - history[name]) / 2**20:,.1f} MiB"
        for name in REPO_TYPES
    )
    print(f"the history's cache grows by a day of: {grown}")


def main(argv: Sequence[str] | None = None) -> None:
    """Both parts, each with its table."""
    arguments = parse_arguments(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    counts = {name: getattr(arguments, name) for name in REPO_TYPES}
    print("one day: the cold report of the whole Hub and of each repo type alone", flush=True)
    cold_report(counts, arguments.runs)
    print(f"\n+1 day of a {arguments.days}-day history of the whole Hub", flush=True)
    added_day(counts, arguments.days, arguments.runs)


if __name__ == "__main__":
    main()
