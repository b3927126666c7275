"""The few calls of Scrapyd's JSON API that hfcrawler needs, each answer checked.

Scrapyd reports errors as HTTP 200 with ``"status": "error"``, and an answer may lack fields, so
every answer's body is checked before it is believed. Paths are joined to the configured URL only,
so the credentials never go to another server.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

# The end of a log is enough to hold the verdict, the stats dump and the closing line.
LOG_TAIL_BYTES = 256 * 1024
# What cancel.json says a job was: absent from Scrapyd's queue and processes (already ended), or
# taken off the queue, or signalled to stop.
CANCELLED_STATES = {None, "pending", "running"}


class ScrapydError(Exception):
    """Scrapyd could not be reached, refused the request, or answered with an error."""


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


class Scrapyd:
    """A Scrapyd server and one project on it."""

    def __init__(
        self, url: str, username: str, password: str, project: str, timeout: float = 30
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            msg = f"SCRAPYD_URL must be an http(s) URL, got {url!r}"
            raise ScrapydError(msg)
        if parts.username is not None or parts.password is not None:
            # Not echoed: it holds a password. Error messages quote the URL.
            msg = "SCRAPYD_URL must not hold credentials: set SCRAPYD_USERNAME and SCRAPYD_PASSWORD"
            raise ScrapydError(msg)
        self.url = url.rstrip("/")
        self.project = project
        self.timeout = timeout
        self._headers = {"Accept": "application/json"}
        # Scrapyd asks for credentials only when it has a password; a username alone means none.
        if password:
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
        spider asked about (see :func:`scheduler.jobs.refusal`).
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

    def cancel(self, jobid: str) -> str | None:
        """Take a pending job off the queue, or signal a running one to stop (SIGINT: Scrapy
        closes the spider cleanly; a second one stops it at once).

        Returns the state Scrapyd found the job in: ``pending``, ``running``, or None when it was
        neither (it had already ended).
        """
        answer = self._call("cancel.json", form=[("project", self.project), ("job", jobid)])
        if "prevstate" not in answer or answer["prevstate"] not in CANCELLED_STATES:
            msg = f"cancel.json answered ok without the job's previous state for job {jobid}"
            raise ScrapydError(msg)
        return answer["prevstate"]

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
                "set SCRAPYD_USERNAME and SCRAPYD_PASSWORD, or SCRAPYD_HOME for a local Scrapyd"
            )
        if isinstance(exc, urllib.error.HTTPError):
            return ScrapydError(f"{what} failed: HTTP {exc.code} {exc.reason}")
        return ScrapydError(f"cannot reach Scrapyd at {self.url} ({what}): {exc}")
