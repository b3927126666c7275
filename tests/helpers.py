"""Helpers the tests share (fixtures are in conftest.py):

- records and partitions written as the crawler publishes them, and read back: `model_record`,
  `dataset_record`, `space_record`, `write_partition`, `read_partition`, `partitions`,
  `attempt_state`, `tree_digest`;
- `python -m analysis` and `scrapy crawl` run as a user runs them: `run_analysis`, `crawl`;
- the README's code as it prints it: `readme_snippet`;
- components on Scrapy's `get_crawler`, deciding without waiting: `project_crawler`, `run_now`,
  `Sleeps`;
- a small hostile HTTP server answering as the test says: `ScriptedServer`.

Paths and manifest entries come from the data layout's own module (hfcrawler.layout), so the
tests write exactly what the crawler and the analysis read.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from scrapy.utils.test import get_crawler

from hfcrawler import settings as project_settings
from hfcrawler.layout import (
    PARTITION_PREFIX,
    REJECTED,
    STATE,
    DataLayout,
    part_entry,
    part_name,
    read_records,
    write_manifest,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from fakehub.process import FakeHubProcess

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def model_record(model_id: str, **fields: Any) -> dict[str, Any]:
    """A model record with every field the crawler publishes; `fields` replace the defaults."""
    return {
        "_id": hashlib.sha1(model_id.encode(), usedforsecurity=False).hexdigest()[:24],
        "id": model_id,
        "author": model_id.split("/", maxsplit=1)[0] if "/" in model_id else None,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "lastModified": "2025-01-01T00:00:00.000Z",
        "downloads": 0,
        "downloadsAllTime": 0,
        "likes": 0,
        "trendingScore": 0,
        "pipeline_tag": None,
        "library_name": None,
        "tags": [],
        "private": False,
        "gated": False,
        "disabled": False,
        "sha": "0" * 40,
        "repoType": "model",
        **fields,
    }


def dataset_record(dataset_id: str, **fields: Any) -> dict[str, Any]:
    """A dataset record with every field the crawler publishes; `fields` replace the defaults."""
    record = model_record(dataset_id, repoType="dataset", **fields)
    del record["pipeline_tag"], record["library_name"]
    return record


def space_record(space_id: str, **fields: Any) -> dict[str, Any]:
    """A Space record with every field the crawler publishes (no downloads, no gated: the Hub
    keeps none for Spaces); `fields` replace the defaults."""
    runtime = {"stage": "SLEEPING", "hardware": {"current": None, "requested": "cpu-basic"}}
    record = model_record(
        space_id, repoType="space", sdk="gradio", runtime=runtime, models=[], datasets=[]
    )
    for absent in ("downloads", "downloadsAllTime", "gated", "pipeline_tag", "library_name"):
        del record[absent]
    return record | fields


def gzip_members(records: list[dict[str, Any]], page: int | None = None) -> list[bytes]:
    """`records` as JSON Lines in gzip members of `page` records each (all in one if None), the
    way the crawler writes one member per listing page."""
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    size = page or max(1, len(lines))
    return [
        gzip.compress("".join(lines[start : start + size]).encode(), mtime=0)
        for start in range(0, max(1, len(lines)), size)
    ]


def write_partition(
    data: Path,
    repo_type: str,
    day: str,
    records: list[dict[str, Any]],
    status: str = "complete",
    *,
    page: int | None = None,
    **fields: Any,
) -> Path:
    """Write `records` as the partition of `repo_type` dated `day`: one part of gzip members of
    `page` records, an empty rejected file, and a manifest with each file's record count and
    sha256; `fields` replace the manifest's own. Returns the partition's directory."""
    partition = DataLayout(data).partition(repo_type, day)
    partition.mkdir(parents=True, exist_ok=True)
    part = partition / part_name(0)
    members = gzip_members(records, page)
    part.write_bytes(b"".join(members))
    rejected = partition / REJECTED
    rejected.write_bytes(gzip.compress(b"", mtime=0))
    manifest = {
        "repo_type": repo_type,
        "date": day,
        "status": status,
        "reason": None,
        "crawler_version": "test",
        "endpoint": "http://127.0.0.1:1",
        "query": {"path": f"/api/{repo_type}", "params": [["sort", "createdAt"]]},
        "started_at": f"{day}T03:00:00.000Z",
        "finished_at": f"{day}T03:05:00.000Z",
        "counts": {
            "records": len(records),
            "rejected": 0,
            "duplicates": 0,
            "pages": len(members),
            "requests": len(members),
            "retries": 0,
            "http_429": 0,
        },
        "parts": [part_entry(part, len(records))],
        "rejected": part_entry(rejected, 0),
        **fields,
    }
    write_manifest(partition, manifest)
    return partition


def run_analysis(
    *arguments: str, cwd: Path, data_env: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m analysis`` as a user would, with a minimal environment."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if data_env is not None:
        env["HFCRAWLER_DATA"] = str(data_env)
    return subprocess.run(
        [sys.executable, "-m", "analysis", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def csv_rows(report: Path, name: str) -> list[dict[str, str]]:
    """The rows of one of a report's CSV tables."""
    with (report / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def summary(report: Path) -> dict[str, Any]:
    """A report's summary.json."""
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))


