"""``scrapy crawl authors``: exact profiles, reuse within the age limit, the request budget, and
authors the Hub renamed, refuses or could never have."""

import gzip
import json

from fakehub.hub import SyntheticHub
from hfcrawler.items import OVERVIEW_FIELDS
from hfcrawler.layout import read_manifest
from tests.helpers import Answer, ScriptedServer, crawl, partitions, read_partition, write_partition

SEED, MODELS = 8, 800
# What an overview holds that is not kept: the name and kind (recorded by the crawl), and more.
NOT_KEPT = {"name", "user", "type", "details", "orgs"}


def authors_partition(data):
    (partition,) = partitions(data, "authors")
    return partition, {r["name"]: r for r in read_partition(partition)}


def overview_requests(hub):
    return sum(n for path, n in hub.stats()["by_path"].items() if path.endswith("/overview"))


def test_profiles_are_exact_then_reused_then_bounded_by_the_budget(fakehub, tmp_path):
    hub = fakehub("--models", str(MODELS), "--seed", str(SEED))
    truth = SyntheticHub(seed=SEED, models=MODELS)
    assert crawl("models", endpoint=hub.url, data=tmp_path).returncode == 0
    authors = {r["author"] for r in truth.records("models") if r["author"]}

    first = crawl("authors", endpoint=hub.url, data=tmp_path, settings={"AUTHORS_BUDGET": 10_000})
    assert first.returncode == 0, first.stderr[-2000:]
    partition, profiles = authors_partition(tmp_path)
    assert profiles.keys() == authors
    for name, record in profiles.items():
        expected = truth.profile(name)
        assert record["kind"] == truth.author_kind(name)
        assert set(expected) - NOT_KEPT <= set(OVERVIEW_FIELDS), "a profile field is not kept"
        assert {k: record[k] for k in OVERVIEW_FIELDS if k in expected} == {
            k: expected[k] for k in OVERVIEW_FIELDS if k in expected
        }, name
        assert all(record[k] is None for k in OVERVIEW_FIELDS if k not in expected)
    # A new author costs one request when guessed right, two otherwise: never more.
    assert len(authors) <= overview_requests(hub) <= 2 * len(authors)
    assert read_manifest(partition)["counts"]["records"] == len(authors)

    before = overview_requests(hub)
    second = crawl(
        "authors", endpoint=hub.url, data=tmp_path, settings={"SNAPSHOT_DATE": "2099-01-01"}
    )
    assert second.returncode == 0, second.stderr[-2000:]
    assert overview_requests(hub) == before, "fresh profiles were fetched again"
    (again,) = (tmp_path / "snapshots/authors").glob("date=2099-01-01")
    assert {r["name"]: r for r in read_partition(again)} == profiles

    budget_dir = tmp_path / "budget"
    assert crawl("models", endpoint=hub.url, data=budget_dir).returncode == 0
    before = overview_requests(hub)
    limited = crawl("authors", endpoint=hub.url, data=budget_dir, settings={"AUTHORS_BUDGET": 12})
    assert limited.returncode == 0, limited.stderr[-2000:]
    assert overview_requests(hub) - before <= 12
    _, some = authors_partition(budget_dir)
    # Two requests are reserved per new author, one given back when the first guess is right:
    # at least the six most downloaded get their profile, and no one is skipped for a lesser one.
    ranking = sorted(authors, key=lambda a: (-downloads(truth, a), -repos(truth, a), a))
    assert len(some) >= 6
    assert set(some) == set(ranking[: len(some)])


def test_a_renamed_account_is_kept_under_the_name_asked_for_with_its_new_name(fakehub, tmp_path):
    truth = SyntheticHub(seed=9, models=300)
    authors = sorted({r["author"] for r in truth.records("models") if r["author"]})
    org = next(a for a in authors if truth.author_kind(a) == "org")
    user = next(a for a in authors if truth.author_kind(a) == "user")
    renamed = {org: "renamed-org", user: "renamed.user"}
    renamings = [f"--renamed-account={old}={new}" for old, new in renamed.items()]
    hub = fakehub("--models", "300", "--seed", "9", *renamings)
    assert crawl("models", endpoint=hub.url, data=tmp_path).returncode == 0
    result = crawl("authors", endpoint=hub.url, data=tmp_path, settings={"AUTHORS_BUDGET": 10_000})
    assert result.returncode == 0, result.stderr[-2000:]

    _, profiles = authors_partition(tmp_path)
    assert profiles.keys() == set(authors)
    for old, new in renamed.items():
        expected = truth.profile(old)
        assert profiles[old]["renamedTo"] == new
        assert profiles[old]["kind"] == truth.author_kind(old)
        assert {k: profiles[old][k] for k in OVERVIEW_FIELDS if k in expected} == {
            k: expected[k] for k in OVERVIEW_FIELDS if k in expected
        }
        # The redirect was followed to the new name, on the Hub's own origin.
        kind = "organizations" if truth.author_kind(old) == "org" else "users"
        assert hub.stats()["by_path"][f"/api/{kind}/{new}/overview"] == 1
    assert {n for n, r in profiles.items() if r["renamedTo"] is not None} == renamed.keys()


