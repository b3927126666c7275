"""Request accounting exposed at GET /_fakehub/stats, so tests can see what a client did.

Only whether a request carried an Authorization header is recorded, never the header itself.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServerStats:
    requests: int = 0
    pages_served: int = 0
    items_served: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_path: Counter[str] = field(default_factory=Counter)
    auth_by_host: Counter[str] = field(default_factory=Counter)
    requests_by_host: Counter[str] = field(default_factory=Counter)

    def record(self, path: str, host: str, status: int, authorized: bool) -> None:
        self.requests += 1
        self.by_status[str(status)] += 1
        self.by_path[path] += 1
        self.requests_by_host[host] += 1
        if authorized:
            self.auth_by_host[host] += 1

    def record_page(self, items: int) -> None:
        self.pages_served += 1
        self.items_served += items

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": dict(self.by_status),
            "by_path": dict(self.by_path),
            "auth_by_host": dict(self.auth_by_host),
            "requests_by_host": dict(self.requests_by_host),
            "pages_served": self.pages_served,
            "items_served": self.items_served,
        }
