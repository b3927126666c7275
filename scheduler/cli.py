"""``python -m scheduler``: schedule hfcrawler's crawls on Scrapyd, wait for them, cancel them, and
report how each spider's latest job ended.

Usage, from the project directory::

    python -m scheduler models datasets spaces          # start today's crawls
    python -m scheduler models datasets spaces --wait   # … and wait for them to end
    python -m scheduler --status                        # latest job of every spider
    python -m scheduler --cancel models                 # stop the pending or running crawl

Scrapyd and its credentials come from the environment, as for ``make deploy``
(:mod:`scheduler.connection`). ``--data DIR`` is the data directory *on the Scrapyd host* (default
``HFCRAWLER_DATA``, else this project's ``data/``), always sent as an absolute path because Scrapyd
runs jobs in its own directory; ``--setting NAME=VALUE`` (repeatable) passes a Scrapy setting to the
jobs, such as ``HUB_ENDPOINT`` for a mirror or the emulator. The Hub token never travels this way.
Spiders scheduled together each get ``HUB_QUOTA_SHARED_BY`` set to their number: Scrapyd runs each
job in a process of its own, so they share no pacer and must each keep to their part of the quota.

``--wait`` waits, ``--timeout`` seconds at most, until the jobs scheduled (or, with ``--status``,
the spiders' live jobs) have ended, and reports each as ``--status`` does.

Exit status: 0 when everything was scheduled (or every job reported is pending, running or
published, or every job named was cancelled), 1 when a spider was refused, a job failed, a job
could not be cancelled or Scrapyd could not be used, 2 on bad usage, 3 when ``--wait`` ran out of
time with jobs still pending or running (they are left to run).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hfcrawler.logsafe import one_line
from scheduler.connection import scrapyd_from_environment
from scheduler.job_settings import parse_settings
from scheduler.jobs import Scheduled, cancel, latest_job, schedule, wait_for
from scheduler.outcome import Report, report, status
from scheduler.scrapyd import Job, Scrapyd, ScrapydError

DEFAULT_PROJECT = "hfcrawler"
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"
# A day's crawls of the real Hub take well under this, even anonymously.
DEFAULT_TIMEOUT = 6 * 3600.0
OK, FAILED, USAGE, TIMED_OUT = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler",
        description="Schedule hfcrawler spiders on Scrapyd, wait for them or cancel them, or "
        "report how their latest jobs ended.",
        epilog="Scrapyd is SCRAPYD_URL with SCRAPYD_USERNAME and SCRAPYD_PASSWORD; without "
        "SCRAPYD_URL, the local Scrapyd of `make scrapyd` (port SCRAPYD_PORT, default 6800) with "
        "the password kept in $SCRAPYD_HOME/password. Exit status: 0 ok, 1 a spider refused, a job "
        "failed or Scrapyd unusable, 2 bad usage, 3 --wait ran out of time.",
    )
    parser.add_argument("spiders", nargs="*", metavar="SPIDER", help="models, datasets, spaces…")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--status",
        action="store_true",
        help="report each spider's latest job (all spiders when none is named) instead",
    )
    mode.add_argument(
        "--cancel",
        action="store_true",
        help="cancel the pending and running jobs of the spiders named instead",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait until the jobs have ended, then report how each ended",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"longest --wait (default {DEFAULT_TIMEOUT:.0f})",
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


def say(lines: list[str], problems: list[str]) -> None:
    for line in lines:
        print(one_line(line), flush=True)
    for problem in problems:
        print(one_line(f"scheduler: {problem}"), file=sys.stderr, flush=True)


def exit_status(reports: list[Report], problems: list[str]) -> int:
    """The exit status of a run that ends with ``reports``."""
    if problems or any(each.failed for each in reports):
        return FAILED
    return TIMED_OUT if any(each.live for each in reports) else OK


def run_schedule(scrapyd: Scrapyd, args: argparse.Namespace, settings: dict[str, str]) -> int:
    data = args.data.expanduser().absolute()
    scheduled, problems = schedule(scrapyd, args.spiders, data, settings)
    say(
        [f"scheduled {job.spider} as job {job.jobid} (data: {data})" for job in scheduled], problems
    )
    if not args.wait:
        return FAILED if problems else OK
    reports = wait_for_reports(scrapyd, scheduled, args.timeout)
    say([each.line() for each in reports], [])
    return exit_status(reports, problems)


def wait_for_reports(scrapyd: Scrapyd, scheduled: list[Scheduled], timeout: float) -> list[Report]:
    """Wait for the jobs to end, then report on each; one still live says it was left running."""
    ended, live = wait_for(scrapyd, [job.jobid for job in scheduled], timeout)
    running = {job.id: job for job in live}
    reports = []
    for spider, jobid in scheduled:
        if (job := running.get(jobid)) is not None:
            detail = f"still {job.state} after {timeout:.0f} s, left to run (--cancel stops it)"
            reports.append(Report(spider, job.state, job, detail))
        elif (job := ended.get(jobid)) is not None:
            reports.append(report(scrapyd, spider, job))
        else:
            gone = Job(jobid, spider, "finished")
            reports.append(Report(spider, "unknown", gone, "Scrapyd no longer lists the job"))
    return reports


def run_status(scrapyd: Scrapyd, args: argparse.Namespace) -> int:
    spiders = args.spiders or scrapyd.spiders()
    if args.wait:
        jobs = scrapyd.jobs()
        latest = [latest_job(jobs, spider) for spider in spiders]
        live = [job.id for job in latest if job and job.id and job.state != "finished"]
        wait_for(scrapyd, live, args.timeout)
    reports, problems = status(scrapyd, spiders)
    say([each.line() for each in reports], problems)
    code = exit_status(reports, problems)
    # Without --wait, a job still pending or running is where it should be.
    return OK if code == TIMED_OUT and not args.wait else code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.status and not args.spiders:
        parser.error("name the spiders to schedule or cancel, or ask for --status")
    if args.cancel and args.wait:
        parser.error("--cancel already waits for the jobs it stops")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    try:
        settings = parse_settings(args.setting)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        scrapyd = scrapyd_from_environment(args.project)
        if args.status:
            return run_status(scrapyd, args)
        if args.cancel:
            done, problems = cancel(scrapyd, args.spiders)
            say(done, problems)
            return FAILED if problems else OK
        return run_schedule(scrapyd, args, settings)
    except ScrapydError as exc:
        say([], [str(exc)])
        return FAILED
