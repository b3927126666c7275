"""The benches' memory figures: the largest process's peak and the process tree's, measured on a
real tree of processes whose memory is known."""

from __future__ import annotations

import sys

from bench.bench_analysis import _measure

# A parent that starts two children, each holding `size` MiB of its own memory (filled, so
# resident) for a moment, while the parent holds half of that.
_TREE = """
import subprocess, sys, time
size = int(sys.argv[1])
hold = "import sys, time; b = b'x' * (int(sys.argv[1]) * 2**20); time.sleep(1.5)"
children = [subprocess.Popen([sys.executable, "-c", hold, str(size)]) for _ in range(2)]
mine = b"x" * (size // 2 * 2**20)
for child in children:
    child.wait()
"""


def test_the_tree_counts_each_processs_own_memory_once() -> None:
    size = 150
    wall, largest, tree = _measure([sys.executable, "-c", _TREE, str(size)])
    # The largest process holds one child's bytes (plus Python itself).
    assert size <= largest < size + 40, largest
    # Both children's memory and the parent's, each counted once, and the interpreter's
    # libraries once, not three times: within 60 MiB of what the three processes hold.
    held = 2 * size + size // 2
    assert held <= tree < held + 60, tree
    assert wall >= 1.5
