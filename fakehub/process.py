"""Run the emulator as a subprocess, for tests, the demo and benchmarks::

    with FakeHubProcess(["--models", "500", "--quota", "50"], tokens={"alice": "hf_x"}) as hub:
        reply = hub.get("/api/models?limit=10")
        reply.status, reply.next_link(), reply.json()

The process listens on a free loopback port; its URL is read from its first stdout line. Leaving
the block sends SIGTERM and waits for the process to exit.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any

from hfcrawler.headers import next_link

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
    body: bytes
    url: str

    def json(self) -> Any:
        return json.loads(self.body)

    def next_link(self) -> str | None:
        """The URL of the `rel="next"` Link header, None on the last page: read as the crawler
        reads it (hfcrawler.headers, standard library only)."""
        values = [value.encode("latin-1") for value in self.headers.get_all("Link", [])]
        return next_link(values, self.url)


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    """One HTTP request that returns error statuses instead of raising them."""
    if not url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise ValueError("fakehub is only ever reached on loopback")
    # The scheme and host were checked just above: only http on loopback gets here.
    request = urllib.request.Request(url, headers=headers or {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return Reply(response.status, response.headers, response.read(), url)
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read(), url)


class FakeHubProcess:
    def __init__(
        self, args: list[str], tokens: dict[str, str] | None = None, stop_timeout: float = 30
    ) -> None:
        self.args = args
        self.tokens = tokens or {}
        self.stop_timeout = stop_timeout
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> "FakeHubProcess":
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")])
        )
        env["FAKEHUB_TOKENS"] = ",".join(f"{user}={token}" for user, token in self.tokens.items())
        self._process = subprocess.Popen(
            [sys.executable, "-m", "fakehub", "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        stdout = self._process.stdout
        line = stdout.readline().strip() if stdout is not None else ""
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"fakehub did not start (exit code {self._process.returncode})")
        self.url = line
        return self

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """GET a path of this server (or a full URL, such as a Link target)."""
        return fetch(path if path.startswith("http") else self.url + path, headers)

    def walk(self, path: str, headers: dict[str, str] | None = None) -> Iterator[Reply]:
        """Every page of a listing, following `Link: <…>; rel="next"` until a page has none."""
        reply = self.get(path, headers)
        yield reply
        while (target := reply.next_link()) is not None:
            reply = self.get(target, headers)
            yield reply

    def post(self, path: str) -> Reply:
        return fetch(self.url + path, method="POST")

    def stats(self) -> dict[str, Any]:
        """What the server has answered so far (its control route, outside the rate limit)."""
        return self.get("/_fakehub/stats").json()

    def stop(self) -> int:
        """Send SIGTERM, wait for the exit and return the exit code."""
        if self._process is None:
            return 0
        if self._process.poll() is None:
            self._process.terminate()
        code = self._process.wait(timeout=self.stop_timeout)
        if self._process.stdout is not None:
            self._process.stdout.close()
        return code

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
