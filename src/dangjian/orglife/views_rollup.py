"""决议汇总 (resolutions roll-up): the resolutions of every meeting in an org's subtree, with
counts per holding org (open / overdue / done) and filters by status and overdue. Read-only;
member.view, like the meeting list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere, subtree_q
from dangjian.core.permissions import Cap
from dangjian.orglife.models import Resolution, ResolutionStatus, ResolutionUpdate
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 20


def _counts(qs, today) -> list[dict]:
    """Per org that held meetings: open, overdue (open and past due), done, dropped; one
    grouped query."""
    overdue = Q(status=ResolutionStatus.OPEN, due_on__lt=today)
    return list(
        qs.order_by()
        .values("meeting__org_id", "meeting__org__name", "meeting__org_path")
        .annotate(
            open=Count("id", filter=Q(status=ResolutionStatus.OPEN)),
            overdue=Count("id", filter=overdue),
            done=Count("id", filter=Q(status=ResolutionStatus.DONE)),
            dropped=Count("id", filter=Q(status=ResolutionStatus.DROPPED)),
        )
        .order_by("meeting__org_path")
    )


@require_GET
def resolution_rollup(request):
    user = request.user
    if not has_cap_anywhere(user, Cap.MEMBER_VIEW):
        raise deny()
    org = None
    if request.GET.get("org"):
        org = access_org(user, request.GET["org"], need=Cap.MEMBER_VIEW)
    status = request.GET.get("status", "")
    status = status if status in ResolutionStatus.values else ""
    overdue = request.GET.get("overdue") in ("1", "on", "true")
    today = timezone.localdate()

    base = Resolution.objects.visible_to(user, Cap.MEMBER_VIEW)
    if org is not None:
        base = base.filter(subtree_q("meeting__org_path", org.path))
    counts = _counts(base, today)
    totals = {key: sum(c[key] for c in counts) for key in ("open", "overdue", "done", "dropped")}

    rows = base
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status=ResolutionStatus.OPEN, due_on__lt=today)
    rows = (
        rows.select_related("meeting", "meeting__org", "owner")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ResolutionUpdate.objects.unscoped().order_by("at", "id"),
            )
        )
        .order_by(F("due_on").asc(nulls_last=True), "-meeting__starts_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = []
    for r in page.object_list:
        updates = list(r.updates.all())
        items.append(
            {
                "r": r,
                "overdue": r.status == ResolutionStatus.OPEN
                and r.due_on is not None
                and r.due_on < today,
                "last_update": updates[-1] if updates else None,
                "update_count": len(updates),
            }
        )
    return render(
        request,
        "orglife/resolutions.html",
        {
            "org": org,
            "page": page,
            "items": items,
            "counts": counts,
            "totals": totals,
            "params": {"status": status, "overdue": overdue},
            "statuses": ResolutionStatus.choices,
            "today": today,
        },
    )
