"""Who publishes: organisations vs users, from the per-author sums and the author profiles.

Each author takes the kind its profile states ("org" or "user"). An author without a profile (not
crawled yet, or no authors partition at all) is "unknown": a name alone does not tell an
organisation from a user, so nothing is guessed. Models naming no author count as unknown too,
which keeps the split's shares summing to one over every model of the snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.store.profiles import Profiles

KINDS = ("org", "user", "unknown")
UNKNOWN_KIND = "unknown"
ORG_KIND = "org"


def with_kinds(per_author: pd.DataFrame, profiles: Profiles) -> pd.DataFrame:
    """`per_author` with each author's kind, full name, verified flag and plan."""
    # One row per author on both sides, by construction (a group-by; profiles deduplicated when
    # loaded): pandas' check of it hashed every name twice more.
    joined = per_author.merge(profiles.frame, on="author", how="left")
    known = joined["kind"].isin([kind for kind in KINDS if kind != UNKNOWN_KIND])
    joined["kind"] = joined["kind"].where(known, UNKNOWN_KIND).astype(str)
    return joined


def _share(part: pd.Series, total: int) -> pd.Series:
    return part / total if total else part * 0.0


def kind_split(per_author: pd.DataFrame, models: int, downloads: int) -> pd.DataFrame:
    """Authors, models and 30-day downloads per author kind, with shares of the snapshot's totals.

    `models` and `downloads` are the snapshot's totals; what the authors do not account for (models
    without an author) is added to the unknown row.
    """
    counted = per_author.assign(downloads=per_author["downloads"].fillna(0).astype("int64"))
    grouped = counted.groupby("kind").agg(
        authors=("author", "size"), models=("models", "sum"), downloads=("downloads", "sum")
    )
    frame = grouped.reindex(list(KINDS), fill_value=0).astype("int64")
    frame.loc[UNKNOWN_KIND, "models"] += models - int(frame["models"].sum())
    frame.loc[UNKNOWN_KIND, "downloads"] += downloads - int(frame["downloads"].sum())
    frame = frame.rename_axis("kind").reset_index()
    frame.insert(3, "models_share", _share(frame["models"], models))
    frame["downloads_share"] = _share(frame["downloads"], downloads)
    return frame


def top_organisations(per_author: pd.DataFrame, downloads: int, n: int) -> pd.DataFrame:
    """The `n` organisations with the most 30-day downloads, with their profile's flags."""
    orgs = per_author[per_author["kind"] == ORG_KIND]
    orgs = orgs.assign(downloads=orgs["downloads"].fillna(0).astype("int64"))
    orgs = orgs.sort_values(["downloads", "author"], ascending=[False, True], ignore_index=True)
    frame = orgs.head(n)[
        ["author", "fullname", "verified", "plan", "models", "downloads", "likes"]
    ].copy()
    frame["downloads_share"] = _share(frame["downloads"], downloads)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame
