"""Deriving the cache's columns from model records, and the Hub's task taxonomy."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.json as pj

from analysis.store.repo_types import MODELS
from analysis.store.taxonomy import load_taxonomy


def _derived(records: list[dict[str, object]]) -> list[dict[str, object]]:
    raw = "".join(json.dumps(record) + "\n" for record in records).encode()
    options = pj.ParseOptions(explicit_schema=MODELS.fields, unexpected_field_behavior="ignore")
    table = pj.read_json(io.BytesIO(raw), parse_options=options)
    return MODELS.derived(table, load_taxonomy()).to_pylist()


def test_derive_reads_license_lineage_modality_and_author() -> None:
    records = [
        {
            "id": "a/x",
            "author": None,
            "pipeline_tag": "text-to-speech",
            "gated": "manual",
            "tags": ["license:mit", "license:other", "base_model:b/y", "base_model:adapter:b/y"],
        },
        {
            "id": "solo",
            "author": None,
            "pipeline_tag": "made-up-task",
            "gated": False,
            "tags": [
                "base_model:p/1",
                "base_model:p/2",
                "base_model:merge:p/1",
                "base_model:merge:p/2",
            ],
        },
        {"id": "c/z", "author": "c", "pipeline_tag": None, "tags": ["base_model:gpt2"]},
        {"id": "d/w", "author": "d", "downloads": 2**40, "tags": []},
        # Two relations on one model (the Hub states one): the more specific claim wins.
        {"id": "e/v", "author": "e", "tags": ["base_model:finetune:q/1", "base_model:adapter:q/2"]},
    ]
    derived = _derived(records)
    assert [row["author"] for row in derived] == ["a", None, "c", "d", "e"]
    assert [row["license"] for row in derived] == ["mit", None, None, None, None]
    assert [row["modality"] for row in derived] == ["audio", "other", None, None, None]
    assert [row["relation"] for row in derived] == [
        "adapter",
        "merge",
        "unspecified",
        None,
        "adapter",
    ]
    assert [sorted(row["base_models"] or []) for row in derived] == [
        ["b/y"],
        ["p/1", "p/2"],
        ["gpt2"],
        [],
        ["q/1", "q/2"],
    ]
    assert derived[3]["downloads"] == 2**40


def test_derive_handles_an_empty_batch() -> None:
    empty = pa.table({field.name: pa.array([], field.type) for field in MODELS.fields})
    assert MODELS.derived(empty, load_taxonomy()).num_rows == 0


def test_taxonomy_is_package_data_with_the_hubs_modalities() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.modality("text-generation") == "nlp"
    assert taxonomy.modality("image-classification") == "cv"
    assert taxonomy.name("automatic-speech-recognition") == "Automatic Speech Recognition"
    assert taxonomy.modality("no-such-task") == "other"
    assert taxonomy.name("no-such-task") == "no-such-task"
    assert set(taxonomy.modalities.values()) <= {
        "nlp",
        "cv",
        "audio",
        "multimodal",
        "tabular",
        "rl",
        "other",
    }
