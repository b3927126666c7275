"""Items of a snapshot: one dataclass per repo type, with the Hub's own field names.

A record holds exactly the fields of the snapshot contract; a field the Hub left out is ``None``
(written as null), never a made-up value. :class:`Rejection` carries a record that failed
validation, with the reason per field, to ``rejected.jsonl.gz``. The spiders yield one
:class:`SnapshotPage` per page of a listing: the page is the unit the pipelines validate,
deduplicate and write, and the snapshot checkpoints after each one. (One Scrapy item per record
would cost more CPU in Scrapy's item machinery than everything else the crawl does.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, ClassVar, Self


@dataclass(slots=True)
class Record:
    """A line of a snapshot; ``KEY`` names the field that identifies it within the snapshot."""

    KEY: ClassVar[str] = "id"

    @classmethod
    @cache
    def field_names(cls) -> tuple[str, ...]:
        """The record's fields, in output order."""
        return tuple(f.name for f in fields(cls))


@dataclass(slots=True)
class HubRecord(Record):
    """Fields every repo type shares."""

    REPO_TYPE: ClassVar[str] = ""

    _id: str | None = None
    id: str | None = None
    author: str | None = None
    createdAt: str | None = None
    lastModified: str | None = None
    likes: int | None = None
    trendingScore: float | None = None
    tags: list[str] | None = None
    private: bool | None = None
    disabled: bool | None = None
    sha: str | None = None
    repoType: str | None = None

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

    downloads: int | None = None
    downloadsAllTime: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    gated: bool | str | None = None
    # {"parameters": {dtype: count}, "total": count}: total is the parameter count; kept whole.
    safetensors: dict[str, Any] | None = None


@dataclass(slots=True)
class DatasetRecord(HubRecord):
    """A dataset, as ``/api/datasets`` lists it."""

    REPO_TYPE: ClassVar[str] = "dataset"

    downloads: int | None = None
    downloadsAllTime: int | None = None
    gated: bool | str | None = None


@dataclass(slots=True)
class SpaceRecord(HubRecord):
    """A Space, as ``/api/spaces`` lists it."""

    REPO_TYPE: ClassVar[str] = "space"

    sdk: str | None = None
    models: list[str] | None = None  # ids of the models the Space uses
    datasets: list[str] | None = None  # ids of the datasets the Space uses
    runtime: dict[str, Any] | None = None  # {"stage": …, "hardware": {"current", "requested"}}


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

    name: str | None = None
    renamedTo: str | None = None
    kind: str | None = None  # "user" or "org": which overview endpoint answered
    fullname: str | None = None
    avatarUrl: str | None = None
    isPro: bool | None = None  # users
    plan: str | None = None  # organizations on a paid plan
    isVerified: bool | None = None  # organizations
    numFollowers: int | None = None
    numFollowing: int | None = None  # users
    numLikes: int | None = None  # users
    numUsers: int | None = None  # organizations
    numModels: int | None = None
    numDatasets: int | None = None
    numSpaces: int | None = None
    fetchedAt: str | None = None

    @classmethod
    def from_overview(cls, kind: str, asked: str, raw: dict[str, Any], fetched_at: str) -> Self:
        """Pick the profile of ``asked`` from its overview; users name themselves in ``user``."""
        picked = {name: raw.get(name) for name in _PROFILE_FIELDS}
        answered = raw.get("name") if kind == "org" else raw.get("user", raw.get("name"))
        renamed = answered if answered is not None and answered != asked else None
        return cls(**picked, name=asked, renamedTo=renamed, kind=kind, fetchedAt=fetched_at)


_PROFILE_FIELDS = tuple(
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
