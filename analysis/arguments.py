"""Argument types shared by `python -m analysis` and its `show` and `export` commands."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from analysis.defaults import DATA_DIR_ENV, DEFAULT_DATA_DIR


def day(text: str) -> date:
    """A day given as YYYY-MM-DD (argparse says what is wrong with anything else)."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        msg = f"not a date in YYYY-MM-DD form: {text!r}"
        raise argparse.ArgumentTypeError(msg) from error


def add_data_option(parser: argparse.ArgumentParser, what: str = "data directory") -> None:
    """`--data`: the data directory, by default $HFCRAWLER_DATA if set, else the project's."""
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR),
        help=f"{what} (default: ${DATA_DIR_ENV} if set, else {DEFAULT_DATA_DIR}/)",
    )
