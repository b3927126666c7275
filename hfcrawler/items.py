"""Items of a snapshot: one dataclass per repo type, with the Hub's own field names.

A record holds exactly the fields of the snapshot contract; a field the Hub left out is ``None``
(written as null), never a made-up value. Each field is declared with its rule (see
:func:`rule`): the check of :mod:`hfcrawler.validation` that normalizes its value to the Hub's
type or says why not, and whether it may be null; ``validate()`` reads them from here.

:class:`Rejection` carries a record that failed validation, with the reason per field, to
``rejected.jsonl.gz``. The spiders yield one :class:`SnapshotPage` per page of a listing: the
page is the unit the pipelines validate, deduplicate and write, and the snapshot checkpoints
after each one. (One Scrapy item per record would cost more CPU in Scrapy's item machinery than
everything else the crawl does.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, ClassVar, Self

from hfcrawler.validation import (
    Rule,
    author_kind,
    commit_sha,
    count,
    flag,
    gating,
    namespace,
    object_id,
    repo_id,
    runtime,
    safetensors,
    score,
    tag_list,
    text,
    timestamp,
)


def rule(check: Rule, *, required: bool = False) -> Any:
    """A record field, None unless set, whose value ``check`` normalizes; a ``required`` one
    may not be None (without it the record cannot be placed in the snapshot at all)."""
    return field(default=None, metadata={"rule": check, "required": required})


@dataclass(slots=True)
class Record:
    """A line of a snapshot; ``KEY`` names the field that identifies it within the snapshot."""

    KEY: ClassVar[str] = "id"

    @classmethod
    @cache
    def field_names(cls) -> tuple[str, ...]:
        """The record's fields, in output order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    @cache
    def field_rules(cls) -> tuple[tuple[str, Rule, bool], ...]:
        """Each field's name, rule and whether it is required, in output order."""
        return tuple((f.name, f.metadata["rule"], f.metadata["required"]) for f in fields(cls))


@dataclass(slots=True)
class HubRecord(Record):
    """Fields every repo type shares."""

    REPO_TYPE: ClassVar[str] = ""

    _id: str | None = rule(object_id)
    id: str | None = rule(repo_id, required=True)
    author: str | None = rule(namespace)
    createdAt: str | None = rule(timestamp)
    lastModified: str | None = rule(timestamp)
    likes: int | None = rule(count)
    trendingScore: float | None = rule(score)
    tags: list[str] | None = rule(tag_list)
    private: bool | None = rule(flag)
    disabled: bool | None = rule(flag)
    sha: str | None = rule(commit_sha)
    repoType: str | None = rule(text)

    @classmethod
    def from_hub(cls, raw: dict[str, Any]) -> Self:
        """Pick this record's fields from one item of a listing page; absent ones become None."""
        record = cls(**{name: raw.get(name) for name in _HUB_FIELDS[cls]})
        record.repoType = cls.REPO_TYPE
        return record


@dataclass(slots=True)
class ModelRecord(HubRecord):
    """A model, as ``/api/models`` lists it."""

    REPO_TYPE: ClassVar[str] = "model"

    downloads: int | None = rule(count)
    downloadsAllTime: int | None = rule(count)
    pipeline_tag: str | None = rule(text)
    library_name: str | None = rule(text)
    gated: bool | str | None = rule(gating)
    # {"parameters": {dtype: count}, "total": count}: total is the parameter count; kept whole.
    safetensors: dict[str, Any] | None = rule(safetensors)


@dataclass(slots=True)
class DatasetRecord(HubRecord):
    """A dataset, as ``/api/datasets`` lists it."""

    REPO_TYPE: ClassVar[str] = "dataset"

    downloads: int | None = rule(count)
    downloadsAllTime: int | None = rule(count)
    gated: bool | str | None = rule(gating)


@dataclass(slots=True)
class SpaceRecord(HubRecord):
    """A Space, as ``/api/spaces`` lists it."""

    REPO_TYPE: ClassVar[str] = "space"

    sdk: str | None = rule(text)
    # A Space's models and datasets are repo ids, checked like tags (a list of strings): a Space
    # may name a repo that no longer exists, so no id is refused for its form alone.
    models: list[str] | None = rule(tag_list)  # ids of the models the Space uses
    datasets: list[str] | None = rule(tag_list)  # ids of the datasets the Space uses
    # {"stage": …, "hardware": {"current", "requested"}}
    runtime: dict[str, Any] | None = rule(runtime)


_HUB_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(name for name in cls.field_names() if name != "repoType")
    for cls in (ModelRecord, DatasetRecord, SpaceRecord)
}


@dataclass(slots=True)
class AuthorRecord(Record):
    """An author's profile, from the user or organization overview endpoint.

    ``name`` is the name the profile was asked for: the author as the listings name it. The Hub
    answers a renamed account's old name with a redirect to the new one; ``renamedTo`` is then
    the name the overview gives (null when it is the name asked for).
    """

    KEY: ClassVar[str] = "name"

    name: str | None = rule(namespace, required=True)
    renamedTo: str | None = rule(namespace)
    kind: str | None = rule(author_kind, required=True)  # which overview endpoint answered
    fullname: str | None = rule(text)
    avatarUrl: str | None = rule(text)
    isPro: bool | None = rule(flag)  # users
    plan: str | None = rule(text)  # organizations on a paid plan
    isVerified: bool | None = rule(flag)  # organizations
    numFollowers: int | None = rule(count)
    numFollowing: int | None = rule(count)  # users
    numLikes: int | None = rule(count)  # users
    numUsers: int | None = rule(count)  # organizations
    numModels: int | None = rule(count)
    numDatasets: int | None = rule(count)
    numSpaces: int | None = rule(count)
    fetchedAt: str | None = rule(timestamp)

    @classmethod
    def from_overview(cls, kind: str, asked: str, raw: dict[str, Any], fetched_at: str) -> Self:
        """Pick the profile of ``asked`` from its overview; users name themselves in ``user``."""
        picked = {name: raw.get(name) for name in OVERVIEW_FIELDS}
        answered = raw.get("name") if kind == "org" else raw.get("user", raw.get("name"))
        renamed = answered if answered is not None and answered != asked else None
        return cls(**picked, name=asked, renamedTo=renamed, kind=kind, fetchedAt=fetched_at)


# The fields an overview gives under the same name (the others are set by the crawl).
OVERVIEW_FIELDS = tuple(
    name
    for name in AuthorRecord.field_names()
    if name not in {"name", "renamedTo", "kind", "fetchedAt"}
)


@dataclass(slots=True)
class Rejection:
    """A record that failed validation: what it was and why, field by field."""

    reason: dict[str, str]
    record: dict[str, Any]


@dataclass(slots=True)
class SnapshotPage:
    """One page of a crawl: its records, the items rejected so far, and where the crawl resumes.

    For a listing, ``source`` is the page's URL and ``cursor`` the next page's (None on the last
    page); for the authors crawl, a page is a batch of profiles and the cursor a rank.
    """

    source: str
    number: int
    cursor: str | None
    records: list[Record] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
