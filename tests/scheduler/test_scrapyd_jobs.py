"""Scrapyd end to end: the local Scrapyd script, the deploy script, the schedule command, real jobs.

One real Scrapyd (started by ``deploy/scrapyd-local.sh``, as ``make scrapyd`` does) serves the
module, with the project deployed once by ``deploy/deploy.sh`` (``scrapyd-deploy``, building in a
temporary directory); each test schedules ``models`` against its own emulator (or a hostile
server) and data directory.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakehub.hub import SyntheticHub
from tests.helpers import (
    FORGED_TIME,
    HOSTILE_ERROR,
    ROOT,
    Answer,
    Received,
    ScriptedServer,
    base_env,
    daily,
    read_partition,
)

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# Quick give-up for the failing page, so its job ends in about a second.
FAST_FAILURE = ["HUB_RETRY_TIMES=1", "HUB_BACKOFF_BASE=0.05", "HUB_BACKOFF_MAX=0.05"]


@dataclass
class Scrapyd:
    url: str
    username: str
    password: str
    home: Path

    def env(self) -> dict[str, str]:
        return base_env(
            SCRAPYD_URL=self.url,
            SCRAPYD_USERNAME=self.username,
            SCRAPYD_PASSWORD=self.password,
            HOME=str(self.home),
        )

    def local_env(self) -> dict[str, str]:
        """A fresh shell on this host: only where `make scrapyd` put Scrapyd, no credentials."""
        env = {k: v for k, v in self.env().items() if k not in {"SCRAPYD_URL", "SCRAPYD_PASSWORD"}}
        port = self.url.rsplit(":", 1)[1]
        return {**env, "SCRAPYD_HOME": str(self.home), "SCRAPYD_PORT": port}

    def get(self, path: str) -> bytes:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/{path}", headers={"Authorization": f"Basic {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def jobs(self) -> dict:
        return json.loads(self.get("listjobs.json?project=hfcrawler"))

    def wait(self, jobid: str, state: str, timeout: float = 40) -> dict:
        """Poll listjobs.json until the job is in `state`; return its entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for job in self.jobs()[state]:
                if job["id"] == jobid:
                    return job
            time.sleep(0.2)
        pytest.fail(f"job {jobid} never became {state}: {self.jobs()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    env = base_env(
        SCRAPYD_HOME=str(home),
        SCRAPYD_PORT=str(port),
        PYTHON=sys.executable,
        HOME=str(home),
        # Jobs inherit this: one scheduled without HUB_ENDPOINT must never reach the real Hub.
        HF_ENDPOINT="http://127.0.0.1:9",
    )
    log = (home / "scrapyd.out").open("w")
    process = subprocess.Popen(
        ["sh", "deploy/scrapyd-local.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = None
    try:
        password_file = home / "password"
        deadline = time.monotonic() + 20
        while not (password_file.exists() and password_file.read_text().strip()):
            assert time.monotonic() < deadline, (home / "scrapyd.out").read_text()
            time.sleep(0.1)
        server = Scrapyd(
            f"http://127.0.0.1:{port}", "hfcrawler", password_file.read_text().strip(), home
        )
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        while True:
            assert process.poll() is None, (home / "scrapyd.out").read_text()
            try:
                assert json.loads(server.get("daemonstatus.json"))["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "Scrapyd did not answer"
                time.sleep(0.2)
        # The script says where the password is, never what it is.
        started = (home / "scrapyd.out").read_text()
        assert f"password: stored in {home.resolve()}/password (mode 600)" in started
        assert server.password not in started

        deployed = subprocess.run(
            ["sh", "deploy/deploy.sh"],
            cwd=ROOT,
            env={**server.env(), "BIN": str(BIN), "TMPDIR": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert "deployed hfcrawler version" in deployed.stdout
        spiders = json.loads(server.get("listspiders.json?project=hfcrawler"))["spiders"]
        assert {"models", "datasets", "spaces"} <= set(spiders)
        yield server
    finally:
        # Jobs outlive a stopped Scrapyd: end the ones a failed test left running first.
        if server is not None:
            with contextlib.suppress(OSError):
                for job in server.jobs()["running"]:
                    os.kill(job["pid"], signal.SIGKILL)
        process.terminate()
        process.wait(timeout=20)
        log.close()


def schedule(
    server: Scrapyd, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=ROOT,
        env=env or server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def scheduled_jobid(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("scheduled models")]
    return line.split(" as job ")[1].split()[0]


def test_scheduled_crawl_publishes_the_exact_partition_and_refuses_an_overlap(
    scrapyd: Scrapyd, fakehub, tmp_path: Path
) -> None:
    # Three pages a second apart keep the job running while the second schedule is tried.
    hub = fakehub("--models", "300", "--seed", "5", "--page-cap", "100", "--latency-page", "1")
    data = tmp_path / "data"
    first = schedule(scrapyd, "models", "--data", str(data), "--setting", f"HUB_ENDPOINT={hub.url}")
    jobid = scheduled_jobid(first)
    assert jobid.startswith("models-20")
    assert f"(data: {data})" in first.stdout

    scrapyd.wait(jobid, "running")
    second = schedule(
        scrapyd, "models", "--data", str(data), "--setting", f"HUB_ENDPOINT={hub.url}"
    )
    assert second.returncode == 1
    assert f"refused models: job {jobid} is already running" in second.stderr
    assert [job["id"] for job in scrapyd.jobs()["pending"]] == []

    finished = scrapyd.wait(jobid, "finished")
    (partition,) = (data / "snapshots" / "models").glob("date=*")
    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["endpoint"] == hub.url
    expected = {r["id"]: r for r in SyntheticHub(seed=5, models=300).records("models")}
    records = {r["id"]: r for r in read_partition(partition)}
    assert records.keys() == expected.keys()
    assert manifest["counts"]["records"] == len(expected)
    for repo_id, record in records.items():
        assert {k: record[k] for k in expected[repo_id]} == expected[repo_id], repo_id

    log = scrapyd.get(finished["log_url"].lstrip("/")).decode()
    assert f"Snapshot published: published {len(expected)} records in {partition}" in log
    assert log.rstrip().endswith("Spider closed (finished)")

    report = schedule(scrapyd, "--status", "models")
    assert report.returncode == 0, report.stdout + report.stderr
    assert report.stdout.split()[:4] == ["models", "published", "job", jobid]
    assert f"published {len(expected)} records in {partition}" in report.stdout


def test_job_whose_page_always_fails_is_reported_failed_with_its_reason(
    scrapyd: Scrapyd, fakehub, tmp_path: Path
) -> None:
    hub = fakehub("--models", "300", "--page-cap", "100", "--fault", "error@2x*")
    settings = [f"HUB_ENDPOINT={hub.url}", *FAST_FAILURE]
    result = schedule(
        scrapyd,
        "models",
        "--data",
        str(tmp_path),
        *(arg for setting in settings for arg in ("--setting", setting)),
    )
    jobid = scheduled_jobid(result)
    scrapyd.wait(jobid, "finished")

    report = schedule(scrapyd, "--status", "models")
    assert report.returncode == 1
    assert report.stdout.split()[:4] == ["models", "failed", "job", jobid]
    assert "page 2 (" in report.stdout
    assert "failed: gave up after 2 attempts" in report.stdout
    assert "[spider closed: hub_failed]" in report.stdout
    assert not list((tmp_path / "snapshots" / "models").glob("date=*"))


def test_the_next_job_resumes_a_failed_one(scrapyd: Scrapyd, fakehub, tmp_path: Path) -> None:
    # Page 2 fails three times: the first job gives up on it (two attempts), the next goes on.
    hub = fakehub("--models", "300", "--seed", "6", "--page-cap", "100", "--fault", "error@2x3")
    arguments = ["--data", str(tmp_path), "--setting", f"HUB_ENDPOINT={hub.url}"]
    arguments += [arg for setting in FAST_FAILURE for arg in ("--setting", setting)]
    scrapyd.wait(scheduled_jobid(schedule(scrapyd, "models", *arguments)), "finished")
    assert schedule(scrapyd, "--status", "models").returncode == 1

    finished = scrapyd.wait(scheduled_jobid(schedule(scrapyd, "models", *arguments)), "finished")
    log = scrapyd.get(finished["log_url"].lstrip("/")).decode()
    assert "Resuming the models attempt" in log
    (partition,) = (tmp_path / "snapshots" / "models").glob("date=*")
    manifest = json.loads((partition / "manifest.json").read_text())
    assert manifest["resumed"] == 1
    ids = [r["id"] for r in read_partition(partition)]
    expected = [r["id"] for r in SyntheticHub(seed=6, models=300).records("models")]
    assert sorted(ids) == sorted(expected)
    assert schedule(scrapyd, "--status", "models").returncode == 0


def test_job_that_died_before_scrapy_started_is_failed_not_finished(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    # An unknown log encoding kills the job right after it creates its (empty) log file, like a
    # requirement missing from Scrapyd's environment; Scrapyd still lists the job as finished.
    result = schedule(
        scrapyd, "models", "--data", str(tmp_path), "--setting", "LOG_ENCODING=no-such-codec"
    )
    jobid = scheduled_jobid(result)
    finished = scrapyd.wait(jobid, "finished")
    assert scrapyd.get(finished["log_url"].lstrip("/")) == b""

    report = schedule(scrapyd, "--status")
    assert report.returncode == 1
    lines = {line.split()[0]: line for line in report.stdout.splitlines()}
    assert lines["models"].split()[:4] == ["models", "failed", "job", jobid]
    assert "the job left no log or an empty one: it died before Scrapy started" in lines["models"]
    assert lines["datasets"].split()[:2] == ["datasets", "none"]

    # Without any log file (a job that never got as far as opening it), the verdict is the same.
    (scrapyd.home / finished["log_url"].lstrip("/")).unlink()
    assert scrapyd.wait(jobid, "finished")["log_url"] is None
    report = schedule(scrapyd, "--status", "models")
    assert report.returncode == 1
    assert report.stdout.split()[:2] == ["models", "failed"]
    assert "the job left no log or an empty one" in report.stdout


def test_scheduling_refuses_a_token_and_reports_scrapyd_errors(scrapyd: Scrapyd) -> None:
    token = schedule(scrapyd, "models", "--setting", "HF_TOKEN=hf_secret")
    assert token.returncode == 2
    assert "refusing --setting HF_TOKEN" in token.stderr
    assert not [job for state in ("pending", "running") for job in scrapyd.jobs()[state]]

    unknown = schedule(scrapyd, "models", "nosuchspider")
    assert unknown.returncode == 1
    assert "no spider nosuchspider in project 'hfcrawler'" in unknown.stderr

    # Scrapyd answers an unknown project with HTTP 200 and "status": "error".
    project = schedule(scrapyd, "--status", "--project", "elsewhere")
    assert project.returncode == 1
    assert "answered with an error: project 'elsewhere' not found" in project.stderr

    wrong = subprocess.run(
        [sys.executable, "-m", "scheduler", "--status"],
        cwd=ROOT,
        env={**scrapyd.env(), "SCRAPYD_PASSWORD": "wrong"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert wrong.returncode == 1
    assert "refused the credentials (HTTP 401)" in wrong.stderr


def test_a_hub_error_that_forges_a_published_verdict_is_reported_failed(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    body = json.dumps({"error": HOSTILE_ERROR}).encode()
    with ScriptedServer(lambda _: Answer(400, body)) as hub:
        result = schedule(
            scrapyd, "models", "--data", str(tmp_path), "--setting", f"HUB_ENDPOINT={hub.url}"
        )
        jobid = scheduled_jobid(result)
        finished = scrapyd.wait(jobid, "finished")
    log = scrapyd.get(finished["log_url"].lstrip("/")).decode()
    assert f"Bad request\\u000a{FORGED_TIME}" in log
    assert not [line for line in log.splitlines() if line.lstrip().startswith(FORGED_TIME)]

    report = schedule(scrapyd, "--status", "models")
    assert report.returncode == 1
    (line,) = report.stdout.splitlines()
    assert line.split()[:4] == ["models", "failed", "job", jobid]
    assert "failed: HTTP 400: Bad request\\u000a" in line
    assert line.endswith("[spider closed: hub_failed]")


def slow_listing(server: Scrapyd, delay: float) -> ScriptedServer:
    """A proxy to ``server`` whose listjobs.json answers take ``delay`` seconds, as a remote
    Scrapyd's may: the window in which two schedule commands could both find no live job."""
    token = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()

    def forward(request: Received) -> Answer:
        if request.path.startswith("/listjobs.json"):
            time.sleep(delay)
        data = request.body if request.method == "POST" else None
        upstream = urllib.request.Request(
            f"{server.url}{request.path}", data=data, headers={"Authorization": f"Basic {token}"}
        )
        with urllib.request.urlopen(upstream, timeout=30) as response:
            return Answer(response.status, response.read())

    return ScriptedServer(forward)


def test_schedule_commands_started_at_once_start_one_crawl(
    scrapyd: Scrapyd, fakehub, tmp_path: Path
) -> None:
    # Three pages a second apart keep the job queued or running while the others list the jobs.
    hub = fakehub("--models", "300", "--page-cap", "100", "--latency-page", "1")
    arguments = ["models", "--data", str(tmp_path), "--setting", f"HUB_ENDPOINT={hub.url}"]
    command = [sys.executable, "-m", "scheduler", *arguments]
    with slow_listing(scrapyd, delay=1.0) as proxy:
        env = {**scrapyd.env(), "SCRAPYD_URL": proxy.url}
        racers = [
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(3)
        ]
        outputs = [(racer.wait(timeout=60), *racer.communicate(timeout=10)) for racer in racers]
    winners = [out.decode() for code, out, _ in outputs if code == 0]
    assert len(winners) == 1, outputs
    jobid = winners[0].split(" as job ")[1].split()[0]
    for code, _, err in outputs:
        if code != 0:
            assert code == 1
            assert f"refused models: job {jobid} is already " in err.decode(), err
    ids = [
        job["id"] for state in ("pending", "running", "finished") for job in scrapyd.jobs()[state]
    ]
    assert ids.count(jobid) == 1
    assert len(ids) == len(set(ids))
    scrapyd.wait(jobid, "finished")


def report_lines(result: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """The report lines of ``--wait`` or ``--status``, split in words, by spider."""
    return {
        line.split()[0]: line.split()
        for line in result.stdout.splitlines()
        if not line.startswith(("scheduled ", "cancelled "))
    }


def test_wait_reports_each_job_by_outcome_with_the_local_password_file(
    scrapyd: Scrapyd, fakehub, tmp_path: Path
) -> None:
    # Models has three pages and fails on the second; datasets has one page and publishes.
    hub = fakehub(
        "--models", "300", "--datasets", "50", "--page-cap", "100", "--fault", "error@2x*"
    )
    settings = [f"HUB_ENDPOINT={hub.url}", *FAST_FAILURE]
    arguments = ["models", "datasets", "--wait", "--timeout", "60", "--data", str(tmp_path)]
    arguments += [arg for setting in settings for arg in ("--setting", setting)]
    # As in a fresh shell after `make scrapyd`: no SCRAPYD_URL and no password in the environment.
    result = schedule(scrapyd, *arguments, env=scrapyd.local_env())
    assert result.returncode == 1, result.stdout + result.stderr
    assert scrapyd.password not in result.stdout + result.stderr
    scheduled = [line.split()[4] for line in result.stdout.splitlines() if "as job" in line]
    assert len(scheduled) == 2
    lines = report_lines(result)
    assert lines["datasets"][:4] == ["datasets", "published", "job", scheduled[1]]
    assert lines["models"][:4] == ["models", "failed", "job", scheduled[0]]
    assert "page 2 (" in " ".join(lines["models"])
    finished = {job["id"]: job for job in scrapyd.jobs()["finished"]}
    assert set(scheduled) <= finished.keys()
    (partition,) = (tmp_path / "snapshots" / "datasets").glob("date=*")
    assert json.loads((partition / "manifest.json").read_text())["status"] == "complete"


def test_a_crawl_of_an_unreachable_hub_is_left_running_by_wait_and_stopped_by_cancel(
    scrapyd: Scrapyd, tmp_path: Path
) -> None:
    # Without HUB_ENDPOINT the jobs go to the fixture's unreachable Hub and retry with backoff for
    # many minutes, as a first schedule against the real Hub does on a machine without network.
    arguments = ["--data", str(tmp_path)]
    waited = schedule(scrapyd, "models", "--wait", "--timeout", "2", *arguments)
    assert waited.returncode == 3, waited.stdout + waited.stderr
    jobid = waited.stdout.split(" as job ")[1].split()[0]
    words = report_lines(waited)["models"]
    assert words[1] in {"pending", "running"}
    assert " ".join(words).endswith("left to run (--cancel stops it)")
    scrapyd.wait(jobid, "running")
    assert "is already running" in schedule(scrapyd, "models", *arguments).stderr
    # --status reports it running: fine without --wait, out of time with it.
    assert schedule(scrapyd, "--status", "models").returncode == 0
    followed = schedule(scrapyd, "--status", "models", "--wait", "--timeout", "1")
    assert followed.returncode == 3
    assert report_lines(followed)["models"][:4] == ["models", "running", "job", jobid]

    started = time.monotonic()
    cancelled = schedule(scrapyd, "--cancel", "models", "spaces")
    assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
    assert cancelled.stdout.splitlines() == [
        "spaces: no pending or running job to cancel",
        f"cancelled job {jobid} of models (was running; it has ended)",
    ]
    assert time.monotonic() - started < 30
    assert scrapyd.wait(jobid, "finished")
    status = schedule(scrapyd, "--status", "models")
    assert status.returncode == 1
    assert report_lines(status)["models"][:4] == ["models", "failed", "job", jobid]
    assert status.stdout.rstrip().endswith("[spider closed: shutdown]")

    # The next schedule is accepted, and a pending or running job is cancelled alike.
    rerun = scheduled_jobid(schedule(scrapyd, "models", *arguments))
    assert rerun != jobid
    cancelled = schedule(scrapyd, "--cancel", "models")
    assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
    assert cancelled.stdout.startswith(f"cancelled job {rerun} of models (was ")
    assert not [job for state in ("pending", "running") for job in scrapyd.jobs()[state]]


def test_the_daily_pipeline_run_a_day_apart_adds_a_day_of_each_type_and_a_report(
    scrapyd: Scrapyd, fakehub, tmp_path: Path
) -> None:
    sizes = {"models": 300, "datasets": 100, "spaces": 100}
    hub = fakehub("--seed", "8", *(f"--{kind}={count}" for kind, count in sizes.items()))
    truth = SyntheticHub(seed=8, **sizes)
    data, reports = tmp_path / "data", tmp_path / "reports"
    days = ["2026-11-28", "2026-11-29"]
    # The first day in this host's processes, the next through Scrapyd: the same layout results.
    for day, mode in zip(days, ([], ["--scrapyd"]), strict=True):
        if day != days[0]:
            with urllib.request.urlopen(
                urllib.request.Request(f"{hub.url}/_fakehub/advance?days=1", method="POST"),
                timeout=30,
            ):
                truth.advance(1)
        result = daily(
            *mode,
            "--data",
            str(data),
            "--out",
            str(reports),
            "--setting",
            f"HUB_ENDPOINT={hub.url}",
            "--setting",
            f"SNAPSHOT_DATE={day}",
            env=scrapyd.local_env(),
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert result.stdout.splitlines()[-1] == (
            "daily: every step done: listings, authors, analysis"
        )
        crawled_by = "python -m scheduler" if mode else "python -m scrapy crawl"
        assert f"daily: listings: {crawled_by} models datasets spaces " in result.stdout
        for kind in sizes:
            partition = data / "snapshots" / kind / f"date={day}"
            ids = sorted(record["id"] for record in read_partition(partition))
            assert ids == sorted(record["id"] for record in truth.records(kind)), (kind, day)
    assert scrapyd.password not in result.stdout + result.stderr
    for kind in [*sizes, "authors"]:
        published = sorted(path.name for path in (data / "snapshots" / kind).glob("date=*"))
        assert published == [f"date={day}" for day in days], kind
    summary = json.loads((reports / days[1] / "summary.json").read_text())
    assert summary["history"]["snapshots"] == days
    assert (reports / days[1] / "index.html").stat().st_size > 0
