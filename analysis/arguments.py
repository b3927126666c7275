"""Argument types shared by `python -m analysis` and its `show` and `export` commands."""

from __future__ import annotations

import argparse
from datetime import date


def day(text: str) -> date:
    """A day given as YYYY-MM-DD (argparse says what is wrong with anything else)."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        msg = f"not a date in YYYY-MM-DD form: {text!r}"
        raise argparse.ArgumentTypeError(msg) from error
