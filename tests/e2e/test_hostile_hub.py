"""A broken or hostile Hub cannot make a crawl storm, hang, leave the Hub, blow up or lose records.

Each test drives the real crawl over HTTP against fakehub's hostile faults (or a small hostile
server), and checks what a user would: the published records against the truth, the exit status,
the message, and the bound (requests, time, memory) that was kept.
"""

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from tests.helpers import (
    ROOT,
    Answer,
    ScriptedServer,
    attempt_state,
    base_env,
    crawl,
    partitions,
    read_partition,
)

FAST = {"HUB_BACKOFF_BASE": 0.05, "HUB_BACKOFF_MAX": 1.0, "HUB_RETRY_MAX_WAIT": 20}
MODELS = ["--models", "600", "--seed", "7", "--page-cap", "100"]
PAST = "Wed, 21 Oct 2015 07:28:00 GMT"


def truth_ids(models=600, seed=7):
    return {r["id"] for r in SyntheticHub(seed=seed, models=models).records("models")}


def failure_line(result):
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("hfcrawler: models: FAILED")]
    return line


def attempt_cursor(data):
    return attempt_state(data)["cursor"]


# Retry storms and unbounded waits.


@pytest.mark.parametrize("value", ["0", PAST])
def test_429s_asking_for_no_wait_get_the_backoff_and_the_crawl_completes(fakehub, tmp_path, value):
    hub = fakehub(
        *MODELS, "--quota", "3", "--window", "2", "--no-ratelimit-headers",
        "--retry-after-value", value,
    )  # fmt: skip
    started = time.monotonic()
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert time.monotonic() - started < 30
    (partition,) = partitions(tmp_path)
    assert {r["id"] for r in read_partition(partition)} == truth_ids()
    # Before: 39,000-43,000 requests in 45 s. Now each 429 waits at least the growing backoff.
    stats = hub.stats()
    assert stats["by_status"]["429"] == read_manifest(partition)["counts"]["http_429"]
    assert stats["requests"] < 60, stats


@pytest.mark.parametrize("value", ["0", PAST])
def test_429s_without_end_give_up_after_their_own_bound(fakehub, tmp_path, value):
    hub = fakehub(
        *MODELS, "--quota", "2", "--window", "300", "--no-ratelimit-headers",
        "--retry-after-value", value,
    )  # fmt: skip
    result = crawl(
        "models", endpoint=hub.url, data=tmp_path, settings={**FAST, "HUB_RETRY_429_TIMES": 4}
    )
    assert result.returncode == 1
    assert "page 3 (" in failure_line(result)
    assert "rate limited (429) 5 times, more than HUB_RETRY_429_TIMES (4)" in failure_line(result)
    assert hub.stats()["requests"] == 2 + 5  # two pages, then one try and four retries
    assert not partitions(tmp_path)


@pytest.mark.parametrize("reset", ["1e9", "inf", "nan"])
def test_absurd_ratelimit_resets_neither_hang_nor_break_the_crawl(fakehub, tmp_path, reset):
    hub = fakehub(*MODELS, "--quota", "4", "--window", "2", "--ratelimit-reset", reset)
    started = time.monotonic()
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    # 1e9 is cut to the 2-second window; inf and nan are unreadable, so 429s are backed off.
    assert time.monotonic() - started < 30
    (partition,) = partitions(tmp_path)
    assert {r["id"] for r in read_partition(partition)} == truth_ids()
    assert hub.stats()["requests"] < 60


def test_a_429_with_requests_left_is_backed_off_not_waited_for_the_window(fakehub, tmp_path):
    # The Hub's 300-second window: waiting for its reset (t) four times would pass the bound.
    hub = fakehub(*MODELS, "--fault", "throttle@2x4")
    started = time.monotonic()
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert time.monotonic() - started < 15
    (partition,) = partitions(tmp_path)
    assert {r["id"] for r in read_partition(partition)} == truth_ids()
    counts = read_manifest(partition)["counts"]
    assert (counts["http_429"], counts["retries"]) == (4, 0)


def test_a_ratelimit_header_with_several_buckets_is_read_by_its_api_entry(fakehub, tmp_path):
    # Read as the last entry, "default";r=50 would say there is room: a burst into 429s that
    # each wait the 30 s it names.
    hub = fakehub(
        "--models", "2000", "--seed", "7", "--page-cap", "100", "--quota", "10", "--window", "1",
        "--ratelimit-extra", '"default";r=50;t=30',
    )  # fmt: skip
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 0, result.stderr[-3000:]
    (partition,) = partitions(tmp_path)
    assert {r["id"] for r in read_partition(partition)} == truth_ids(models=2000)
    counts = read_manifest(partition)["counts"]
    assert counts["http_429"] <= 0.02 * counts["requests"]


