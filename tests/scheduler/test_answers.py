"""``python -m scheduler`` against a Scrapyd that answers oddly: fields left out, long and
hostile reasons in job logs, and settings whose names only look like secrets."""

import base64
import json
import stat
import subprocess
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from scheduler import jobs, lock
from scheduler.job_settings import is_secret_setting
from scheduler.lock import schedule_lock
from scheduler.scrapyd import Scrapyd, ScrapydError
from tests.helpers import ROOT, Answer, Received, ScriptedServer, base_env

SPIDERS = ["authors", "datasets", "models", "spaces"]
LONG_URL = "https://huggingface.co/api/models?sort=createdAt" + "".join(
    f"&expand={field}" for field in ("author", "createdAt", "lastModified", "likes", "tags") * 3
)
FAILED_LOG = (
    "2026-11-29 03:00:00 [scrapy.utils.log] INFO: Scrapy 2.19.0 started (bot: hfcrawler)\n"
    "2026-11-29 03:21:07 [hfcrawler.verdict] ERROR: Snapshot verdict: "
    + json.dumps(
        {
            "published": False,
            "message": f"page 1834 ({LONG_URL}&cursor={'c' * 300}) failed: HTTP 400: "
            "Bad request\u202e\x1b[2J" + "x" * 400,
            "path": "/srv/data/snapshots/models/.attempt",
        }
    )
    + "\n2026-11-29 03:21:07 [scrapy.core.engine] INFO: Spider closed (hub_failed)\n"
)


def fake_scrapyd(jobs: dict, scheduled: dict[str, dict]):
    """Scrapyd's answers: ``jobs`` for listjobs.json, ``scheduled[spider]`` for schedule.json."""

    def answer(request: Received) -> Answer:
        path = urlsplit(request.path).path
        if path == "/listspiders.json":
            body = {"status": "ok", "spiders": SPIDERS}
        elif path == "/listjobs.json":
            body = {"status": "ok", **jobs}
        elif path == "/schedule.json":
            form = parse_qs(request.body.decode())
            body = scheduled[form["spider"][0]]
        elif path.startswith("/logs/"):
            return Answer(200, FAILED_LOG.encode(), {"Content-Type": "text/plain"})
        else:
            return Answer(404, b"{}")
        return Answer(200, json.dumps(body).encode())

    return answer


def schedule(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=ROOT,
        env=base_env(SCRAPYD_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def schedule_forms(server: ScriptedServer) -> list[dict[str, list[str]]]:
    return [parse_qs(r.body.decode()) for r in server.requests if r.path == "/schedule.json"]


def test_missing_fields_are_reported_per_spider_and_the_other_spiders_are_scheduled(tmp_path):
    today = datetime.now(UTC).date().isoformat()
    jobs = {
        "pending": [],
        # A running job of models that Scrapyd lists without its id.
        "running": [{"spider": "models", "start_time": "2026-11-29 03:00:00"}],
        "finished": [{"id": f"datasets-{today}"}, {"spider": "spaces", "start_time": "x"}],
    }
    scheduled = {
        "datasets": {"status": "ok"},  # no jobid
        "spaces": {"status": "ok", "jobid": "spaces-ok"},
    }
    with ScriptedServer(fake_scrapyd(jobs, scheduled)) as scrapyd:
        result = schedule(scrapyd.url, "models", "datasets", "spaces", "--data", str(tmp_path))
        forms = schedule_forms(scrapyd)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        (
            "scheduler: refused models: Scrapyd lists a running job of it without a job "
            "id; a second crawl of the same listing would not be started"
        ),
        (
            "scheduler: could not schedule datasets: schedule.json answered ok without "
            f"a job id for job datasets-{today}-2: check listjobs.json before scheduling it again"
        ),
    ]
    assert result.stdout == f"scheduled spaces as job spaces-ok (data: {tmp_path})\n"
    # The finished job's id is taken even without its spider's name: the rerun is numbered.
    assert [(form["spider"], form["jobid"]) for form in forms] == [
        (["datasets"], [f"datasets-{today}-2"]),
        (["spaces"], [f"spaces-{today}"]),
    ]
    # Three spiders named at once (one still running): each job keeps to a third of the quota.
    for form in forms:
        assert form["setting"] == ["HUB_QUOTA_SHARED_BY=3", f"DATA_DIR={tmp_path}"]


def test_a_live_job_without_a_spider_name_refuses_each_spider_with_the_reason(tmp_path):
    jobs = {"pending": [{"id": "mystery"}], "running": [], "finished": []}
    with ScriptedServer(fake_scrapyd(jobs, {})) as scrapyd:
        result = schedule(scrapyd.url, "models", "spaces", "--data", str(tmp_path))
        assert schedule_forms(scrapyd) == []
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"scheduler: refused {spider}: Scrapyd lists a pending job without a spider "
        f"name (job mystery), which may be a crawl of {spider}"
        for spider in ("models", "spaces")
    ]


