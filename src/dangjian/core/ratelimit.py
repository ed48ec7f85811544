"""The API's rate limit (等保 入侵防范; issue #4 item 6): at most
settings.API_RATE_LIMIT_PER_MINUTE calls per caller in each fixed one-minute window; beyond
it the API answers 429 with a Retry-After header until the window ends.

Each call is counted once, under the caller that authentication established: a valid bearer
token (a prefix of its SHA-256 digest; no token is kept in the cache), else the signed-in
user, else the client address. A token that does not authenticate earns no allowance of its
own: the call is counted under the address, so inventing a new token for every call (or adding
a junk token to a session's calls) does not escape the limit.

Counters live in Django's cache: `add` then `incr` on a key that names the window, both
atomic in the local-memory and Redis backends. The default local-memory cache counts per
process, so a production server running several processes should set a shared cache
(DANGJIAN_CACHE_URL=redis://…, which needs `pip install redis`; see settings.CACHES);
otherwise each process allows the full limit on its own.

The first refused call of a window is written to the audit log ("api.rate_limited", with the
caller), once per caller and window, so the auditor sees abuse without a flood of entries.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from dangjian.core.audit import audit

WINDOW_SECONDS = 60
MESSAGE = "请求过于频繁，请稍后再试。"

#: the clock the windows are cut from; tests replace it to move to the next window
clock = time.time


class RateLimited(Exception):
    """Raised when a caller has used up its window; the API turns it into a 429."""

    def __init__(self, caller: str, retry_after: int):
        super().__init__(MESSAGE)
        self.caller = caller
        self.retry_after = retry_after


@dataclass(frozen=True)
class Hit:
    count: int  # calls of this caller in the current window, this one included
    limit: int
    retry_after: int  # seconds until the window ends (at least 1)

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def first_refused(self) -> bool:
        return self.count == self.limit + 1


def _bearer(request) -> str:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_caller(token: str) -> str:
    """The caller of a token that authenticated."""
    from dangjian.accounts.services import token_digest

    return "token:" + token_digest(token)[:16]


def session_caller(request) -> str:
    """The caller of a call without a valid token: its account, else its address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return address_caller(request)


def address_caller(request) -> str:
    return "addr:" + (request.META.get("REMOTE_ADDR") or "unknown")


def hit(caller: str, *, limit: int | None = None, now: float | None = None) -> Hit:
    """Count one call of `caller` in the current window."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE if limit is None else limit
    now = clock() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"dangjian:ratelimit:{window}:{caller}"
    # the key outlives its window a little, so a late incr never finds it gone
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: start the count again
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    return Hit(count=count, limit=limit, retry_after=retry_after)


def _actor(request, caller: str):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    token = _bearer(request)
    if token:
        from dangjian.accounts.models import ApiToken
        from dangjian.accounts.services import token_digest

        row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        return row.user if row is not None else None
    return None


@transaction.atomic
def rate_limited_record(*, request, caller: str, hit: Hit) -> None:
    """The audit entry of a caller that went over the limit (once per window)."""
    actor = _actor(request, caller)
    audit(
        actor,
        "api.rate_limited",
        None,
        changes={
            "caller": caller,
            "limit": hit.limit,
            "path": request.path[:200],
            "method": request.method,
        },
        ip=request.META.get("REMOTE_ADDR") or None,
    )


def check(request, caller: str) -> None:
    """Count the request once, under `caller` (the first authentication method to look at it
    decides), and raise RateLimited when that caller is over the limit."""
    if getattr(request, "_dangjian_rate_checked", False):
        return
    request._dangjian_rate_checked = True
    result = hit(caller)
    if result.allowed:
        return
    if result.first_refused:
        rate_limited_record(request=request, caller=caller, hit=result)
    raise RateLimited(caller, result.retry_after)
