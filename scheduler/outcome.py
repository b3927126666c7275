"""What became of a job: pending, running, published, failed — read from its log's verdict line.

Scrapyd says only pending, running or finished, and "finished" includes crawls that failed and
processes that died before Scrapy started. A finished job's log is therefore read over HTTP for the
crawl's verdict line (its format is defined once, in :mod:`hfcrawler.verdict`, with the standard
library only): ``published`` with the partition's path, or ``failed`` with the reason. A job
without that line (no log, an empty log, a log cut short) is failed too. Reasons are shown on one
line, URL queries elided, at most ``REASON_CHARS`` characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hfcrawler.logsafe import one_line
from hfcrawler.verdict import LINE_START, last_verdict
from scheduler.jobs import latest_job
from scheduler.scrapyd import Job, Scrapyd, ScrapydError

# Written by Scrapy's engine at the very end of every crawl's log.
CLOSED_LINE = re.compile(
    LINE_START + r"\[scrapy\.core\.engine\] INFO: Spider closed \((.*)\)$", re.MULTILINE
)
# Longest reason shown in a status line; the job's log and the manifest keep the whole of it.
REASON_CHARS = 300
URL_QUERY = re.compile(r"(https?://[^\s?#]*)\?[^\s)]*")


@dataclass(frozen=True)
class Report:
    """What became of a spider's job: pending, running, published, failed, unknown or none."""

    spider: str
    outcome: str
    job: Job | None
    detail: str = ""

    @property
    def failed(self) -> bool:
        """A job that failed, or whose outcome could not be read: either needs a look."""
        return self.outcome in {"failed", "unknown"}

    @property
    def live(self) -> bool:
        return self.outcome in {"pending", "running"}

    def line(self) -> str:
        job = f"job {self.job.id or '(no id)'}" if self.job else "no job"
        return one_line(f"{self.spider:<10} {self.outcome:<10} {job}  {self.detail}".rstrip())


def judge(spider: str, job: Job | None, log: str | None) -> Report:
    """Turn a job and the end of its log into a report; a finished job must prove it published."""
    if job is None:
        return Report(spider, "none", None, "never scheduled in this project")
    if job.state == "pending":
        return Report(spider, "pending", job, "waiting for a free Scrapyd slot")
    if job.state == "running":
        return Report(spider, "running", job, f"since {job.start_time} (Scrapyd's clock)")
    if not (log or "").strip():
        return Report(
            spider,
            "failed",
            job,
            "the job left no log or an empty one: it died before Scrapy started (cancelled then, "
            "or a requirement missing from Scrapyd's environment? Scrapyd's own log says)",
        )
    verdict = last_verdict(log)
    closed = CLOSED_LINE.findall(log)
    reason = f" [spider closed: {shorten(closed[-1], 40)}]" if closed else ""
    if verdict is None:
        detail = "the log ends without the snapshot verdict: the crawl process died"
    elif verdict.published:
        detail = f"{shorten(verdict.message)} in {verdict.path}"
    else:
        detail = shorten(verdict.message)
    published = verdict is not None and verdict.published
    return Report(spider, "published" if published else "failed", job, detail + reason)


def shorten(text: str, limit: int = REASON_CHARS) -> str:
    """A reason fit for a status line: on one line, URL queries elided, at most ``limit`` long."""
    text = URL_QUERY.sub(r"\1?…", one_line(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(scrapyd: Scrapyd, spider: str, job: Job | None) -> Report:
    """The report on ``job``, reading its log when it has finished."""
    log = None
    if job is not None and job.state == "finished" and job.log_url:
        try:
            log = scrapyd.log_tail(job.log_url)
        except ScrapydError as exc:
            return Report(spider, "unknown", job, f"cannot read its log: {exc}")
    return judge(spider, job, log)


def status(scrapyd: Scrapyd, spiders: list[str]) -> tuple[list[Report], list[str]]:
    """Each spider's report on its latest job, and what Scrapyd's job list left unclear."""
    jobs = scrapyd.jobs()
    reports = [report(scrapyd, spider, latest_job(jobs, spider)) for spider in spiders]
    problems = []
    if unnamed := [job for job in jobs if job.spider is None]:
        problems.append(f"listjobs.json lists {len(unnamed)} job(s) without a spider name")
    return reports, problems