def test_a_listjobs_answer_without_its_lists_is_an_error_for_each_spider(tmp_path):
    with ScriptedServer(fake_scrapyd({"pending": []}, {})) as scrapyd:
        result = schedule(scrapyd.url, "models", "spaces", "--data", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"scheduler: could not schedule {spider}: listjobs.json answered without its "
        "list of running jobs"
        for spider in ("models", "spaces")
    ]


def test_status_lines_are_short_single_lines_whatever_the_log_and_job_list_hold():
    jobs = {
        "pending": [],
        "running": [],
        "finished": [
            {
                "id": "models-2026-11-29",
                "spider": "models",
                "start_time": "2026-11-29 03:00:00.1",
                "log_url": "/logs/hfcrawler/models/models-2026-11-29.log",
            },
            {"spider": "datasets"},  # never started, by Scrapyd's account: not the latest
            {"id": "orphan", "start_time": "2026-11-29 03:00:00"},
        ],
    }
    with ScriptedServer(fake_scrapyd(jobs, {})) as scrapyd:
        result = schedule(scrapyd.url, "--status", "models", "datasets")
    assert result.returncode == 1
    models, datasets = result.stdout.splitlines()
    assert models.startswith("models     failed     job models-2026-11-29  page 1834 (")
    assert "(https://huggingface.co/api/models?…) failed: HTTP 400: Bad request\\u202e\\u001b" in (
        models
    )
    assert models.endswith("… [spider closed: hub_failed]")
    assert "expand=" not in models
    assert len(models) < 400
    assert models.isprintable()
    assert datasets.split()[:2] == ["datasets", "none"]
    assert result.stderr == ("scheduler: listjobs.json lists 1 job(s) without a spider name\n")


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("AUTHORS_BUDGET", False),
        ("AUTHORS_MAX_AGE_DAYS", False),
        ("HUB_ENDPOINT", False),
        ("HUB_PAGE_SIZE", False),
        ("HF_TOKEN", True),
        ("HUGGING_FACE_HUB_TOKEN", True),
        ("HUB_AUTH", True),
        ("AUTH_HEADER", True),
        ("OAUTH_CLIENT", True),
        ("SCRAPYD_PASSWORD", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AWS_SESSION_TOKEN", True),
        ("APITOKEN", True),
        ("api_key", True),
        ("GCS_CREDENTIALS", True),
    ],
)
def test_a_secret_is_a_name_component_not_a_substring(name, secret):
    assert is_secret_setting(name) is secret


def test_authors_budget_is_passed_to_the_job_and_a_hub_auth_setting_is_refused(tmp_path):
    scheduled = {"authors": {"status": "ok", "jobid": "authors-x"}}
    jobs = {"pending": [], "running": [], "finished": []}
    with ScriptedServer(fake_scrapyd(jobs, scheduled)) as scrapyd:
        accepted = schedule(
            scrapyd.url, "authors", "--data", str(tmp_path), "--setting", "AUTHORS_BUDGET=2000"
        )
        refused = schedule(scrapyd.url, "authors", "--setting", "HUB_AUTH=Bearer hf_x")
        (form,) = schedule_forms(scrapyd)
    assert accepted.returncode == 0, accepted.stderr
    assert form["setting"] == ["AUTHORS_BUDGET=2000", f"DATA_DIR={tmp_path}"]
    assert refused.returncode == 2
    assert "refusing --setting HUB_AUTH" in refused.stderr


