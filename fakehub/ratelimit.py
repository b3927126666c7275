"""The Hub's "api" rate-limit bucket: fixed windows of `--window` seconds, `--quota` requests each.

One bucket is shared by every endpoint and every client, like the real "api" bucket per caller
in a single-user test. Quota 0 never refuses but still advertises a large quota, so clients always
see the headers (unless `--no-ratelimit-headers`).
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

UNLIMITED_ADVERTISED = 100_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    reset_seconds: int
    quota: int
    window: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit": f'"api";r={self.remaining};t={self.reset_seconds}',
            "RateLimit-Policy": f'"fixed window";"api";q={self.quota};w={self.window}',
        }


class FixedWindowLimiter:
    def __init__(
        self, quota: int, window: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.quota = quota
        self.window = window
        self._clock = clock
        self._origin = clock()
        self._current = 0
        self._used = 0

    def take(self) -> Decision:
        """Count one request against the current window and say whether it may be served."""
        elapsed = self._clock() - self._origin
        window_number = int(elapsed // self.window)
        if window_number != self._current:
            self._current, self._used = window_number, 0
        reset = max(1, math.ceil((window_number + 1) * self.window - elapsed))
        advertised = self.quota or UNLIMITED_ADVERTISED
        self._used += 1
        allowed = self.quota == 0 or self._used <= self.quota
        remaining = max(0, advertised - self._used)
        return Decision(allowed, remaining, reset, advertised, self.window)
