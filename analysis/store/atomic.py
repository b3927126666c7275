"""Put a directory built under a temporary name in place of its final one, all or nothing.

Readers never see a half-built cache or report: the new directory is complete before it is renamed
into place, and an older one is moved aside first and removed only after the swap.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def staging_for(final: Path) -> Path:
    """A fresh hidden sibling of `final` to build in (a leftover from a crashed run is cleared)."""
    staging = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def replace_directory(staging: Path, final: Path) -> None:
    """Rename `staging` to `final`, replacing whatever `final` held."""
    retired = final.with_name(f".{final.name}.{os.getpid()}.old")
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)
