"""One schedule command at a time per Scrapyd and project, on this host.

Listing the jobs and scheduling happen under an exclusive lock (a file in
``$XDG_STATE_HOME/hfcrawler/``, by default ``~/.local/state/hfcrawler/``), so two schedule commands
started at once neither pick the same job id nor both start a crawl of one spider. It is an OS
lock on an open file: it ends with the process, so a killed command never leaves it held, and
deleting the file cannot let two commands in at once on a lock already taken.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.scrapyd import Scrapyd, ScrapydError

# Seconds a schedule command waits for another one (on this host, for the same Scrapyd and
# project) to finish: longer than listing the jobs and scheduling three spiders can take.
LOCK_WAIT = 180.0
LOCK_POLL = 0.1


def lock_dir() -> Path:
    """This user's state directory for hfcrawler (``$XDG_STATE_HOME/hfcrawler``)."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "hfcrawler"


@contextmanager
def schedule_lock(scrapyd: Scrapyd) -> Iterator[None]:
    """Hold this host's lock on scheduling in ``scrapyd``'s project (``LOCK_WAIT`` at most)."""
    directory = lock_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = hashlib.sha256(f"{scrapyd.url}\n{scrapyd.project}".encode()).hexdigest()[:16]
    path = directory / f"schedule-{key}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    msg = f"another schedule command held {path} for {LOCK_WAIT:.0f} s; try again"
                    raise ScrapydError(msg) from None
                time.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)
