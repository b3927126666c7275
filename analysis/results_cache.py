"""A small keyed directory cache for the history's per-partition and per-interval results.

Each entry is a directory holding its result files and `_key.json`; it is current when the key
(the format version and the cache keys of the partitions it was computed from) is unchanged, so a
partition recrawled on the same day invalidates every result built on it. Entries are built under
a hidden name and renamed into place, so an interrupted run never leaves half a result.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from analysis.atomic import replace_directory, staging_for

KEY_FILE = "_key.json"


def _is_current(directory: Path, key: object) -> bool:
    try:
        return json.loads((directory / KEY_FILE).read_text(encoding="utf-8")) == key
    except (OSError, ValueError):
        return False


def cached(directory: Path, key: object, build: Callable[[Path], None]) -> Path:
    """Return `directory`, filled first by `build(staging)` unless it already holds `key`."""
    if _is_current(directory, key):
        return directory
    staging = staging_for(directory)
    staging.mkdir(parents=True)
    try:
        build(staging)
        (staging / KEY_FILE).write_text(json.dumps(key), encoding="utf-8")
        replace_directory(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory
