"""Deriving the cache's columns from model records, and the Hub's task taxonomy."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.json as pj

from analysis.store.derive import DATASET_TAGS
from analysis.store.repo_types import DATASETS, MODELS, SPACES, RepoType
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


def _derived_as(repo_type: RepoType, records: list[dict[str, object]]) -> list[dict[str, object]]:
    raw = "".join(json.dumps(record) + "\n" for record in records).encode()
    options = pj.ParseOptions(explicit_schema=repo_type.fields, unexpected_field_behavior="ignore")
    table = pj.read_json(io.BytesIO(raw), parse_options=options)
    return repo_type.derived(table, load_taxonomy()).to_pylist()


def test_models_keep_their_parameter_count_and_declared_datasets() -> None:
    sized = {"id": "a/x", "safetensors": {"total": 7_000_000_000}, "tags": ["dataset:o/d", "mit"]}
    both = {"id": "a/y", "safetensors": None, "tags": ["dataset:o/d", "dataset:p/e"]}
    rows = _derived_as(MODELS, [sized, both, {"id": "a/z", "tags": []}])
    assert [(r["parameters"], r["declared_datasets"]) for r in rows] == [
        (7_000_000_000, ["o/d"]),
        (None, ["o/d", "p/e"]),
        (None, None),
    ]


def test_datasets_read_their_card_tags_first_of_each_prefix() -> None:
    tags = ["task_categories:translation", "task_categories:summarization", "modality:text",
            "language:fr", "size_categories:n<1K", "format:csv", "license:mit"]  # fmt: skip
    rows = _derived_as(
        DATASETS,
        [{"id": "o/d", "gated": "auto", "tags": tags}, {"id": "o/e", "gated": "false", "tags": []}],
    )
    first = {column: rows[0][column] for column in DATASET_TAGS}
    assert first == {
        "task_category": "translation",
        "modality": "text",
        "size_category": "n<1K",
        "format": "csv",
        "language": "fr",
        "license": "mit",
    }
    assert [r["gated"] for r in rows] == [True, False]
    assert all(rows[1][column] is None for column in DATASET_TAGS)


def test_spaces_keep_stage_requested_hardware_and_links() -> None:
    runtime = {"stage": "SLEEPING", "hardware": {"current": None, "requested": "t4-small"}}
    rows = _derived_as(
        SPACES, [{"id": "u/app", "runtime": runtime, "models": ["o/m"]}, {"id": "u/bare"}]
    )
    assert [(r["stage"], r["hardware"], r["models"]) for r in rows] == [
        ("SLEEPING", "t4-small", ["o/m"]),
        (None, None, None),
    ]
