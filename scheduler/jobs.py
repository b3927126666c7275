"""Scheduling, waiting for and cancelling hfcrawler's jobs on Scrapyd.

Scheduling refuses a spider that already has a pending or running job in the project (two crawls
of one listing would fight over the same snapshot), and names each job ``<spider>-<UTC date>``,
numbered ``-2``, ``-3``… when the day's crawl is run again: a reused id would append to the
earlier run's log, where a rerun that died early would find that run's verdict. A spider that
cannot be scheduled never holds back the others: each problem is reported.

Waiting polls ``listjobs.json`` every ``WAIT_POLL`` seconds until the jobs have ended, within a
bound. Cancelling takes pending jobs off the queue and signals running ones (Scrapy then closes
the spider cleanly, keeping its attempt for the next run to resume); a job still running after
half of ``CANCEL_WAIT`` is signalled again, which stops it at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from scheduler.job_settings import job_settings
from scheduler.lock import schedule_lock
from scheduler.scrapyd import Job, Scrapyd, ScrapydError

# Seconds between two looks at Scrapyd's job list while waiting (its own poll_interval is 1 s).
WAIT_POLL = 1.0
# Seconds a cancelled job has to end: a clean close takes a few seconds, but a request may be
# waiting out a backoff or the rate limit, so the second signal comes at half of it.
CANCEL_WAIT = 60.0


class Scheduled(NamedTuple):
    spider: str
    jobid: str


def latest_job(jobs: list[Job], spider: str) -> Job | None:
    """The job that says where the spider stands: a queued or live one, else the last started."""
    own = [job for job in jobs if job.spider == spider]
    for state in ("pending", "running"):
        if live := [job for job in own if job.state == state]:
            return live[0]
    finished = [job for job in own if job.start_time is not None]
    return max(finished, key=attrgetter("start_time"), default=None)


def daily_jobid(spider: str, day: str, taken: set[str]) -> str:
    """``<spider>-<day>``, numbered when that day's crawl already ran, so each run has its log."""
    jobid = f"{spider}-{day}"
    number = 2
    while jobid in taken:
        jobid = f"{spider}-{day}-{number}"
        number += 1
    return jobid


def refusal(jobs: list[Job], spider: str) -> str | None:
    """Why ``spider`` must not be scheduled now, if it must not: a job of it may be live."""
    live = [job for job in jobs if job.state != "finished"]
    if own := [job for job in live if job.spider == spider]:
        if own[0].id is None:
            return (
                f"refused {spider}: Scrapyd lists a {own[0].state} job of it without a job id; "
                "a second crawl of the same listing would not be started"
            )
        return (
            f"refused {spider}: job {own[0].id} is already {own[0].state}; "
            "a second crawl of the same listing would not be started"
        )
    if unnamed := [job for job in live if job.spider is None]:
        return (
            f"refused {spider}: Scrapyd lists a {unnamed[0].state} job without a spider name "
            f"(job {unnamed[0].id or 'without an id'}), which may be a crawl of {spider}"
        )
    return None


def check_spiders(scrapyd: Scrapyd, spiders: list[str]) -> None:
    """Raise unless the project on Scrapyd has every one of ``spiders``."""
    known = scrapyd.spiders()
    if unknown := [spider for spider in spiders if spider not in known]:
        msg = f"no spider {', '.join(unknown)} in project {scrapyd.project!r} (it has {known})"
        raise ScrapydError(msg)


