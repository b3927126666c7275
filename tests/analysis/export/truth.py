"""A history of models, datasets and Spaces whose every number is known, for the export's tests.

Complete partitions on nine days from 2026-11-20 to 2026-11-29; the crawl of 2026-11-26 failed, so
that day is a gap. Among the models: one whose downloadsAllTime drops (google-bert on 11-24), one
created on 11-23 (meta-llama), one deleted after 11-24, one absent from 11-22 to 11-24 and back on
11-25, one absent on 11-27 only (listed on both sides of it inside the last 7 days), one the Hub
gives no count for on 11-27, two that gain exactly as much (a tie), one too small for the
relative ranking, and thirty more, so that rankings of 25 leave some out; likes that go down on
some days. Datasets from 11-27, Spaces from 11-28 (no downloads, no gated).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.helpers import model_record, write_partition

DAYS = [
    "2026-11-20",
    "2026-11-21",
    "2026-11-22",
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-11-27",
    "2026-11-28",
    "2026-11-29",
]
FAILED_DAY = "2026-11-26"
LATEST = DAYS[-1]


def _series(start: int, step: int, days: list[str] = DAYS) -> dict[str, int | None]:
    """`start` on the first day, `step` more every calendar day (so two across the gap)."""
    first = date.fromisoformat(DAYS[0])
    return {day: start + step * (date.fromisoformat(day) - first).days for day in days}


def _models() -> dict[str, dict[str, int | None]]:
    """downloadsAllTime per model and day (absent: not listed that day; None: no count)."""
    models = {
        "openai-community/gpt2": _series(100_000, 5_000),
        "google-bert/bert-base-uncased": _series(50_000, 3_000),
        "meta-llama/Llama-3.1-8B": _series(-22_000, 8_000, DAYS[3:]),
        "someone/deleted-model": _series(5_000, 100, DAYS[:5]),
        "someone/back-again": _series(3_000, 400, [*DAYS[:2], *DAYS[5:]]),
        "someone/away-a-day": _series(60_000, 6_000, [*DAYS[:6], *DAYS[7:]]),
        "someone/no-count": _series(9_000, 700),
        "tie/alpha": _series(20_000, 900),
        "tie/beta": _series(30_000, 900),
        "small/model": _series(10, 60),
    }
    models["google-bert/bert-base-uncased"]["2026-11-24"] = 40_000
    models["someone/no-count"]["2026-11-27"] = None
    for k in range(30):
        models[f"org-{k:02d}/model-{k:02d}"] = _series(1_000 * (k + 1), (k * 37 % 101 + 1) * 10)
    return models


MODELS = _models()
DATASETS = {
    "rajpurkar/squad": _series(700_000, 1_200, DAYS[6:]),
    "someone/new-data": _series(0, 30, DAYS[7:]),
}
SPACES: dict[str, dict[str, int | None]] = {
    "gradio/demo": dict.fromkeys(DAYS[7:]),
    "someone/space": dict.fromkeys(DAYS[8:]),
}
GATED = {"openai-community/gpt2": False, "google-bert/bert-base-uncased": "manual"}
GATED_DATASETS = {"rajpurkar/squad": "auto"}
TASKS = {"openai-community/gpt2": "text-generation", "meta-llama/Llama-3.1-8B": "text-generation"}


def likes(repo: str, day: str) -> int:
    """Likes of `repo` on `day`: they go up, and down every third day for some repos."""
    index = DAYS.index(day)
    return 10 * len(repo) + index * 3 - (5 * index if index % 3 == 2 and len(repo) % 2 else 0)


def _common(repo: str, day: str, repo_type: str) -> dict[str, Any]:
    created = date(2025, 1, 1) + timedelta(days=len(repo))
    return {
        "createdAt": f"{created.isoformat()}T08:30:00.000Z",
        "lastModified": f"{day}T01:02:03.456Z",
        "likes": likes(repo, day),
        "trendingScore": DAYS.index(day) + len(repo) / 8,
        "tags": [f"license:{'mit' if len(repo) % 2 else 'apache-2.0'}", "region:us"],
        "repoType": repo_type,
    }


def records(repo_type: str, day: str) -> list[dict[str, Any]]:
    """The records of `repo_type`'s partition of `day`, as the crawler writes them."""
    found = []
    if repo_type == "models":
        for repo, series in MODELS.items():
            if day in series:
                fields = _common(repo, day, "model")
                found.append(
                    model_record(
                        repo,
                        **fields,
                        downloads=(series[day] or 0) // 10,
                        downloadsAllTime=series[day],
                        gated=GATED.get(repo, "auto" if repo.startswith("meta") else False),
                        pipeline_tag=TASKS.get(repo),
                        library_name="transformers" if repo in TASKS else None,
                    )
                )
    elif repo_type == "datasets":
        for repo, series in DATASETS.items():
            if day in series:
                record = model_record(repo, **_common(repo, day, "dataset"))
                record.update(downloads=series[day] // 10, downloadsAllTime=series[day])
                record["gated"] = GATED_DATASETS.get(repo, False)
                del record["pipeline_tag"], record["library_name"]
                found.append(record)
    else:
        for repo, series in SPACES.items():
            if day in series:
                record = model_record(repo, **_common(repo, day, "space"), sdk="gradio")
                for field in ("downloads", "downloadsAllTime", "gated"):
                    del record[field]
                del record["pipeline_tag"], record["library_name"]
                found.append(record)
    return found


def write_history(data: Path, days: list[str] = DAYS, *, failed: bool = True) -> None:
    """Write the partitions of `days`, and unless not `failed` a partition of the gap day whose
    manifest says its crawl failed (the crawler never publishes one: the analysis must not read
    one all the same)."""
    for day in days:
        for repo_type in ("models", "datasets", "spaces"):
            found = records(repo_type, day)
            if found:
                write_partition(data, repo_type, day, found)
    if failed:
        # Its numbers would wreck the gains if they were read.
        write_partition(data, "models", FAILED_DAY, records("models", DAYS[0]), status="failed")


TRUTH = {"models": MODELS, "datasets": DATASETS, "spaces": SPACES}


def expected(repo_type: str) -> dict[tuple[str, str], dict[str, Any]]:
    """What the export's day rows of `repo_type` must say, by (id, day), worked out from the
    records: each gain is the difference with the complete day before, where the repo was."""
    truth = TRUTH[repo_type]
    present = [day for day in DAYS if any(day in series for series in truth.values())]
    rows = {}
    for repo, series in truth.items():
        first = min(series)
        for day in series:
            position = present.index(day)
            before = present[position - 1] if position else None
            seen = before is not None and before in series
            now, then = series[day], series.get(before) if seen else None
            difference = None if now is None or then is None else now - then
            rows[repo, day] = {
                "first_seen": date.fromisoformat(first),
                "previous_day": date.fromisoformat(before) if seen else None,
                "days_between": (date.fromisoformat(day) - date.fromisoformat(before)).days
                if seen
                else None,
                "downloads_all_time": now,
                "downloads_gained": difference if difference is None or difference >= 0 else None,
                "downloads_all_time_dropped": difference is not None and difference < 0,
                "likes": likes(repo, day),
                "likes_gained": likes(repo, day) - likes(repo, before) if seen else None,
            }
    return rows
