"""The Scrapy settings a job is given through Scrapyd, checked before they are sent.

Settings travel in ``schedule.json`` and are stored in Scrapyd's job database, process list and
logs, so a setting whose name says it holds a secret is refused (the Hub token goes in Scrapyd's
environment as ``HF_TOKEN``), and the data directory has an option of its own.
"""

from __future__ import annotations

import re

# Words that, as a component of a setting name (HF_TOKEN, HUB_AUTH, AUTH_HEADER, DB_PASSWORD,
# APITOKEN…), mark a secret. A component, not a substring: AUTHORS_BUDGET is no secret.
SECRET_COMPONENT = re.compile(
    r"[a-z0-9]*(?:token|password|passwd|secret|auth)s?|credentials?|(?:api)?keys?", re.IGNORECASE
)
# The crawler's setting for jobs that draw on one rate-limit quota from separate processes.
QUOTA_SHARED_BY = "HUB_QUOTA_SHARED_BY"


def is_secret_setting(name: str) -> bool:
    """Whether a setting's name says it holds a secret (one of its components does)."""
    return any(SECRET_COMPONENT.fullmatch(part) for part in re.split(r"[^A-Za-z0-9]+", name))


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as settings; ValueError says why one is refused."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            msg = f"--setting takes NAME=VALUE, got {pair!r}"
            raise ValueError(msg)
        if is_secret_setting(name):
            msg = (
                f"refusing --setting {name}: a secret would be stored in Scrapyd's job list and "
                "logs; the Hub token goes in Scrapyd's environment as HF_TOKEN"
            )
            raise ValueError(msg)
        if name == "DATA_DIR":
            msg = "give the data directory with --data, not --setting DATA_DIR"
            raise ValueError(msg)
        settings[name] = value
    return settings


def job_settings(settings: dict[str, str], data: str, together: int) -> dict[str, str]:
    """What each of ``together`` jobs started at once is sent: the user's settings, the data
    directory and, for several jobs, their share of the quota.

    Each Scrapyd job is a process of its own with its own pacer, and each would count the whole of
    what the Hub reports left as its own; with the share each counts only its part. A share given
    with ``--setting`` is kept.
    """
    shared = {QUOTA_SHARED_BY: str(together)} if together > 1 else {}
    return {**shared, **settings, "DATA_DIR": data}
