"""Files that hold personal data (uploaded rosters, finished exports) are kept for a limited
time only: `purge_expired` deletes those older than settings.FILE_RETENTION_DAYS. It is
cheap (one directory listing) and runs whenever a new file is written there."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from django.conf import settings


def purge_expired(folder: Path, *, now: float | None = None) -> int:
    """Delete plain files in `folder` last modified more than the retention period ago."""
    days = getattr(settings, "FILE_RETENTION_DAYS", 7)
    if days <= 0 or not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - days * 86400
    removed = 0
    for path in folder.iterdir():
        with contextlib.suppress(OSError):  # a file another process removed meanwhile
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed
