"""Shared fixtures: the emulator as a real subprocess on loopback, and crawls run as Scrapyd would.

Crawls run as ``python -m scrapy crawl …`` subprocesses from the project directory, so each test
exercises the real command, settings, exit status and files, exactly as a user does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hfcrawler.layout import read_records

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
    return list(read_records(path))
