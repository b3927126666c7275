"""Where the Hub is and who we are to it: the endpoint and the token.

The endpoint is the setting ``HUB_ENDPOINT``, else the environment variable ``HF_ENDPOINT`` (as in
huggingface_hub), else https://huggingface.co. The token comes only from the environment
(``HF_TOKEN``, legacy ``HUGGING_FACE_HUB_TOKEN``) or huggingface_hub's token file, never from a
setting or a spider argument: both end up in process listings, Scrapyd's job database and logs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DEFAULT_ENDPOINT = "https://huggingface.co"
TOKEN_ENV_VARS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
# Names under which a token must never arrive, as a setting or a spider argument.
FORBIDDEN_TOKEN_NAMES = frozenset({"token", "hf_token", "HF_TOKEN", "HUB_TOKEN", "auth"})


class TokenOnCommandLineError(ValueError):
    """A token was passed as a setting or spider argument instead of through the environment."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"refusing {name!r}: pass the Hub token in the HF_TOKEN environment variable, never on "
            "the command line or as a Scrapyd argument"
        )


def hub_endpoint(settings: BaseSettings) -> str:
    """Return the Hub's base URL, without a trailing slash."""
    endpoint = settings.get("HUB_ENDPOINT") or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    parts = urlsplit(endpoint)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        msg = f"the Hub endpoint must be an http(s) URL, got {endpoint!r}"
        raise ValueError(msg)
    return endpoint.rstrip("/")


def hub_token() -> str | None:
    """Return the token from the environment or huggingface_hub's token file, if any."""
    for name in TOKEN_ENV_VARS:
        if token := os.environ.get(name, "").strip():
            return token
    token_path = os.environ.get("HF_TOKEN_PATH")
    if not token_path:
        hf_home = os.environ.get("HF_HOME") or Path("~/.cache/huggingface").expanduser()
        token_path = Path(hf_home) / "token"
    try:
        return Path(token_path).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def refuse_token_arguments(settings: BaseSettings, arguments: dict[str, object]) -> None:
    """Raise if a token was given as a setting or a spider argument."""
    for name in FORBIDDEN_TOKEN_NAMES:
        if name in arguments or settings.get(name) is not None:
            raise TokenOnCommandLineError(name)


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and effective port of a URL: the unit the token is scoped to."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port
