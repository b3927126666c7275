"""Fixtures. Shared helpers are in tests/helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from fakehub.process import FakeHubProcess


@pytest.fixture
def fakehub() -> Iterator[Callable[..., FakeHubProcess]]:
    """Start ``python -m fakehub`` with the given arguments (and tokens, ``{user: token}``) on a
    free loopback port; every server started is stopped at the end of the test."""
    with ExitStack() as started:

        def start(*args: str, tokens: dict[str, str] | None = None) -> FakeHubProcess:
            return started.enter_context(FakeHubProcess(list(args), tokens=tokens))

        yield start
