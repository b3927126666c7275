"""Parsing of the Hub's pagination and rate-limit response headers.

``Link: <URL>; rel="next"`` announces the next page (absent on the last one). ``RateLimit:
"api";r=<remaining>;t=<seconds to reset>`` and ``RateLimit-Policy: "fixed window";"api";q=<quota>;
w=<window>`` come with every response; ``Retry-After`` may come with a 429. All are parsed
leniently: a header we cannot read is treated as absent, never as a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_PARAM = re.compile(r"""([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]+)""")


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
    if not value:
        return {}
    return {k.lower(): v.strip('"') for k, v in _PARAM.findall(value.decode("latin-1"))}


def _number(params: dict[str, str], key: str) -> float | None:
    try:
        number = float(params[key])
    except (KeyError, ValueError):
        return None
    return number if number >= 0 else None


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
        return cls(_number(now, "r"), _number(now, "t"), _number(pol, "q"), _number(pol, "w"))

    @property
    def known(self) -> bool:
        """Whether the response said how many requests are left and when they come back."""
        return self.remaining is not None and self.reset is not None


def retry_after(value: bytes | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), if readable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
