"""Who to profile, in which order, and what is already known: the inputs of the authors crawl.

Authors are ranked by the downloads of their repos (then their number of repos, then name) in the
latest complete ``models``, ``datasets`` and ``spaces`` partitions, so that a limited request
budget goes to the authors who matter most. A name the Hub cannot have (too long, or with
characters no account name has; see :func:`hfcrawler.validation.namespace`), which a partition
written before that rule may hold, is left out and never asked for. Profiles come from the latest
complete ``authors`` partition, by the name they were asked for.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from hfcrawler.layout import read_records
from hfcrawler.store import SnapshotStore
from hfcrawler.validation import InvalidValueError, namespace

logger = logging.getLogger(__name__)

REPO_SNAPSHOTS = ("models", "datasets", "spaces")


def rank_authors(store: SnapshotStore) -> tuple[list[str], dict[str, str]]:
    """Author names, most downloaded first, and the partition date used for each repo type."""
    totals: dict[str, list[int]] = {}
    sources = {}
    for repo_type in REPO_SNAPSHOTS:
        latest = store.latest_complete(repo_type)
        if latest is None:
            continue
        date, _ = latest
        sources[repo_type] = date
        for record in read_records(store.layout.partition(repo_type, date), orjson.loads):
            author = record.get("author")
            if not isinstance(author, str) or not author:
                continue
            total = totals.setdefault(author, [0, 0])
            downloads = record.get("downloads")
            total[0] += downloads if isinstance(downloads, int) else 0
            total[1] += 1
    if impossible := [name for name in totals if not _possible(name)]:
        logger.warning("Left out %d author names no Hub account can have", len(impossible))
        for name in impossible:
            del totals[name]
    ranking = sorted(totals, key=lambda name: (-totals[name][0], -totals[name][1], name))
    return ranking, sources


def _possible(name: str) -> bool:
    try:
        namespace(name)
    except InvalidValueError:
        return False
    return True


def known_profiles(store: SnapshotStore) -> dict[str, dict[str, Any]]:
    """The profiles of the latest complete authors partition, by author name."""
    latest = store.latest_complete("authors")
    if latest is None:
        return {}
    path = store.layout.partition("authors", latest[0])
    return {record["name"]: record for record in read_records(path, orjson.loads)}
