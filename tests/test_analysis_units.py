"""The analysis' parts on hand-made inputs: partitions, derivation, metrics, CSV cells, labels."""

from __future__ import annotations

import csv
import io
import json
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pj
import pytest
from matplotlib.figure import Figure

from analysis.charts import safe_label
from analysis.derive import RAW_SCHEMA, derive
from analysis.intervals import rows_in
from analysis.metrics import gini, lorenz, top_share
from analysis.partitions import scan
from analysis.tables import write_csv
from analysis.taxonomy import load_taxonomy
from analysis.text import neutralise, shorten


def _manifest(directory: Path, **fields: object) -> None:
    directory.mkdir(parents=True)
    (directory / "part-00000.jsonl.gz").write_bytes(b"")
    manifest = {
        "status": "complete",
        "date": directory.name[5:],
        "parts": [{"name": "part-00000.jsonl.gz"}],
    }
    manifest.update(fields)
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_scan_keeps_only_complete_partitions_and_says_why_others_are_skipped(
    tmp_path: Path,
) -> None:
    root = tmp_path / "snapshots" / "models"
    _manifest(root / "date=2026-03-01")
    _manifest(root / "date=2026-03-02", status="running")
    _manifest(root / "date=2026-03-03", date="2026-03-04")
    _manifest(root / "date=2026-03-05", parts=[{"name": "../escape.jsonl.gz"}])
    (root / "date=2026-03-06").mkdir()
    _manifest(root / ".date=2026-03-07.tmp")
    _manifest(root / "date=2026-03-08")
    found = scan(tmp_path, "models")
    assert [p.day for p in found.complete] == [date(2026, 3, 1), date(2026, 3, 8)]
    assert [(s.name, s.reason) for s in found.skipped] == [
        ("date=2026-03-02", "status is 'running', not 'complete'"),
        ("date=2026-03-03", "manifest date '2026-03-04' does not match the directory"),
        ("date=2026-03-05", "part '../escape.jsonl.gz' is missing"),
        ("date=2026-03-06", "no manifest.json"),
    ]


def test_scan_of_a_missing_directory_finds_nothing(tmp_path: Path) -> None:
    found = scan(tmp_path / "absent", "models")
    assert (found.complete, found.skipped) == ([], [])


def _derived(records: list[dict[str, object]]) -> list[dict[str, object]]:
    raw = "".join(json.dumps(record) + "\n" for record in records).encode()
    options = pj.ParseOptions(explicit_schema=RAW_SCHEMA, unexpected_field_behavior="ignore")
    return derive(pj.read_json(io.BytesIO(raw), parse_options=options), load_taxonomy()).to_pylist()


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


def test_gini_lorenz_and_top_shares_on_known_vectors() -> None:
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)
    assert gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)
    assert gini(np.array([], dtype=np.int64)) == 0.0
    share, held = lorenz(np.array([0, 0, 0, 8]), 5)
    assert share.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert held.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    values = np.arange(1, 101)
    assert top_share(values, 0.01) == pytest.approx(100 / 5050)
    assert top_share(values, 0.07) == pytest.approx(sum(range(94, 101)) / 5050)
    assert top_share(values, 0.001) == pytest.approx(100 / 5050)
    assert top_share(np.zeros(3), 0.1) == 0.0


def test_csv_cells_that_spreadsheets_would_run_get_a_quote(tmp_path: Path) -> None:
    long = "y" * 100_000
    frame = pd.DataFrame(
        {
            "name": [
                "=SUM(A1)",
                "+1",
                "-x",
                "@cmd",
                "\tTAB",
                "\rCR",
                'plain, "quoted"\nline',
                "\u202e=1+1\x1b[2J\x00",
                long,
            ],
            "count": [1, -2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    write_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == ["name", "count"]
    # Control and bidirectional characters are shown as escapes, so none can start a formula.
    assert [row[0] for row in table[1:]] == [
        "'=SUM(A1)",
        "'+1",
        "'-x",
        "'@cmd",
        "\\x09TAB",
        "\\x0dCR",
        'plain, "quoted"\\x0aline',
        "\\u202e=1+1\\x1b[2J\\x00",
        long,
    ]
    assert [row[1] for row in table[1:]] == ["1", "-2", "3", "4", "5", "6", "7", "8", "9"]


def test_neutralise_makes_every_hidden_character_visible_and_shorten_cuts() -> None:
    hidden = "\x00\x1b\x7f\x85\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069\ud800"
    assert neutralise(f"a{hidden}b") == (
        "a\\x00\\x1b\\x7f\\x85\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a\\u202e"
        "\\u2066\\u2069\\ud800b"
    )
    # Letters of any script, joiners and emoji are text, not hidden characters.
    visible = "نموذج עברי 模型 e\u0301 \u200d\U0001f600 \\ $x$"
    assert neutralise(visible) == visible
    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde…"


def test_safe_labels_draw_without_mathtext_warnings_or_overflow(tmp_path: Path) -> None:
    hostile = [
        "$\\frac{a}{b}$",
        "x" * 500,
        "نموذج عربي",
        "\u202eevil\u202c",
        "模型",
        "a\nb\x00",
        "$\\frac{a$ $b$",
    ]
    labels = [safe_label(text) for text in hostile]
    # Dollars escaped: never mathtext, in a legend or a tick label, however malformed.
    assert labels[0] == "\\$\\frac{a}{b}\\$"
    assert len(labels[1]) == 40
    assert labels[1].endswith("…")
    assert labels[3] == "\\u202eevil\\u202c"
    assert labels[5] == "a\\x0ab\\x00"
    figure = Figure()
    axes = figure.add_subplot()
    for position, label in enumerate(labels):
        axes.barh(position, position + 1, label=label)
    axes.set_yticks(range(len(labels)), labels=labels)
    # A legend parses mathtext: an unescaped malformed formula would fail the whole chart here.
    axes.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure.savefig(tmp_path / "labels.png")
    assert (tmp_path / "labels.png").read_bytes()[:4] == b"\x89PNG"


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


def test_derive_handles_an_empty_batch() -> None:
    empty = pa.table({field.name: pa.array([], field.type) for field in RAW_SCHEMA})
    assert derive(empty, load_taxonomy()).num_rows == 0


def test_rows_in_finds_each_continuing_hash_and_refuses_repeated_ones() -> None:
    rng = np.random.default_rng(7)
    start = rng.integers(0, 2**63, size=1000, dtype=np.uint64)
    created = rng.integers(0, 2**63, size=50, dtype=np.uint64)
    # The end snapshot: every third start model deleted, the rest shuffled among new ones.
    kept = np.flatnonzero(np.arange(1000) % 3 != 0)
    end = np.concatenate([start[kept], created])
    shuffle = rng.permutation(len(end))
    end = end[shuffle]
    rows = rows_in(start, end)
    assert rows is not None
    assert (rows[np.arange(1000) % 3 == 0] == -1).all()
    assert (end[rows[kept]] == start[kept]).all()
    # A hash twice in the end snapshot, or two start rows finding one end row: no answer.
    assert rows_in(start, np.concatenate([end, end[:1]])) is None
    assert rows_in(np.concatenate([start, start[1:2]]), end) is None
    # Two start rows sharing a hash that neither continues: both deleted, which is right.
    twice = np.concatenate([start, start[:1]])
    assert (rows_in(twice, end)[[0, 1000]] == -1).all()
    assert (rows_in(start, end[:0]) == -1).all()
