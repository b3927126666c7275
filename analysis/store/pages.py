"""How the analysis takes fresh memory: in small pages, never transparent huge pages.

numpy asks Linux for transparent huge pages (THP) for every array of 4 MiB or more, and pyarrow's
allocator (mimalloc) for each arena it reserves. The kernel then zeroes a whole 2 MiB page at the
first touch of any byte of it, and most of what the analysis allocates lives for one step only.
On the README's 2-core machine, a +1 day run of the 30-day history (bench/bench_history.py)
faulted 3,300 huge pages, 6.6 GB zeroed, and spent 22 s of system time on it out of 75 s of CPU;
in small pages it took 2.2M faults and 10 s, for the same user time (54 s) and a lower peak.

So the analysis turns THP off for its own process with `prctl(PR_SET_THP_DISABLE)`, before
anything is allocated: Linux keeps the setting across `fork` and `exec`, so every worker process
and library inherits it, whatever it asks for. Elsewhere than Linux this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

_PR_SET_THP_DISABLE = 41  # <linux/prctl.h>, since Linux 3.15


def disable_huge_pages() -> bool:
    """Turn transparent huge pages off for this process and those it starts; True if done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        # A libc without prctl (or no libc to load): the analysis still runs, only slower.
        return False
