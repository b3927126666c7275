"""The steps of a run, in order, on the partitions and the worker pool analysis.run chose.

A run analyses the repo types it is asked for (every one by default); `chosen` is the partition of
the first of them (the models, unless the run leaves them out), whose day the others follow.

1. Compact (and verify) the analysed partition and, for the models, those of the history's range
   that are not cached yet (analysis.store.compact); a damaged one is left out of the history, and
   the run stops if it is the analysed one. The datasets and Spaces partitions of the day
   (analysis.store.companions) and those of their own history's range are compacted in the same
   batch, every part of every repo type on the workers at once; a companion that is missing or
   damaged on the day only loses its section.
2. With two sound snapshots or more in a repo type's range, its history: the missing digests and
   intervals of every repo type are computed on the workers, each once.
3. Tally the snapshot (analysis.snapshot.tallies) and the whole Hub beside it (datasets, Spaces,
   links, model sizes: analysis.snapshot.hub) on both workers. Only then does one worker walk the
   models' intervals for the velocity of models and authors and the rising ones, while the other
   follows the models and draws the history's and the snapshot's charts and this process builds
   the other tables: beside the walk (1.2 GB on 2.7M models) a tally would take the run past 2 GB.
   The datasets' and Spaces' walks are queued once the models' one is done.
4. Look up the ranks the top lists held in the snapshots 1 and 7 days before (a worker), draw the
   charts that needed the walks, write the CSV tables, then summary.json and the page
   (analysis.render).

Every result is handed on from the job that computed it; the caches on disk are read back only by
later runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.defaults import (
    HISTORY_MODELS,
    HUB_VELOCITY_WINDOWS,
    TREND_WINDOWS,
    VELOCITY_TOP,
    VELOCITY_WINDOWS,
)
from analysis.history import tables
from analysis.history.digests import Digest, digest
from analysis.history.families import family_velocity
from analysis.history.followed import follow
from analysis.history.intervals import Interval, interval
from analysis.history.rankings import Velocity
from analysis.history.ranks import earlier_ranks
from analysis.history.rising import Trends
from analysis.history.sizes import size_shares
from analysis.history.timeline import Timeline, timeline
from analysis.history.walk import velocities
from analysis.render.catalogue import author_charts, snapshot_charts
from analysis.render.chart import Chart
from analysis.render.csv_files import write_csv
from analysis.render.history_catalogue import history_section_charts, hub_history_charts
from analysis.render.hub_catalogue import HubHistory, hub_sections
from analysis.render.report import HistoryReport, profiles_label, profiles_note, write_report
from analysis.snapshot.hub import hub_jobs
from analysis.snapshot.tallies import Tally, combine, tally_jobs
from analysis.store.compact import CachedPartition, Compaction, compact_together
from analysis.store.companions import Companions, companion_days, settle
from analysis.store.ids import close_ids
from analysis.store.partitions import (
    DamagedPartitionError,
    Partition,
    PartitionScan,
    SkippedPartition,
)
from analysis.store.profiles import Profiles, load_profiles
from analysis.store.repo_types import MODELS, REPO_TYPES, RepoType
from hfcrawler.layout import DataLayout


@dataclass
class _History:
    """The models' history under way: its timeline, its tables so far and its charts (the jobs
    drawing those ready), the earlier snapshots the rank and headline changes compare against
    (by the days asked) with their digests, and the jobs walking the intervals and following the
    models; `after_walk` starts what waits for the walk (the other repo types' walks)."""

    line: Timeline
    frames: dict[str, pd.DataFrame]
    charts: list[Chart]
    drawn: list[Future[None]]
    waiting: list[Chart]
    compared: dict[int, CachedPartition]
    digests: dict[int, Digest]
    walking: Future[Velocity]
    following: Future[dict[str, pd.DataFrame]]
    after_walk: Callable[[], None]


def _results(jobs: Iterable[Future[Any]]) -> None:
    """Wait for `jobs`; the first to fail raises, and the others are cancelled."""
    jobs = list(jobs)
    try:
        for job in as_completed(jobs):
            job.result()
    finally:
        for job in jobs:
            job.cancel()


def _damaged_error(
    chosen: Partition, found: PartitionScan, damaged: list[SkippedPartition]
) -> DamagedPartitionError:
    reason = next(s.reason for s in damaged if s.name == chosen.path.name)
    sound = [p.day.isoformat() for p in found.complete if p.day < chosen.day]
    other = f"the latest sound one before it is {sound[-1]}" if sound else "no earlier one is sound"
    message = (
        f"the {chosen.repo_type} partition {chosen.path.name} is {reason}; it is not"
        f" analysed. Choose another day with --date ({other})."
    )
    return DamagedPartitionError(message, damaged)


@dataclass
class _HubRun:
    """The history of datasets or Spaces under way: its timeline, its snapshots' caches, the jobs
    computing their intervals and digests, and the one walking the intervals once queued."""

    repo_type: RepoType
    line: Timeline
    snapshots: list[CachedPartition]
    spanning: list[Future[Interval]]
    digesting: list[Future[Digest]]
    walking: Future[Velocity] | None = None

    def frames(self) -> dict[str, pd.DataFrame]:
        """The history's tables by CSV name (none without two snapshots)."""
        if self.walking is None:
            return {}
        walked = self.walking.result()
        spans = [job.result() for job in self.spanning]
        digests = [job.result() for job in self.digesting]
        frames = tables.history_frames(self.line, digests, spans, self.repo_type)
        frames |= tables.velocity_frames(walked, self.repo_type)
        frames[f"rising_{self.repo_type.name}"] = walked.rising
        return frames


def models_left_out(asked: tuple[str, ...]) -> str:
    """Why a run asked for the repo types `asked` has no models sections."""
    return (
        f"No models, links between repo types or model sizes in this report: --type asks for"
        f" {', '.join(asked)} only."
    )


@dataclass(frozen=True)
class Ran:
    """What a run tells its caller: the partitions left out as damaged, the snapshots its
    history holds, and each followed id found in none of them with the ids it looks like."""

    damaged: list[SkippedPartition]
    snapshots: int
    unknown: dict[str, list[str]]


class Pipeline:
    """The steps of one run on the repo types `repo_types` (the first leading: its partition
    decides the day), writing the report into `report_dir` on `pool`; `models` are the models the
    user asked to follow."""

    def __init__(
        self,
        layout: DataLayout,
        repo_types: tuple[str, ...],
        pool: Executor,
        report_dir: Path,
        models: list[str],
    ) -> None:
        self.layout = layout
        self.repo_types = repo_types
        self.repo_type = REPO_TYPES[repo_types[0]]
        self.pool = pool
        self.models = models
        self.report_dir = report_dir
        self.charts_dir = report_dir / "charts"
        self.tables_dir = report_dir / "tables"
        self.companions = Companions()

    def run(self, found: PartitionScan, chosen: Partition, since: date | None, until: date) -> Ran:
        """Analyse `chosen`, and the history of the partitions `found` from `since` to `until`;
        say what was left out (damaged partitions, followed ids found nowhere)."""
        with_models = self.repo_type.name == MODELS.name
        line = timeline(found, since, until)
        profiles = load_profiles(self.layout, chosen.day)
        # The datasets and Spaces of the day: each in its own section, or a line saying why not.
        self.companions, days, scans = companion_days(self.layout, chosen.day, self.repo_types)
        leading = [chosen, *(line.partitions if with_models else [])]
        compactions = self._compact(leading, days, scans, (since, until))
        compaction = compactions[self.repo_type.name]
        # The leading partitions' damage here, the companions' histories' with theirs below.
        led = {partition.day for partition in leading}
        found = found.without([(p, why) for p, why in compaction.damaged if p.day in led])
        damaged = [*profiles.damaged, *(s for s in found.skipped if s.damaged)]
        if chosen.day not in compaction.caches:
            raise _damaged_error(chosen, found, damaged)
        # The range again, its damaged partitions now gaps like the days never crawled.
        line = timeline(found, since, until)
        self.charts_dir.mkdir(parents=True)
        self.tables_dir.mkdir()
        settle(self.companions, days, compactions)
        hubs = []
        for name in self.companions.caches:
            hub, left = self._hub_history(
                REPO_TYPES[name], scans[name], compactions[name], (since, until)
            )
            hubs.append(hub)
            self.companions.damaged.extend(left)
        damaged += self.companions.damaged
        models_cache = None
        if with_models:
            models_cache = compaction.caches[chosen.day].directory
        else:
            self.companions.missing[MODELS.name] = models_left_out(self.repo_types)
        # The whole Hub's tallies first: they hold the longest (analysis.snapshot.hub).
        jobs: list[Callable[[], Tally]] = hub_jobs(
            models_cache, self.companions, profiles, chosen.day
        )
        if models_cache is not None:
            jobs += tally_jobs(self.repo_type, models_cache, profiles, chosen.day)
        # The other repo types' walks wait for the models' walk, if any.
        walk_hubs = partial(self._walk_hubs, hubs)
        history = None
        if with_models and len(line.partitions) >= 2:
            snapshots = [compaction.caches[p.day] for p in line.partitions]
            tally = partial(self._tally, jobs)
            history, tallied = self._history(line, snapshots, tally, walk_hubs)
        else:
            tallied = self._tally(jobs)
            walk_hubs()
        skipped = [*found.skipped, *profiles.damaged, *self.companions.damaged]
        report = self._report(chosen, skipped, profiles, tallied, history=history, hubs=hubs)
        unknown = {}
        if report is not None:
            missing = report.summary["models_not_found"]
            latest = compaction.caches[line.partitions[-1].day].directory
            unknown = {model: close_ids(latest, model) for model in missing}
        # Without the models, the history the note speaks of is the leading repo type's.
        leading = next((hub for hub in hubs if hub.repo_type == self.repo_type), None)
        snapshots = len(line.partitions) if leading is None else len(leading.snapshots)
        return Ran(damaged, snapshots, unknown)

    def _compact(
        self,
        leading: list[Partition],
        days: dict[str, Partition],
        scans: dict[str, PartitionScan],
        span: tuple[date | None, date],
    ) -> dict[str, Compaction]:
        """Compact every partition the run reads, of every repo type, at once, by repo type: the
        `leading` ones (the day's, and the models' range; another leading repo type's range comes
        with its history), and each companion's partition of the day (`days`) and its range over
        `span` (since, until) among its `scans`."""
        wanted = {self.repo_type.name: leading}
        for name, partition in days.items():
            ranged = timeline(scans[name], *span).partitions
            wanted[name] = [*wanted.get(name, []), partition, *ranged]
        return compact_together(self.layout, wanted, self.pool)

    def _hub_history(
        self,
        repo_type: RepoType,
        found: PartitionScan,
        compaction: Compaction,
        span: tuple[date | None, date],
    ) -> tuple[_HubRun, list[SkippedPartition]]:
        """Start the history of `repo_type` (datasets or Spaces) over `span` (since, until) from
        its partitions `found` and their `compaction`: their intervals and digests started on
        the workers; and the partitions of its range found damaged."""
        found = found.without(compaction.damaged)
        damaged = [
            SkippedPartition(f"{repo_type.name}/{skipped.name}", skipped.reason, True)
            for skipped in found.skipped
            if skipped.damaged
        ]
        line = timeline(found, *span)
        snapshots = [compaction.caches[partition.day] for partition in line.partitions]
        hub = _HubRun(repo_type, line, snapshots, [], [])
        if len(snapshots) >= 2:
            history = self.layout.history(repo_type.name)
            hub.spanning = [
                self.pool.submit(interval, history, start, end, repo_type)
                for start, end in pairwise(snapshots)
            ]
            hub.digesting = [
                self.pool.submit(digest, history, snapshot, repo_type) for snapshot in snapshots
            ]
        return hub, damaged

    def _tally(self, jobs: list[Callable[[], Tally]]) -> list[Future[Tally]]:
        """Start the tally `jobs`."""
        return [self.pool.submit(job) for job in jobs]

    def _walk_hubs(self, hubs: list[_HubRun]) -> None:
        """Start the walk of each of the `hubs` (datasets, Spaces) with two snapshots or more
        once its intervals are computed."""
        for hub in hubs:
            if len(hub.snapshots) < 2:
                continue
            _results(hub.spanning)
            spans = [job.result() for job in hub.spanning]
            caches = {snapshot.day: snapshot.directory for snapshot in hub.snapshots}
            trends = Trends(TREND_WINDOWS, VELOCITY_TOP, hub.repo_type.trend, caches)
            hub.walking = self.pool.submit(
                velocities, spans, HUB_VELOCITY_WINDOWS, VELOCITY_TOP, HISTORY_MODELS, trends
            )

    def _draw(self, chart_list: list[Chart], frames: dict[str, pd.DataFrame]) -> list[Future[None]]:
        """Start drawing each of `chart_list` on the workers."""
        return [self.pool.submit(chart.drawing(frames, self.report_dir)) for chart in chart_list]

    def _write_tables(self, frames: dict[str, pd.DataFrame]) -> None:
        for name, frame in frames.items():
            write_csv(frame, self.tables_dir / f"{name}.csv")

    def _history(
        self,
        line: Timeline,
        snapshots: list[CachedPartition],
        tally: Callable[[], list[Future[Tally]]],
        after_walk: Callable[[], None],
    ) -> tuple[_History, list[Future[Tally]]]:
        """The history of the models' `snapshots` under way, and the tally jobs that `tally`
        starts behind the intervals and digests, ahead of the walk.

        The walk (1.2 GB on 2.7M models) runs on one worker while the other follows the models
        and draws the charts; beside it a tally would take the run past 2 GB, so the tallies
        come first, on both workers, and the snapshot's charts are drawn during the walk.
        """
        history_dir = self.layout.history(self.repo_type.name)
        repo_type = self.repo_type
        # Independent of each other: a cold history keeps both workers busy.
        spanning = [
            self.pool.submit(interval, history_dir, start, end, repo_type)
            for start, end in pairwise(snapshots)
        ]
        digesting = [
            self.pool.submit(digest, history_dir, snapshot, repo_type) for snapshot in snapshots
        ]
        # Queued behind them: a worker done with its digest tallies while the other computes
        # the interval.
        tallied = tally()
        _results([*spanning, *digesting])
        spans = [job.result() for job in spanning]
        caches = {snapshot.day: snapshot.directory for snapshot in snapshots}
        trend = self.repo_type.trend
        trends = Trends(TREND_WINDOWS, VELOCITY_TOP, trend, caches)
        walking = self.pool.submit(
            velocities, spans, VELOCITY_WINDOWS, VELOCITY_TOP, HISTORY_MODELS, trends
        )
        following = self.pool.submit(follow, snapshots, HISTORY_MODELS, self.models, trend)
        families = family_velocity(spans, VELOCITY_WINDOWS, VELOCITY_TOP, HISTORY_MODELS)
        digests = [job.result() for job in digesting]
        frames = tables.history_frames(line, digests, spans, repo_type)
        frames["history_model_sizes"] = size_shares(
            spans, [s.directory for s in snapshots[1:]], history_dir
        )
        frames |= tables.velocity_frames(families)
        chart_list = history_section_charts(line, self.repo_type)
        drawn = self._draw([c for c in chart_list if c.ready(frames)], frames)
        waiting = [c for c in chart_list if not c.ready(frames)]
        self._write_tables(frames)
        compared = tables.compared(line)
        cached = {snapshot.day: snapshot for snapshot in snapshots}
        by_day = {digested.day: digested for digested in digests}
        history = _History(
            line,
            frames,
            chart_list,
            drawn,
            waiting,
            {days: cached[partition.day] for days, partition in compared.items()},
            {days: by_day[partition.day] for days, partition in compared.items()},
            walking,
            following,
            after_walk,
        )
        return history, tallied

    def _complete(self, history: _History) -> HistoryReport:
        """The history's report, once the walk and the models followed are done: their tables
        written, the charts that needed them started."""
        _results([history.walking, history.following])
        history.after_walk()
        walked = history.walking.result()
        frames = tables.velocity_frames(walked) | history.following.result()
        frames[f"rising_{self.repo_type.name}"] = walked.rising
        history.frames |= frames
        history.drawn += self._draw(history.waiting, history.frames)
        self._write_tables(frames)
        summary = tables.summary(history.line, history.frames, self.models)
        return HistoryReport(history.line, history.frames, history.charts, summary)

    def _report(
        self,
        chosen: Partition,
        skipped: list[SkippedPartition],
        profiles: Profiles,
        tallied: list[Future[Tally]],
        *,
        history: _History | None,
        hubs: list[_HubRun],
    ) -> HistoryReport | None:
        """Draw the snapshot's charts and write its tables while the history's walk (if any)
        runs, then the top lists with the ranks their repos held in the earlier snapshots and the
        other repo types' sections; wait for every chart, write the page; return the history's
        report (None without a history)."""
        frames, density, headline = combine([job.result() for job in tallied])
        # Changes are told against the snapshots before the analysed one only.
        latest = history is not None and history.line.partitions[-1].day == chosen.day
        lists = {
            column: f"top_{self.repo_type.name}_{column}"
            for column in self.repo_type.trend.ranked_by
        }
        ranking = None
        if latest and history.compared:
            labelled = {str(days): snapshot for days, snapshot in history.compared.items()}
            ids = {column: list(frames[name]["id"]) for column, name in lists.items()}
            ranking = self.pool.submit(earlier_ranks, labelled, ids)
        authors, main = [], []
        if density is not None:
            authors = author_charts(profiles_note(profiles, chosen.day), profiles_label(profiles))
            main = snapshot_charts(headline, density)
        drawn = self._draw([*authors, *main], frames)
        ranked = set(lists.values()) if ranking is not None else set()
        self._write_tables({name: frame for name, frame in frames.items() if name not in ranked})
        report = None if history is None else self._complete(history)
        histories = {}
        for hub in hubs:
            walked = hub.frames()
            frames |= walked
            self._write_tables(walked)
            drawn_charts = hub_history_charts(hub.line, hub.repo_type) if walked else []
            histories[hub.repo_type.name] = HubHistory(hub.repo_type, hub.line, drawn_charts)
        hub = hub_sections(frames, headline, self.companions.missing, histories)
        drawn += self._draw([chart for section in hub for chart in section.charts], frames)
        changes = None
        if ranking is not None:
            for column, ranks in ranking.result().items():
                frames[lists[column]] = tables.with_earlier_ranks(frames[lists[column]], ranks)
            changes = tables.headline_changes(history.digests, headline, chosen.day)
            report.summary["headline_changes"] = changes
            self._write_tables({name: frames[name] for name in ranked})
        _results([*([] if history is None else history.drawn), *drawn])
        write_report(
            self.report_dir,
            partition=chosen,
            headline=headline,
            frames=frames,
            profiles=profiles,
            skipped=skipped,
            charts=main,
            author_charts=authors,
            history=report,
            changes=changes,
            hub=hub,
            left_out=self.companions.missing,
        )
        return report
