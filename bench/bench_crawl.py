"""Crawl benchmarks: the spider against what a `huggingface_hub` user would run instead.

Side A is `python -m scrapy crawl <types>` from the project directory with a fresh data directory;
side B is `python -m bench.crawl_list_models` (`HfApi.list_models`/`list_datasets`/`list_spaces`
writing the same records as gzip JSON Lines). Every run of a side gets its own fresh `fakehub`
with the same seed, per-page latency and per-item cost (`--latency-page`, `--latency-item`), and
the two sides alternate which goes first. A run counts only if the side wrote exactly the repos
the emulator lists, line for line the same as the other side: otherwise the benchmark stops.

- models: models alone at each size: wall time, CPU seconds, CPU per record, peak memory, 429s;
  with two sizes or more, the spider's memory growth from the smallest to the largest;
- together: models, datasets and Spaces in one `scrapy crawl` against three listings one after
  another, when the quota is not the bound;
- quota: models alone with a quota small enough to be the bound, to count 429s.

Scratch files go under `bench/out/crawl/` (git-ignored); the snapshots are deleted after each run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.crawl_measure import (
    Output,
    Usage,
    child_environment,
    read_output,
    run_child,
    server_429s,
    snapshot_parts,
)
from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "crawl"
SEED = 1
SPIDER = "spider"
CLIENT = "huggingface_hub"


@dataclass(frozen=True)
class CrawlOptions:
    """What `python -m bench` asked of the crawl benchmarks."""

    runs: int
    sizes: tuple[int, ...]
    together_size: int
    quota_size: int
    quota: int
    window: int
    latency_page: float
    latency_item: float


@dataclass(frozen=True)
class Scenario:
    """One emulated Hub and the listings both sides walk on it."""

    name: str
    counts: dict[str, int]
    extra_hub_args: tuple[str, ...] = ()

    @property
    def repo_types(self) -> list[str]:
        return [repo_type for repo_type, count in self.counts.items() if count]

    def hub_args(self, options: CrawlOptions) -> list[str]:
        counts = [arg for name, n in self.counts.items() for arg in (f"--{name}", str(n))]
        latency = ["--latency-page", str(options.latency_page)]
        latency += ["--latency-item", str(options.latency_item)]
        return [*counts, "--seed", str(SEED), *latency, *self.extra_hub_args]

    def truth(self) -> int:
        """How many repos an anonymous walk of every listing must yield."""
        hub = SyntheticHub(seed=SEED, **self.counts)
        return sum(int(hub.visible(repo_type, None).sum()) for repo_type in self.repo_types)


@dataclass
class Run:
    """One run of one side."""

    side: str
    usage: Usage
    output: Output
    listing_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    benchmark: str
    side_a: float
    side_b: float
    unit: str
    bar: str
    met: bool | None
    labels: tuple[str, str] = (SPIDER, CLIENT)

    @property
    def ratio(self) -> float | None:
        return self.side_a / self.side_b if self.side_b else None


def _spider(scenario: Scenario, hub: FakeHubProcess, work: Path) -> Run:
    data = work / "data"
    command = [sys.executable, "-m", "scrapy", "crawl", *scenario.repo_types]
    env = child_environment(hub.url, work / "hf-home")
    env["HFCRAWLER_DATA"] = str(data)
    usage = run_child(command, ROOT, env, work / "spider.log")
    parts = [part for t in scenario.repo_types for part in snapshot_parts(data, t)]
    return Run(SPIDER, usage, read_output(parts, server_429s(hub)))


def _client(scenario: Scenario, hub: FakeHubProcess, work: Path) -> Run:
    out = work / "listings"
    command = [sys.executable, "-m", "bench.crawl_list_models", "--endpoint", hub.url]
    command += ["--out", str(out), "--types", *scenario.repo_types]
    env = child_environment(hub.url, work / "hf-home")
    usage = run_child(command, ROOT, env, work / "client.log")
    files = [out / f"{repo_type}.jsonl.gz" for repo_type in scenario.repo_types]
    report = json.loads((out / "listings.json").read_text(encoding="utf-8"))
    seconds = {repo_type: listing["seconds"] for repo_type, listing in report.items()}
    return Run(CLIENT, usage, read_output(files, server_429s(hub)), seconds)


SIDES: dict[str, Callable[[Scenario, FakeHubProcess, Path], Run]] = {
    SPIDER: _spider,
    CLIENT: _client,
}


def alternate(scenario: Scenario, options: CrawlOptions) -> dict[str, list[Run]]:
    """Run both sides `options.runs` times, alternating which goes first; check every output."""
    truth = scenario.truth()
    runs: dict[str, list[Run]] = {side: [] for side in SIDES}
    fingerprints: set[str] = set()
    for number in range(options.runs):
        order = list(SIDES) if number % 2 == 0 else list(reversed(SIDES))
        for side in order:
            work = OUT / scenario.name / f"{side}-{number}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            with FakeHubProcess(scenario.hub_args(options)) as hub:
                run = SIDES[side](scenario, hub, work)
            if run.output.records != truth:
                raise RuntimeError(
                    f"{scenario.name}: {side} wrote {run.output.records} records, not {truth}"
                )
            fingerprints.add(run.output.fingerprint)
            if len(fingerprints) != 1:
                raise RuntimeError(f"{scenario.name}: {side} wrote other records than the rest")
            runs[side].append(run)
            shutil.rmtree(work / "data", ignore_errors=True)
            shutil.rmtree(work / "listings", ignore_errors=True)
            print(
                f"  {scenario.name} run {number + 1}/{options.runs} {side}: "
                f"{run.usage.seconds:.1f} s, {run.usage.cpu_seconds:.1f} CPU s, "
                f"{run.usage.peak_rss_mib:.0f} MiB, {run.output.http_429} x 429",
                flush=True,
            )
    return runs


def _median(runs: list[Run], metric: Callable[[Run], float]) -> float:
    return statistics.median(metric(run) for run in runs)


def _wall(run: Run) -> float:
    return run.usage.seconds


def _cpu(run: Run) -> float:
    return run.usage.cpu_seconds


def _rss(run: Run) -> float:
    return run.usage.peak_rss_mib


def _http_429(run: Run) -> float:
    return run.output.http_429


def _cpu_per_record_us(run: Run) -> float:
    return run.usage.cpu_seconds / run.output.records * 1e6


def _records_per_cpu_second(run: Run) -> float:
    return run.output.records / run.usage.cpu_seconds


def models_rows(size: int, runs: dict[str, list[Run]]) -> list[Row]:
    """The table of one size of the models-alone benchmark."""
    spider, client = runs[SPIDER], runs[CLIENT]

    def row(what: str, metric: Callable[[Run], float], unit: str, bar: str, limit: float) -> Row:
        a, b = _median(spider, metric), _median(client, metric)
        met = None if limit == 0 else (a <= limit * b)
        return Row(f"models {size:,}: {what}", a, b, unit, bar, met)

    rows = [
        row("wall time", _wall, "s", "<= 1.05x", 1.05),
        row("CPU time", _cpu, "s", "", 0),
        row("CPU per record", _cpu_per_record_us, "us", "<= 1.5x", 1.5),
        row("records per CPU-second", _records_per_cpu_second, "rec/s", "", 0),
        row("peak RSS", _rss, "MiB", "", 0),
    ]
    worst_429 = max(_http_429(run) for run in spider), max(_http_429(run) for run in client)
    rows.append(
        Row(
            f"models {size:,}: 429s (worst run)",
            *worst_429,
            "",
            "A <= B",
            worst_429[0] <= worst_429[1],
        )
    )
    return rows


def _marginal_cpu_per_record_us(small: list[Run], large: list[Run]) -> float:
    """CPU per record between two sizes: start-up and other fixed costs cancel out."""
    cpu = _median(large, _cpu) - _median(small, _cpu)
    return cpu / (large[0].output.records - small[0].output.records) * 1e6


def growth_rows(by_size: dict[int, dict[str, list[Run]]]) -> list[Row]:
    """Peak memory at the smallest against the largest size, for both sides; marginal CPU."""
    small, large = min(by_size), max(by_size)
    rows = []
    for side in SIDES:
        a = _median(by_size[large][side], _rss)
        b = _median(by_size[small][side], _rss)
        bar, met = ("< 1.20x", a < 1.2 * b) if side == SPIDER else ("", None)
        labels = (f"{large:,}", f"{small:,}")
        rows.append(Row(f"{side} peak RSS growth", a, b, "MiB", bar, met, labels))
    marginal = [_marginal_cpu_per_record_us(by_size[small][s], by_size[large][s]) for s in SIDES]
    rows.append(Row(f"CPU per record, {small:,} -> {large:,}", *marginal, "us", "", None))
    return rows


def together_rows(size: int, runs: dict[str, list[Run]]) -> list[Row]:
    """One `scrapy crawl models datasets spaces` against the three listings one after another."""
    spider, client = runs[SPIDER], runs[CLIENT]
    together = _median(spider, _wall)
    sequential = _median(client, _wall)
    longest = statistics.median(max(run.listing_seconds.values()) for run in client)
    name = f"3 x {size:,} together"
    longest_labels = (SPIDER, f"{CLIENT} longest single listing")
    return [
        Row(
            f"{name}: wall vs sequential",
            together,
            sequential,
            "s",
            "<= 0.5x",
            together <= 0.5 * sequential,
        ),
        Row(
            f"{name}: wall vs longest",
            together,
            longest,
            "s",
            "<= 1.2x",
            together <= 1.2 * longest,
            longest_labels,
        ),
        Row(f"{name}: CPU time", _median(spider, _cpu), _median(client, _cpu), "s", "", None),
        Row(f"{name}: peak RSS", _median(spider, _rss), _median(client, _rss), "MiB", "", None),
    ]


def quota_rows(size: int, runs: dict[str, list[Run]]) -> list[Row]:
    """Models alone when the quota is the bound: 429s (worst run) and wall time."""
    spider, client = runs[SPIDER], runs[CLIENT]
    worst = max(_http_429(run) for run in spider), max(_http_429(run) for run in client)
    name = f"models {size:,} quota-bound"
    return [
        Row(f"{name}: 429s (worst run)", *worst, "", "A <= B", worst[0] <= worst[1]),
        Row(f"{name}: wall time", _median(spider, _wall), _median(client, _wall), "s", "", None),
    ]


def run_crawl_benchmarks(
    options: CrawlOptions, which: set[str]
) -> tuple[list[Row], dict[str, Any]]:
    """Run the chosen crawl benchmarks (models, together, quota); return rows and raw runs."""
    rows: list[Row] = []
    raw: dict[str, Any] = {}

    def record(scenario: Scenario) -> dict[str, list[Run]]:
        print(f"{scenario.name}: {scenario.hub_args(options)}", flush=True)
        runs = alternate(scenario, options)
        raw[scenario.name] = {
            side: [asdict(run) for run in side_runs] for side, side_runs in runs.items()
        }
        return runs

    if "models" in which:
        by_size = {}
        for size in options.sizes:
            by_size[size] = record(Scenario(f"models-{size}", {"models": size}))
            rows += models_rows(size, by_size[size])
        if len(by_size) > 1:
            rows += growth_rows(by_size)
    if "together" in which:
        size = options.together_size
        counts = {"models": size, "datasets": size, "spaces": size}
        rows += together_rows(size, record(Scenario(f"together-{size}", counts)))
    if "quota" in which:
        quota_args = ("--quota", str(options.quota), "--window", str(options.window))
        scenario = Scenario(
            f"quota-{options.quota_size}", {"models": options.quota_size}, quota_args
        )
        rows += quota_rows(options.quota_size, record(scenario))
    return rows, raw
