"""Benchmark `python -m analysis` on a 2.5M-model snapshot against DuckDB's COPY to Parquet.

Usage: `python bench/bench_analysis.py [--models N] [--runs K]`. The snapshot is built once under
`bench/out/analysis/` (git-ignored) from `fakehub`'s SyntheticHub (seed 0), the emulator's
realistic population, written in the snapshot store's layout by `bench/analysis_snapshot.py`.
Each round runs, one after the other on CPUs 0 and 1 only:

- cold: the cache removed, then the whole report (JSON Lines -> Parquet cache -> report);
- warm: the whole report again, from the cache;
- compaction alone (the cache step of the analysis) and DuckDB's
  `COPY (SELECT <same columns> FROM read_json_auto(...)) TO ... (FORMAT parquet)`.

Every command runs in a fresh subprocess; wall time is measured around it, and memory both as the
largest single process's peak RSS (wait4's resource usage) and as the peak memory of the whole
process tree, sampled from /proc every 200 ms (`_tree_kib`): the analysis runs worker processes,
spawned, not forked, so their anonymous memory is their own, and the libraries they all map are
counted once. The table shows medians over the rounds; the bars are cold < 30 s, warm < 15 s,
peak memory < 1.5 GB, compaction <= 1.5x DuckDB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "analysis"
DATE = "2026-11-29"
CPUS = "0,1"
# The fields the compaction reads (analysis.store.repo_types.MODELS), the parameter count taken
# out of `safetensors` as the compaction takes it.
DUCKDB_COLUMNS = (
    "id, author, createdAt, downloads, downloadsAllTime, likes, pipeline_tag, library_name, tags,"
    " lastModified, trendingScore, private, gated,"
    " TRY_CAST(json_extract_string(safetensors, '$.total') AS BIGINT) AS parameters"
)


def _data_dir(models: int) -> Path:
    return OUT / f"data-{models}"


def _build_snapshot(models: int) -> Path:
    """Write the snapshot once; later runs reuse it."""
    data = _data_dir(models)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    # bench/ is not a package when this file runs as a script.
    from analysis_snapshot import write_partition, written_as_crawled  # noqa: PLC0415

    from hfcrawler.layout import DataLayout  # noqa: PLC0415

    if written_as_crawled(DataLayout(data).partition("models", DATE), "models"):
        return data
    # Written again whole: an earlier snapshot lacks a field the crawler now asks for.
    shutil.rmtree(data, ignore_errors=True)
    # Imported here: only the first run needs the emulator.
    from fakehub.hub import SyntheticHub  # noqa: PLC0415

    print(f"building a {models:,}-model snapshot under {data} (once)")
    write_partition(data, DATE, SyntheticHub(seed=0, models=models).records("models"))
    return data


def _status_kib(pid: int | str) -> dict[str, int]:
    """The KiB figures of `/proc/<pid>/status` by name (none once the process has ended)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = (line.partition(":") for line in text.splitlines())
    return {name: int(value.split()[0]) for name, _, value in fields if value.endswith(" kB")}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except OSError:
            continue
    return found


def _peak_kib(pid: int | str) -> int:
    """The peak resident set of a process so far (VmHWM), in KiB."""
    return _status_kib(pid).get("VmHWM", 0)


def _tree_kib(root: int) -> tuple[int, int]:
    """Memory of `root` and all its descendants, in KiB, counting the pages they share once; and
    the largest peak of one of them so far.

    Each process's anonymous and shared memory, plus the file-backed pages of the one that maps
    the most (the libraries they all map, counted once), from `/proc/<pid>/status`: counters the
    kernel keeps. The proportional set size (`smaps_rollup`) measures the same within 1 % (1,540
    against 1,529 MiB at the peak of a +1 day history run), but each read walks the process's
    page tables: 10 ms of CPU for a 1 GB worker, 4.9 CPU-s of a 30 s run at five samples a
    second, taken from the two cores the measured run uses.
    """
    total, mapped, largest, pending = 0, 0, 0, [root]
    while pending:
        pid = pending.pop()
        status = _status_kib(pid)
        total += status.get("RssAnon", 0) + status.get("RssShmem", 0)
        mapped = max(mapped, status.get("RssFile", 0))
        largest = max(largest, status.get("VmHWM", 0))
        pending += _children(pid)
    return total + mapped, largest