# Partitions and attempts as the crawler leaves them.


def read_partition(path: Path) -> list[dict[str, Any]]:
    """Every record of a published partition, in file order."""
    return list(read_records(path))


def partitions(data: Path, repo_type: str = "models") -> list[Path]:
    """The `date=` directories of `repo_type` under the data directory `data`, oldest first."""
    return sorted(DataLayout(data).snapshots(repo_type).glob(f"{PARTITION_PREFIX}*"))


def attempt_state(data: Path, repo_type: str = "models") -> dict[str, Any]:
    """The checkpoint (state.json) of the attempt of `repo_type` in progress."""
    return json.loads((DataLayout(data).attempt(repo_type) / STATE).read_text(encoding="utf-8"))


def tree_digest(path: Path) -> dict[str, str]:
    """The sha256 of every file under `path`, by relative path: equal only if nothing changed."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def listing_requests(hub: FakeHubProcess, path: str = "/api/models") -> int:
    """How many requests the emulator answered on the listing `path`."""
    return hub.stats()["by_path"].get(path, 0)


# Crawls as a user (or Scrapyd) runs them: `python -m scrapy crawl …` from the project directory,
# so each test exercises the real command, settings, exit status and files.


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child process, without any Hub settings leaking in from ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGING_FACE", "HFCRAWLER", "FAKEHUB"))
    }
    env["HF_HOME"] = str(Path(extra.pop("HF_HOME", "/nonexistent-hf-home")))
    env.update(extra)
    return env


def crawl_command(*spiders: str, settings: dict[str, object] | None = None) -> list[str]:
    """The command line of ``scrapy crawl`` with ``-s`` for each setting."""
    command = [sys.executable, "-m", "scrapy", "crawl", *spiders]
    for name, value in {"PROGRESS_INTERVAL": 5, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl(
    *spiders: str,
    endpoint: str,
    data: Path,
    settings: dict[str, object] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy crawl`` like a user would, and return its exit status and output."""
    return subprocess.run(
        crawl_command(*spiders, settings=settings),
        cwd=ROOT,
        env=base_env(HF_ENDPOINT=endpoint, HFCRAWLER_DATA=str(data), **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_crawl(
    *spiders: str, endpoint: str, data: Path, settings: dict[str, object] | None = None
) -> subprocess.Popen[str]:
    """Start ``scrapy crawl`` as `crawl` runs it, without waiting; its stderr is a pipe."""
    return subprocess.Popen(
        crawl_command(*spiders, settings=settings),
        cwd=ROOT,
        env=base_env(HF_ENDPOINT=endpoint, HFCRAWLER_DATA=str(data)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pages(
    data: Path, pages: int, process: subprocess.Popen[str], timeout: float = 30
) -> None:
    """Wait (at most `timeout` seconds) until the running crawl of models has checkpointed
    `pages` pages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the crawl ended too early"
        try:
            if attempt_state(data)["pages"] >= pages:
                return
        except (OSError, ValueError):
            pass  # not started yet, or the state is being replaced
        time.sleep(0.05)
    raise AssertionError(f"the crawl did not reach page {pages} in {timeout:.0f} s")


# Unit tests of components: a crawler with the project's settings, and a coroutine run to its
# end without a reactor (sleeps are patched out, so nothing may really wait).


def project_crawler(**overrides: Any) -> Crawler:
    """A crawler with hfcrawler's settings, some of them overridden (the reactor is the test's)."""
    settings = {
        k: v for k, v in vars(project_settings).items() if k.isupper() and k != "TWISTED_REACTOR"
    }
    return get_crawler(settings_dict={**settings, **overrides})


def run_now(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """The coroutine's result (or exception), which it must give without suspending."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the coroutine waited for something real")


class Sleeps:
    """A stand-in for ``scrapy.utils.asyncio.sleep`` that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# A small hostile HTTP server: each request is answered as the test's function says.
#
#     with ScriptedServer(lambda request: Answer(400, b'{"error": "x"}')) as server:
#         server.url, server.requests   # requests: every (method, path, body) received, in order
#
# It runs in a thread of the test process on a free loopback port, so crawls and Scrapyd jobs in
# other processes reach it like any server.


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedServer:
    def __init__(self, answer: Callable[[Received], Answer]) -> None:
        self.answer = answer
        self.requests: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply(b"")

            def do_POST(self) -> None:
                self._reply(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _reply(self, body: bytes) -> None:
                received = Received(self.command, self.path, body, dict(self.headers))
                server.requests.append(received)
                answer = server.answer(received)
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def without_own_script(page: str) -> str:
    """A report's page without its one script, after checking that it has no other and that
    its Content-Security-Policy allows exactly that one (by its sha256) and nothing else."""
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1, "the page holds one script, its own"
    assert page.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    directives = dict(part.strip().split(" ", 1) for part in policy[1].split(";"))
    assert directives == {
        "default-src": "'none'",
        "img-src": "data:",
        "style-src": "'unsafe-inline'",
        "script-src": f"'sha256-{digest}'",
    }
    return page.replace(f"<script>{scripts[0]}</script>", "")


def readme_snippet(name: str) -> str:
    """The code block that follows `<!-- snippet: NAME -->` in the README, exactly as printed."""
    text = README.read_text(encoding="utf-8")
    pattern = rf"<!-- snippet: {re.escape(name)} -->\n```\w*\n(.*?)^```$"
    found = re.findall(pattern, text, flags=re.DOTALL | re.MULTILINE)
    assert len(found) == 1, f"the README prints the snippet {name!r} {len(found)} times, not once"
    return found[0]


# A time no real log line of this test can carry.
FORGED_TIME = "2001-01-01 00:00:00"
FORGED_LINES = (
    f"{FORGED_TIME} [hfcrawler.verdict] INFO: Snapshot verdict: "
    + json.dumps({"published": True, "message": "published 1 records", "path": "/forged"}),
    f"{FORGED_TIME} [hfcrawler.extensions.snapshot] INFO: Snapshot published: published 1 records",
    f"{FORGED_TIME} [scrapy.core.engine] INFO: Spider closed (finished)",
)
# Every way a string can break a line: LF, CR LF, and the separators str.splitlines() knows.
HOSTILE_ERROR = "Bad request" + "".join(
    f"{separator}{line}"
    for separator, line in zip(("\n", "\r\n", "\u2028"), FORGED_LINES, strict=True)
)


def daily(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduler.daily", *args],
        cwd=ROOT,
        env=env or base_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
