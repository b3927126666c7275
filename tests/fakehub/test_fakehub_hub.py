import re
from collections import Counter

import pytest

from fakehub.hub import SyntheticHub
from fakehub.vocabulary import HOSTILE_STRINGS

# The 2022-03-02 migration batch: its createdAt are spread over seconds of one minute.
MIGRATION_BATCH = re.compile(r"2022-03-02T23:29:\d\d\.000Z")
REPO_ID = re.compile(r"([A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]+")


@pytest.fixture(scope="module")
def hub() -> SyntheticHub:
    return SyntheticHub(seed=3, models=5000, datasets=300, spaces=200)


@pytest.fixture(scope="module")
def models(hub: SyntheticHub) -> list[dict]:
    return list(hub.records("models"))


def test_same_seed_and_counts_give_the_same_hub() -> None:
    first = list(SyntheticHub(seed=9, models=300, datasets=20, spaces=20).records("models"))
    again = list(SyntheticHub(seed=9, models=300, datasets=20, spaces=20).records("models"))
    other = list(SyntheticHub(seed=10, models=300, datasets=20, spaces=20).records("models"))
    assert first == again
    assert first != other


def test_model_records_have_the_crawler_fields_with_hub_types(models: list[dict]) -> None:
    assert set(models[0]) == {
        "_id", "id", "author", "createdAt", "lastModified", "downloads", "downloadsAllTime",
        "likes", "trendingScore", "pipeline_tag", "library_name", "tags", "private", "gated",
        "disabled", "sha", "safetensors",
    }  # fmt: skip
    ids = [model["_id"] for model in models]
    assert all(re.fullmatch(r"[0-9a-f]{24}", object_id) for object_id in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert len({model["id"] for model in models}) == len(models)
    assert all(REPO_ID.fullmatch(model["id"]) for model in models)
    assert all(re.fullmatch(r"[0-9a-f]{40}", model["sha"]) for model in models)
    assert {model["gated"] for model in models} == {False, "auto", "manual"}
    for model in models:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", model["createdAt"])
        assert model["lastModified"] >= model["createdAt"]
        if model["downloads"] is not None:
            assert 0 <= model["downloads"] <= model["downloadsAllTime"]


def test_the_population_is_skewed_like_the_hub(hub: SyntheticHub, models: list[dict]) -> None:
    count = len(models)
    assert 0.25 < sum(m["pipeline_tag"] is None for m in models) / count < 0.42
    assert 0.25 < sum(m["library_name"] is None for m in models) / count < 0.42
    unlicensed = sum(not any(t.startswith("license:") for t in m["tags"]) for m in models)
    assert 0.25 < unlicensed / count < 0.42
    batch = [m["createdAt"] for m in models if MIGRATION_BATCH.fullmatch(m["createdAt"])]
    assert 0.08 < len(batch) / count < 0.16
    seconds = Counter(created[17:19] for created in batch)
    assert {"04", "05", "22"} <= set(seconds)
    assert seconds.most_common(1)[0][0] == "04"
    assert sum(m["downloadsAllTime"] == 0 for m in models) / count > 0.2
    assert any((m["downloadsAllTime"] or 0) > 2**31 for m in models)
    assert all((m["downloads"] or 0) <= (m["downloadsAllTime"] or 0) for m in models)
    assert any(m["disabled"] for m in models)
    libraries = Counter(m["library_name"] for m in models if m["library_name"])
    assert libraries.most_common(1)[0][0] == "transformers"
    owners = Counter(m["author"] for m in models)
    assert owners.most_common(1)[0][1] > 30
    assert sum(1 for n in owners.values() if n == 1) > 100
    private = sum(1 for _ in hub.records("models", token_owner=None))
    with_private = sum(m["private"] for o in hub.owners_with_private("models")
                       for m in hub.records("models", token_owner=o))  # fmt: skip
    assert 0.01 < with_private / (private + with_private) < 0.03


def test_lineage_tags_point_at_a_few_popular_existing_models(models: list[dict]) -> None:
    ids = {model["id"] for model in models}
    parents: Counter[str] = Counter()
    derived = 0
    for model in models:
        lineage = [t for t in model["tags"] if t.startswith("base_model:")]
        if not lineage:
            continue
        derived += 1
        plain = [t.removeprefix("base_model:") for t in lineage if t.count(":") == 1]
        related = [t.split(":", 2) for t in lineage if t.count(":") == 2]
        assert {relation for _, relation, _ in related} <= {
            "finetune", "adapter", "quantized", "merge",
        }  # fmt: skip
        assert sorted(parent for _, _, parent in related) == sorted(plain)
        if related[0][1] == "merge":
            assert len(plain) >= 2 or len(set(plain)) == 1
        assert set(plain) <= ids
        parents.update(plain)
    assert 0.18 < derived / len(models) < 0.3
    assert len(parents) <= 40


def test_hostile_strings_appear_in_tags_and_profiles(hub: SyntheticHub, models: list[dict]) -> None:
    tags = {tag for model in models for tag in model["tags"]}
    assert set(HOSTILE_STRINGS) <= tags
    assert hub.profile(hub.authors.name(3))["fullname"] in HOSTILE_STRINGS


def test_private_repos_belong_to_the_first_authors(hub: SyntheticHub) -> None:
    owners = hub.owners_with_private("models")
    assert owners[:3] == [hub.authors.name(rank) for rank in range(3)]
    public_ids = {m["id"] for m in hub.records("models")}
    owned = list(hub.records("models", token_owner=owners[0]))
    private = [m for m in owned if m["private"]]
    assert private
    assert all(m["author"] == owners[0] for m in private)
    assert not {m["id"] for m in private} & public_ids
    stranger = "nobody-at-all"
    assert not any(m["private"] for m in hub.records("models", token_owner=stranger))


def test_profiles_answer_by_kind_and_count_public_repos(hub: SyntheticHub) -> None:
    org = hub.authors.name(0)
    assert hub.author_kind(org) == "org"
    profile = hub.profile(org)
    assert profile["name"] == org
    assert profile["numModels"] == sum(1 for m in hub.records("models") if m["author"] == org)
    assert profile["numDatasets"] == sum(1 for m in hub.records("datasets") if m["author"] == org)
    users = [hub.authors.name(r) for r in range(200) if hub.authors.kind(r) == "user"]
    user = hub.profile(users[0])
    assert user["user"] == users[0]
    assert user["type"] == "user"
    assert {"isPro", "numFollowing", "numLikes", "orgs"} <= set(user)
    assert hub.profile("no-such-author") is None
    assert hub.author_kind("no-such-author") is None
    names = [hub.authors.name(rank) for rank in range(hub.authors.count)]
    assert len(set(names)) == len(names)
    assert all(hub.author_kind(name) is not None for name in names)
    assert hub.author_kind(f"{names[-1]}0") is None


def test_datasets_and_spaces_have_their_own_fields(hub: SyntheticHub) -> None:
    dataset = next(hub.records("datasets"))
    assert "pipeline_tag" not in dataset
    assert "downloadsAllTime" in dataset
    space = next(hub.records("spaces"))
    assert "downloads" not in space
    assert space["sdk"] in {"gradio", "docker", "static", "streamlit"}


def test_a_day_adds_models_deletes_few_and_grows_counters() -> None:
    hub = SyntheticHub(seed=4, models=8000)
    before = {m["id"]: m for m in hub.records("models")}
    hub.advance(days=1)
    after = {m["id"]: m for m in hub.records("models")}
    created = [m for i, m in after.items() if i not in before]
    deleted = [i for i in before if i not in after]
    assert 10 < len(created) < 50
    assert 0 < len(deleted) < 20
    assert all(m["createdAt"] > max(b["createdAt"] for b in before.values()) for m in created)
    kept = [i for i in before if i in after and before[i]["downloads"] is not None]
    assert all(after[i]["downloadsAllTime"] >= before[i]["downloadsAllTime"] for i in kept)
    assert sum(after[i]["downloadsAllTime"] > before[i]["downloadsAllTime"] for i in kept) > 400
    assert all(after[i]["downloads"] <= after[i]["downloadsAllTime"] for i in kept)
    assert all(after[i]["likes"] >= before[i]["likes"] for i in kept)
    assert list(SyntheticHub(seed=4, models=8000, day=1).records("models")) == list(
        hub.records("models")
    )


def test_model_sizes_are_mostly_small_with_a_long_tail(models: list[dict]) -> None:
    sized = [m for m in models if m["safetensors"] is not None]
    assert all("safetensors" in m["tags"] for m in sized)
    assert not any("safetensors" in m["tags"] for m in models if m["safetensors"] is None)
    assert 0.05 < len(sized) / len(models) < 0.5
    totals = [m["safetensors"]["total"] for m in sized]
    assert all(sum(m["safetensors"]["parameters"].values()) == m["safetensors"]["total"]
               for m in sized)  # fmt: skip
    assert 0.6 < sum(t < 10**9 for t in totals) / len(totals) < 0.9
    assert max(totals) > 80 * 10**9
    assert min(totals) >= 10**7


def test_spaces_name_existing_repos_and_some_that_are_gone(hub: SyntheticHub) -> None:
    spaces = list(hub.records("spaces"))
    models = {m["id"] for m in hub.records("models")}
    datasets = {d["id"] for d in hub.records("datasets")}
    used = [name for space in spaces for name in space["models"]]
    assert 0.3 < sum(bool(s["models"]) for s in spaces) / len(spaces) < 0.5
    assert 0.15 < sum(bool(s["datasets"]) for s in spaces) / len(spaces) < 0.35
    assert 0.6 < sum(name in models for name in used) / len(used) < 1
    assert Counter(used).most_common(1)[0][1] >= 5
    assert any(name in datasets for space in spaces for name in space["datasets"])
    stages = Counter(s["runtime"]["stage"] for s in spaces)
    assert {"RUNNING", "SLEEPING", "RUNTIME_ERROR"} <= set(stages)
    hardware = Counter(s["runtime"]["hardware"]["requested"] for s in spaces)
    assert hardware.most_common(1)[0][0] == "cpu-basic"
    assert any(h.startswith(("t4", "a10g", "a100", "zero")) for h in hardware)
    for space in spaces:
        running = space["runtime"]["stage"] == "RUNNING"
        assert (space["runtime"]["hardware"]["current"] is not None) == running


def test_dataset_tags_carry_the_card_categories(hub: SyntheticHub, models: list[dict]) -> None:
    datasets = list(hub.records("datasets"))
    prefixes = Counter(t.split(":", 1)[0] for d in datasets for t in d["tags"] if ":" in t)
    assert {"task_categories", "modality", "size_categories", "format", "language",
            "license"} <= set(prefixes)  # fmt: skip
    ids = {d["id"] for d in datasets}
    declared = [t.removeprefix("dataset:") for m in models for t in m["tags"]
                if t.startswith("dataset:")]  # fmt: skip
    assert 0.5 < sum(name in ids for name in declared) / len(declared) < 1