def test_names_the_hub_refuses_are_not_found_and_impossible_names_are_never_asked(
    fakehub, tmp_path
):
    truth = SyntheticHub(seed=9, models=300)
    authors = {r["author"] for r in truth.records("models") if r["author"]}
    refused = dict(zip(sorted(authors)[:3], (414, 403, 410), strict=True))
    statuses = [f"--overview-status={name}={status}" for name, status in refused.items()]
    hub = fakehub("--models", "300", "--seed", "9", *statuses)
    assert crawl("models", endpoint=hub.url, data=tmp_path).returncode == 0
    # A datasets partition written before author names were checked, with names no account has.
    impossible = ["x" * 100_000, "two words", "a/b"]
    dataset_authors = [*impossible, max(authors)]
    write_partition(
        tmp_path,
        "datasets",
        "2026-01-01",
        [
            {"id": f"{a[:10]}/d{i}", "author": a, "downloads": 10**9}
            for i, a in enumerate(dataset_authors)
        ],
    )

    result = crawl("authors", endpoint=hub.url, data=tmp_path, settings={"AUTHORS_BUDGET": 10_000})
    assert result.returncode == 0, result.stderr[-2000:]
    partition, profiles = authors_partition(tmp_path)
    assert profiles.keys() == authors - refused.keys()
    manifest = read_manifest(partition)
    assert manifest["counts"]["profiles_not_found"] == len(refused)
    assert manifest["counts"]["records"] == len(authors) - len(refused)
    assert "Left out 3 author names no Hub account can have" in result.stderr
    for name, status in refused.items():
        assert f"Profile of {name!r} refused (HTTP {status}: " in result.stderr
    # One request each: a name refused by one overview endpoint is not tried on the other.
    by_path = hub.stats()["by_path"]
    asked = {path.split("/")[3] for path in by_path if path.endswith("/overview")}
    assert asked == authors
    assert all(sum(n for p, n in by_path.items() if f"/{name}/" in p) == 1 for name in refused)


def test_a_server_error_on_one_profile_still_fails_the_crawl_after_its_retries(fakehub, tmp_path):
    truth = SyntheticHub(seed=9, models=300)
    name = min(r["author"] for r in truth.records("models") if r["author"])
    hub = fakehub("--models", "300", "--seed", "9", "--overview-status", f"{name}=503")
    assert crawl("models", endpoint=hub.url, data=tmp_path).returncode == 0
    result = crawl(
        "authors",
        endpoint=hub.url,
        data=tmp_path,
        settings={"HUB_RETRY_TIMES": 2, "HUB_BACKOFF_BASE": 0.05, "HUB_BACKOFF_MAX": 0.05},
    )
    assert result.returncode == 1
    assert "hfcrawler: authors: FAILED, authors ranked " in result.stderr
    assert f"profile of {name!r}: gave up after 3 attempts" in result.stderr
    assert "last: HTTP 503" in result.stderr
    assert not partitions(tmp_path, "authors")


def test_an_impossible_author_in_a_listing_is_rejected_with_its_reason(tmp_path):
    good = {
        "_id": "621ffdc036468d709f174338",
        "author": "google-bert",
        "createdAt": "2022-03-02T23:29:04.000Z",
        "lastModified": "2024-02-19T11:06:12.000Z",
        "downloads": 5,
        "downloadsAllTime": 9,
        "likes": 1,
        "trendingScore": 0.5,
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "tags": ["transformers"],
        "private": False,
        "gated": False,
        "disabled": False,
        "sha": "86b5e0934494bd15c9632b12f734a8a67f723594",
        "safetensors": {"parameters": {"F32": 110106428}, "total": 110106428},
    }
    page = [
        {**good, "id": "google-bert/bert-base-uncased"},
        {**good, "id": "long/model", "author": "x" * 100_000},
        {**good, "id": "spaced/model", "author": "two words"},
    ]
    body = json.dumps(page).encode()
    with ScriptedServer(lambda _: Answer(200, body)) as hub:
        result = crawl("models", endpoint=hub.url, data=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (partition,) = partitions(tmp_path)
    assert [r["id"] for r in read_partition(partition)] == ["google-bert/bert-base-uncased"]
    with gzip.open(partition / "rejected.jsonl.gz", "rt", encoding="utf-8") as fh:
        rejected = {json.loads(line)["record"]["id"]: json.loads(line) for line in fh}
    assert rejected["long/model"]["reason"] == {
        "author": "a user or organization name longer than 96"
    }
    assert rejected["long/model"]["record"]["author"] == "x" * 100_000
    assert rejected["spaced/model"]["reason"] == {
        "author": "not a user or organization name (letters, digits, -, _, .)"
    }
    manifest = read_manifest(partition)
    assert (manifest["counts"]["records"], manifest["counts"]["rejected"]) == (1, 2)


def downloads(hub, author):
    return sum(r["downloads"] or 0 for r in hub.records("models") if r["author"] == author)


def repos(hub, author):
    return sum(1 for r in hub.records("models") if r["author"] == author)
