"""Deriving the cache's columns from the records of each listing, and the Hub's task taxonomy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.store.compact import compact_part
from analysis.store.derive import DATASET_TAG_LISTS
from analysis.store.repo_types import DATASETS, MODELS, SPACES, RepoType
from analysis.store.taxonomy import load_taxonomy
from tests.helpers import gzip_members


def _compacted(
    records: list[dict[str, object]], tmp_path: Path, repo_type: RepoType = MODELS
) -> list[dict[str, object]]:
    """`records` through the compaction of a part, as the cache holds them."""
    part = tmp_path / "part-00000.jsonl.gz"
    part.write_bytes(b"".join(gzip_members(records)))
    target = tmp_path / "part-00000.parquet"
    reading = compact_part(part, target, repo_type)
    assert reading.unreadable is None
    return pq.read_table(target).to_pylist()


def test_derive_reads_license_lineage_modality_and_author(tmp_path: Path) -> None:
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
    derived = _compacted(records, tmp_path)
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


def test_compaction_keeps_the_exports_fields_as_the_hub_gave_them(tmp_path: Path) -> None:
    records = [
        {
            "id": "a/x",
            "lastModified": "2025-03-04T05:06:07.891Z",
            "trendingScore": 12.5,
            "private": False,
            "gated": False,
            "safetensors": {"parameters": {"BF16": 7241732096}, "total": 7241732096},
        },
        {"id": "a/y", "trendingScore": 3, "private": True, "gated": "auto", "safetensors": None},
        {"id": "a/z", "gated": "manual", "safetensors": {"total": "many"}},
        # Values a crawl does not ask for yet (safetensors) are never trusted to be numbers.
        {"id": "a/w", "safetensors": "weird"},
        {"id": "a/v", "safetensors": {"total": 1e30}},
    ]
    derived = _compacted(records, tmp_path)
    assert [row["gated"] for row in derived] == ["false", "auto", "manual", None, None]
    assert [row["parameters"] for row in derived] == [7241732096, None, None, None, None]
    assert [row["trending_score"] for row in derived] == [12.5, 3.0, None, None, None]
    assert [row["private"] for row in derived] == [False, True, None, None, None]
    modified = datetime(2025, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)
    assert derived[0]["last_modified"] == modified


@pytest.mark.parametrize("repo_type", [DATASETS, SPACES], ids=lambda t: t.name)
def test_datasets_and_spaces_get_author_and_license(tmp_path: Path, repo_type: RepoType) -> None:
    records = [
        {"id": "o/d", "author": None, "likes": 3, "tags": ["license:cc-by-4.0", "license:mit"]},
        {"id": "solo", "author": None, "downloads": 9, "downloadsAllTime": 90, "tags": None},
    ]
    derived = _compacted(records, tmp_path, repo_type)
    assert [row["author"] for row in derived] == ["o", None]
    assert [row["license"] for row in derived] == ["cc-by-4.0", None]
    assert [row["likes"] for row in derived] == [3, None]
    assert [column.name for column in pq.read_schema(tmp_path / "part-00000.parquet")] == [
        *repo_type.columns.names,
        "id_hash",
    ]
    if repo_type is DATASETS:
        assert [row["downloads_all_time"] for row in derived] == [None, 90]


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


def test_models_keep_their_parameter_count_and_declared_datasets(tmp_path: Path) -> None:
    sized = {"id": "a/x", "safetensors": {"total": 7_000_000_000}, "tags": ["dataset:o/d", "mit"]}
    both = {"id": "a/y", "safetensors": None, "tags": ["dataset:o/d", "dataset:p/e"]}
    rows = _compacted([sized, both, {"id": "a/z", "tags": []}], tmp_path)
    assert [(r["parameters"], r["declared_datasets"]) for r in rows] == [
        (7_000_000_000, ["o/d"]),
        (None, ["o/d", "p/e"]),
        (None, None),
    ]


def test_datasets_keep_every_category_their_card_declares(tmp_path: Path) -> None:
    tags = ["task_categories:translation", "task_categories:summarization", "modality:text",
            "modality:audio", "language:fr", "language:en", "size_categories:n<1K",
            "size_categories:1K<n<10K", "format:csv", "license:mit",
            "license:apache-2.0"]  # fmt: skip
    records = [{"id": "o/d", "gated": "auto", "tags": tags}, {"id": "o/e", "gated": False}]
    rows = _compacted(records, tmp_path, DATASETS)
    named = [*DATASET_TAG_LISTS, "size_category", "license"]
    assert {column: rows[0][column] for column in named} == {
        # A dataset with several task categories, modalities, languages is in each.
        "task_categories": ["translation", "summarization"],
        "modalities": ["text", "audio"],
        "formats": ["csv"],
        "languages": ["fr", "en"],
        # One size category and one license: the first the card states.
        "size_category": "n<1K",
        "license": "mit",
    }
    # Kept as the Hub's text: the report makes its flag of it (analysis.snapshot.hub).
    assert [r["gated"] for r in rows] == ["auto", "false"]
    assert all(rows[1][column] is None for column in named)


def test_spaces_keep_stage_requested_hardware_and_links(tmp_path: Path) -> None:
    runtime = {"stage": "SLEEPING", "hardware": {"current": None, "requested": "t4-small"}}
    records = [{"id": "u/app", "runtime": runtime, "models": ["o/m"]}, {"id": "u/bare"}]
    rows = _compacted(records, tmp_path, SPACES)
    assert [(r["stage"], r["hardware"], r["models"]) for r in rows] == [
        ("SLEEPING", "t4-small", ["o/m"]),
        (None, None, None),
    ]
