"""Shared fixtures: the emulator as a real subprocess on loopback, and crawls run as Scrapyd would.

Crawls run as ``python -m scrapy crawl …`` subprocesses from the project directory, so each test
exercises the real command, settings, exit status and files, exactly as a user does.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class FakeHub:
    url: str
    process: subprocess.Popen

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/_fakehub/stats", timeout=10) as response:
            return json.load(response)


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child process, without any Hub settings leaking in from ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGING_FACE", "HFCRAWLER", "FAKEHUB"))
    }
    env["HF_HOME"] = str(Path(extra.pop("HF_HOME", "/nonexistent-hf-home")))
    env.update(extra)
    return env


@pytest.fixture
def fakehub() -> Iterator:
    """Start ``python -m fakehub`` with the given arguments; stopped at the end of the test."""
    started: list[subprocess.Popen] = []

    def start(*args: str, env: dict[str, str] | None = None) -> FakeHub:
        process = subprocess.Popen(
            [sys.executable, "-m", "fakehub", "--port", "0", *args],
            cwd=ROOT,
            env=base_env(**(env or {})),
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"fakehub did not start: {url!r}"
        return FakeHub(url, process)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def crawl(
    *spiders: str,
    endpoint: str,
    data: Path,
    settings: dict[str, object] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess:
    """Run ``scrapy crawl`` like a user would, and return its exit status and output."""
    command = [sys.executable, "-m", "scrapy", "crawl", *spiders]
    for name, value in {"PROGRESS_INTERVAL": 5, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=base_env(HF_ENDPOINT=endpoint, HFCRAWLER_DATA=str(data), **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_partition(path: Path) -> list[dict]:
    """Every record of a published partition, in file order."""
    manifest = json.loads((path / "manifest.json").read_text())
    records = []
    for part in manifest["parts"]:
        with gzip.open(path / part["name"], "rt", encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh]
    return records


def write_partition(
    data: Path, repo_type: str, day: str, records: list[dict], status: str = "complete"
) -> Path:
    """Write records as a published partition of the snapshot store, with its manifest."""
    partition = data / "snapshots" / repo_type / f"date={day}"
    partition.mkdir(parents=True, exist_ok=True)
    body = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    (partition / "part-00000.jsonl.gz").write_bytes(body)
    manifest = {
        "repo_type": repo_type,
        "date": day,
        "status": status,
        "counts": {"records": len(records), "rejected": 0, "duplicates": 0},
        "parts": [
            {
                "name": "part-00000.jsonl.gz",
                "records": len(records),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        ],
    }
    (partition / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return partition


def run_analysis(
    *arguments: str, cwd: Path, data_env: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m analysis`` as a user would, with a minimal environment."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if data_env is not None:
        env["HFCRAWLER_DATA"] = str(data_env)
    return subprocess.run(
        [sys.executable, "-m", "analysis", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def csv_rows(report: Path, name: str) -> list[dict[str, str]]:
    """The rows of one of a report's CSV tables."""
    with (report / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))
