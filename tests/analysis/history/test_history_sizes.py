"""The size classes' shares of the downloads gained and of the models created, between two days of
the emulator, against the truth worked out here from its records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fakehub.hub import SyntheticHub
from tests.helpers import csv_rows, run_analysis, write_partition

GIGA = 10**9
DAYS = ("2026-11-01", "2026-11-02")


def _size_class(model: dict) -> str:
    total = (model["safetensors"] or {}).get("total")
    if total is None:
        return "unknown"
    bounds = ((1, "< 1B"), (3, "1-3B"), (8, "3-8B"), (15, "8-15B"), (35, "15-35B"), (80, "35-80B"))
    return next((label for bound, label in bounds if total < bound * GIGA), "> 80B")


def test_size_classes_share_the_downloads_gained_and_the_new_models(tmp_path: Path) -> None:
    hub = SyntheticHub(seed=21, models=3000)
    days = []
    for day in DAYS:
        records = [{**record, "repoType": "model"} for record in hub.records("models")]
        write_partition(tmp_path / "data", "models", day, records)
        days.append({record["id"]: record for record in records})
        hub.advance(1)
    before, after = days
    gained: Counter[str] = Counter()
    created: Counter[str] = Counter()
    for model_id, model in after.items():
        if model_id not in before:
            created[_size_class(model)] += 1
            continue
        start, end = before[model_id]["downloadsAllTime"], model["downloadsAllTime"]
        if start is not None and end is not None and end >= start:
            gained[_size_class(model)] += end - start
    assert sum(created.values()) > 0
    assert len([c for c in gained if gained[c]]) >= 3

    out = tmp_path / "reports"
    result = run_analysis("--data", str(tmp_path / "data"), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = Path(result.stdout.strip()).parent
    rows = csv_rows(report, "history_model_sizes")
    assert {
        r["size_class"]: int(r["downloads_gained"]) for r in rows if int(r["downloads_gained"])
    } == {name: value for name, value in gained.items() if value}
    assert {r["size_class"]: int(r["created"]) for r in rows if int(r["created"])} == dict(created)
    total = sum(gained.values())
    for row in rows:
        assert abs(float(row["downloads_share"]) - gained[row["size_class"]] / total) < 1e-9
    assert (report / "charts" / "history_model_sizes.png").stat().st_size > 0