def schedule(
    scrapyd: Scrapyd, spiders: list[str], data: Path, settings: dict[str, str]
) -> tuple[list[Scheduled], list[str]]:
    """Schedule each spider that is not already queued or running, all at once.

    Returns what was scheduled and what was refused or failed. A busy spider does not hold back
    the others: a crawl of models that overran its day must not cost the day's datasets and Spaces.
    The quota is shared among every spider named, scheduled or refused: a refused one is still
    crawling.
    """
    check_spiders(scrapyd, spiders)
    spiders = list(dict.fromkeys(spiders))  # naming a spider twice must not start two crawls
    sent = job_settings(settings, str(data), together=len(spiders))
    with schedule_lock(scrapyd):
        try:
            jobs = scrapyd.jobs()
        except ScrapydError as exc:
            return [], [f"could not schedule {spider}: {exc}" for spider in spiders]
        day = datetime.now(UTC).date().isoformat()
        taken = {job.id for job in jobs if job.id is not None}
        scheduled, problems = [], []
        for spider in spiders:
            if refused := refusal(jobs, spider):
                problems.append(refused)
                continue
            jobid = daily_jobid(spider, day, taken)
            try:
                jobid = scrapyd.schedule(spider, jobid, sent)
            except ScrapydError as exc:
                problems.append(f"could not schedule {spider}: {exc}")
                continue
            taken.add(jobid)
            scheduled.append(Scheduled(spider, jobid))
    return scheduled, problems


def wait_for(
    scrapyd: Scrapyd, jobids: list[str], timeout: float
) -> tuple[dict[str, Job | None], list[Job]]:
    """Wait until every job in ``jobids`` has ended, ``timeout`` seconds at most.

    Returns the ended jobs by id (None for one that Scrapyd no longer lists), and the jobs still
    pending or running when the time ran out.
    """
    deadline = time.monotonic() + timeout
    while True:
        listed: dict[str, Job] = {}
        for job in scrapyd.jobs():  # pending and running first: a live entry wins
            if job.id in jobids:
                listed.setdefault(job.id, job)
        live = [job for job in listed.values() if job.state != "finished"]
        if not live or time.monotonic() >= deadline:
            waiting = {job.id for job in live}
            return {jobid: listed.get(jobid) for jobid in jobids if jobid not in waiting}, live
        time.sleep(min(WAIT_POLL, max(0.0, deadline - time.monotonic())))


def cancel(scrapyd: Scrapyd, spiders: list[str]) -> tuple[list[str], list[str]]:
    """Cancel every pending or running job of ``spiders``; wait for the running ones to end.

    Returns what was done, and what could not be: a job Scrapyd lists without an id cannot be
    named to cancel.json, and a job may outlive both signals.
    """
    check_spiders(scrapyd, spiders)
    live = [job for job in scrapyd.jobs() if job.spider in spiders and job.state != "finished"]
    busy = {job.spider for job in live}
    done = [
        f"{spider}: no pending or running job to cancel" for spider in spiders if spider not in busy
    ]
    problems, stopping = [], {}
    for job in live:
        if job.id is None:
            problems.append(f"cannot cancel a {job.state} job of {job.spider}: it has no job id")
            continue
        before = scrapyd.cancel(job.id)
        if before == "running":
            stopping[job.id] = job.spider
        elif before == "pending":
            done.append(f"cancelled job {job.id} of {job.spider} (was pending)")
        else:
            done.append(f"job {job.id} of {job.spider} had already ended")
    still = stop(scrapyd, list(stopping))
    for jobid, spider in stopping.items():
        if jobid in still:
            problems.append(
                f"job {jobid} of {spider} is still running {CANCEL_WAIT:.0f} s after it was "
                "cancelled"
            )
        else:
            done.append(f"cancelled job {jobid} of {spider} (was running; it has ended)")
    return done, problems


def stop(scrapyd: Scrapyd, jobids: list[str]) -> list[str]:
    """Wait for signalled jobs to end, signalling again those still running at half of
    ``CANCEL_WAIT``; return the ids of those still running at the end of it."""
    still = jobids
    for attempt in range(2):
        if not still:
            break
        if attempt:
            for jobid in still:
                scrapyd.cancel(jobid)
        _, live = wait_for(scrapyd, still, CANCEL_WAIT / 2)
        still = [job.id for job in live if job.id is not None]
    return still
