"""A compact set of repo ids for deduplication that stays small as the Hub grows.

Ids are kept as 64-bit BLAKE2b hashes: about 8 bytes an id once merged into a sorted numpy array,
instead of ~100 bytes for a Python string in a set. A recent batch lives in a Python set and is
merged when it fills. Two different ids collide with probability ~n²/2⁶⁵ (about 1 in 4 million
crawls of 3M ids), which we accept for a flat memory profile.
"""

from __future__ import annotations

import hashlib

import numpy as np


def id_hash(repo_id: str) -> int:
    # Signed, so that numpy compares it as an int64 instead of falling back to Python objects.
    # "surrogatepass": a lone surrogate (validation rejects such ids) must not make this raise.
    digest = hashlib.blake2b(repo_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class IdSet:
    """Membership of repo ids, by hash."""

    def __init__(self, batch: int = 1 << 16) -> None:
        self._batch = batch
        self._recent: set[int] = set()
        self._merged = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._recent) + int(self._merged.size)

    def add(self, repo_id: str) -> bool:
        """Add an id; return False if it was already there."""
        key = id_hash(repo_id)
        if key in self._recent:
            return False
        if self._merged.size:
            at = int(np.searchsorted(self._merged, key))
            if at < self._merged.size and int(self._merged[at]) == key:
                return False
        self._recent.add(key)
        if len(self._recent) >= self._batch:
            self._merge()
        return True

    def _merge(self) -> None:
        batch = np.sort(np.fromiter(self._recent, dtype=np.int64, count=len(self._recent)))
        # One new array of the merged size: a union (concatenate, sort, unique) would need three.
        self._merged = np.insert(self._merged, np.searchsorted(self._merged, batch), batch)
        self._recent.clear()
