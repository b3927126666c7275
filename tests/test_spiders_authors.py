"""``scrapy crawl authors``: exact profiles, reuse within the age limit, and the request budget."""

import json

from conftest import crawl, read_partition

from fakehub.hub import SyntheticHub

SEED, MODELS = 8, 800
# Overview keys of the emulator's profiles and the record field each one lands in.
SAME_FIELDS = (
    "fullname",
    "avatarUrl",
    "isPro",
    "plan",
    "isVerified",
    "numFollowers",
    "numFollowing",
    "numLikes",
    "numUsers",
    "numModels",
    "numDatasets",
    "numSpaces",
)


def authors_partition(data):
    (partition,) = (data / "snapshots/authors").glob("date=*")
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
        assert {k: record[k] for k in SAME_FIELDS if k in expected} == {
            k: expected[k] for k in SAME_FIELDS if k in expected
        }, name
        assert all(record[k] is None for k in SAME_FIELDS if k not in expected)
    # A new author costs one request when guessed right, two otherwise: never more.
    assert len(authors) <= overview_requests(hub) <= 2 * len(authors)
    assert json.loads((partition / "manifest.json").read_text())["counts"]["records"] == len(
        authors
    )

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


def downloads(hub, author):
    return sum(r["downloads"] or 0 for r in hub.records("models") if r["author"] == author)


def repos(hub, author):
    return sum(1 for r in hub.records("models") if r["author"] == author)
