"""Dashboard figures computed once per scope and kept for a short while (issue #11).

The home page counts the members and checks the findings of every org a user can see: for a
province's 工委 that is a million members and a hundred thousand orgs, seconds of work that
every admin of the same scope would repeat on every visit. `scoped` computes such a figure
once per scope (the user's visible subtrees for a capability) and day and keeps it for
`DANGJIAN_SCOPE_SUMMARY_SECONDS` (default 300; 0 computes on every request). Users of the same
scope share it, so it never shows anyone what is outside his own scope; the page says when
the figures were computed. Through a shared cache (Redis) every app process shares them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dangjian.core.access import paths_for
from dangjian.core.permissions import Cap


def scoped[T](user, cap: Cap, name: str, compute: Callable[[], T]) -> tuple[T, dt.datetime | None]:
    """(value, computed_at): computed_at is None when caching is off."""
    seconds = int(getattr(settings, "SCOPE_SUMMARY_SECONDS", 0) or 0)
    if seconds <= 0:
        return compute(), None
    scope = "|".join(paths_for(user, cap))
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    key = f"scope-summary:{name}:{timezone.localdate().isoformat()}:{digest}"
    hit = cache.get(key)
    if hit is None:
        hit = (compute(), timezone.now())
        cache.set(key, hit, seconds)
    return hit


def kept[T](
    key: str, compute: Callable[[], T], *, keep: Callable[[T], bool]
) -> tuple[T, dt.datetime | None]:
    """A figure of one org (not of a user's scope: the caller checked access) kept like
    `scoped`'s when `keep(value)` says it was worth keeping (a large subtree); a small one is
    computed afresh every time, so a branch sees its own new meeting at once."""
    seconds = int(getattr(settings, "SCOPE_SUMMARY_SECONDS", 0) or 0)
    if seconds <= 0:
        return compute(), None
    full_key = f"org-summary:{key}:{timezone.localdate().isoformat()}"
    hit = cache.get(full_key)
    if hit is not None:
        return hit
    value = compute()
    if not keep(value):
        return value, None
    hit = (value, timezone.now())
    cache.set(full_key, hit, seconds)
    return hit
