"""Strings that are valid JSON but not valid Unicode: rejected with the reason, never a crash."""

import json

import pytest
from itemadapter import ItemAdapter

from hfcrawler.idset import IdSet, id_hash
from hfcrawler.items import AuthorRecord, ModelRecord, Rejection
from hfcrawler.pipelines.write import rejection_line
from hfcrawler.validation import NOT_UNICODE, validate

GOOD = {
    "_id": "621ffdc036468d709f174338",
    "id": "google-bert/bert-base-uncased",
    "author": "google-bert",
    "tags": ["transformers", "language:日本語"],
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "org/model\ud800"),
        ("author", "\udfffname"),
        ("tags", ["ok", "bad\ud800"]),
        ("pipeline_tag", "\ud83d"),  # half of an emoji's surrogate pair
        ("tags", ["\ud83d", "\ude00"]),  # its halves in two tags do not make one
        ("createdAt", "2024-02-19T11:06:12.000Z\ud800"),
    ],
)
def test_a_lone_surrogate_rejects_the_record_with_the_reason(field, value):
    record = ModelRecord.from_hub({**GOOD, field: value})
    problems = validate(record)
    assert problems == {field: NOT_UNICODE}
    # The rejected record is kept as the Hub sent it, and its line of rejected.jsonl.gz reads
    # back to exactly that value (the surrogate written as its JSON escape).
    assert getattr(record, field) == value
    line = rejection_line(Rejection(problems, ItemAdapter(record).asdict()))
    assert line.isascii()
    assert json.loads(line)["record"][field] == value


def test_surrogates_in_fields_of_other_forms_are_kept_as_sent():
    likes = {"\udc00": ["\ud800"]}
    record = ModelRecord.from_hub({**GOOD, "_id": "\ud800", "likes": likes})
    assert set(validate(record)) == {"_id", "likes"}
    line = rejection_line(Rejection({}, ItemAdapter(record).asdict()))
    assert json.loads(line)["record"]["likes"] == likes


def test_profiles_are_checked_too():
    record = AuthorRecord(name="someone", kind="user", fullname="Ann\udc00")
    assert validate(record) == {"fullname": NOT_UNICODE}


def test_valid_unicode_passes_unchanged():
    # Names of accounts are ASCII on the Hub; free text such as tags may hold any Unicode.
    record = ModelRecord.from_hub({**GOOD, "library_name": "名前 🤗", "tags": ["language:日本語"]})
    assert validate(record) == {}
    assert record.library_name == "名前 🤗"
    assert record.tags == ["language:日本語"]


def test_the_id_set_never_raises_on_a_lone_surrogate():
    ids = IdSet()
    assert ids.add("org/m\ud800")
    assert not ids.add("org/m\ud800")
    assert id_hash("org/m\ud800") != id_hash("org/m\udc00")
    assert id_hash("org/m") == id_hash("org/m")
