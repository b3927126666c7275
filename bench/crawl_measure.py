"""Measuring one side of a crawl benchmark: a child process, its own resource usage, its output.

Each side runs as its own subprocess against its own fresh `fakehub`: `os.wait4` on that child
gives its CPU seconds and its own VmHWM its peak resident memory, neither counting the parent or
the emulator. The records a side wrote are counted (and fingerprinted, order aside) from its gzip
JSON Lines files, so that a benchmark can refuse to compare two sides that wrote different data.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fakehub.process import FakeHubProcess
from hfcrawler.layout import PARTITION_PREFIX, DataLayout, part_paths, read_manifest


@dataclass(frozen=True)
class Usage:
    """What one child process cost."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float


@dataclass(frozen=True)
class Output:
    """What one side wrote: how many records, a fingerprint of their lines, and 429s seen."""

    records: int
    fingerprint: str
    http_429: int


def child_environment(endpoint: str, home: Path) -> dict[str, str]:
    """A side's environment: the emulator as the Hub, anonymous, no token file, no telemetry."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HFCRAWLER_DATA"}
    }
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1")
    return env


def _peak_rss_kib(pid: int) -> int | None:
    """The process's own high-water resident memory (VmHWM), None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def run_child(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Usage:
    """Run a command to its end; fail loudly (pointing at its log) when it does not exit 0.

    CPU seconds come from `wait4`, but not the peak memory: Linux starts a child's ru_maxrss at
    its parent's own high-water mark (the parent's memory is the child's until exec), and this
    parent holds whole snapshots to check them. VmHWM belongs to the child's program alone and
    never decreases, so it is sampled every 20 ms until the child exits.
    """
    peak = 0
    done = threading.Event()
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=sink)

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _peak_rss_kib(process.pid) or 0)
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:6]} exited {process.returncode}; see {log}")
    return Usage(seconds, usage.ru_utime + usage.ru_stime, peak / 1024)


def server_429s(hub: FakeHubProcess) -> int:
    """How many 429s the emulator answered since it started."""
    return int(hub.stats()["by_status"].get("429", 0))


def read_output(files: Iterable[Path], http_429: int) -> Output:
    """Count the JSON lines of gzip files and fingerprint them independently of their order."""
    digests: list[bytes] = []
    for path in files:
        with gzip.open(path, "rb") as lines:
            digests.extend(hashlib.blake2b(line, digest_size=16).digest() for line in lines)
    digests.sort()
    return Output(len(digests), hashlib.sha256(b"".join(digests)).hexdigest(), http_429)


def snapshot_parts(data: Path, repo_type: str) -> list[Path]:
    """The part files of the one complete partition a fresh crawl published for `repo_type`."""
    partitions = sorted(DataLayout(data).snapshots(repo_type).glob(f"{PARTITION_PREFIX}*"))
    if len(partitions) != 1:
        raise RuntimeError(f"expected one {repo_type} partition under {data}, found {partitions}")
    manifest = read_manifest(partitions[0])
    if manifest["status"] != "complete" or manifest["counts"]["rejected"] != 0:
        raise RuntimeError(f"{partitions[0]}: not a complete snapshot without rejections")
    return part_paths(partitions[0], manifest)
