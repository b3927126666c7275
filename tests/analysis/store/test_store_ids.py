"""Close matches of an unknown id, found with bounded work."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.store import ids
from analysis.store.ids import close_ids


def _cache(tmp_path: Path, names: list[str]) -> Path:
    cache = tmp_path / "cache"
    cache.mkdir()
    pq.write_table(pa.table({"id": names}), cache / "part-00000.parquet")
    return cache


def test_typos_and_case_find_the_id_meant(tmp_path: Path) -> None:
    names = [
        "meta-llama/Llama-3-8B",
        "meta-llama/Llama-3-70B",
        "google/gemma-2b",
        "acme/alpha",
        *(f"org{n}/model-{n}" for n in range(5_000)),
    ]
    cache = _cache(tmp_path, names)
    assert close_ids(cache, "meta-lama/llama-3-8b")[0] == "meta-llama/Llama-3-8B"
    assert close_ids(cache, "gogle/gemma-2b") == ["google/gemma-2b"]
    assert close_ids(cache, "acme/alpah") == ["acme/alpha"]
    assert close_ids(cache, "zz") == []


def test_the_candidates_compared_are_bounded(tmp_path: Path) -> None:
    names = [f"org/model-{n:06d}" for n in range(ids.CANDIDATES * 3)]
    cache = _cache(tmp_path, names)
    table = pq.read_table(cache, columns=["id"])["id"]
    assert len(ids._candidates(table, "org/model-000001x")) == ids.CANDIDATES
    assert close_ids(cache, "org/model-000001x")[0] == "org/model-000001"
