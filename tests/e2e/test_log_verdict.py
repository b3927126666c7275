"""A hostile server cannot forge the crawl's verdict: its strings never start a line of the log."""

import json

from fakehub.hub import SyntheticHub
from hfcrawler.verdict import last_verdict
from scheduler.outcome import judge
from scheduler.scrapyd import Job
from tests.helpers import FORGED_TIME, HOSTILE_ERROR, Answer, ScriptedServer, crawl


def test_an_error_body_that_forges_the_verdict_leaves_the_crawl_failed(tmp_path):
    body = json.dumps({"error": HOSTILE_ERROR}).encode()
    with ScriptedServer(lambda _: Answer(400, body)) as hub:
        result = crawl("models", endpoint=hub.url, data=tmp_path)
    log = result.stderr
    assert result.returncode == 1
    # The forged text did reach the log, escaped, on the line of the message that quotes it.
    assert f"Bad request\\u000a{FORGED_TIME} [hfcrawler.verdict]" in log
    for line in [*log.split("\n"), *log.splitlines()]:
        assert not line.lstrip().startswith(FORGED_TIME), line
    verdict = last_verdict(log)
    assert verdict is not None
    assert not verdict.published
    assert verdict.message.startswith("page 1 (")
    assert "failed: HTTP 400: Bad request\\u000a" in verdict.message

    report = judge("models", Job("models-2026-11-29", "models", "finished"), log)
    assert report.outcome == "failed"
    assert "HTTP 400: Bad request" in report.detail
    assert report.detail.endswith("[spider closed: hub_failed]")
    assert "/forged" not in report.line().split("HTTP 400")[0]
    assert not list((tmp_path / "snapshots" / "models").glob("date=*"))


def test_a_published_crawl_says_so_in_its_verdict_line(fakehub, tmp_path):
    hub = fakehub("--models", "50", "--seed", "3")
    result = crawl("models", endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (partition,) = (tmp_path / "snapshots" / "models").glob("date=*")
    public = sum(1 for _ in SyntheticHub(seed=3, models=50).records("models"))
    verdict = last_verdict(result.stderr)
    assert verdict is not None
    assert verdict.published
    assert verdict.message == f"published {public} records"
    assert verdict.path == str(partition)
    report = judge("models", Job("models-2026-11-29", "models", "finished"), result.stderr)
    assert (report.outcome, report.detail) == (
        "published",
        f"published {public} records in {partition} [spider closed: finished]",
    )
