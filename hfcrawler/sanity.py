"""The last check before a finished attempt is published: does it look like the whole Hub?

A walk can reach a "last page" that is not the end of the listing (an outage that drops the
``Link`` header), and the Hub can stop sending a field it was asked for (renamed or dropped). Both
would otherwise publish a partition marked complete. So a finished attempt is refused when:

- it holds fewer records than ``SNAPSHOT_MIN_RECORDS`` (default 1: an empty listing is refused);
- it holds fewer than ``SNAPSHOT_MIN_SHARE`` (default 0.9) of the records of the latest complete
  partition of the same repo type from the same endpoint (dated no later than the attempt);
- a field the listing asked for with ``expand`` has no value in any record, unless the field is
  named in ``SNAPSHOT_ALLOW_ABSENT_FIELDS``. Crawls that ask for no ``expand`` (authors) have no
  such fields.

The refusal says what was seen and which setting publishes the attempt anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from hfcrawler.store import AttemptState


def expanded_fields(query: dict[str, Any]) -> list[str]:
    """The fields a listing query asked for with ``expand``, in query order."""
    return [value for name, value in query.get("params", []) if name == "expand"]


@dataclass(frozen=True)
class SanityRules:
    """What a finished attempt must satisfy to be published."""

    min_records: int = 1
    min_share: float = 0.9
    allow_absent: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            min_records=settings.getint("SNAPSHOT_MIN_RECORDS"),
            min_share=settings.getfloat("SNAPSHOT_MIN_SHARE"),
            allow_absent=frozenset(settings.getlist("SNAPSHOT_ALLOW_ABSENT_FIELDS")),
        )

    def problem(
        self, state: AttemptState, baseline: tuple[str, dict[str, Any]] | None
    ) -> str | None:
        """Why ``state`` must not be published (None when it may), given the latest complete
        partition it is compared with, as (date, manifest)."""
        finding = self._finding(state, baseline)
        if finding is None:
            return None
        what, setting = finding
        return (
            f"{what}; to publish this attempt as it is, run the same command with -s {setting} "
            "(a run without it crawls again)"
        )

    def _finding(
        self, state: AttemptState, baseline: tuple[str, dict[str, Any]] | None
    ) -> tuple[str, str] | None:
        """What is wrong, and the setting that accepts it."""
        records, kind = state.records, state.repo_type
        if records < self.min_records:
            what = f"the {kind} listing gave {records} records"
            return (
                f"{what} (SNAPSHOT_MIN_RECORDS={self.min_records})",
                f"SNAPSHOT_MIN_RECORDS={records}",
            )
        if baseline is not None:
            date, manifest = baseline
            before = int(manifest.get("counts", {}).get("records", 0))
            if records < self.min_share * before:
                what = (
                    f"the {kind} listing ended with {records} records, {records / before:.0%} of "
                    f"the {before} of the complete snapshot of {date} "
                    f"(SNAPSHOT_MIN_SHARE={self.min_share:g}), as if it ended early"
                )
                return what, "SNAPSHOT_MIN_SHARE=0"
        absent = [
            name
            for name in expanded_fields(state.query)
            if name not in state.fields_seen and name not in self.allow_absent
        ]
        if absent and records:  # with no records at all, only SNAPSHOT_MIN_RECORDS has a say
            names = ",".join(absent)
            them = "it" if len(absent) == 1 else "them"
            what = (
                f"the Hub sent no value for {names} in any of the {records} {kind} records, "
                f"though the crawl asked for {them} with expand: renamed or dropped by the Hub"
            )
            return what, f"SNAPSHOT_ALLOW_ABSENT_FIELDS={names}"
        return None
