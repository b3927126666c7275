"""``python -m scheduler.daily``: the day's crawls of every repo type and the authors, then the
analysis; exit status 1 naming the step that failed.

The steps, each a command run from the project directory, in order:

- ``listings``: ``python -m scrapy crawl models datasets spaces`` (one process, so the three share
  one pacer of the quota), or with ``--scrapyd`` ``python -m scheduler models datasets spaces
  --wait`` (three Scrapyd jobs, each kept to a third of the quota);
- ``authors``: the same for the ``authors`` spider, which ranks the owners of the new listings;
- ``analysis``: ``python -m analysis --data DATA --out OUT``.

The first step that fails stops the pipeline: what follows would read a day that is not all there.
Running it again crawls the listings again (a failed one resumes its attempt); ``--from STEP``
starts at a later step instead. Each step may take ``--timeout`` seconds (with ``--scrapyd`` its
jobs are then left running). ``--setting NAME=VALUE`` (repeatable) is passed to the crawls, e.g.
``HUB_ENDPOINT`` for a mirror or the emulator.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from hfcrawler.logsafe import one_line
from scheduler.job_settings import parse_settings

PROJECT = Path(__file__).resolve().parent.parent
LISTINGS = ("models", "datasets", "spaces")
# A day's crawls of the real Hub take well under this, even anonymously.
DEFAULT_TIMEOUT = 6 * 3600.0
# Seconds a step stopped for its timeout has to end after SIGTERM (a crawl closes its attempt).
STOP_WAIT = 60.0
# Beyond its own --timeout, the time a schedule --wait step has to report on its jobs.
REPORT_WAIT = 120.0


@dataclass(frozen=True)
class Step:
    """One command of the pipeline; a non-zero exit status fails it."""

    name: str
    command: list[str]
    timeout: float


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler.daily",
        description="Crawl models, datasets and Spaces, then their authors, then analyse; exit "
        "status 1 naming the first step that failed (the later ones are not run).",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("HFCRAWLER_DATA") or PROJECT / "data"),
        help="data directory (default: HFCRAWLER_DATA, else data/ here); with --scrapyd, the one "
        "on the Scrapyd host, which must be this host's too for the analysis",
    )
    parser.add_argument(
        "--out", type=Path, default=PROJECT / "reports", help="reports directory (default reports/)"
    )
    parser.add_argument(
        "--scrapyd",
        action="store_true",
        help="crawl through Scrapyd (python -m scheduler … --wait) instead of in this host's "
        "processes",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the crawls (repeatable), e.g. HUB_ENDPOINT=…",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"longest a step may take (default {DEFAULT_TIMEOUT:.0f})",
    )
    parser.add_argument("--from", dest="start", metavar="STEP", help="start at this step")
    return parser.parse_args(argv)


def crawl(spiders: list[str], args: argparse.Namespace, settings: dict[str, str]) -> list[str]:
    """The command that crawls ``spiders`` into the data directory and exits 0 only if each
    published its partition."""
    data = str(args.data.expanduser().absolute())
    if args.scrapyd:
        command = ["-m", "scheduler", *spiders, "--wait", "--timeout", str(args.timeout)]
        command += ["--data", data]
        command += [arg for pair in settings.items() for arg in ("--setting", "=".join(pair))]
    else:
        command = ["-m", "scrapy", "crawl", *spiders, "-s", f"DATA_DIR={data}"]
        command += [arg for pair in settings.items() for arg in ("-s", "=".join(pair))]
    return [sys.executable, *command]


def steps(args: argparse.Namespace, settings: dict[str, str]) -> list[Step]:
    """The pipeline, in order."""
    crawl_timeout = args.timeout + REPORT_WAIT if args.scrapyd else args.timeout
    data, out = args.data.expanduser().absolute(), args.out.expanduser().absolute()
    analyse = [sys.executable, "-m", "analysis", "--data", str(data), "--out", str(out)]
    return [
        Step("listings", crawl(list(LISTINGS), args, settings), crawl_timeout),
        Step("authors", crawl(["authors"], args, settings), crawl_timeout),
        Step("analysis", analyse, args.timeout),
    ]


def run(step: Step) -> str | None:
    """Run one step, its output passed through; None when it succeeded, else why it failed."""
    shown = " ".join(step.command[1:] if step.command[0] == sys.executable else step.command)
    print(one_line(f"daily: {step.name}: python {shown}"), flush=True)
    started = time.monotonic()
    with subprocess.Popen(step.command, cwd=PROJECT) as process:
        try:
            code = process.wait(timeout=step.timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
            return f"still running after {step.timeout:.0f} s, stopped"
    if code != 0:
        return f"exit status {code}"
    print(f"daily: {step.name}: done in {time.monotonic() - started:.0f} s", flush=True)
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = parse_settings(args.setting)
    except ValueError as exc:
        print(f"python -m scheduler.daily: {exc}", file=sys.stderr)
        return 2
    pipeline = steps(args, settings)
    names = [step.name for step in pipeline]
    if args.start is not None:
        if args.start not in names:
            print(
                f"python -m scheduler.daily: --from takes one of {', '.join(names)}",
                file=sys.stderr,
            )
            return 2
        pipeline = pipeline[names.index(args.start) :]
    for number, step in enumerate(pipeline):
        if (failure := run(step)) is not None:
            rest = ", ".join(later.name for later in pipeline[number + 1 :]) or "none"
            print(
                f"daily: FAILED at step {step.name} ({failure}); not run: {rest}", file=sys.stderr
            )
            return 1
    print(f"daily: every step done: {', '.join(step.name for step in pipeline)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
