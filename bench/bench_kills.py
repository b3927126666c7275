"""`python -m bench kills`: SIGKILL a crawl at random moments, rerun it, count exact partitions.

Each trial replaces a same-day partition (so a kill can land in the middle of publishing, where
the old partition is set aside): a copy of a complete store gets a second crawl of the same day
that is killed after a random delay, drawn over the whole length of an uncut crawl including its
publish; then the same command runs again. The trial is exact when that rerun exits 0 and the
partition holds every id of the emulator's listing once, with parts matching the manifest's
counts and sha256 sums, and no `.attempt` or `.replaced-…` is left. Reported in the README's
Reliability section.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess
from hfcrawler.layout import DataLayout, file_sha256, read_manifest, read_records

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-12-01"


def crawl_command(data: Path, endpoint: str, page_size: int) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, "-m", "scrapy", "crawl", "models"]
    command += ["-s", f"HUB_PAGE_SIZE={page_size}", "-s", f"SNAPSHOT_DATE={DAY}"]
    env = {"PATH": "/usr/bin:/bin", "HF_ENDPOINT": endpoint, "HFCRAWLER_DATA": str(data)}
    env["HF_HOME"] = str(data / "no-hf-home")
    return command, env


def run(data: Path, endpoint: str, page_size: int, timeout: float = 300) -> int:
    command, env = crawl_command(data, endpoint, page_size)
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
    )
    return done.returncode


def killed(data: Path, endpoint: str, page_size: int, delay: float) -> bool:
    """Start the crawl and SIGKILL it after ``delay`` s; False when it ended first."""
    command, env = crawl_command(data, endpoint, page_size)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return True
    return False


def exact(data: Path, truth: list[str]) -> str | None:
    """None when the partition is the truth exactly, else what is wrong."""
    layout = DataLayout(data)
    partition = layout.partition("models", DAY)
    directories = [p.name for p in layout.snapshots("models").iterdir() if p.is_dir()]
    if leftovers := [name for name in directories if name.startswith(".")]:
        return f"left behind: {leftovers}"
    manifest = read_manifest(partition)
    for part in manifest["parts"]:
        if file_sha256(partition / part["name"]) != part["sha256"]:
            return f"{part['name']}: sha256 differs from the manifest"
    ids = [record["id"] for record in read_records(partition)]
    if len(ids) != len(set(ids)):
        return f"{len(ids) - len(set(ids))} duplicate ids"
    if sorted(ids) != truth:
        return f"{len(ids)} ids against {len(truth)} in the listing"
    if manifest["counts"]["records"] != len(truth):
        return "the manifest's count differs"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench kills", description=__doc__)
    parser.add_argument("--trials", type=int, default=20, help="kills (default 20)")
    parser.add_argument("--models", type=int, default=3000, help="models in the emulated Hub")
    parser.add_argument("--page-size", type=int, default=100, help="items a page")
    parser.add_argument("--seed", type=int, default=1, help="seed of the kill moments")
    arguments = parser.parse_args(argv)
    hub_args = ["--models", str(arguments.models), "--seed", "3", "--latency-page", "0.02"]
    truth = sorted(r["id"] for r in SyntheticHub(seed=3, models=arguments.models).records("models"))
    rng = random.Random(arguments.seed)
    with FakeHubProcess(hub_args) as hub, tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "template"
        started = time.perf_counter()
        if run(template, hub.url, arguments.page_size) != 0:
            print("the uncut crawl failed", file=sys.stderr)
            return 1
        length = time.perf_counter() - started
        print(f"an uncut crawl of {arguments.models:,} models takes {length:.1f} s")
        outcomes = []
        for trial in range(arguments.trials):
            data = Path(scratch) / f"trial-{trial}"
            shutil.copytree(template, data)
            delay = rng.uniform(0.5, length * 1.05)
            was_killed = killed(data, hub.url, arguments.page_size, delay)
            code = run(data, hub.url, arguments.page_size)
            problem = f"rerun exited {code}" if code else exact(data, truth)
            outcomes.append((was_killed, problem))
            verdict = "exact" if problem is None else f"NOT EXACT: {problem}"
            what = "killed" if was_killed else "ended before the kill"
            print(f"trial {trial + 1:2d}: {what} at {delay:5.2f} s, rerun {verdict}", flush=True)
            shutil.rmtree(data)
    kills = [problem for was_killed, problem in outcomes if was_killed]
    print(f"\n{sum(p is None for p in kills)} of {len(kills)} SIGKILLed crawls exact after a rerun")
    return 0 if all(problem is None for _, problem in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
