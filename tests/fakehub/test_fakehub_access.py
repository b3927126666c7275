import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess

ARGS = ["--seed", "2", "--models", "2000", "--datasets", "100"]
RATE_LIMIT = re.compile(r'"api";r=(\d+);t=(\d+)')


@pytest.fixture(scope="module")
def hub() -> SyntheticHub:
    return SyntheticHub(seed=2, models=2000, datasets=100)


@pytest.fixture(scope="module")
def owner(hub: SyntheticHub) -> str:
    return hub.owners_with_private("models")[0]


@pytest.fixture(scope="module")
def server(owner: str) -> Iterator[FakeHubProcess]:
    tokens = {owner: "hf_owner_token", "bystander": "hf_bystander_token"}
    with FakeHubProcess([*ARGS, "--link-host", "localhost"], tokens=tokens) as process:
        yield process


def ids_seen(server: FakeHubProcess, headers: dict[str, str] | None = None) -> set[str]:
    pages = list(server.walk("/api/models?sort=createdAt&expand=private", headers))
    return {item["id"] for page in pages for item in page.json()}


def test_private_repos_only_for_their_owner(
    server: FakeHubProcess, hub: SyntheticHub, owner: str
) -> None:
    public = {record["id"] for record in hub.records("models")}
    private = {r["id"] for r in hub.records("models", token_owner=owner) if r["private"]}
    assert private
    assert ids_seen(server) == public
    assert ids_seen(server, {"Authorization": "Bearer hf_owner_token"}) == public | private
    assert ids_seen(server, {"Authorization": "Bearer hf_bystander_token"}) == public


@pytest.mark.parametrize(
    "path", ["/api/models", "/api/datasets", "/api/users/x/overview", "/api/nowhere"]
)
def test_an_unknown_token_gets_401_everywhere(server: FakeHubProcess, path: str) -> None:
    reply = server.get(path, {"Authorization": "Bearer hf_wrong"})
    assert reply.status == 401
    assert "error" in reply.json()
    assert RATE_LIMIT.fullmatch(reply.headers["RateLimit"])


def test_link_host_and_token_accounting_by_host(server: FakeHubProcess) -> None:
    server.post("/_fakehub/reset-stats")
    first = server.get("/api/models?limit=10", {"Authorization": "Bearer hf_owner_token"})
    link = first.next_link()
    assert urlsplit(link).hostname == "localhost"
    assert urlsplit(link).port == urlsplit(server.url).port
    second = server.get(link)
    assert second.status == 200
    stats = server.get("/_fakehub/stats").json()
    host = urlsplit(server.url).netloc
    assert stats["auth_by_host"] == {host: 1}
    assert stats["requests_by_host"] == {host: 1, f"localhost:{urlsplit(link).port}": 1}
    assert stats["requests"] == 2
    assert stats["pages_served"] == 2
    assert stats["items_served"] == 20
    assert "hf_owner_token" not in str(stats)


def test_overviews_answer_for_the_right_kind_only(
    server: FakeHubProcess, hub: SyntheticHub
) -> None:
    org = hub.authors.name(0)
    user = next(hub.authors.name(r) for r in range(100) if hub.authors.kind(r) == "user")
    assert server.get(f"/api/organizations/{org}/overview").json() == hub.profile(org)
    assert server.get(f"/api/users/{user}/overview").json() == hub.profile(user)
    assert server.get(f"/api/users/{org}/overview").status == 404
    assert server.get(f"/api/organizations/{user}/overview").status == 404
    missing = server.get("/api/users/nobody-here/overview")
    assert missing.status == 404
    assert "error" in missing.json()


def test_quota_runs_out_with_429_and_headers_on_every_response() -> None:
    with FakeHubProcess([*ARGS, "--quota", "4", "--window", "300", "--retry-after"]) as server:
        replies = [
            server.get("/api/models?limit=5"),
            server.get("/api/models?sort=nonsense"),
            server.get("/api/users/open-lab/overview"),
            server.get("/api/organizations/open-lab/overview"),
            server.get("/_fakehub/stats"),
            server.get("/api/models?limit=5"),
            server.get("/api/organizations/open-lab/overview"),
        ]
        assert [reply.status for reply in replies] == [200, 400, 404, 200, 200, 429, 429]
        metered = replies[:4] + replies[5:]
        remaining = [int(RATE_LIMIT.fullmatch(r.headers["RateLimit"])[1]) for r in metered]
        assert remaining == [3, 2, 1, 0, 0, 0]
        assert replies[5].headers["RateLimit-Policy"] == '"fixed window";"api";q=4;w=300'
        assert "error" in replies[5].json()
        assert 0 < int(replies[5].headers["Retry-After"]) <= 300
        assert "RateLimit" not in replies[4].headers
        by_status = server.get("/_fakehub/stats").json()["by_status"]
        assert by_status == {"200": 2, "400": 1, "404": 1, "429": 2}


def test_the_window_resets() -> None:
    with FakeHubProcess([*ARGS, "--quota", "2", "--window", "1"]) as server:
        replies = [server.get("/api/models?limit=1") for _ in range(6)]
        statuses = [reply.status for reply in replies]
        # Six quick requests span at most two windows of two requests each.
        assert statuses[:2] == [200, 200]
        assert statuses.count(429) >= 2
        refused = replies[statuses.index(429)]
        assert "Retry-After" not in refused.headers
        remaining, reset = RATE_LIMIT.fullmatch(refused.headers["RateLimit"]).groups()
        assert (remaining, reset) == ("0", "1")
        time.sleep(int(reset) + 0.05)
        assert server.get("/api/models?limit=1").status == 200


def test_ratelimit_headers_can_be_left_out() -> None:
    with FakeHubProcess([*ARGS, "--quota", "1", "--no-ratelimit-headers", "--retry-after"]) as hub:
        assert "RateLimit" not in hub.get("/api/models?limit=1").headers
        refused = hub.get("/api/models?limit=1")
        assert refused.status == 429
        assert "RateLimit" not in refused.headers
        assert "RateLimit-Policy" not in refused.headers
        assert int(refused.headers["Retry-After"]) > 0


def test_unlimited_quota_still_advertises_headers(server: FakeHubProcess) -> None:
    reply = server.get("/api/models?limit=1")
    assert reply.headers["RateLimit-Policy"] == '"fixed window";"api";q=100000;w=300'
    assert int(RATE_LIMIT.fullmatch(reply.headers["RateLimit"])[1]) > 90_000
