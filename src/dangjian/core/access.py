"""Who may see what: the one place that turns a user's role grants into visibility.

A grant of a role on an org covers the org's subtree. Trees are stored as materialised paths
("/1/5/12/"), so a subtree is a prefix and a user's visible world is a few path prefixes.
Request code asks through `access_<thing>` functions (one object; 404 to outsiders) and
selectors that start from `scope_q` (lists); tree-owned models refuse to be queried otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.http import Http404

from dangjian.core.permissions import ROLE_CAPS, Cap


@dataclass(frozen=True)
class Grant:
    org_id: int
    path: str
    role: str
    caps: frozenset[Cap]


def grants_of(user) -> list[Grant]:
    """The user's current grants, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_dangjian_grants", None)
    if cached is not None:
        return cached
    from dangjian.accounts.models import RoleGrant

    rows = (
        RoleGrant.objects.filter(user=user, revoked_at__isnull=True, org__dissolved_on__isnull=True)
        .values_list("org_id", "org__path", "role")
        .order_by("org__path")
    )
    grants = [
        Grant(org_id, path, role, ROLE_CAPS.get(role, frozenset())) for org_id, path, role in rows
    ]
    user._dangjian_grants = grants
    return grants


def forget_grants(user) -> None:
    if hasattr(user, "_dangjian_grants"):
        del user._dangjian_grants


def paths_for(user, cap: Cap) -> list[str]:
    """Minimal list of path prefixes under which the user holds `cap`."""
    paths = sorted({g.path for g in grants_of(user) if cap in g.caps})
    minimal: list[str] = []
    for p in paths:
        if not any(p.startswith(m) for m in minimal):
            minimal.append(p)
    return minimal


def has_cap_anywhere(user, cap: Cap) -> bool:
    return any(cap in g.caps for g in grants_of(user))


def roles_of(user) -> set[str]:
    return {g.role for g in grants_of(user)}


def can(user, cap: Cap, path: str) -> bool:
    """Does the user hold `cap` on the node with this path (through a grant above or on it)?"""
    return any(path.startswith(p) for p in paths_for(user, cap))


def subtree_q(path_field: str, path: str) -> Q:
    """Rows whose path lies in the subtree of `path`.

    On SQLite a range (`path >= p AND path < p[:-1] + "0"`: paths are digits and "/", and
    "0" follows "/" in SQLite's binary collation), because SQLite's LIKE cannot use an index.
    Elsewhere a prefix LIKE, which PostgreSQL serves from the pattern-ops index Django creates
    for the indexed path column, and which stays right under any collation (a range would not
    under locale collations that ignore punctuation)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{path_field}__gte": path, f"{path_field}__lt": path[:-1] + "0"})
    return Q(**{f"{path_field}__startswith": path})


def scope_q(user, cap: Cap, path_field: str, *, indexed: bool = True) -> Q:
    """A filter for rows whose tree path lies in the user's `cap` subtrees. Empty if none.

    `indexed=False` asks for a form SQLite will not serve from the path index (a prefix
    LIKE), for queries where another condition is far more selective (a name search) or where
    walking an ordering index is cheaper than collecting a huge subtree: SQLite's planner,
    without histograms, otherwise always starts from the path range. PostgreSQL plans from its
    statistics and gets the same prefix LIKE either way."""
    paths = paths_for(user, cap)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= subtree_q(path_field, p) if indexed else Q(**{f"{path_field}__startswith": p})
    return q


def deny() -> Http404:
    """Outsiders learn nothing: the same 404 whether the object exists or not."""
    return Http404("未找到")
