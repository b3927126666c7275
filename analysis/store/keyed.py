"""Keyed cache directories: results kept on disk with the key they were built under.

An entry is a directory holding its result files and a key file; it is current when that key (a
format version and the identities of the partitions it was computed from) is the one its inputs
have now, so a partition recrawled on the same day invalidates every entry built on it. Entries
are built under a hidden name and renamed into place whole (analysis.store.atomic), so an
interrupted run never leaves half a result. The Parquet caches of partitions (`_cache.json`,
analysis.store.compact) and the history's digests and intervals (`_key.json`) are such entries.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from analysis.store.atomic import replace_directory, staging_for

KEY_FILE = "_key.json"


def is_current(directory: Path, key: object, key_file: str = KEY_FILE) -> bool:
    """Whether `directory` holds an entry built under `key`."""
    try:
        return json.loads((directory / key_file).read_text(encoding="utf-8")) == key
    except (OSError, ValueError):
        return False


def publish(staging: Path, final: Path, key: object, key_file: str = KEY_FILE) -> None:
    """Put the entry built in `staging` in place as `final`, under `key`."""
    (staging / key_file).write_text(json.dumps(key), encoding="utf-8")
    replace_directory(staging, final)


def cached(directory: Path, key: object, build: Callable[[Path], None]) -> Path:
    """Return `directory`, filled first by `build(staging)` unless it already holds `key`."""
    if is_current(directory, key):
        return directory
    staging = staging_for(directory)
    staging.mkdir(parents=True)
    try:
        build(staging)
        publish(staging, directory, key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory
