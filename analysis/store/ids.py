"""Ids close to one that a snapshot does not hold: what a user probably meant.

The snapshot's ids are narrowed first with pyarrow, case-insensitively, to those sharing the
wanted id's namespace or holding one of its words (the pieces of its name between "-", "_", "."
and "/", three characters or more: "lama-3" finds "meta-llama/Llama-3-8B"), at most
`CANDIDATES` of them; only those are compared with difflib. So the work is a few column scans and
a bounded comparison, whether the snapshot holds a thousand ids or 2.5 million.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CANDIDATES = 20_000
_WORDS = re.compile(r"[-_./]+")
_SHORTEST_WORD = 3
_MOST_WORDS = 4
_CUTOFF = 0.6


def _candidates(ids: pa.ChunkedArray, wanted: str) -> list[str]:
    """The ids sharing `wanted`'s namespace or holding one of its longest words."""
    namespace = wanted.split("/", 1)[0] + "/" if "/" in wanted else None
    words = sorted(
        {word for word in _WORDS.split(wanted) if len(word) >= _SHORTEST_WORD},
        key=len,
        reverse=True,
    )[:_MOST_WORDS]
    masks = [pc.match_substring(ids, word, ignore_case=True) for word in words]
    if namespace is not None:
        masks.append(pc.starts_with(ids, namespace, ignore_case=True))
    if not masks:
        return []
    chosen = masks[0]
    for mask in masks[1:]:
        chosen = pc.or_(chosen, mask)
    return pc.filter(ids, chosen).slice(0, CANDIDATES).to_pylist()


def close_ids(cache: Path, wanted: str, count: int = 5) -> list[str]:
    """Up to `count` ids of the snapshot cached in `cache` that look like `wanted`, closest
    first (case aside)."""
    ids = pq.read_table(cache, columns=["id"])["id"]
    candidates = _candidates(ids, wanted)
    by_lower = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    found = difflib.get_close_matches(wanted.lower(), list(by_lower), n=count, cutoff=_CUTOFF)
    return [by_lower[match] for match in found]
