"""The whole Hub's tallies: how a Space's hardware is classed, how repos are counted per author."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.snapshot.hub import author_counts, hardware_class


@pytest.mark.parametrize(
    ("hardware", "kind"),
    [
        ("cpu-basic", "CPU"),
        ("cpu-upgrade", "CPU"),
        ("zero-a10g", "ZeroGPU"),
        ("t4-small", "T4"),
        ("t4-medium", "T4"),
        ("a10g-large", "A10G"),
        ("a100-large", "A100"),
        ("l4x1", "L4"),
        ("l40sx4", "L40S"),
        ("h100x8", "H100"),
        ("<b>x</b>", "<B>"),
    ],
)
def test_hardware_is_cpu_or_its_gpu_kind(hardware: str, kind: str) -> None:
    assert hardware_class(hardware) == kind


def _counted(authors: dict[str, pa.ChunkedArray]) -> dict[str, tuple[int, ...]]:
    names, counts = author_counts(authors)
    assert counts.shape == (len(names), len(authors))
    return dict(zip(names.to_pylist(), map(tuple, counts.tolist()), strict=True))


def test_repos_per_author_read_as_a_dictionary_count_as_read_as_text(tmp_path: Path) -> None:
    # Two files, two row groups each: four chunks whose dictionaries differ, and null authors.
    authors = [["ana", None, "bo", "ana"], ["cy", "ana"], [None, "dee", "bo"], ["éva", "cy"]]
    for number, (first, second) in enumerate([authors[:2], authors[2:]]):
        table = pa.table({"author": pa.array(first + second, pa.string())})
        pq.write_table(table, tmp_path / f"part-{number}.parquet", row_group_size=len(first))
    as_text = pq.read_table(tmp_path, columns=["author"])["author"]
    as_codes = pq.read_table(tmp_path, columns=["author"], read_dictionary=["author"])["author"]
    assert pa.types.is_dictionary(as_codes.type)
    assert as_codes.num_chunks == 4
    truth = Counter(name for chunk in authors for name in chunk if name is not None)
    assert _counted({"models": as_codes}) == {name: (n,) for name, n in truth.items()}
    assert _counted({"models": as_text}) == {name: (n,) for name, n in truth.items()}
    assert _counted({"models": as_codes.slice(0, 0)}) == {}


def test_repos_per_author_across_repo_types() -> None:
    # The same author in several types is one row; one in a single type has zeros elsewhere.
    models = pa.chunked_array([["ana", "bo"], [None, "ana"]], pa.string())
    datasets = pa.chunked_array([["bo", "cy", "cy"]], pa.string())
    spaces = pa.chunked_array([[], [None]], pa.string())
    counted = _counted({"models": models, "datasets": datasets, "spaces": spaces})
    assert counted == {"ana": (2, 0, 0), "bo": (1, 1, 0), "cy": (0, 2, 0)}
