"""Writes a page's records and rejections into the snapshot attempt, then checkpoints it.

Records are serialized as compact UTF-8 JSON lines, in the order the Hub listed them. A record
that cannot be written as JSON (a string that is not valid Unicode, such as a lone surrogate,
or an integer past 64 bits) is rejected with the reason per field, never dropped; rejection lines
themselves always serialize, escaping such strings (``\\ud800``) exactly as the Hub sent them.
The whole page is serialized before anything is written, and written in one checkpoint, so a
page is stored whole or not at all; an error while writing it fails the crawl (see
:class:`~hfcrawler.extensions.publish.PublishExtension`). Along the way it notes which fields
asked for with ``expand`` had a value, for the sanity rules at publish.

The attempt itself (files, checkpoints, publishing) is :class:`hfcrawler.store.Attempt`,
owned by the publishing extension. Stats: ``hub/records``, ``snapshot/rejected``,
``snapshot/rejected/<field>`` (for records that cannot be written).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

import orjson

from hfcrawler.extensions.publish import PublishExtension
from hfcrawler.items import Rejection, SnapshotPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from hfcrawler.store import Attempt

_LINE = orjson.OPT_APPEND_NEWLINE


def rejection_line(rejection: Rejection) -> bytes:
    """One line of ``rejected.jsonl.gz``: never fails, whatever the record holds."""
    line = {"reason": rejection.reason, "record": rejection.record}
    try:
        return orjson.dumps(line, option=_LINE, default=repr)
    except orjson.JSONEncodeError:
        # Lone surrogates and huge integers, which orjson refuses: the standard library writes
        # them, with every non-ASCII character escaped, so the line is valid UTF-8.
        return (json.dumps(line, ensure_ascii=True, default=repr) + "\n").encode("ascii")


def unwritable(values: dict[str, Any]) -> Rejection:
    """A record orjson cannot write, rejected with what is wrong with each field."""
    reason = {}
    for name, value in values.items():
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError as exc:
            reason[name] = f"cannot be written as JSON: {exc}"
    return Rejection(reason or {"record": "cannot be written as JSON"}, values)


class WritePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.snapshot = crawler.get_extension(PublishExtension)
        self.attempt: Attempt

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.attempt = self.snapshot.attempt()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SnapshotPage):
            return item
        try:
            self.write(item)
        except Exception:
            # Nothing of the page was kept. Scrapy logs this error with the item: let that line
            # name the page, not a thousand records.
            item.records, item.rejections = [], []
            raise
        return item

    def write(self, page: SnapshotPage) -> None:
        unseen = self.attempt.unseen_fields()
        present: set[str] = set()
        lines = []
        for record in page.records:
            values = {name: getattr(record, name) for name in record.field_names()}
            try:
                lines.append(orjson.dumps(values, option=_LINE))
            except orjson.JSONEncodeError:
                self.reject(page, unwritable(values))
                continue
            if unseen:  # usually empty after the first page: every field has been seen by then
                present.update(name for name in unseen if values.get(name) is not None)
        rejections = [rejection_line(rejection) for rejection in page.rejections]
        self.attempt.commit(
            page.number,
            lines,
            rejections,
            cursor=page.cursor,
            counters=self.snapshot.counts(),
            fields=present,
        )
        self.stats.inc_value("hub/records", len(lines))
        self.stats.inc_value("snapshot/rejected", len(rejections))

    def reject(self, page: SnapshotPage, rejection: Rejection) -> None:
        page.rejections.append(rejection)
        for name in rejection.reason:
            self.stats.inc_value(f"snapshot/rejected/{name}")
