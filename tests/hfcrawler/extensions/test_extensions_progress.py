"""Long crawls say how far they are, how fast, and when they will be done."""

import re

from tests.helpers import crawl


def test_progress_lines_with_rate_quota_and_eta(fakehub, tmp_path):
    hub = fakehub(
        "--models",
        "3000",
        "--seed",
        "7",
        "--page-cap",
        "100",
        "--latency-page",
        "0.1",
        "--quota",
        "1000",
        "--window",
        "300",
    )
    first = crawl(
        "models",
        endpoint=hub.url,
        data=tmp_path,
        settings={"SNAPSHOT_DATE": "2026-01-01", "HUB_PAGE_SIZE": 100},
    )
    assert first.returncode == 0, first.stderr[-2000:]
    second = crawl(
        "models",
        endpoint=hub.url,
        data=tmp_path,
        settings={"HUB_PAGE_SIZE": 100, "PROGRESS_INTERVAL": 1},
    )
    assert second.returncode == 0, second.stderr[-2000:]

    lines = [line for line in second.stderr.splitlines() if "Progress: models:" in line]
    assert len(lines) >= 2
    pattern = re.compile(
        r"Progress: models: [\d,]+ pages, [\d,]+ records \([\d,]+/s\), quota [\d,]+/1,000 left, "
        r"\d+ retries, \d+ 429s, ETA \d+m\d\ds \(~[\d,]+ as on 2026-01-01\)"
    )
    assert all(pattern.search(line) for line in lines), lines
    summary = [line for line in second.stderr.splitlines() if "Summary: models:" in line]
    assert len(summary) == 1
    assert "30 pages" in summary[0]
    assert "(finished)" in summary[0]
