"""The Hub's task taxonomy: pipeline tag -> display name and modality.

`hub-tasks.csv` is package data copied from huggingface.js `packages/tasks/src/pipelines.ts`
(November 2026). It is read with `pkgutil` so the analysis also runs from a zipped install. Tags the
taxonomy does not know are shown as they are, under the modality "other".
"""

from __future__ import annotations

import csv
import functools
import io
import pkgutil
from dataclasses import dataclass

OTHER_MODALITY = "other"


@dataclass(frozen=True)
class Taxonomy:
    """Display names and modalities by pipeline tag."""

    names: dict[str, str]
    modalities: dict[str, str]

    def name(self, tag: str) -> str:
        """The display name of `tag`, or the tag itself when the Hub does not list it."""
        return self.names.get(tag, tag)

    def modality(self, tag: str) -> str:
        """The modality of `tag`, "other" when the Hub does not list it."""
        return self.modalities.get(tag, OTHER_MODALITY)


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Read the packaged taxonomy (once per process)."""
    raw = pkgutil.get_data(__package__, "hub-tasks.csv")
    if raw is None:
        msg = "the package data hub-tasks.csv is missing"
        raise FileNotFoundError(msg)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    return Taxonomy(
        names={row["pipeline_tag"]: row["name"] for row in rows},
        modalities={row["pipeline_tag"]: row["modality"] for row in rows},
    )
