import os
import signal
import subprocess
import sys

import pytest

from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess
from tests.helpers import ROOT

OPTIONS = (
    "--models", "--datasets", "--spaces", "--seed", "--day", "--host", "--port", "--page-cap",
    "--page-size-jitter", "--quota", "--window", "--retry-after", "--no-ratelimit-headers",
    "--latency-page", "--latency-item", "--error-rate", "--fault", "--slow-seconds", "--drift",
    "--link-host", "--lowercase-headers", "--empty-last-page", "--max-limit-with-expand",
    "--retry-after-value", "--ratelimit-reset", "--ratelimit-extra", "--hostile-url", "--endless",
    "--bomb-items", "FAKEHUB_TOKENS",
)  # fmt: skip


def run_fakehub(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fakehub", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_documents_every_option() -> None:
    result = run_fakehub("--help")
    assert result.returncode == 0
    for option in OPTIONS:
        assert option in result.stdout
    assert "--token" not in result.stdout.replace("FAKEHUB_TOKENS", "")


def test_malformed_tokens_variable_is_refused() -> None:
    result = run_fakehub("--models", "10", env={"FAKEHUB_TOKENS": "no-equals-sign"})
    assert result.returncode == 2
    assert "FAKEHUB_TOKENS" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_first_line_is_the_url_and_a_signal_stops_it_cleanly(signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "fakehub", "--port", "0", "--models", "50"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:")
    assert int(url.rsplit(":", 1)[1]) > 0
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out == ""
    assert "Traceback" not in err


def test_advance_and_day_option_follow_the_python_history() -> None:
    expected = SyntheticHub(seed=6, models=800, day=2)
    newest = [record["id"] for record in expected.records("models")][::-1][:20]
    with FakeHubProcess(["--seed", "6", "--models", "800", "--day", "2"]) as server:
        served = server.get("/api/models?sort=createdAt&limit=20").json()
        assert [item["id"] for item in served] == newest
    with FakeHubProcess(["--seed", "6", "--models", "800"]) as server:
        before = server.get("/api/models?sort=createdAt&limit=20").json()
        assert server.post("/_fakehub/advance?days=2").json() == {"day": 2}
        after = server.get("/api/models?sort=createdAt&limit=20").json()
        assert [item["id"] for item in after] == newest
        assert after != before
        assert server.post("/_fakehub/advance?days=x").status == 400


def test_reset_stats_starts_counting_again() -> None:
    with FakeHubProcess(["--models", "50"]) as server:
        server.get("/api/models")
        server.get("/api/models")
        assert server.get("/_fakehub/stats").json()["requests"] == 2
        server.post("/_fakehub/reset-stats")
        stats = server.get("/_fakehub/stats").json()
        assert stats["requests"] == 0
        assert stats["by_path"] == {}
