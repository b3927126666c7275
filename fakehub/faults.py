"""Scheduled faults on listing pages (`--fault KIND@PAGE[xCOUNT]`) and random server errors.

PAGE is the 1-based page number within a walk (known from the cursor), COUNT how many times the
fault fires for that page (`*` = every time); `nolink` serves the page without its `Link` header,
so the listing seems to end there (an outage that drops headers). `--error-rate` answers a seeded
random fraction of listing requests with 500/502/503/504. The hostile kinds are described in
fakehub.hostile.
"""

import re
from dataclasses import dataclass

import numpy as np

from fakehub.hostile import HOSTILE_FAULTS

FAULT_KINDS = ("error", "truncate", "html", "drop", "slow", "notarray", "nolink", *HOSTILE_FAULTS)
_SPEC = re.compile(r"(?P<kind>[a-z]+)@(?P<page>\d+)(?:x(?P<count>\d+|\*))?")
_RANDOM_ERRORS = (500, 502, 503, 504)


@dataclass
class Fault:
    kind: str
    page: int
    remaining: int | None  # None: fires every time


def parse_fault(spec: str) -> Fault:
    """Parse `KIND@PAGE[xCOUNT]`; raise ValueError on anything else."""
    match = _SPEC.fullmatch(spec)
    if match is None or match["kind"] not in FAULT_KINDS or int(match["page"]) < 1:
        raise ValueError(f"bad fault {spec!r}: expected KIND@PAGE[xCOUNT], KIND in {FAULT_KINDS}")
    count = match["count"]
    remaining = None if count == "*" else int(count or 1)
    return Fault(match["kind"], int(match["page"]), remaining)


class FaultPlan:
    def __init__(self, faults: list[Fault], error_rate: float, seed: int) -> None:
        self.faults = faults
        self.error_rate = error_rate
        self._rng = np.random.default_rng([seed, 404])

    def fault_for(self, page: int) -> str | None:
        """The fault kind to inflict on this request for `page`, consuming one firing."""
        for fault in self.faults:
            if fault.page == page and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault.kind
        return None

    def random_error(self) -> int | None:
        """An HTTP status to fail this listing request with, or None to serve it."""
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return int(self._rng.choice(_RANDOM_ERRORS))
        return None
