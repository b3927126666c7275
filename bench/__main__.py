"""Run the benchmarks (crawl, analysis, history, hub, export, kills) and print their tables.

`python -m bench [NAME ...]`.

With no names every benchmark runs (`crawl` stands for models, together and quota). Each crawl
benchmark alternates its two sides `--runs` times and reports medians and their ratio against the
bar of the design; the crawl table is also written to `bench/out/results.json`. The analysis,
history, whole-Hub and export benchmarks run through their own entry points and print their own
tables. `--quick` shrinks every size for a check in a few minutes; the defaults take about an
hour and a half on two cores (the history's 31 snapshots of 2.5M models are written once, in
about ten minutes, and reused, also by the export's; the whole Hub's, once, in about twenty).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import asdict
from pathlib import Path

from bench import bench_analysis, bench_export, bench_history, bench_hub, bench_kills
from bench.bench_crawl import CrawlOptions, Row, run_crawl_benchmarks

OUT = Path(__file__).resolve().parent / "out"
CRAWL = ("models", "together", "quota")
NAMES = (*CRAWL, "crawl", "analysis", "history", "hub", "export", "kills")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    # No `choices=`: argparse then rejects an empty list of names.
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run, among {', '.join(NAMES)} (default: all)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: 20k/100k models, 3 x 20k together, 15k quota-bound, "
        "one round of a 250k-model analysis, of a 250k-model 5-day history and of a whole Hub "
        "of 250k models, 60k datasets and 90k Spaces over 5 days",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help="models for the models-alone benchmark (default 100000 500000)",
    )
    parser.add_argument(
        "--together-size",
        type=int,
        help="models, datasets and Spaces each, when crawled together (default 100000)",
    )
    parser.add_argument(
        "--quota-size",
        type=int,
        help="models for the quota-bound benchmark (default 50000, quick 15000)",
    )
    parser.add_argument(
        "--quota", type=int, default=10, help="requests per window when quota-bound"
    )
    parser.add_argument("--window", type=int, default=5, help="window seconds when quota-bound")
    parser.add_argument("--latency-page", type=float, default=0.15, help="seconds added a page")
    parser.add_argument("--latency-item", type=float, default=0.00002, help="seconds added an item")
    parser.add_argument(
        "--analysis-models",
        type=int,
        help="models of the analysis benchmark's snapshot (default its own, 2.5M)",
    )
    arguments = parser.parse_args(argv)
    unknown = set(arguments.names) - set(NAMES)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose among {NAMES}")
    return arguments


def crawl_options(arguments: argparse.Namespace) -> CrawlOptions:
    quick = arguments.quick
    return CrawlOptions(
        runs=arguments.runs,
        sizes=tuple(arguments.sizes or ((20_000, 100_000) if quick else (100_000, 500_000))),
        together_size=arguments.together_size or (20_000 if quick else 100_000),
        quota_size=arguments.quota_size or (15_000 if quick else 50_000),
        quota=arguments.quota,
        window=arguments.window,
        latency_page=arguments.latency_page,
        latency_item=arguments.latency_item,
    )


def _cell(value: float, unit: str, label: str, default_label: str) -> str:
    whole = abs(value) >= 100 or float(value).is_integer()
    shown = f"{value:,.0f}" if whole else f"{value:,.2f}"
    text = f"{shown} {unit}".strip()
    return text if label == default_label else f"{label}: {text}"


def print_table(rows: list[Row]) -> None:
    """benchmark | side A (the spider) | side B (huggingface_hub) | ratio | bar | met?"""
    header = ("benchmark", "A: spider", "B: huggingface_hub", "A/B", "bar", "met?")
    lines = [header]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append(
            (
                row.benchmark,
                _cell(row.side_a, row.unit, row.labels[0], "spider"),
                _cell(row.side_b, row.unit, row.labels[1], "huggingface_hub"),
                ratio,
                row.bar,
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def run_analysis(arguments: argparse.Namespace) -> None:
    """The analysis benchmark, through its own entry point."""
    # --quick keeps one round: the analysis's fixed cost (charts) dwarfs a small snapshot's.
    rounds = 1 if arguments.quick else arguments.runs
    argv = ["--runs", str(rounds)]
    models = arguments.analysis_models or (250_000 if arguments.quick else None)
    if models:
        argv += ["--models", str(models)]
    bench_analysis.main(argv)


def run_history(arguments: argparse.Namespace) -> None:
    """The history benchmark, through its own entry point (--quick: 250k models, 5 days)."""
    bench_history.main(["--models", "250000", "--days", "5"] if arguments.quick else [])


def run_hub(arguments: argparse.Namespace) -> None:
    """The whole-Hub benchmark, through its own entry point (--quick: a tenth of the Hub's size,
    5 days, one round)."""
    if arguments.quick:
        sizes = ["--models", "250000", "--datasets", "60000", "--spaces", "90000"]
        bench_hub.main([*sizes, "--days", "5", "--runs", "1"])
    else:
        bench_hub.main(["--runs", str(arguments.runs)])


def run_export(arguments: argparse.Namespace) -> None:
    """The export benchmark, through its own entry point (--quick: 250k models, 5 days, the
    history bench's --quick snapshots)."""
    bench_export.main(["--models", "250000", "--days", "5"] if arguments.quick else [])


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    names = set(arguments.names or NAMES)
    if "crawl" in names:
        names |= set(CRAWL)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"hfcrawler benchmarks on {platform.system()} {machine}", flush=True)
    started = time.perf_counter()
    crawl = names & set(CRAWL)
    if crawl:
        options = crawl_options(arguments)
        rows, runs = run_crawl_benchmarks(options, crawl)
        OUT.mkdir(parents=True, exist_ok=True)
        results = {
            "machine": machine,
            "options": asdict(options),
            "rows": [{**asdict(row), "ratio": row.ratio} for row in rows],
            "runs": runs,
        }
        (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
        print()
        print_table(rows)
        print(f"\nwritten: {OUT / 'results.json'}")
    for name, title, run in (
        ("analysis", "analysis benchmark (its own table)", run_analysis),
        ("history", "history benchmark (its own table)", run_history),
        ("hub", "whole-Hub benchmark (its own tables)", run_hub),
        ("export", "export benchmark (its own table)", run_export),
    ):
        if name in names:
            print(f"\n{title}:", flush=True)
            run(arguments)
    if "kills" in names:
        print("\nSIGKILL at random moments, then a rerun (its own lines):", flush=True)
        bench_kills.main(["--trials", "5" if arguments.quick else "20"])
    print(f"\nbenchmarks took {time.perf_counter() - started:,.0f} s")


if __name__ == "__main__":
    main()
