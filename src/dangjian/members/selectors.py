"""Member reads, always from the user's visible subtree."""

from __future__ import annotations

from django.db.models import Q

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Member


def access_member(user, member_id, need: Cap = Cap.MEMBER_VIEW) -> Member:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        raise deny() from None
    member = (
        Member.objects.unscoped()
        .select_related("branch", "branch__unit")
        .filter(pk=member_id)
        .first()
    )
    if member is None or not can(user, need, member.branch.path):
        raise deny()
    return member


def member_list(user, *, q: str = "", category: str = "", org=None):
    qs = Member.objects.visible_to(user, Cap.MEMBER_VIEW).select_related("branch", "branch__unit")
    if org is not None:
        qs = qs.filter(subtree_q("branch__path", org.path))
    q = (q or "").strip()
    if q:
        lowered = q.lower()
        qs = qs.filter(
            Q(name__contains=q)
            | Q(name_initials__startswith=lowered)
            | Q(name_pinyin__startswith=lowered)
        )
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("name_pinyin", "id")


def members_in_subtree(org, limit: int = 1000) -> list[Member]:
    """Members registered in the org's subtree, by pinyin (for choosing committee members).
    The caller has already checked access to `org`."""
    return list(
        Member.objects.unscoped()
        .filter(subtree_q("branch__path", org.path))
        .select_related("branch")
        .order_by("name_pinyin", "id")[:limit]
    )
