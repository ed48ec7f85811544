"""The co-creation part of the daily reminders: a residents' problem still open (待办理 or
办理中) and due within DUE_SOON_DAYS days, or already overdue, gives each administrator of the
pairing's unit (unit_admin granted on the unit's top body or above it inside the unit) a to-do
`cocreation_problem` pointing at the visit. One item per problem and administrator
(`dedupe_key`), so the job may run every day. A fixed number of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.cocreation.models import Problem
from dangjian.core.audit import audit
from dangjian.core.permissions import Role
from dangjian.notify.services import Draft, notifications_create
from dangjian.rules import cocreation as rules

#: the notification kind (notify.models.NotificationKind.COCREATION_PROBLEM)
KIND = "cocreation_problem"


def _link(visit_id: int) -> str:
    try:
        return reverse("cocreation:visit", args=[visit_id])
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return ""


def _ancestors(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def _unit_admins(paths) -> dict[str, list[tuple[int, str]]]:
    """{org path: [(user id, email)]}: the active unit administrators granted on the org or
    an org above it (one query)."""
    from dangjian.accounts.models import RoleGrant

    ids = {i for p in paths for i in _ancestors(p)}
    by_org: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role=Role.UNIT_ADMIN,
        org_id__in=ids,
    ).values_list("org_id", "user_id", "user__email")
    for org_id, user_id, email in rows.order_by("user_id"):
        by_org[org_id].append((user_id, email or ""))
    out = {}
    for p in paths:
        seen: dict[int, str] = {}
        for org_id in _ancestors(p):
            for user_id, email in by_org.get(org_id, []):
                seen.setdefault(user_id, email)
        out[p] = list(seen.items())
    return out


def problem_drafts(today: dt.date) -> list[Draft]:
    """The to-do items for `today`: one per open problem due within the window or overdue,
    for each administrator of its unit."""
    horizon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    problems = list(
        Problem.objects.unscoped()
        .filter(status__in=rules.OPEN_STATUSES, due_on__lte=horizon)
        .select_related("pairing", "pairing__org", "pairing__community")
        .order_by("due_on", "id")
    )
    if not problems:
        return []
    admins = _unit_admins({p.pairing.org_path for p in problems})
    drafts: list[Draft] = []
    for p in problems:
        if not rules.problem_due_soon(status=p.status, due_on=p.due_on, today=today):
            continue
        overdue = rules.problem_overdue(status=p.status, due_on=p.due_on, today=today)
        place = str(p.pairing.community)
        title = f"群众问题已逾期：{place}" if overdue else f"群众问题即将到期：{place}"
        body = (
            f"{p.pairing.org.name}包联的{place}走访中发现的问题“{p.description[:80]}”，"
            f"责任人{p.owner_name}，办理时限{p.due_on:%Y年%m月%d日}"
            + ("，已逾期，" if overdue else "，")
            + "请督促办理并登记办理结果。"
        )
        for user_id, email in admins.get(p.pairing.org_path, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=KIND,
                    title=title,
                    body=body,
                    link=_link(p.visit_id),
                    org_id=p.pairing.org_id,
                    org_path=p.org_path,
                    topic=f"{KIND}:{p.pk}",
                    dedupe_key=f"{KIND}:{p.pk}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def remind_cocreation(today: dt.date | None = None) -> int:
    """Create the co-creation to-do items for `today`; returns how many were created (items
    already sent are not counted)."""
    today = today or timezone.localdate()
    drafts = problem_drafts(today)
    if not drafts:
        return 0
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "cocreation.reminders.created",
                changes={"today": today, "created": created.created},
            )
    return created.created
