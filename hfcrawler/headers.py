"""Parsing of the Hub's pagination and rate-limit response headers.

``Link: <URL>; rel="next"`` announces the next page (absent on the last one). ``RateLimit:
"api";r=<remaining>;t=<seconds to reset>`` and ``RateLimit-Policy: "fixed window";"api";q=<quota>;
w=<window>`` come with every response; ``Retry-After`` may come with a 429. A rate-limit header
may list several buckets (``"api";r=0;t=137, "default";r=50;t=30``): the ``"api"`` entry is read,
wherever it stands, else the first. A reset further away than the policy's window is cut to the
window (a fixed window resets within ``w`` seconds). All are parsed leniently: a header we cannot
read, or a number that is negative, NaN or infinite, is treated as absent, never as a crash.
Standard library only: the emulator's client (fakehub.process) follows Link headers with it too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_PARAM = re.compile(r"""([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]+)""")
# One entry of a list header: quoted strings and other text, up to a comma outside quotes.
_ENTRY = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^,"])+')
# A bucket or policy name: a quoted string standing alone between semicolons (not a value).
_NAME = re.compile(r'(?:^|;)\s*"((?:[^"\\]|\\.)*)"\s*(?=;|$)')
BUCKET = "api"


def next_link(values: list[bytes], base_url: str) -> str | None:
    """Return the absolute URL of the ``rel="next"`` link among Link header values, if any."""
    for value in values:
        text = value.decode("latin-1")
        for match in _LINK.finditer(text):
            params = {k.lower(): v.strip('"') for k, v in _PARAM.findall(match.group(2))}
            if "next" in params.get("rel", "").lower().split():
                return urljoin(base_url, match.group(1).strip())
    return None


def _params(value: bytes | None) -> dict[str, str]:
    """The parameters of the header's ``"api"`` entry, else of its first entry."""
    if not value:
        return {}
    entries = [entry.strip() for entry in _ENTRY.findall(value.decode("latin-1"))]
    entries = [entry for entry in entries if entry]
    if not entries:
        return {}
    chosen = next((e for e in entries if BUCKET in _NAME.findall(e)), entries[0])
    return {k.lower(): v.strip('"') for k, v in _PARAM.findall(chosen)}


def _number(params: dict[str, str], key: str) -> float | None:
    try:
        number = float(params[key])
    except (KeyError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """What one response says about the quota: requests left and seconds until the window resets."""

    remaining: float | None
    reset: float | None
    quota: float | None
    window: float | None

    @classmethod
    def from_headers(cls, ratelimit: bytes | None, policy: bytes | None) -> RateLimit:
        """Read the ``RateLimit`` and ``RateLimit-Policy`` header values (either may be None)."""
        now, pol = _params(ratelimit), _params(policy)
        reset, window = _number(now, "t"), _number(pol, "w")
        if reset is not None and window is not None:
            reset = min(reset, window)
        return cls(_number(now, "r"), reset, _number(pol, "q"), window)

    @property
    def known(self) -> bool:
        """Whether the response said how many requests are left and when they come back."""
        return self.remaining is not None and self.reset is not None

    @property
    def spent(self) -> bool:
        """Whether the response said that no request is left in the window."""
        return self.remaining is not None and self.remaining < 1


def retry_after(value: bytes | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), if readable.

    A date in the past gives 0: deciding what a zero wait means is the caller's business.
    """
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC with no claim about the local zone
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
