"""The run of `python -m analysis show`: each id's repo type and daily series, from the store.

Per repo type asked, in order (models first): its complete partitions from `since` to `until`
(analysis.history.timeline), compacted and verified where they are not cached yet
(analysis.store.compact, on a worker pool as a report's run does), then the series of the ids not
found in an earlier type (analysis.history.followed.ranked_history). An id found in no type gets
the ids of the latest snapshots it looks like (analysis.store.ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.history.followed import ranked_history
from analysis.history.timeline import timeline
from analysis.render import history_charts, terminal
from analysis.render.links import hub_url
from analysis.store.compact import compact
from analysis.store.ids import close_ids
from analysis.store.partitions import NoCompletePartitionError, choose, dates_listed, scan
from analysis.store.repo_types import REPO_TYPES, RepoType
from analysis.store.workers import worker_pool
from analysis.text import neutralise
from hfcrawler.layout import DataLayout

_SUGGESTIONS = 5


class NothingToShowError(LookupError):
    """No repo type asked has a complete partition in the range."""


@dataclass(frozen=True)
class Series:
    """One repo's rows, a snapshot each, oldest first."""

    repo: str
    repo_type: RepoType
    frame: pd.DataFrame

    def _columns(self) -> list[str]:
        trend = self.repo_type.trend
        return ["date", trend.counter, "gained", trend.level, *trend.ranked_by[1:], "rank"]

    def text(self, headers: dict[str, str]) -> str:
        """The series as the terminal shows it: the repo, its Hub page, then a table with the
        `headers` of its columns."""
        link = hub_url(self.repo, self.repo_type.hub_path)
        title = f"{neutralise(self.repo)} ({self.repo_type.noun})" + (f" {link}" if link else "")
        rows = self.frame.assign(
            note=self.frame["anomaly"].map({True: "the all-time count went down", False: ""})
        )
        columns = list(dict.fromkeys([*self._columns(), "note"]))
        if not rows["note"].any():
            columns.remove("note")
        shown = {column: headers.get(column, column.replace("_", " ")) for column in columns}
        return f"{title}\n{terminal.table(rows, shown)}"

    def draw(self, path: Path, headers: dict[str, str]) -> None:
        """Write the series' chart to `path`."""
        trend = self.repo_type.trend
        level = headers.get(trend.level, trend.level)
        panels = {
            "per_day": f"{trend.unit} gained per day",
            trend.level: level,
            **{column: headers.get(column, column) for column in trend.ranked_by[1:]},
            "rank": f"rank by {level}",
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        history_charts.repo(self.frame, path, name=self.repo, panels=panels)


@dataclass(frozen=True)
class Found:
    """The series found (in the order asked), the ids found nowhere with those they look like,
    the warnings (damaged partitions left out), and the span read, in words."""

    series: list[Series]
    unknown: dict[str, list[str]]
    warnings: list[str]
    span: str


def lookup(
    data: Path, types: list[str], ids: list[str], since: date | None, until: date | None
) -> Found:
    """The series of `ids` in the snapshots of `types` (tried in order) from `since` to
    `until`. Raises NothingToShowError when no type has a complete partition there."""
    layout = DataLayout(data)
    wanted = list(dict.fromkeys(ids))
    series: list[Series] = []
    warnings: list[str] = []
    problems: list[str] = []
    latest: list[Path] = []
    spans: list[str] = []
    for name in types:
        repo_type = REPO_TYPES[name]
        found = scan(layout, name)
        try:
            choose(found, None)
        except NoCompletePartitionError as error:
            problems.append(str(error))
            continue
        line = timeline(found, since, until)
        if not line.partitions:
            problems.append(
                f"no complete {name} partition from {since or 'the first'} to"
                f" {until or 'the last'}; the complete ones: {dates_listed(found.complete)}"
            )
            continue
        with worker_pool(line.partitions[-1].records) as pool:
            compaction = compact(layout, repo_type, line.partitions, pool)
        warnings += [f"{p.path.name} left out, damaged: {why}" for p, why in compaction.damaged]
        snapshots = [
            compaction.caches[p.day] for p in line.partitions if p.day in compaction.caches
        ]
        if not snapshots:
            continue
        latest.append(snapshots[-1].directory)
        spans.append(f"from {snapshots[0].day} to {snapshots[-1].day}")
        history = ranked_history(
            snapshots, [r for r in wanted if r not in _names(series)], repo_type.trend
        )
        for repo, rows in history.groupby("id", sort=False):
            series.append(Series(str(repo), repo_type, rows.reset_index(drop=True)))
    if not latest:
        raise NothingToShowError("; ".join(problems))
    shown = _names(series)
    unknown = {repo: _close(latest, repo) for repo in wanted if repo not in shown}
    series.sort(key=lambda found_series: wanted.index(found_series.repo))
    return Found(series, unknown, warnings, spans[0])


def _names(series: list[Series]) -> set[str]:
    return {found.repo for found in series}


def _close(caches: list[Path], repo: str) -> list[str]:
    """The ids the latest snapshots hold that look like `repo`, each once."""
    close = [match for cache in caches for match in close_ids(cache, repo, _SUGGESTIONS)]
    return list(dict.fromkeys(close))[:_SUGGESTIONS]
