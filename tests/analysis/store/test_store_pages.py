"""The analysis takes fresh memory in small pages: transparent huge pages are off in its process
and in the worker processes it spawns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_STATUS = Path("/proc/self/status")

pytestmark = pytest.mark.skipif(
    not _STATUS.exists() or "THP_enabled:" not in _STATUS.read_text(),
    reason="the kernel does not report THP_enabled in /proc/<pid>/status",
)

# The command line's entry point, then a worker spawned as the run spawns its pool; each prints
# whether THP is enabled for it, as the kernel says.
_PROBE = """
import multiprocessing

def thp_enabled():
    for line in open("/proc/self/status"):
        if line.startswith("THP_enabled:"):
            return line.split()[1]

if __name__ == "__main__":
    print("THP", thp_enabled())
    from analysis.__main__ import main
    try:
        main(["--help"])
    except SystemExit:
        pass
    print("THP", thp_enabled())
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print("THP", pool.apply(thp_enabled))
"""


def test_the_command_and_its_workers_run_without_huge_pages(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE)
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, str(probe)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    said = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("THP ")]
    assert said == ["1", "0", "0"]  # before the command, after it, in a worker
