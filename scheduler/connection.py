"""Which Scrapyd to talk to, with the same credentials as ``make deploy`` (``deploy/deploy.sh``).

``SCRAPYD_URL`` names the server; ``SCRAPYD_USERNAME`` (default ``hfcrawler``) and
``SCRAPYD_PASSWORD`` are its credentials. Without ``SCRAPYD_URL`` it is the local Scrapyd of
``make scrapyd``: ``http://127.0.0.1:$SCRAPYD_PORT`` (default 6800), whose generated password is
read from ``$SCRAPYD_HOME/password`` (default ``~/.local/share/hfcrawler/scrapyd``) when
``SCRAPYD_PASSWORD`` is unset. That file is never read for a server named by ``SCRAPYD_URL``, so
the local password is never sent elsewhere, and no password is ever printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from scheduler.scrapyd import Scrapyd

DEFAULT_USERNAME = "hfcrawler"
DEFAULT_PORT = "6800"
# Where `make scrapyd` keeps the local Scrapyd (the Makefile's SCRAPYD_HOME default).
DEFAULT_HOME = Path("~/.local/share/hfcrawler/scrapyd")


def local_password(environ: Mapping[str, str]) -> str:
    """The local Scrapyd's generated password, or "" when it has none that can be read."""
    home = Path(environ.get("SCRAPYD_HOME") or DEFAULT_HOME).expanduser()
    try:
        return (home / "password").read_text(encoding="utf-8").rstrip("\n")  # as $(cat …)
    except OSError:
        return ""


def scrapyd_from_environment(project: str, environ: Mapping[str, str] = os.environ) -> Scrapyd:
    """The Scrapyd the environment names, as ``deploy/deploy.sh`` finds it."""
    username = environ.get("SCRAPYD_USERNAME") or DEFAULT_USERNAME
    password = environ.get("SCRAPYD_PASSWORD") or ""
    url = environ.get("SCRAPYD_URL")
    if not url:
        url = f"http://127.0.0.1:{environ.get('SCRAPYD_PORT') or DEFAULT_PORT}"
        password = password or local_password(environ)
    return Scrapyd(url, username, password, project)