def test_the_schedule_lock_is_waited_for_within_its_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(lock, "LOCK_WAIT", 0.0)
    scrapyd = Scrapyd("http://127.0.0.1:9", "", "", "hfcrawler")
    with schedule_lock(scrapyd):
        assert stat.S_IMODE((tmp_path / "hfcrawler").stat().st_mode) == 0o700
        held = r"another schedule command held .* for 0 s"
        with pytest.raises(ScrapydError, match=held), schedule_lock(scrapyd):
            pytest.fail("two holders of one lock")
        # Another Scrapyd or project has a lock of its own.
        with schedule_lock(Scrapyd("http://127.0.0.1:9", "", "", "elsewhere")):
            pass
    with schedule_lock(scrapyd):
        pass


def cancelling_scrapyd(signals_to_stop: dict[str, int | None], prevstate: dict[str, object]):
    """A Scrapyd whose running job ``id`` of spider ``id.split('-')[0]`` ends after
    ``signals_to_stop[id]`` cancels (None: never); cancel.json answers ``prevstate``."""
    cancels: list[str] = []

    def answer(request: Received) -> Answer:
        path = urlsplit(request.path).path
        if path == "/listspiders.json":
            body = {"status": "ok", "spiders": SPIDERS}
        elif path == "/listjobs.json":
            states = {"pending": [], "running": [], "finished": []}
            for jobid, needed in signals_to_stop.items():
                ended = needed is not None and cancels.count(jobid) >= needed
                entry = {"id": jobid, "spider": jobid.split("-")[0]}
                states["finished" if ended else "running"].append(entry)
            body = {"status": "ok", **states}
        elif path == "/cancel.json":
            jobid = parse_qs(request.body.decode())["job"][0]
            cancels.append(jobid)
            body = {"status": "ok", **prevstate}
        else:
            return Answer(404, b"{}")
        return Answer(200, json.dumps(body).encode())

    return answer, cancels


def test_a_job_that_outlives_its_cancel_is_signalled_again_within_the_bound(monkeypatch):
    monkeypatch.setattr(jobs, "CANCEL_WAIT", 0.4)
    monkeypatch.setattr(jobs, "WAIT_POLL", 0.05)
    answer, cancels = cancelling_scrapyd(
        {"models-1": 2, "spaces-1": None}, {"prevstate": "running"}
    )
    with ScriptedServer(answer) as server:
        done, problems = jobs.cancel(Scrapyd(server.url, "", "", "hfcrawler"), ["models", "spaces"])
    assert cancels == ["models-1", "spaces-1", "models-1", "spaces-1"]
    assert done == ["cancelled job models-1 of models (was running; it has ended)"]
    assert problems == ["job spaces-1 of spaces is still running 0 s after it was cancelled"]


def test_a_cancel_answer_without_the_previous_state_is_an_error():
    answer, cancels = cancelling_scrapyd({"models-1": 1}, {})
    with ScriptedServer(answer) as server:
        result = schedule(server.url, "--cancel", "models")
    assert cancels == ["models-1"]
    assert result.returncode == 1
    assert result.stderr == (
        "scheduler: cancel.json answered ok without the job's previous state for job models-1\n"
    )


def test_the_local_password_file_goes_only_to_the_local_scrapyd(tmp_path):
    (tmp_path / "password").write_text("local-secret\n")
    jobs = {"pending": [], "running": [], "finished": []}
    env = {k: v for k, v in base_env().items() if not k.startswith("SCRAPYD_")}
    with ScriptedServer(fake_scrapyd(jobs, {})) as server:
        # The local Scrapyd, as `make scrapyd` leaves it: found by its port, with its password file.
        env.update(SCRAPYD_HOME=str(tmp_path), SCRAPYD_PORT=server.url.rsplit(":", 1)[1])
        for named_by_url in (False, True):
            result = subprocess.run(
                [sys.executable, "-m", "scheduler", "--status"],
                cwd=ROOT,
                env={**env, "SCRAPYD_URL": server.url} if named_by_url else env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            assert "local-secret" not in result.stdout + result.stderr
            sent = {request.headers.get("Authorization") for request in server.requests}
            server.requests.clear()
            local = "Basic " + base64.b64encode(b"hfcrawler:local-secret").decode()
            # The same server named by SCRAPYD_URL could be any server: the file is not sent.
            assert sent == ({None} if named_by_url else {local})
