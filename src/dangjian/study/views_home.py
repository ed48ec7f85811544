"""/study/: the hub. What waits for the user as a member (open self-tests, readings due, his
hours and points this year) and, for managers, the way into each area."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.study import selectors_home


@require_GET
def home(request):
    user = request.user
    manages = has_cap_anywhere(user, Cap.STUDY_MANAGE)
    separated = any(g.role in SEPARATED_ROLES for g in _grants(user))
    member = user.member if getattr(user, "member_id", None) and not separated else None
    if not manages and member is None:
        raise deny()
    today = timezone.localdate()
    return render(
        request,
        "study/home.html",
        {
            "year": today.year,
            "manages": manages,
            "schemes": has_cap_anywhere(user, Cap.POINTS_SCHEME),
            "mine": selectors_home.member_summary(member, today) if member else None,
        },
    )


def _grants(user):
    from dangjian.core.access import grants_of

    return grants_of(user)