def _measure(command: list[str]) -> tuple[float, float, float]:
    """Run `command` on the bench CPUs; return wall seconds, max process MiB, peak tree MiB."""
    # A child starts with its parent's peak in its resource usage (Linux keeps the high-water
    # mark of the memory it replaces at exec): after writing a large history in this process,
    # every command reported this process's peak as its own.
    inherited = _peak_kib("self")
    started = time.perf_counter()
    process = subprocess.Popen(["taskset", "-c", CPUS, *command], cwd=ROOT)
    peak = sampled = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, sampled
        while not stop.is_set():
            tree, largest = _tree_kib(process.pid)
            peak, sampled = max(peak, tree), max(sampled, largest)
            stop.wait(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    # wait4's usage covers the child and the workers it reaped: ru_maxrss is the largest of them.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{command} failed with exit status {process.returncode}")
    # Above the inherited peak, wait4's figure is a process of the command's own; else the
    # largest peak sampled from /proc stands in (it may miss the last 0.2 s of a process).
    largest = usage.ru_maxrss if usage.ru_maxrss > inherited else sampled
    return elapsed, largest / 1024, peak / 1024


def _analysis(data: Path, report: Path) -> list[str]:
    # The report alone: the export that follows it by default has its own bench (bench_export).
    command = [sys.executable, "-m", "analysis", "--data", str(data), "--out", str(report)]
    return [*command, "--no-export"]


def _compaction(data: Path) -> list[str]:
    script = (
        "import sys; from pathlib import Path; from hfcrawler.layout import DataLayout; "
        "from analysis.store.compact import compact; from analysis.store.partitions import scan; "
        "from analysis.store.repo_types import MODELS; "
        "from analysis.store.workers import worker_pool; d = DataLayout(Path(sys.argv[1])); "
        "p = scan(d, 'models').complete[-1]\n"
        "with worker_pool(p.records) as e: compact(d, MODELS, [p], e)"
    )
    return [sys.executable, "-c", script, str(data)]


def _duckdb(data: Path, target: Path) -> list[str]:
    from hfcrawler.layout import DataLayout  # noqa: PLC0415 - the path is set by _build_snapshot

    parts = DataLayout(data).partition("models", DATE) / "part-*.jsonl.gz"
    # Only our own bench paths are interpolated into this statement.
    query = (
        f"COPY (SELECT {DUCKDB_COLUMNS} FROM read_json_auto('{parts}')) "  # noqa: S608
        f"TO '{target}' (FORMAT parquet)"
    )
    script = (
        "import duckdb, sys; c = duckdb.connect(); "
        "c.execute('SET threads=2'); c.execute('SET enable_progress_bar=false'); "
        "c.execute(sys.argv[1])"
    )
    return [sys.executable, "-c", script, query]


def main(argv: list[str] | None = None) -> None:
    """Run the rounds and print the table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_500_000, help="snapshot size")
    parser.add_argument("--runs", type=int, default=3, help="rounds (medians are reported)")
    arguments = parser.parse_args(argv)
    data = _build_snapshot(arguments.models)
    from hfcrawler.layout import DataLayout  # noqa: PLC0415 - the path is set by _build_snapshot

    cache = DataLayout(data).caches()
    report = OUT / "reports"
    duck_target = OUT / "duckdb.parquet"
    results: dict[str, list[tuple[float, float, float]]] = {
        "cold (JSON Lines -> report)": [],
        "warm (cache -> report)": [],
        "compaction (analysis)": [],
        "compaction (DuckDB COPY)": [],
    }
    env_note = f"{os.cpu_count()} CPUs on this machine, pinned to {CPUS}"
    print(f"{arguments.models:,} models, {arguments.runs} rounds, {env_note}")
    for round_number in range(arguments.runs):
        shutil.rmtree(cache, ignore_errors=True)
        results["cold (JSON Lines -> report)"].append(_measure(_analysis(data, report)))
        results["warm (cache -> report)"].append(_measure(_analysis(data, report)))
        # Alternate which compaction goes first so neither always gets the warmer page cache.
        order = ["analysis", "duckdb"] if round_number % 2 == 0 else ["duckdb", "analysis"]
        for which in order:
            if which == "analysis":
                shutil.rmtree(cache, ignore_errors=True)
                results["compaction (analysis)"].append(_measure(_compaction(data)))
            else:
                duck_target.unlink(missing_ok=True)
                results["compaction (DuckDB COPY)"].append(_measure(_duckdb(data, duck_target)))
        print(f"round {round_number + 1} done")
    print(f"\n{'step':32} {'median s':>9} {'runs s':>24} {'max proc MiB':>13} {'tree MiB':>9}")
    medians = {}
    for step, runs in results.items():
        seconds = [run[0] for run in runs]
        medians[step] = statistics.median(seconds)
        largest = statistics.median(run[1] for run in runs)
        tree = max(run[2] for run in runs)
        shown = " ".join(f"{s:.1f}" for s in seconds)
        print(f"{step:32} {medians[step]:9.2f} {shown:>24} {largest:13.0f} {tree:9.0f}")
    ratio = medians["compaction (analysis)"] / medians["compaction (DuckDB COPY)"]
    print(f"\ncompaction / DuckDB = {ratio:.2f}x (bar: <= 1.5x)")


if __name__ == "__main__":
    main()
