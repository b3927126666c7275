"""The listing spiders against the emulator: the published partition is exactly the Hub's repos."""

import json

import pytest

from fakehub.hub import SyntheticHub
from hfcrawler.layout import read_manifest
from tests.helpers import Answer, Received, ScriptedServer, crawl, partitions, read_partition

COUNTS = {"models": 2500, "datasets": 300, "spaces": 300}


def hub_args(seed=1, **counts):
    counts = {**COUNTS, **counts}
    return ["--seed", str(seed), *(f"--{k}={v}" for k, v in counts.items())]


def truth(repo_type, seed=1, token_owner=None, **counts):
    hub = SyntheticHub(seed=seed, **{**COUNTS, **counts})
    return hub.records(repo_type, token_owner=token_owner)


def published(data, repo_type):
    (partition,) = partitions(data, repo_type)
    manifest = read_manifest(partition)
    return partition, manifest, read_partition(partition)


@pytest.mark.parametrize("repo_type", ["models", "datasets", "spaces"])
def test_snapshot_is_exactly_the_public_repos(fakehub, tmp_path, repo_type):
    hub = fakehub(*hub_args(), "--page-cap", "700")
    result = crawl(repo_type, endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    _, manifest, records = published(tmp_path, repo_type)
    expected = {r["id"]: r for r in truth(repo_type)}
    got = {r["id"]: r for r in records}
    assert len(got) == len(records), "duplicate ids in the snapshot"
    assert got.keys() == expected.keys()
    for repo_id, record in got.items():
        assert record["repoType"] == repo_type.removesuffix("s")
        assert {k: record[k] for k in expected[repo_id]} == expected[repo_id], repo_id
    # Newest first: the walk follows createdAt descending with the _id tie-break.
    assert [r["createdAt"] for r in records] == sorted(
        (r["createdAt"] for r in records), reverse=True
    )

    assert manifest["status"] == "complete"
    counts = manifest["counts"]
    pages = -(-len(expected) // 700)
    assert counts == {
        "records": len(expected),
        "rejected": 0,
        "duplicates": 0,
        "pages": pages,
        "requests": pages,
        "retries": 0,
        "http_429": 0,
        "profiles_not_found": 0,
    }
    assert manifest["parts"][0]["records"] == len(expected)
    assert ["sort", "createdAt"] in manifest["query"]["params"]
    assert f"hfcrawler: {repo_type}: published {len(expected)} records" in result.stderr


def test_short_pages_and_moving_counters_still_give_the_exact_set(fakehub, tmp_path):
    # Pages of random size (never "fewer than asked means the end"), counters drifting mid-crawl,
    # and a last page that is empty.
    hub = fakehub(*hub_args(), "--page-size-jitter", "--drift", "0.05", "--empty-last-page")
    result = crawl("models", endpoint=hub.url, data=tmp_path, settings={"HUB_PAGE_SIZE": 300})
    assert result.returncode == 0, result.stderr[-3000:]
    _, manifest, records = published(tmp_path, "models")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["id"] for r in truth("models")}
    assert manifest["counts"]["pages"] > 2500 // 300


def test_a_listing_that_loops_fails_instead_of_running_forever(tmp_path):
    def looping(request: Received) -> Answer:
        """A broken listing whose second page links back to the first."""
        second = "cursor=2" in request.path
        body = json.dumps([{"id": f"org/m{'2' if second else '1'}"}]).encode()
        link = f'<{server.url}/api/models?sort=createdAt&cursor={1 if second else 2}>; rel="next"'
        return Answer(200, body, {"Link": link})

    with ScriptedServer(looping) as server:
        result = crawl("models", endpoint=server.url, data=tmp_path)
    assert result.returncode == 1
    assert "FAILED, page 3 links back to page 2" in result.stderr
    assert not partitions(tmp_path)
