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
``"status": "error"``, and an answer may lack fields), refuses a spider that already has a pending
or running job in the project (two crawls of one listing would fight over the same snapshot), and
names each job ``<spider>-<UTC date>``, numbered ``-2``, ``-3``… when the day's crawl is run again:
a reused id would append to the earlier run's log, where a rerun that died early would find that
run's verdict. Listing the jobs and scheduling happen under an exclusive lock per Scrapyd and
project (a file in ``$XDG_STATE_HOME/hfcrawler/``, by default ``~/.local/state/hfcrawler/``), so
two schedule commands started at once on this host neither pick the same job id nor both start
a crawl of one spider. A spider that cannot be scheduled never holds back the others: each
problem is reported, and the exit status says there was one.

Scrapyd says only pending, running or finished, and "finished" includes crawls that failed and
processes that died before Scrapy started. ``--status`` therefore reads each finished job's log over
HTTP and looks for the crawl's verdict line (:mod:`hfcrawler.verdict`): ``published`` with the
partition's path, or ``failed`` with the reason. A job without that line (no log, an empty log, a
log cut short) is failed too. Reasons are shown on one line, URL queries elided, at most
``REASON_CHARS`` characters.

Exit status: 0 when everything was scheduled (or every latest job is pending, running or
published), 1 when a spider was refused, a job failed or Scrapyd could not be used, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from hfcrawler.logsafe import one_line
from hfcrawler.verdict import LINE_START, last_verdict

DEFAULT_SCRAPYD_URL = "http://127.0.0.1:6800"
DEFAULT_PROJECT = "hfcrawler"
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"
# Words that, as a component of a setting name (HF_TOKEN, HUB_AUTH, AUTH_HEADER, DB_PASSWORD,
# APITOKEN…), mark a secret that would be stored in Scrapyd's job database, process list and
# logs. A component, not a substring: AUTHORS_BUDGET is no secret.
SECRET_COMPONENT = re.compile(
    r"[a-z0-9]*(?:token|password|passwd|secret|auth)s?|credentials?|(?:api)?keys?", re.IGNORECASE
)
# The end of a log is enough to hold the verdict, the stats dump and the closing line.
LOG_TAIL_BYTES = 256 * 1024
# Written by Scrapy's engine at the very end of every crawl's log.
CLOSED_LINE = re.compile(
    LINE_START + r"\[scrapy\.core\.engine\] INFO: Spider closed \((.*)\)$", re.MULTILINE
)
# Longest reason shown in a status line; the job's log and the manifest keep the whole of it.
REASON_CHARS = 300
URL_QUERY = re.compile(r"(https?://[^\s?#]*)\?[^\s)]*")
# Seconds a schedule command waits for another one (on this host, for the same Scrapyd and
# project) to finish: longer than listing the jobs and scheduling three spiders can take.
LOCK_WAIT = 180.0
LOCK_POLL = 0.1


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
        spiders = self._call("listspiders.json", query={"project": self.project}).get("spiders")
        if not isinstance(spiders, list) or not all(isinstance(s, str) for s in spiders):
            msg = "listspiders.json answered without its list of spiders"
            raise ScrapydError(msg)
        return spiders

    def jobs(self) -> list[Job]:
        """Every job Scrapyd knows in the project, pending, running and finished.

        An entry that lacks a field is kept with None there: whether it matters depends on the
        spider asked about (see :func:`refusal`).
        """
        answer = self._call("listjobs.json", query={"project": self.project})
        jobs = []
        for state in ("pending", "running", "finished"):
            entries = answer.get(state)
            if not isinstance(entries, list):
                msg = f"listjobs.json answered without its list of {state} jobs"
                raise ScrapydError(msg)
            jobs += [Job.from_answer(state, entry) for entry in entries]
        return jobs

    def schedule(self, spider: str, jobid: str, settings: dict[str, str]) -> str:
        form = [("project", self.project), ("spider", spider), ("jobid", jobid)]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        scheduled = self._call("schedule.json", form=form).get("jobid")
        if not isinstance(scheduled, str) or not scheduled:
            msg = (
                f"schedule.json answered ok without a job id for job {jobid}: check "
                "listjobs.json before scheduling it again"
            )
            raise ScrapydError(msg)
        return scheduled

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
    """One Scrapyd job as listjobs.json describes it; a field it left out is None."""

    id: str | None
    spider: str | None
    state: str  # pending, running or finished: Scrapyd's view, not the crawl's outcome
    start_time: datetime | None = None
    log_url: str | None = None

    @classmethod
    def from_answer(cls, state: str, entry: object) -> Job:
        fields = entry if isinstance(entry, dict) else {}

        def text(name: str) -> str | None:
            value = fields.get(name)
            return value if isinstance(value, str) and value else None

        started = text("start_time")
        try:
            start_time = datetime.fromisoformat(started) if started else None
        except ValueError:
            start_time = None
        return cls(text("id"), text("spider"), state, start_time, text("log_url"))


