"""The synthetic Hub's authors: who they are (user or organisation) and their overview profiles.

Authors are ranked: rank 0 owns the most repos (repo owners are drawn Zipf-like over ranks). Names
are derived from the rank, so a million authors cost a few arrays and no strings until asked for.
A few authors carry hostile full names so renderers get exercised.

:class:`AccountFaults` describes accounts whose overview misbehaves (`--renamed-account`,
`--overview-status`): renamed ones, answered with a 307 to their new name as the Hub does, and
names the Hub refuses with an HTTP error.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np

from fakehub.vocabulary import HOSTILE_STRINGS, ORG_NAMES, ORG_STEMS, USER_STEMS

_RANKED_NAME = re.compile(r"([a-z-]+?)-?(\d+)")
_OVERVIEW_SEGMENT = {"org": "organizations", "user": "users"}
_PAID_PLANS = ("team", "enterprise")


class AuthorDirectory:
    """Every author of the synthetic Hub, addressed by rank or by name."""

    def __init__(self, seed: int, count: int) -> None:
        rng = np.random.default_rng([seed, 7])
        self.count = count
        ranks = np.arange(count)
        # Big accounts are mostly organisations; the long tail is mostly people.
        org_share = np.where(ranks < 20, 0.8, 0.12)
        self.is_org = rng.random(count) < org_share
        self.is_org[: min(len(ORG_NAMES), count)] = True
        self.salt = rng.integers(0, 2**62, size=count, dtype=np.int64)
        self.followers = np.floor(rng.pareto(1.2, size=count) * 5).astype(np.int64)
        self._by_fixed_name = {name: rank for rank, name in enumerate(ORG_NAMES[:count])}

    def name(self, rank: int) -> str:
        """The author's namespace, as it appears before the "/" of a repo id."""
        if rank < len(ORG_NAMES):
            return ORG_NAMES[rank]
        stems = ORG_STEMS if self.is_org[rank] else USER_STEMS
        stem = stems[int(self.salt[rank]) % len(stems)]
        return f"{stem}{rank}" if self.is_org[rank] else f"{stem}-{rank}"

    def rank(self, name: str) -> int | None:
        """The rank of the author called `name`, or None when no such author exists."""
        if name in self._by_fixed_name:
            return self._by_fixed_name[name]
        match = _RANKED_NAME.fullmatch(name)
        if match is None:
            return None
        rank = int(match.group(2))
        if rank >= self.count or str(rank) != match.group(2) or self.name(rank) != name:
            return None
        return rank

    def kind(self, rank: int) -> str:
        return "org" if self.is_org[rank] else "user"

    def fullname(self, rank: int) -> str:
        salt = int(self.salt[rank])
        # Rank 3 is always hostile so that small hubs exercise renderers too.
        if rank == 3 or salt % 61 == 0:
            return HOSTILE_STRINGS[(salt >> 8) % len(HOSTILE_STRINGS)]
        name = self.name(rank)
        return name.replace("-", " ").title()

    def avatar_url(self, rank: int) -> str:
        digest = hashlib.md5(self.name(rank).encode(), usedforsecurity=False).hexdigest()
        return f"/avatars/{digest}.svg"

    def profile(self, rank: int, repo_counts: dict[str, int]) -> dict[str, Any]:
        """The overview document of the author, given their public repo counts by repo type."""
        salt = int(self.salt[rank])
        common = {
            "fullname": self.fullname(rank),
            "avatarUrl": self.avatar_url(rank),
            "details": "" if salt % 3 else f"Models and datasets by {self.name(rank)}.",
            "numModels": repo_counts.get("models", 0),
            "numDatasets": repo_counts.get("datasets", 0),
            "numSpaces": repo_counts.get("spaces", 0),
            "numFollowers": int(self.followers[rank]),
        }
        if self.is_org[rank]:
            profile = {
                "name": self.name(rank),
                **common,
                "type": "org",
                "isVerified": rank < 10 or salt % 17 == 0,
                "numUsers": 1 + (salt >> 4) % 40,
            }
            if rank < 4 or salt % 13 == 0:
                profile["plan"] = _PAID_PLANS[(salt >> 12) % 2]
            return profile
        orgs = [
            {"name": ORG_NAMES[o], "fullname": self.fullname(o), "avatarUrl": self.avatar_url(o)}
            for o in range(min(len(ORG_NAMES), self.count))
            if (salt >> (o + 20)) % 5 == 0
        ]
        return {
            "user": self.name(rank),
            **common,
            "type": "user",
            "isPro": salt % 11 == 0,
            "numFollowing": (salt >> 6) % 50,
            "numLikes": (salt >> 16) % 300,
            "orgs": orgs,
        }


@dataclass(frozen=True)
class AccountFaults:
    """Renamed accounts (old name -> new name) and overviews answered with an error status."""

    renamed: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, int] = field(default_factory=dict)

    def former_name(self, name: str) -> str:
        """The name the account had before it was renamed to `name` (else `name` itself)."""
        return next((old for old, new in self.renamed.items() if new == name), name)

    def redirect(self, name: str, kind: str) -> str | None:
        """The overview path a renamed account's old name redirects to; None for other names."""
        new = self.renamed.get(name)
        return (
            None
            if new is None
            else f"/api/{_OVERVIEW_SEGMENT[kind]}/{quote(new, safe='')}/overview"
        )


def named(profile: dict[str, Any], name: str) -> dict[str, Any]:
    """An overview document, naming the account `name` (as it is called since its renaming)."""
    return {**profile, ("name" if profile["type"] == "org" else "user"): name}


def parse_renamed(spec: str) -> tuple[str, str]:
    """`OLD=NEW`, two different non-empty names without a slash."""
    old, _, new = spec.partition("=")
    if not old or not new or old == new or "/" in spec:
        raise ValueError(f"bad renamed account {spec!r}: expected OLD=NEW")
    return old, new


def parse_overview_status(spec: str) -> tuple[str, int]:
    """`NAME=STATUS`, an error status from 400 to 599."""
    name, _, status = spec.partition("=")
    if not name or "/" in name or not status.isdigit() or not 400 <= int(status) <= 599:
        raise ValueError(f"bad overview status {spec!r}: expected NAME=STATUS (400 to 599)")
    return name, int(status)
