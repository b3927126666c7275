"""``python -m scheduler.daily`` stops at the first step that fails and says which.

The whole pipeline, run twice a day apart on the emulator (once in this host's processes, once
through Scrapyd), is in test_schedule.py, beside the Scrapyd it needs.
"""

from __future__ import annotations

from pathlib import Path

from fakehub.hub import SyntheticHub
from tests.helpers import daily

# Quick give-up for a failing page, so the crawl ends in about a second.
FAST_FAILURE = ["HUB_RETRY_TIMES=1", "HUB_BACKOFF_BASE=0.05", "HUB_BACKOFF_MAX=0.05"]


def test_a_failed_crawl_stops_the_pipeline_naming_the_step(fakehub, tmp_path: Path) -> None:
    hub = fakehub(
        "--models", "300", "--datasets", "50", "--page-cap", "100", "--fault", "error@2x*"
    )
    settings = [f"HUB_ENDPOINT={hub.url}", *FAST_FAILURE]
    data, reports = tmp_path / "data", tmp_path / "reports"
    result = daily(
        "--data",
        str(data),
        "--out",
        str(reports),
        *(arg for setting in settings for arg in ("--setting", setting)),
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "daily: FAILED at step listings (exit status 1); not run: authors, analysis"
    )
    # The crawl's own word on each listing: models failed on its page 2, the others published.
    assert "hfcrawler: models: FAILED, page 2 (" in result.stderr
    datasets = sum(1 for _ in SyntheticHub(seed=0, models=300, datasets=50).records("datasets"))
    assert f"hfcrawler: datasets: published {datasets} records" in result.stderr
    assert not list((data / "snapshots" / "models").glob("date=*"))
    assert not (data / "snapshots" / "authors").exists()
    assert not reports.exists()


def test_from_starts_at_a_later_step_and_a_failed_analysis_is_named(tmp_path: Path) -> None:
    result = daily(
        "--data", str(tmp_path), "--out", str(tmp_path / "reports"), "--from", "analysis"
    )
    assert result.returncode == 1
    assert result.stdout.startswith("daily: analysis: python -m analysis --data ")
    assert "no models partition under" in result.stderr
    assert "crawl one with `scrapy crawl models`" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "daily: FAILED at step analysis (exit status 2); not run: none"
    )
    unknown = daily("--from", "export")
    assert unknown.returncode == 2
    assert "--from takes one of listings, authors, analysis" in unknown.stderr