@dataclass(frozen=True)
class Report:
    """What became of a spider's latest job: pending, running, published, failed or none."""

    spider: str
    outcome: str
    job: Job | None
    detail: str = ""

    @property
    def failed(self) -> bool:
        """A job that failed, or whose outcome could not be read: either needs a look."""
        return self.outcome in {"failed", "unknown"}

    def line(self) -> str:
        job = f"job {self.job.id or '(no id)'}" if self.job else "no job"
        return one_line(f"{self.spider:<10} {self.outcome:<10} {job}  {self.detail}".rstrip())


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


def status(scrapyd: Scrapyd, spiders: list[str]) -> tuple[list[Report], list[str]]:
    """Each spider's report, and what Scrapyd's job list left unclear."""
    jobs = scrapyd.jobs()
    reports = []
    for spider in spiders or scrapyd.spiders():
        job = latest_job(jobs, spider)
        log = None
        if job is not None and job.state == "finished" and job.log_url:
            try:
                log = scrapyd.log_tail(job.log_url)
            except ScrapydError as exc:
                reports.append(Report(spider, "unknown", job, f"cannot read its log: {exc}"))
                continue
        reports.append(judge(spider, job, log))
    problems = []
    if unnamed := [job for job in jobs if job.spider is None]:
        problems.append(f"listjobs.json lists {len(unnamed)} job(s) without a spider name")
    return reports, problems


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
    spiders = list(dict.fromkeys(spiders))  # naming a spider twice must not start two crawls
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
                jobid = scrapyd.schedule(spider, jobid, {**settings, "DATA_DIR": str(data)})
            except ScrapydError as exc:
                problems.append(f"could not schedule {spider}: {exc}")
                continue
            taken.add(jobid)
            scheduled.append(f"scheduled {spider} as job {jobid} (data: {data})")
    return scheduled, problems


def lock_dir() -> Path:
    """This user's state directory for hfcrawler (``$XDG_STATE_HOME/hfcrawler``)."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "hfcrawler"


@contextmanager
def schedule_lock(scrapyd: Scrapyd) -> Iterator[None]:
    """Hold this host's lock on scheduling in ``scrapyd``'s project, waiting ``LOCK_WAIT`` at most.

    An OS lock on an open file: it ends with the process, so a killed command never leaves it
    held, and deleting the file cannot let two commands in at once on a lock already taken.
    """
    directory = lock_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = hashlib.sha256(f"{scrapyd.url}\n{scrapyd.project}".encode()).hexdigest()[:16]
    path = directory / f"schedule-{key}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    msg = f"another schedule command held {path} for {LOCK_WAIT:.0f} s; try again"
                    raise ScrapydError(msg) from None
                time.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)


def is_secret_setting(name: str) -> bool:
    """Whether a setting's name says it holds a secret (one of its components does)."""
    return any(SECRET_COMPONENT.fullmatch(part) for part in re.split(r"[^A-Za-z0-9]+", name))


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            msg = f"--setting takes NAME=VALUE, got {pair!r}"
            raise ValueError(msg)
        if is_secret_setting(name):
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
            reports, problems = status(scrapyd, args.spiders)
            lines = [report.line() for report in reports]
            failed = any(report.failed for report in reports)
        else:
            data = args.data.expanduser().absolute()
            lines, problems = schedule(scrapyd, args.spiders, data, settings)
            failed = False
    except ScrapydError as exc:
        print(one_line(f"hfcrawler.schedule: {exc}"), file=sys.stderr)
        return 1
    for line in lines:
        print(one_line(line))
    for problem in problems:
        print(one_line(f"hfcrawler.schedule: {problem}"), file=sys.stderr)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
