"""Defaults of the analysis in one place: where data and reports live, how much each chart shows.

The data directory is `data/` (relative to the working directory) unless the `HFCRAWLER_DATA`
environment variable or `--data` says otherwise; reports go to `reports/` unless `--out` says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA_DIR_ENV = "HFCRAWLER_DATA"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_OUT_DIR = Path("reports")
# The repo type analysed unless a caller asks for another (analysis.store.repo_types declares the
# ones the analysis can read).
DEFAULT_REPO_TYPE = "models"
# The repo types a report analyses unless `--type` narrows them, in its order: the first of those
# asked for decides the day (named here for the command line, which loads no declaration).
REPORT_REPO_TYPES = ("models", "datasets", "spaces")

# The longest string of the data the page shows (a cell, a value); the CSV tables keep it whole.
PAGE_CHARACTERS = 200
# Bars beyond this many categories stop being legible; the CSV tables keep every row.
TOP_N = 25
# Shares of the population whose slice of all downloads the concentration chart reports.
TOP_FRACTIONS = (0.001, 0.01, 0.1)
LORENZ_POINTS = 101
# From this many models on, parts are compacted and charts drawn by worker processes.
PARALLEL_FROM_MODELS = 200_000

# Repos migrated from the Hub's first storage on 2022-03-02 carry a createdAt within this minute
# (23:29:04, :05 and :22 are seen): the migration batch, whose creation date is unknown.
MIGRATION_BATCH_START = datetime(2022, 3, 2, 23, 29, tzinfo=UTC)
MIGRATION_BATCH_END = MIGRATION_BATCH_START + timedelta(minutes=1)
MIGRATION_BATCH = (
    f"the {MIGRATION_BATCH_START:%Y-%m-%d} migration batch (createdAt from "
    f"{MIGRATION_BATCH_START:%H:%M:%S} to {MIGRATION_BATCH_END:%H:%M:%S} UTC)"
)

# Labels a user sees for what the Hub leaves empty.
NO_TASK = "(no task)"
NO_LIBRARY = "(no library)"
NO_LICENSE = "(no license)"
NO_AUTHOR = "(no author)"
NO_TASK_CATEGORY = "(no task category)"
NO_MODALITY = "(no modality)"
NO_SDK = "(no sdk)"

# History: the windows of adoption velocity (days), the rows each ranking keeps, the
# downloadsAllTime a model (or author) needs at a window's start to be ranked by relative gain, and
# how many models (and base models) the history's series follow.
VELOCITY_WINDOWS = (7, 30)
VELOCITY_TOP = 25
RELATIVE_FLOOR = 1000
HISTORY_MODELS = 10

# Trends: the windows (days) of the rising repos and of the new entrants, and the days before the
# latest snapshot whose ranks and headline figures the report compares against.
TREND_WINDOWS = (1, 7, 30)
# The velocity windows (days) of datasets and Spaces: the trend windows, so that their top gainers
# of the last day, week and month sit beside their rising ones.
HUB_VELOCITY_WINDOWS = TREND_WINDOWS
RANK_CHANGE_DAYS = (1, 7)
# A repo's usual downloads per day count as at least this many when judging how fast it rises: a
# model going from 3 downloads to 30 has risen tenfold, and says nothing.
RISING_FLOOR_DOWNLOADS = 100.0
# The same floor for Spaces, which gain likes, not downloads: a like a day.
RISING_FLOOR_LIKES = 1.0
