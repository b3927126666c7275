"""Schedule hfcrawler's crawls on Scrapyd safely, and report how each spider's latest job ended.

Usage, from the project directory::

    python -m hfcrawler.schedule models datasets spaces   # start today's crawls
    python -m hfcrawler.schedule --status                 # latest job of every spider

Scrapyd is found through the environment: ``SCRAPYD_URL`` (default ``http://127.0.0.1:6800``),
``SCRAPYD_USERNAME`` and ``SCRAPYD_PASSWORD`` (the same variables ``scrapy.cfg``'s deploy target
reads). Options: ``--data DIR`` is the data directory *on the Scrapyd host* (default
``HFCRAWLER_DATA``, else this project's ``data/``), always sent as an absolute path because Scrapyd
runs jobs in its own directory; ``--project`` (default ``hfcrawler``); ``--setting NAME=VALUE``
(repeatable) passes a Scrapy setting to the jobs, such as ``HUB_ENDPOINT`` for a mirror. The Hub
token never travels this way: it is refused here and by the spider, and must be ``HF_TOKEN`` in
Scrapyd's own environment.

Scheduling checks every Scrapyd answer's JSON body (Scrapyd reports errors as HTTP 200 with
``"status": "error"``), refuses a spider that already has a pending or running job in the project
(two crawls of one listing would fight over the same snapshot), and names each job
``<spider>-<UTC date>``, numbered ``-2``, ``-3``… when the day's crawl is run again: a reused id
would append to the earlier run's log, where a rerun that died early would find that run's verdict.

Scrapyd says only pending, running or finished, and "finished" includes crawls that failed and
processes that died before Scrapy started. ``--status`` therefore reads each finished job's log over
HTTP and looks for the crawl's final verdict line: ``published`` with the partition's path, or
``failed`` with the reason. A job without that line (no log, an empty log, a log cut short) is
failed too.

Exit status: 0 when everything was scheduled (or every latest job is pending, running or
published), 1 when a spider was refused, a job failed or Scrapyd could not be used, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

DEFAULT_SCRAPYD_URL = "http://127.0.0.1:6800"
DEFAULT_PROJECT = "hfcrawler"
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"
# Setting names that could carry a secret into Scrapyd's job database, process list and logs.
SECRET_SETTING = re.compile(r"token|password|secret|auth", re.IGNORECASE)
# The end of a log is enough to hold the verdict, the stats dump and the closing line.
LOG_TAIL_BYTES = 256 * 1024
# Written last by hfcrawler.extensions.snapshot and by Scrapy's engine, in every crawl's log.
VERDICT_LINE = re.compile(
    r"\[hfcrawler\.extensions\.snapshot\] (?:INFO|ERROR): Snapshot (published|FAILED): (.*)$",
    re.MULTILINE,
)
CLOSED_LINE = re.compile(r"\[scrapy\.core\.engine\] INFO: Spider closed \((.*)\)$", re.MULTILINE)


class ScrapydError(Exception):
    """Scrapyd could not be reached, refused the request, or answered with an error."""


class Scrapyd:
    """The few calls of Scrapyd's JSON API this command needs, each answer checked."""

    def __init__(
        self, url: str, username: str, password: str, project: str, timeout: float = 30
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            msg = f"SCRAPYD_URL must be an http(s) URL, got {url!r}"
            raise ScrapydError(msg)
        self.url = url.rstrip("/")
        self.project = project
        self.timeout = timeout
        self._headers = {"Accept": "application/json"}
        if username or password:
            pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {pair}"

    def spiders(self) -> list[str]:
        return self._call("listspiders.json", query={"project": self.project})["spiders"]

    def jobs(self) -> list[Job]:
        """Every job Scrapyd knows in the project, pending, running and finished."""
        answer = self._call("listjobs.json", query={"project": self.project})
        return [
            Job.from_answer(state, entry)
            for state in ("pending", "running", "finished")
            for entry in answer.get(state, [])
        ]

    def schedule(self, spider: str, jobid: str, settings: dict[str, str]) -> str:
        form = [("project", self.project), ("spider", spider), ("jobid", jobid)]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        return self._call("schedule.json", form=form)["jobid"]

    def log_tail(self, log_url: str) -> str:
        """The end of a job's log (``log_url`` as listjobs.json gives it), as text.

        The log is streamed and only its last bytes kept: Scrapyd's file server fails on a
        suffix range longer than the file, so a Range request cannot ask for just the end.
        """
        tail = b""
        try:
            with urllib.request.urlopen(  # noqa: S310 (the scheme was checked in __init__)
                self._request(log_url.lstrip("/")), timeout=self.timeout
            ) as response:
                while chunk := response.read(LOG_TAIL_BYTES):
                    tail = (tail + chunk)[-LOG_TAIL_BYTES:]
        except (urllib.error.URLError, OSError) as exc:
            raise self._error(log_url, exc) from exc
        return tail.decode("utf-8", errors="replace")

    def _request(self, path: str, data: bytes | None = None) -> urllib.request.Request:
        # Paths are joined to the configured URL, so the credentials never leave that server.
        return urllib.request.Request(  # noqa: S310 (the scheme was checked in __init__)
            f"{self.url}/{path}", data=data, headers=self._headers
        )

    def _call(
        self,
        endpoint: str,
        query: dict[str, str] | None = None,
        form: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        path = f"{endpoint}?{urlencode(query)}" if query else endpoint
        data = urlencode(form).encode() if form is not None else None
        try:
            request = self._request(path, data=data)
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.load(response)
        except (urllib.error.URLError, OSError) as exc:
            raise self._error(endpoint, exc) from exc
        except ValueError as exc:
            msg = f"{endpoint} did not answer JSON: {exc}"
            raise ScrapydError(msg) from exc
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message") if isinstance(answer, dict) else answer
            msg = f"{endpoint} answered with an error: {message}"
            raise ScrapydError(msg)
        return answer

    def _error(self, what: str, exc: Exception) -> ScrapydError:
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 401:
            return ScrapydError(
                f"Scrapyd at {self.url} refused the credentials (HTTP 401): "
                "set SCRAPYD_USERNAME and SCRAPYD_PASSWORD"
            )
        if isinstance(exc, urllib.error.HTTPError):
            return ScrapydError(f"{what} failed: HTTP {exc.code} {exc.reason}")
        return ScrapydError(f"cannot reach Scrapyd at {self.url} ({what}): {exc}")


@dataclass(frozen=True)
class Job:
    """One Scrapyd job as listjobs.json describes it."""

    id: str
    spider: str
    state: str  # pending, running or finished: Scrapyd's view, not the crawl's outcome
    start_time: datetime | None = None
    log_url: str | None = None

    @classmethod
    def from_answer(cls, state: str, entry: dict[str, Any]) -> Job:
        started = entry.get("start_time")
        return cls(
            id=entry["id"],
            spider=entry["spider"],
            state=state,
            start_time=datetime.fromisoformat(started) if started else None,
            log_url=entry.get("log_url"),
        )


@dataclass(frozen=True)
class Report:
    """What became of a spider's latest job: pending, running, published, failed or none."""

    spider: str
    outcome: str
    job: Job | None
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    def line(self) -> str:
        job = f"job {self.job.id}" if self.job else "no job"
        return printable(f"{self.spider:<10} {self.outcome:<10} {job}  {self.detail}".rstrip())


def latest_job(jobs: list[Job], spider: str) -> Job | None:
    """The job that says where the spider stands: a queued or live one, else the last started."""
    own = [job for job in jobs if job.spider == spider]
    for state in ("pending", "running"):
        if live := [job for job in own if job.state == state]:
            return live[0]
    finished = [job for job in own if job.start_time is not None]
    return max(finished, key=attrgetter("start_time"), default=None)


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
            "the job left no log or an empty one: it died before Scrapy started (is a requirement "
            "missing from Scrapyd's environment? Scrapyd's own log has the traceback)",
        )
    verdicts = VERDICT_LINE.findall(log)
    closed = CLOSED_LINE.findall(log)
    reason = f" [spider closed: {closed[-1]}]" if closed else ""
    if not verdicts:
        return Report(
            spider,
            "failed",
            job,
            f"the log ends without the snapshot verdict: the crawl process died{reason}",
        )
    kind, message = verdicts[-1]
    outcome = "published" if kind == "published" else "failed"
    return Report(spider, outcome, job, f"{message}{reason}")


def status(scrapyd: Scrapyd, spiders: list[str]) -> list[Report]:
    jobs = scrapyd.jobs()
    reports = []
    for spider in spiders or scrapyd.spiders():
        job = latest_job(jobs, spider)
        log = None
        if job is not None and job.state == "finished" and job.log_url:
            log = scrapyd.log_tail(job.log_url)
        reports.append(judge(spider, job, log))
    return reports


def daily_jobid(spider: str, day: str, taken: set[str]) -> str:
    """``<spider>-<day>``, numbered when that day's crawl already ran, so each run has its log."""
    jobid = f"{spider}-{day}"
    number = 2
    while jobid in taken:
        jobid = f"{spider}-{day}-{number}"
        number += 1
    return jobid


def schedule(
    scrapyd: Scrapyd, spiders: list[str], data: Path, settings: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Schedule each spider that is not already queued or running.

    Returns what was scheduled and what was refused or failed. A busy spider does not hold back
    the others: a crawl of models that overran its day must not cost the day's datasets and Spaces.
    """
    known = scrapyd.spiders()
    if unknown := [spider for spider in spiders if spider not in known]:
        msg = f"no spider {', '.join(unknown)} in project {scrapyd.project!r} (it has {known})"
        raise ScrapydError(msg)
    jobs = scrapyd.jobs()
    day = datetime.now(UTC).date().isoformat()
    taken = {job.id for job in jobs}
    scheduled, problems = [], []
    for spider in dict.fromkeys(spiders):  # naming a spider twice must not start two crawls
        busy = [job for job in jobs if job.spider == spider and job.state != "finished"]
        if busy:
            problems.append(
                f"refused {spider}: job {busy[0].id} is already {busy[0].state}; "
                "a second crawl of the same listing would not be started"
            )
            continue
        jobid = daily_jobid(spider, day, taken)
        try:
            jobid = scrapyd.schedule(spider, jobid, {**settings, "DATA_DIR": str(data)})
        except ScrapydError as exc:
            problems.append(f"could not schedule {spider}: {exc}")
            continue
        scheduled.append(f"scheduled {spider} as job {jobid} (data: {data})")
    return scheduled, problems


def printable(text: str) -> str:
    """Text safe for a terminal: control and bidi characters (a log can quote the Hub) escaped."""
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            msg = f"--setting takes NAME=VALUE, got {pair!r}"
            raise ValueError(msg)
        if SECRET_SETTING.search(name):
            msg = (
                f"refusing --setting {name}: a secret would be stored in Scrapyd's job list and "
                "logs; the Hub token goes in Scrapyd's environment as HF_TOKEN"
            )
            raise ValueError(msg)
        if name == "DATA_DIR":
            msg = "give the data directory with --data, not --setting DATA_DIR"
            raise ValueError(msg)
        settings[name] = value
    return settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hfcrawler.schedule",
        description="Schedule hfcrawler spiders on Scrapyd, or report how their latest jobs ended.",
        epilog="Scrapyd is SCRAPYD_URL (default http://127.0.0.1:6800) with SCRAPYD_USERNAME "
        "and SCRAPYD_PASSWORD from the environment.",
    )
    parser.add_argument("spiders", nargs="*", metavar="SPIDER", help="models, datasets, spaces…")
    parser.add_argument(
        "--status",
        action="store_true",
        help="report each spider's latest job (all spiders when none is named) instead",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("HFCRAWLER_DATA") or PROJECT_DATA),
        help="data directory on the Scrapyd host (default: HFCRAWLER_DATA, else data/ here)",
    )
    parser.add_argument("--project", default=DEFAULT_PROJECT, help="Scrapyd project name")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the jobs (repeatable), e.g. HUB_ENDPOINT=…",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.status and not args.spiders:
        parser.error("name the spiders to schedule, or ask for --status")
    try:
        settings = parse_settings(args.setting)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        scrapyd = Scrapyd(
            os.environ.get("SCRAPYD_URL") or DEFAULT_SCRAPYD_URL,
            os.environ.get("SCRAPYD_USERNAME", ""),
            os.environ.get("SCRAPYD_PASSWORD", ""),
            args.project,
        )
        if args.status:
            reports = status(scrapyd, args.spiders)
            for report in reports:
                print(report.line())
            return 1 if any(report.failed for report in reports) else 0
        data = args.data.expanduser().absolute()
        scheduled, problems = schedule(scrapyd, args.spiders, data, settings)
    except ScrapydError as exc:
        print(printable(f"hfcrawler.schedule: {exc}"), file=sys.stderr)
        return 1
    for line in scheduled:
        print(line)
    for problem in problems:
        print(printable(f"hfcrawler.schedule: {problem}"), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
