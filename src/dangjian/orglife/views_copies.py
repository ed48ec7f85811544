"""雷同会议记录: the pairs of near-duplicate minutes the user may see, and one pair side by
side with the shared passages marked. Thin: the reads are in orglife/copies.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.permissions import Cap
from dangjian.orglife import copies


@require_GET
def copy_list(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    page = Paginator(copies.pairs_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "orglife/copies.html", {"page": page})


@require_GET
def copy_pair(request, pair_id):
    pair = copies.access_pair(request.user, pair_id)
    left, right = copies.marked(pair.meeting.minutes, pair.source.minutes)
    return render(
        request,
        "orglife/copy_pair.html",
        {"pair": pair, "left": left, "right": right, "percent": round(pair.similarity * 100)},
    )
