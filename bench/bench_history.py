"""Benchmark the history of `python -m analysis` over 30 daily snapshots, then a 31st day.

Usage: `python bench/bench_history.py [--models N] [--days D]` (default 2.5M models, 30 days).

The bench builds a synthetic history under `bench/out/history/` (git-ignored): D+1 consecutive
daily partitions of N models each, where every day adds 0.4% new models, deletes 0.05%, grows
downloadsAllTime with a heavy-tailed skew (a few models go viral) and lets a few counters drop
(anomalies). To keep the build to minutes, each day's Parquet cache is written directly, in the
layout and under the cache key that `analysis.compact` would produce, beside a manifest and an
empty part file: the JSON Lines -> Parquet compaction of a day is measured by `bench_analysis.py`
and is not part of these figures. Each step runs in a fresh subprocess on CPUs 0 and 1:

- cold: no history cache, the report of day D with the history of days 1..D;
- +1 day: day D+1 added, the report and history again (only the new digest and interval are new);
- warm: the same report again with every result cached.

Wall time and the peak memory of the process tree (as in `bench_analysis.py`) are printed, with
the disk the history cache takes per day and a projection of a year of daily snapshots.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "history"
FIRST_DAY = date(2026, 10, 1)
NEW_SHARE, DELETED_SHARE = 0.004, 0.0005
TASKS = {
    "text-generation": "nlp",
    "text-classification": "nlp",
    "image-classification": "cv",
    "automatic-speech-recognition": "audio",
    "image-text-to-text": "multimodal",
    "tabular-regression": "tabular",
    "reinforcement-learning": "rl",
}
LIBRARIES = ["transformers", "diffusers", "gguf", "peft", "timm", "sentence-transformers"]
LICENSES = ["apache-2.0", "mit", "other", "cc-by-4.0"]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class SyntheticHistory:
    """The models of consecutive days: ids, owners, tasks and growing download counters."""

    def __init__(self, models: int, seed: int) -> None:
        self.random = np.random.default_rng(seed)
        self.next_number = 0
        self.numbers = np.empty(0, dtype=np.int64)
        self.all_time = np.empty(0, dtype=np.int64)
        self.rate = np.empty(0, dtype=np.float64)
        self._add(models)

    def _add(self, count: int) -> None:
        numbers = np.arange(self.next_number, self.next_number + count)
        self.next_number += count
        self.numbers = np.concatenate([self.numbers, numbers])
        start = np.floor(self.random.lognormal(3.0, 2.5, count)).astype(np.int64)
        self.all_time = np.concatenate([self.all_time, start])
        self.rate = np.concatenate([self.rate, self.random.lognormal(-4.5, 1.5, count)])

    def advance(self) -> None:
        """One day: deletions, creations, growth (a few viral models, a few dropped counters)."""
        keep = self.random.random(self.numbers.size) >= DELETED_SHARE
        self.numbers, self.all_time, self.rate = (
            self.numbers[keep],
            self.all_time[keep],
            self.rate[keep],
        )
        viral = self.random.random(self.rate.size) < 1e-4
        self.rate[viral] *= 50
        self.rate *= self.random.lognormal(-0.02, 0.1, self.rate.size)
        gained = self.random.poisson(np.minimum(self.all_time * self.rate + 0.2, 1e9))
        self.all_time = self.all_time + gained
        dropped = self.random.choice(self.all_time.size, size=10, replace=False)
        self.all_time[dropped] //= 2
        self._add(int(self.numbers.size * NEW_SHARE))

    def table(self, schema: pa.Schema) -> pa.Table:
        """The day's models in the derived columns of the analysis cache."""
        numbers = self.numbers
        size = numbers.size
        owners = numbers % max(size // 20, 1)
        ids = [
            f"owner{o}/model-{n}" for o, n in zip(owners.tolist(), numbers.tolist(), strict=True)
        ]
        task_names = np.array(list(TASKS))
        tasks = task_names[numbers % len(TASKS)]
        has_base = numbers % 5 == 0
        bases = [f"owner0/model-{n % 1000}" for n in numbers[has_base].tolist()]
        counts = has_base.astype(np.int32)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        relations = np.array(["finetune", "adapter", "quantized", "merge"])[numbers % 4]
        created = datetime(2024, 1, 1, tzinfo=UTC)
        columns = {
            "id": pa.array(ids),
            "author": pa.array([i.split("/", 1)[0] for i in ids]),
            "created_at": pa.array(np.full(size, created)),
            "downloads": pa.array(np.floor(self.all_time * self.rate * 30).astype(np.int64)),
            "downloads_all_time": pa.array(self.all_time),
            "likes": pa.array(self.all_time // 1000),
            "pipeline_tag": pa.array(tasks),
            "library_name": pa.array(np.array(LIBRARIES)[numbers % len(LIBRARIES)]),
            "modality": pa.array([TASKS[t] for t in tasks.tolist()]),
            "license": pa.array(np.array(LICENSES)[numbers % len(LICENSES)]),
            "base_models": pa.ListArray.from_arrays(
                pa.array(offsets), pa.array(bases, pa.string()), mask=pa.array(~has_base)
            ),
            "relation": pa.array(np.where(has_base, relations, None)),
        }
        return pa.table(columns).cast(schema)


def _write_day(data: Path, day: date, table: pa.Table) -> None:
    """A complete partition whose Parquet cache is already in place (see the module docstring)."""
    from analysis.compact import cache_dir, cache_key  # noqa: PLC0415
    from analysis.partitions import scan  # noqa: PLC0415

    partition = data / "snapshots" / "models" / f"date={day.isoformat()}"
    partition.mkdir(parents=True)
    (partition / "part-00000.jsonl.gz").write_bytes(gzip.compress(b""))
    manifest = {
        "repo_type": "models",
        "date": day.isoformat(),
        "status": "complete",
        "counts": {"records": table.num_rows, "rejected": 0, "duplicates": 0},
        "parts": [
            {"name": "part-00000.jsonl.gz", "records": table.num_rows, "sha256": f"bench-{day}"}
        ],
    }
    (partition / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    written = next(p for p in scan(data, "models").complete if p.day == day)
    cache = cache_dir(data, written)
    cache.mkdir(parents=True)
    pq.write_table(table, cache / "part-00000.parquet", compression="zstd")
    (cache / "_cache.json").write_text(json.dumps(cache_key(written)), encoding="utf-8")


def _build(data: Path, models: int, days: int) -> None:
    from analysis.derive import DERIVED_SCHEMA  # noqa: PLC0415

    shutil.rmtree(data, ignore_errors=True)
    history = SyntheticHistory(models, seed=0)
    for offset in range(days + 1):
        if offset:
            history.advance()
        _write_day(data, FIRST_DAY + timedelta(days=offset), history.table(DERIVED_SCHEMA))
        print(f"  day {offset + 1}/{days + 1} written ({history.numbers.size:,} models)")


def main() -> None:
    """Build the history, run the three steps and print the figures and the projection."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from bench_analysis import _analysis, _measure  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_500_000, help="models per snapshot")
    parser.add_argument("--days", type=int, default=30, help="daily snapshots before the +1 day")
    arguments = parser.parse_args()
    data = OUT / f"data-{arguments.models}-{arguments.days}"
    print(f"building {arguments.days + 1} daily snapshots of {arguments.models:,} models")
    _build(data, arguments.models, arguments.days)
    last = FIRST_DAY + timedelta(days=arguments.days - 1)
    history_cache = data / "cache" / "history"
    reports = OUT / "reports"
    shutil.rmtree(history_cache, ignore_errors=True)
    only = last.isoformat()
    steps = {
        "report alone (no history)": [*_analysis(data, reports), "--date", only, "--since", only]
    }
    steps[f"cold: history of {arguments.days} days"] = [*_analysis(data, reports), "--date", only]
    figures = {name: _measure(command) for name, command in steps.items()}
    disk_cold = _size(history_cache)
    figures["+1 day (history of all)"] = _measure(_analysis(data, reports))
    disk_added = _size(history_cache) - disk_cold
    figures[f"warm: history of {arguments.days + 1} days"] = _measure(_analysis(data, reports))
    print(f"\n{'step':36} {'wall s':>8} {'max proc MiB':>13} {'tree MiB':>9}")
    for name, (seconds, largest, tree) in figures.items():
        print(f"{name:36} {seconds:8.1f} {largest:13.0f} {tree:9.0f}")
    baseline = figures["report alone (no history)"][0]
    # The history's own work per day: what the cold run adds to the report, per snapshot.
    per_day = (figures[f"cold: history of {arguments.days} days"][0] - baseline) / arguments.days
    parquet_day = _size(data / "cache" / "models") / (arguments.days + 1)
    print(
        f"\nhistory work {per_day:.1f} s per day; history cache {disk_added / 2**20:.1f} MiB per"
        f" day; Parquet cache {parquet_day / 2**20:.1f} MiB per day"
    )
    print(
        f"projected year of daily snapshots: cold report with history ~"
        f"{baseline + 365 * per_day:.0f} s; disk ~{365 * (disk_added + parquet_day) / 2**30:.1f}"
        " GiB of caches (plus the gzip JSON Lines snapshots themselves)"
    )


if __name__ == "__main__":
    main()
