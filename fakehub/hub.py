"""SyntheticHub: the whole synthetic Hub (repos, authors, history), shared by server and tests.

Tests of the crawler compute their ground truth from it::

    hub = SyntheticHub(seed=0, models=1000, datasets=100, spaces=100, day=0)
    hub.records("models", token_owner=None)   # every repo visible to that caller, in _id order
    hub.owners_with_private("models")          # author names that own private repos
    hub.profile("open-lab"), hub.author_kind("open-lab")
    hub.advance(days=1)

The same (seed, counts, day) always gives the same Hub. The HTTP server serves exactly this data.
"""

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fakehub.authors import AuthorDirectory
from fakehub.fields import RECORD_FIELDS
from fakehub.history import advance_one_day
from fakehub.items import ItemBuilder
from fakehub.table import (
    NONE,
    REPO_TYPES,
    RepoTable,
    creation_times,
    finish_initial,
    generate,
    id_prefix,
)
from fakehub.vocabulary import (
    DAY_ZERO,
    FILE_FORMATS,
    LIBRARIES,
    LICENSES,
    PIPELINE_TAGS,
    SECONDS_PER_DAY,
)

_LEGACY_MODELS = 3
_RECORD_BATCH = 1000
_MASK_CACHE_SIZE = 32


class SyntheticHub:
    """A deterministic, realistic population of models, datasets, Spaces and their authors."""

    def __init__(
        self, seed: int = 0, models: int = 1000, datasets: int = 0, spaces: int = 0, day: int = 0
    ) -> None:
        self.seed = seed
        self.day = 0
        counts = {"models": models, "datasets": datasets, "spaces": spaces}
        self.authors = AuthorDirectory(seed, max(16, sum(counts.values()) // 4))
        ranks = np.arange(self.authors.count, dtype=np.float64)
        # Zipf-like: a few accounts own thousands of repos, most own one or none.
        popularity = 1 / (ranks + 10)
        self.owner_weights = popularity / popularity.sum()
        self.tables: dict[str, RepoTable] = {}
        self.builders: dict[str, ItemBuilder] = {}
        for code, repo_type in enumerate(REPO_TYPES):
            rng = np.random.default_rng([seed, code, 0])
            created = creation_times(rng, counts[repo_type], repo_type)
            table = generate(
                rng,
                repo_type=repo_type,
                prefix=id_prefix(seed, repo_type),
                created=created,
                now=DAY_ZERO,
                owner_weights=self.owner_weights,
            )
            finish_initial(rng, table)
            if repo_type == "models":
                _make_legacy(rng, table)
            self.tables[repo_type] = table
            self.builders[repo_type] = ItemBuilder(table, self.authors)
        for builder in self.builders.values():
            builder.link(self.builders["models"], self.builders["datasets"])
        self._masks: dict[tuple[str, str, str, int], np.ndarray] = {}
        self.advance(day)

    @property
    def now(self) -> int:
        """The synthetic clock: the end of the current day, in seconds since the epoch."""
        return DAY_ZERO + self.day * SECONDS_PER_DAY

    def advance(self, days: int = 1) -> None:
        """Move the Hub `days` days forward: new repos, deletions, downloads and likes growing."""
        for _ in range(days):
            self.day += 1
            for code, repo_type in enumerate(REPO_TYPES):
                rng = np.random.default_rng([self.seed, code, self.day])
                advance_one_day(rng, self.tables[repo_type], self.day, self.owner_weights)

    def records(self, repo_type: str, token_owner: str | None = None) -> Iterator[dict[str, Any]]:
        """Every repo the caller sees (private ones only for their owner), in `_id` order, with
        the crawler's field set and None where the Hub leaves a key out."""
        builder = self.builders[repo_type]
        names = RECORD_FIELDS[repo_type]
        rows = np.flatnonzero(self.visible(repo_type, token_owner))
        for start in range(0, len(rows), _RECORD_BATCH):
            for item in builder.items(rows[start : start + _RECORD_BATCH], names):
                yield {name: item.get(name) for name in names}

    def visible(self, repo_type: str, token_owner: str | None) -> np.ndarray:
        """Boolean mask of the rows a caller authenticated as `token_owner` may list."""
        table = self.tables[repo_type]
        seen = ~table.private
        rank = None if token_owner is None else self.authors.rank(token_owner)
        if rank is not None:
            seen = seen | (table.owner == rank)
        return seen & table.alive

    def owners_with_private(self, repo_type: str) -> list[str]:
        """Names of the authors owning private repos of `repo_type`, biggest accounts first."""
        table = self.tables[repo_type]
        ranks = np.unique(table.owner[table.private & table.alive])
        return [self.authors.name(int(rank)) for rank in ranks if rank != NONE]

    def author_kind(self, name: str) -> str | None:
        """ "user" or "org", None for a name that is nobody."""
        rank = self.authors.rank(name)
        return None if rank is None else self.authors.kind(rank)

    def profile(self, name: str) -> dict[str, Any] | None:
        """The overview document of an author (public repo counts), None for an unknown name."""
        rank = self.authors.rank(name)
        if rank is None:
            return None
        counts = {}
        for repo_type, table in self.tables.items():
            public = table.alive & ~table.private & (table.owner == rank)
            counts[repo_type] = int(public.sum())
        return self.authors.profile(rank, counts)

    def author_mask(self, repo_type: str, name: str) -> np.ndarray:
        rank = self.authors.rank(name)
        table = self.tables[repo_type]
        if rank is None:
            return np.zeros(len(table), dtype=bool)
        return table.owner == rank

    def pipeline_mask(self, repo_type: str, pipeline_tag: str) -> np.ndarray:
        table = self.tables[repo_type]
        codes = [i for i, (tag, _) in enumerate(PIPELINE_TAGS) if tag == pipeline_tag]
        if repo_type != "models" or not codes:
            return np.zeros(len(table), dtype=bool)
        return table.pipeline == codes[0]

    def search_mask(self, repo_type: str, term: str) -> np.ndarray:
        """Rows whose id contains `term`, ignoring case (the Hub's `search`)."""
        needle = term.lower()
        builder = self.builders[repo_type]
        return self._cached_mask(
            repo_type, "search", needle, lambda row: needle in builder.repo_id(row).lower()
        )

    def tag_mask(self, repo_type: str, tag: str) -> np.ndarray:
        """Rows carrying `tag`; the common model tags are answered from columns directly."""
        table = self.tables[repo_type]
        # A library named like a file format ("onnx") is also a tag for another reason.
        if repo_type == "models" and tag not in FILE_FORMATS:
            for column, vocabulary, prefix in (
                (table.pipeline, PIPELINE_TAGS, ""),
                (table.library, LIBRARIES, ""),
                (table.license, LICENSES, "license:"),
            ):
                for code, (value, _) in enumerate(vocabulary):
                    if tag == prefix + value:
                        return column == code
        builder = self.builders[repo_type]
        return self._cached_mask(repo_type, "tag", tag, lambda row: tag in builder.tags(row))

    def _cached_mask(
        self, repo_type: str, kind: str, value: str, test: Callable[[int], bool]
    ) -> np.ndarray:
        """A mask computed repo by repo in Python, kept for the next pages of the same walk."""
        rows = len(self.tables[repo_type])
        key = (repo_type, kind, value, rows)
        if key not in self._masks:
            if len(self._masks) >= _MASK_CACHE_SIZE:
                self._masks.pop(next(iter(self._masks)))
            self._masks[key] = np.fromiter((test(row) for row in range(rows)), bool, rows)
        return self._masks[key]


def _make_legacy(rng: np.random.Generator, table: RepoTable) -> None:
    """A few pre-namespace models whose id has no owner part (and no author)."""
    if len(table) == 0:
        return
    candidates = np.flatnonzero(
        (table.created == table.created[0]) & ~table.private & (table.hostile_name == NONE)
    )
    legacy = rng.choice(candidates, size=min(_LEGACY_MODELS, len(candidates)), replace=False)
    table.owner[legacy] = NONE
