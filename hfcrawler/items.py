"""Items of a snapshot: one dataclass per repo type, with the Hub's own field names.

A record holds exactly the fields of the snapshot contract; a field the Hub left out is ``None``
(written as null), never a made-up value. :class:`Rejection` carries a record that failed
validation, with the reason per field, to ``rejected.jsonl.gz``. The spiders yield one
:class:`ListingPage` per page of a listing: the page is the unit the pipelines validate,
deduplicate and write, and the snapshot checkpoints after each one. (One Scrapy item per record
would cost more CPU in Scrapy's item machinery than everything else the crawl does.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, ClassVar, Self


@dataclass(slots=True)
class HubRecord:
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
    @cache
    def field_names(cls) -> tuple[str, ...]:
        """The record's fields, in output order."""
        return tuple(f.name for f in fields(cls))

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


_HUB_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(name for name in cls.field_names() if name != "repoType")
    for cls in (ModelRecord, DatasetRecord, SpaceRecord)
}


@dataclass(slots=True)
class Rejection:
    """A record that failed validation: what it was and why, field by field."""

    reason: dict[str, str]
    record: dict[str, Any]


@dataclass(slots=True)
class ListingPage:
    """One page of a listing: its records, the items rejected so far, where the walk goes next."""

    url: str
    number: int
    next_url: str | None
    records: list[HubRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
