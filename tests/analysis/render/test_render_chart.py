"""A chart's drawing call: what it hands to the worker that draws it, and what it draws."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
from PIL import Image

from analysis.defaults import TOP_N
from analysis.render.chart import Chart
from analysis.render.charts import ranking
from analysis.render.hub_catalogue import hub_sections
from analysis.store.derive import UNKNOWN_SIZE


def _links(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"owner/dataset-{n}" for n in range(count)],
            "declaring_models": list(range(count, 0, -1)),
        }
    )


def _declared_chart(frames: dict[str, pd.DataFrame]) -> Chart:
    headline = {"models": 1, "downloads_30d": 1}
    sizes = pd.DataFrame({"size_class": [UNKNOWN_SIZE], "models": [1]})
    sections = hub_sections({**frames, "model_sizes": sizes}, headline, {}, {})
    found = [c for s in sections for c in s.charts if c.name == "links_declared_datasets"]
    assert len(found) == 1, [c.name for s in sections for c in s.charts]
    return found[0]


def test_a_ranking_of_a_long_table_hands_on_only_the_rows_it_draws(tmp_path: Path) -> None:
    frames = {"links_declared_datasets": _links(50_000)}
    chart = _declared_chart(frames)
    call = chart.drawing(frames, tmp_path)
    (handed,) = call.args
    assert list(handed["id"]) == [f"owner/dataset-{n}" for n in range(TOP_N)]
    # What a worker receives is the top rows, not the table: a few kilobytes, not megabytes.
    assert len(pickle.dumps(call)) < 20_000
    (tmp_path / "charts").mkdir()
    call()
    with Image.open(tmp_path / chart.png) as image:
        assert image.format == "PNG"
        assert image.size[0] > 500


def test_the_ranking_drawn_from_the_top_rows_is_the_one_drawn_from_the_table(
    tmp_path: Path,
) -> None:
    table = _links(400)
    options = {"label": "id", "value": "declaring_models", "title": "t", "unit": "models"}
    ranking(table, path=tmp_path / "whole.png", **options)
    ranking(table.head(TOP_N), path=tmp_path / "top.png", **options)
    assert (tmp_path / "whole.png").read_bytes() == (tmp_path / "top.png").read_bytes()
