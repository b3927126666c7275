import pytest

from hfcrawler.items import AuthorRecord, DatasetRecord, ModelRecord, SpaceRecord
from hfcrawler.validation import validate

GOOD = {
    "_id": "621ffdc036468d709f174338",
    "id": "google-bert/bert-base-uncased",
    "author": "google-bert",
    "createdAt": "2022-03-02T23:29:04.000Z",
    "lastModified": "2024-02-19T11:06:12.000Z",
    "downloads": 72376843,
    "downloadsAllTime": 3_000_000_000,
    "likes": 2065,
    "trendingScore": 0.2,
    "pipeline_tag": "fill-mask",
    "library_name": "transformers",
    "tags": ["transformers", "license:apache-2.0"],
    "private": False,
    "gated": False,
    "disabled": False,
    "sha": "86b5e0934494bd15c9632b12f734a8a67f723594",
}


def test_a_real_model_passes_unchanged():
    record = ModelRecord.from_hub(GOOD)
    assert validate(record) == {}
    assert {k: getattr(record, k) for k in GOOD} == GOOD
    assert record.repoType == "model"


def test_absent_fields_are_null_not_invented():
    record = ModelRecord.from_hub({"id": "gpt2"})
    assert validate(record) == {}
    assert record.pipeline_tag is None
    assert record.downloads is None
    assert record.tags is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("id", None, "missing"),
        ("id", "has space/x", "not a repo id"),
        ("id", 42, "expected a string, got int"),
        ("downloads", -1, "negative count"),
        ("downloads", "12", "expected an integer, got str"),
        ("likes", True, "expected an integer, got bool"),
        ("trendingScore", float("nan"), "not a finite number"),
        ("gated", True, 'expected false, "auto" or "manual"'),
        ("gated", "yes", 'expected false, "auto" or "manual"'),
        ("createdAt", "yesterday", "not an ISO-8601 timestamp"),
        ("createdAt", "2024-01-01T00:00:00", "timestamp without a time zone"),
        ("tags", "a,b", "expected a list of strings, got str"),
        ("tags", ["a", 3], "expected a list of strings, found a non-string tag"),
        ("sha", "abc", "expected a 40-hex commit sha"),
        ("_id", "zz", "expected a 24-hex ObjectId"),
        ("private", "false", "expected true or false, got str"),
        ("author", "a" * 100_000, "a user or organization name longer than 96"),
        ("author", "a" * 97, "a user or organization name longer than 96"),
        ("author", "two words", "not a user or organization name (letters, digits, -, _, .)"),
        ("author", "../etc", "not a user or organization name (letters, digits, -, _, .)"),
        ("author", "", "not a user or organization name (letters, digits, -, _, .)"),
        ("author", 7, "expected a string, got int"),
    ],
)
def test_each_invalid_field_gets_its_reason(field, value, reason):
    record = ModelRecord.from_hub({**GOOD, field: value})
    assert validate(record) == {field: reason}


def test_values_are_normalized_to_the_hub_types():
    record = ModelRecord.from_hub(
        {**GOOD, "downloads": 5.0, "createdAt": "2024-02-19T12:06:12+01:00", "gated": "manual"}
    )
    assert validate(record) == {}
    assert record.downloads == 5
    assert isinstance(record.downloads, int)
    assert record.createdAt == "2024-02-19T11:06:12.000Z"
    assert record.gated == "manual"


def test_datasets_and_spaces_have_their_own_fields():
    dataset = DatasetRecord.from_hub({**GOOD, "id": "rajpurkar/squad"})
    assert validate(dataset) == {}
    assert not hasattr(dataset, "pipeline_tag")
    space = SpaceRecord.from_hub({"id": "mteb/leaderboard", "sdk": "gradio", "likes": 3})
    assert validate(space) == {}
    assert (space.sdk, space.repoType) == ("gradio", "space")
    assert validate(SpaceRecord.from_hub({"id": "a/b", "sdk": ["gradio"]})) == {
        "sdk": "expected a string, got list"
    }


@pytest.mark.parametrize("author", ["a" * 96, "Helsinki-NLP", "some_user.v2", "ünï-lab", None])
def test_every_name_an_account_can_have_is_an_author(author):
    assert validate(ModelRecord.from_hub({**GOOD, "author": author})) == {}


def test_a_profile_needs_a_possible_name_and_a_possible_new_name():
    good = {"user": "mira-12", "type": "user", "numFollowers": 3}
    record = AuthorRecord.from_overview("user", "mira-12", good, "2026-11-29T03:00:00.000Z")
    assert validate(record) == {}
    assert (record.name, record.renamedTo) == ("mira-12", None)

    renamed = AuthorRecord.from_overview("user", "old-name", good, "2026-11-29T03:00:00.000Z")
    assert validate(renamed) == {}
    assert (renamed.name, renamed.renamedTo) == ("old-name", "mira-12")

    odd = AuthorRecord.from_overview(
        "org", "x" * 200, {"name": "a b", "type": "org"}, "2026-11-29T03:00:00.000Z"
    )
    assert validate(odd) == {
        "name": "a user or organization name longer than 96",
        "renamedTo": "not a user or organization name (letters, digits, -, _, .)",
    }


def test_model_sizes_and_space_links_are_kept_as_the_hub_sends_them():
    sizes = {"parameters": {"BF16": 7_000_000_000, "F32": 1024}, "total": 7_000_001_024}
    model = ModelRecord.from_hub({**GOOD, "safetensors": sizes})
    assert validate(model) == {}
    assert model.safetensors == sizes
    runtime = {
        "stage": "SLEEPING",
        "hardware": {"current": None, "requested": "zero-a10g"},
        "gcTimeout": 172800,
    }
    raw = {"id": "a/app", "models": ["a/m", "gone/model"], "datasets": [], "runtime": runtime}
    space = SpaceRecord.from_hub(raw)
    assert validate(space) == {}
    assert (space.models, space.datasets, space.runtime) == (["a/m", "gone/model"], [], runtime)
    assert validate(SpaceRecord.from_hub({"id": "a/app", "runtime": {"stage": "BUILDING"}})) == {}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (7, "safetensors: expected an object, got int"),
        ({"total": 3}, "safetensors.parameters: expected an object, got NoneType"),
        ({"parameters": {"F16": 3}}, "safetensors: expected an integer, got NoneType"),
        ({"parameters": {"F16": -3}, "total": 3}, "safetensors: negative count"),
        ({"parameters": [], "total": 3}, "safetensors.parameters: expected an object, got list"),
    ],
)
def test_a_malformed_model_size_is_refused_with_its_reason(value, reason):
    assert validate(ModelRecord.from_hub({**GOOD, "safetensors": value})) == {"safetensors": reason}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("models", "a/m", "expected a list of strings, got str"),
        ("datasets", ["a/d", None], "expected a list of strings, found a non-string tag"),
        ("runtime", "RUNNING", "runtime: expected an object, got str"),
        ("runtime", {"stage": 1}, "runtime: expected a string, got int"),
        ("runtime", {"hardware": "t4-small"}, "runtime: hardware: expected an object, got str"),
        ("runtime", {"hardware": {"current": ["t4"]}}, "runtime: expected a string, got list"),
    ],
)
def test_a_malformed_space_link_or_runtime_is_refused_with_its_reason(field, value, reason):
    assert validate(SpaceRecord.from_hub({"id": "a/app", field: value})) == {field: reason}