# Links and redirects stay on the endpoint's origin.


@pytest.fixture
def other_hub(fakehub):
    """Another server with other records, on another port of the same host."""
    return fakehub("--models", "50", "--seed", "99")


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        'data:application/json,[{"id":"evil/model"}]',
        "javascript:alert(1)",
        "http://localhost:{port}{path}",
        "{other}{path}",
    ],
)
def test_a_link_off_the_origin_fails_the_crawl_and_is_never_the_cursor(
    fakehub, other_hub, tmp_path, target
):
    url = target.replace("{other}", other_hub.url)
    hub = fakehub(*MODELS, "--fault", "link@2", "--hostile-url", url)
    port = hub.url.rsplit(":", 1)[1]
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert result.returncode == 1
    line = failure_line(result)
    assert "page 2 links to " in line
    assert f"off the Hub's origin {hub.url}: not followed" in line
    assert len(line) < 400
    assert not partitions(tmp_path)
    assert other_hub.stats()["requests"] == 0
    assert set(hub.stats()["requests_by_host"]) == {f"127.0.0.1:{port}"}
    # The cursor kept is page 2's own URL, so a rerun (the fault fired once) resumes and is exact.
    assert attempt_cursor(tmp_path).startswith(f"{hub.url}/api/models?")


def test_a_rerun_after_a_javascript_link_resumes_to_an_exact_partition(fakehub, tmp_path):
    # Stored as the cursor, such a link failed every rerun with "closed (start_error)".
    hub = fakehub(*MODELS, "--fault", "link@3", "--hostile-url", "javascript:alert(1)")
    assert crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST).returncode == 1
    rerun = crawl("models", endpoint=hub.url, data=tmp_path, settings=FAST)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    (partition,) = partitions(tmp_path)
    assert {r["id"] for r in read_partition(partition)} == truth_ids()
    assert read_manifest(partition)["resumed"] == 1


def test_a_redirect_off_the_origin_fails_the_crawl_and_gets_no_token(fakehub, other_hub, tmp_path):
    token = "hf_RedirectTest0123456789"  # noqa: S105 (a test token for the emulator)
    hub = fakehub(
        *MODELS, "--fault", "redirect@2", "--hostile-url", f"{other_hub.url}{{path}}",
        tokens={"someone": token},
    )  # fmt: skip
    result = crawl(
        "models", endpoint=hub.url, data=tmp_path, settings=FAST, env={"HF_TOKEN": token}
    )
    assert result.returncode == 1
    line = failure_line(result)
    assert f"redirected from {hub.url}/api/models?…&cursor=" in line
    assert f"to {other_hub.url}/api/models?…&cursor=" in line
    assert "off the Hub's origin" in line
    assert other_hub.stats()["requests"] == 0
    assert not partitions(tmp_path)
    assert attempt_cursor(tmp_path).startswith(f"{hub.url}/api/models?")


def test_an_endless_listing_stops_at_the_page_cap(fakehub, tmp_path):
    hub = fakehub(*MODELS, "--endless")
    result = crawl(
        "models", endpoint=hub.url, data=tmp_path, settings={**FAST, "HUB_MAX_PAGES": 20}
    )
    assert result.returncode == 1
    assert "the listing goes on past page 20" in failure_line(result)
    assert "HUB_MAX_PAGES = 20" in failure_line(result)
    assert hub.stats()["requests"] == 20
    assert not partitions(tmp_path)


def test_the_page_cap_follows_the_last_complete_snapshot(fakehub, tmp_path):
    hub = fakehub(*MODELS)
    first = crawl(
        "models", endpoint=hub.url, data=tmp_path, settings={"SNAPSHOT_DATE": "2026-01-01"}
    )
    assert first.returncode == 0, first.stderr[-3000:]
    (previous,) = partitions(tmp_path)
    pages = read_manifest(previous)["counts"]["pages"]
    before = read_partition(previous)

    endless = fakehub(*MODELS, "--endless")
    settings = {**FAST, "SNAPSHOT_DATE": "2026-01-02", "HUB_MAX_PAGES_SLACK": 2}
    result = crawl("models", endpoint=endless.url, data=tmp_path, settings=settings)
    assert result.returncode == 1
    cap = 3 * pages + 2
    assert f"past page {cap}" in failure_line(result)
    assert f"{pages} pages of the 2026-01-01 snapshot" in failure_line(result)
    assert endless.stats()["requests"] == cap
    assert partitions(tmp_path) == [previous]
    assert read_partition(previous) == before


# Memory: bodies built to exhaust it.


