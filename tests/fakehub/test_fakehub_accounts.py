"""The emulator's misbehaving accounts: renamed ones redirect as the Hub does, refused names get
their status (``--renamed-account``, ``--overview-status``)."""

import http.client
import subprocess
import sys
from urllib.parse import urlsplit

from fakehub.hub import SyntheticHub
from fakehub.process import FakeHubProcess
from tests.helpers import ROOT


def unfollowed(url: str, path: str) -> http.client.HTTPResponse:
    """One GET whose redirect is returned, not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_renamed_account_redirects_to_its_new_name_and_a_refused_name_gets_its_status():
    truth = SyntheticHub(seed=4, models=200)
    authors = sorted({r["author"] for r in truth.records("models") if r["author"]})
    org = next(a for a in authors if truth.author_kind(a) == "org")
    user = next(a for a in authors if truth.author_kind(a) == "user")
    arguments = ["--models", "200", "--seed", "4", "--renamed-account", f"{org}=new-org"]
    with FakeHubProcess([*arguments, "--overview-status", f"{user}=414"]) as hub:
        moved = unfollowed(hub.url, f"/api/organizations/{org}/overview")
        assert moved.status == 307
        assert moved.getheader("Location") == "/api/organizations/new-org/overview"
        assert moved.getheader("RateLimit") is not None

        followed = hub.get(f"/api/organizations/{org}/overview")
        assert followed.status == 200
        assert followed.json() == {**truth.profile(org), "name": "new-org"}
        # Only the account's own kind redirects; the new name is no user either.
        assert hub.get(f"/api/users/{org}/overview").status == 404
        assert hub.get("/api/users/new-org/overview").status == 404

        refused = hub.get(f"/api/users/{user}/overview")
        assert refused.status == 414
        assert "error" in refused.json()
        other = next(a for a in authors if a not in {org, user})
        segment = "organizations" if truth.author_kind(other) == "org" else "users"
        assert hub.get(f"/api/{segment}/{other}/overview").json() == truth.profile(other)


def test_malformed_account_options_are_refused():
    for option in ("--renamed-account=same=same", "--overview-status=x=200", "--overview-status=x"):
        result = subprocess.run(
            [sys.executable, "-m", "fakehub", "--models", "10", option],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, option
        assert "invalid" in result.stderr, result.stderr
