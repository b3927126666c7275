"""Links to a repo's (or an author's) page on the Hub, built only from names of the Hub's form.

A repo id is one name or two joined by "/" (the Hub's legacy repos have no namespace), each of
letters, digits, "-", "_" and ".", at most 96 characters, neither starting nor ending with "-" or
".", with no "--" or ".." and not ending in ".git": the rule huggingface_hub's clients apply to a
repo id. Any other string of the data (every one of them is hostile) gets no link and is shown as
text. A model's page is `https://huggingface.co/<id>`, a dataset's `/datasets/<id>` and a Space's
`/spaces/<id>` (the repo type's `hub_path`), an author's `https://huggingface.co/<name>`.
"""

from __future__ import annotations

import re

HUB = "https://huggingface.co"
_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"(?:{_NAME}/)?{_NAME}")


def hub_url(name: str, hub_path: str) -> str | None:
    """The Hub's page of the repo (or author) `name` under `hub_path`, or None when `name` is
    not of the Hub's form."""
    if _REPO_ID.fullmatch(name) is None or "--" in name or ".." in name or name.endswith(".git"):
        return None
    return f"{HUB}/{hub_path}{name}"