def peak_rss_mb(pid):
    """The process's peak resident memory so far (VmHWM), in MB; None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def crawl_with_peak_rss(endpoint, data, settings, timeout=120):
    """Run a crawl like helpers.crawl; return its exit status, stderr and peak RSS in MB.

    The peak is sampled from /proc while it runs: a child's ru_maxrss would start from this
    process's own high-water mark.
    """
    command = [sys.executable, "-m", "scrapy", "crawl", "models"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    data.mkdir(parents=True, exist_ok=True)
    log = data / "crawl.log"
    peak = 0.0
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=base_env(HF_ENDPOINT=endpoint, HFCRAWLER_DATA=str(data)),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            peak = max(peak, peak_rss_mb(process.pid) or 0.0)
            time.sleep(0.02)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
    return process.returncode, log.read_text(), peak


def test_a_gzip_bomb_of_empty_objects_fails_fast_in_bounded_memory(fakehub, tmp_path):
    # 29 KB on the wire, 30 MB inflated, ten million objects: 2.8 GB once parsed and built.
    hub = fakehub(*MODELS, "--fault", "bomb@2")
    started = time.monotonic()
    status, stderr, peak_mb = crawl_with_peak_rss(hub.url, tmp_path / "data", FAST)
    elapsed = time.monotonic() - started
    assert status == 1
    (line,) = [x for x in stderr.splitlines() if x.startswith("hfcrawler: models: FAILED")]
    assert "page 2 (" in line
    assert "with up to 20,000,001 JSON values, more than 1,000 items" in line
    assert "refused before parsing" in line
    assert elapsed < 30
    print(f"bomb: failed in {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 300, peak_mb
    assert not partitions(tmp_path / "data")


def test_a_body_past_download_maxsize_fails_with_a_short_message(fakehub, tmp_path):
    hub = fakehub(*MODELS, "--fault", "bomb@1")
    settings = {**FAST, "DOWNLOAD_MAXSIZE": 10_000_000}
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings=settings)
    assert result.returncode == 1
    line = failure_line(result)
    assert "page 1 (" in line
    assert "exceeded DOWNLOAD_MAXSIZE (10000000 B) during decompression" in line
    assert "expand=" not in line  # the 500-character URL is cut short
    assert len(line) < 500


def test_a_page_with_more_items_than_the_limit_fails_the_crawl(fakehub, tmp_path):
    hub = fakehub(*MODELS, "--fault", "overfull@2")
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 100})
    assert result.returncode == 1
    assert "200 items on a page that asked for at most 100" in failure_line(result)
    assert hub.stats()["requests"] == 2  # not retried: a server that ignores limit will again
    assert not partitions(tmp_path)


# Every record kept or rejected with its reason.


def test_records_with_lone_surrogates_are_rejected_with_the_reason(fakehub, tmp_path):
    hub = fakehub(*MODELS, "--fault", "surrogate@1")
    result = crawl("models", endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    (partition,) = partitions(tmp_path)
    published = {r["id"] for r in read_partition(partition)}
    with gzip.open(partition / "rejected.jsonl.gz", "rt", encoding="utf-8") as lines:
        rejected = [json.loads(line) for line in lines]
    reasons = sorted(json.dumps(r["reason"]) for r in rejected)
    assert reasons == [
        '{"id": "not valid Unicode (lone surrogate)"}',
        '{"tags": "not valid Unicode (lone surrogate)"}',
    ]
    # Kept exactly as the Hub sent them: the line holds the JSON escape of each lone surrogate.
    by_reason = {next(iter(r["reason"])): r["record"] for r in rejected}
    assert by_reason["id"]["id"].endswith("\udc00")
    assert "bad\ud800tag" in by_reason["tags"]["tags"]
    rejected_ids = {by_reason["id"]["id"].removesuffix("\udc00"), by_reason["tags"]["id"]}
    assert published | rejected_ids == truth_ids()
    assert not published & rejected_ids
    counts = read_manifest(partition)["counts"]
    assert (counts["records"], counts["rejected"]) == (len(truth_ids()) - 2, 2)


# Server strings in messages.


def test_a_server_error_text_cannot_start_a_log_line(tmp_path):
    # Every request gets a 403 whose error text forges a log line.
    forged = "no\n2026-01-01 [hfcrawler.extensions.publish] INFO: Snapshot published: x"
    body = json.dumps({"error": forged}).encode()
    with ScriptedServer(lambda _: Answer(403, body)) as server:
        result = crawl("models", endpoint=server.url, data=tmp_path)
    assert result.returncode == 1
    assert "HTTP 403: no\\u000a2026-01-01 [hfcrawler" in failure_line(result)
    assert not [x for x in result.stderr.splitlines() if x.startswith("2026-01-01 [hfcrawler")]
