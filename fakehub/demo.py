"""``make demo``: the whole product on the bundled emulator, with no network.

Starts ``fakehub`` on a free loopback port, crawls its models, datasets, Spaces and their
authors' profiles on several consecutive days (advancing the emulated Hub by a day between
crawls, so that the report has a real history), runs ``python -m analysis`` (which also writes the
export) and prints where the report and the export are. Everything goes under ``demo/`` in the
current directory (``--dir`` to change it), which is emptied first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hfcrawler.layout import DataLayout

SPIDERS = ("models", "datasets", "spaces")
# Every profile fits the emulator's quota; the real Hub's default budget is much smaller.
AUTHORS_BUDGET = 100_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fakehub.demo", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path("demo"), help="output directory")
    parser.add_argument("--models", type=int, default=20_000, help="models on the emulated Hub")
    parser.add_argument("--days", type=int, default=5, help="daily snapshots to take")
    parser.add_argument("--seed", type=int, default=42, help="seed of the emulated Hub")
    return parser.parse_args(argv)


def run(command: list[str], **kwargs: object) -> None:
    print("$", " ".join(command[2:] if command[0] == sys.executable else command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.dir.resolve()
    shutil.rmtree(root, ignore_errors=True)
    data, reports = root / "data", root / "reports"
    hub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fakehub",
            "--port",
            "0",
            "--seed",
            str(args.seed),
            "--models",
            str(args.models),
            "--datasets",
            str(args.models // 3),
            "--spaces",
            str(args.models // 3),
            "--latency-page",
            "0.02",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = hub.stdout.readline().strip()
        print(f"Emulated Hub at {url}", flush=True)
        environment = {"HF_ENDPOINT": url, "HFCRAWLER_DATA": str(data)}
        today = datetime.now(UTC).date()
        for day in range(args.days):
            snapshot = today - timedelta(days=args.days - 1 - day)
            crawl(snapshot, environment)
            if day < args.days - 1:
                advance = urllib.request.Request(f"{url}/_fakehub/advance?days=1", method="POST")  # noqa: S310
                urllib.request.urlopen(advance, timeout=60).close()  # noqa: S310
    finally:
        hub.terminate()
        hub.wait(timeout=30)
        hub.stdout.close()
    run([sys.executable, "-m", "analysis", "--data", str(data), "--out", str(reports)])
    index = reports / today.isoformat() / "index.html"
    exports = DataLayout(data).exports()
    print(f"\nThe demo's report: {index}\nIts export (Parquet): {exports}\nIts data: {data}")
    return 0


def crawl(snapshot: date, environment: dict[str, str]) -> None:
    """The day's listings together, then the profiles of their authors."""
    env = {**os.environ, **environment}
    env.pop("HF_TOKEN", None)
    settings = ["-s", f"SNAPSHOT_DATE={snapshot.isoformat()}", "-s", "LOG_LEVEL=WARNING"]
    run([sys.executable, "-m", "scrapy", "crawl", *SPIDERS, *settings], env=env)
    budget = ["-s", f"AUTHORS_BUDGET={AUTHORS_BUDGET}"]
    run([sys.executable, "-m", "scrapy", "crawl", "authors", *settings, *budget], env=env)


if __name__ == "__main__":
    sys.exit(main())
