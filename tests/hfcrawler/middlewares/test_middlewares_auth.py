"""The token: sent to the Hub's origin only, and never written or printed anywhere."""

import re

import pytest
from scrapy import Request

from fakehub.hub import SyntheticHub
from hfcrawler.middlewares.auth import HubAuthMiddleware, OffOriginError
from tests.helpers import crawl, partitions, read_partition

TOKEN = "hf_TestSecret0123456789abcdef"  # noqa: S105 (a test token for the emulator)


def test_the_token_shows_the_owners_private_models_and_nothing_else_shows_the_token(
    fakehub, tmp_path
):
    owner = SyntheticHub(seed=3, models=2000).owners_with_private("models")[0]
    hub = fakehub(
        "--models",
        "2000",
        "--seed",
        "3",
        "--page-cap",
        "800",
        tokens={owner: TOKEN},
    )
    home = tmp_path / "home"
    result = crawl(
        "models",
        endpoint=hub.url,
        data=tmp_path / "data",
        env={"HF_TOKEN": TOKEN, "HOME": str(home)},
        settings={"LOG_LEVEL": "DEBUG"},
    )
    assert result.returncode == 0, result.stderr[-2000:]

    (partition,) = partitions(tmp_path / "data")
    ids = {r["id"] for r in read_partition(partition)}
    expected = {
        r["id"] for r in SyntheticHub(seed=3, models=2000).records("models", token_owner=owner)
    }
    assert ids == expected
    private = [r for r in read_partition(partition) if r["private"]]
    assert private
    assert {r["author"] for r in private} == {owner}

    assert TOKEN not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert hub.stats()["auth_by_host"]


def test_a_wrong_token_fails_the_crawl(fakehub, tmp_path):
    hub = fakehub("--models", "100", tokens={"someone": TOKEN})
    result = crawl("models", endpoint=hub.url, data=tmp_path, env={"HF_TOKEN": "hf_wrong"})
    assert result.returncode == 1
    assert "FAILED, page 1" in result.stderr
    assert "HTTP 401" in result.stderr
    assert not partitions(tmp_path)


def test_a_link_to_another_host_is_not_followed_and_gets_no_token(fakehub, tmp_path):
    # The emulator writes its Link URLs with "localhost": the same server under another host name.
    hub = fakehub(
        "--models",
        "1500",
        "--page-cap",
        "500",
        "--link-host",
        "localhost",
        tokens={"open-lab": TOKEN},
    )
    result = crawl("models", endpoint=hub.url, data=tmp_path, env={"HF_TOKEN": TOKEN})
    assert result.returncode == 1
    port = hub.url.rsplit(":", 1)[1]
    assert f"page 1 links to http://localhost:{port}/api/models?…&cursor=" in result.stderr
    assert f"off the Hub's origin {hub.url}: not followed" in result.stderr
    stats = hub.stats()
    assert stats["requests_by_host"] == {f"127.0.0.1:{port}": 1}
    assert stats["auth_by_host"] == {f"127.0.0.1:{port}": 1}
    assert not partitions(tmp_path)


@pytest.mark.parametrize(
    ("url", "meta", "message"),
    [
        (
            "http://localhost:8000/api/models?cursor=abc",
            {"redirect_urls": ["http://127.0.0.1:8000/api/models?limit=1"]},
            "redirected from http://127.0.0.1:8000/api/models?… to http://localhost:8000/api/",
        ),
        ("https://127.0.0.1:8000/api/models", {}, "a request to https://127.0.0.1:8000/api/models"),
        ("http://127.0.0.1:8001/api/models", {}, "a request to http://127.0.0.1:8001/api/models"),
        ("file:///etc/passwd", {}, "a request to file:///etc/passwd, off the Hub's origin"),
    ],
)
def test_requests_off_the_origin_are_refused_without_the_token(url, meta, message):
    auth = HubAuthMiddleware("http://127.0.0.1:8000", TOKEN)
    request = Request(url, meta=meta)
    with pytest.raises(OffOriginError, match=re.escape(message)):
        auth.process_request(request)
    assert b"Authorization" not in request.headers
    same = Request("http://127.0.0.1:8000/api/models?cursor=abc")
    auth.process_request(same)
    assert same.headers[b"Authorization"] == f"Bearer {TOKEN}".encode()
