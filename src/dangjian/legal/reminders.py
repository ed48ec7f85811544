"""The legal-aid part of the daily reminders: a case whose running time limit (the review of an
application, or the assignment of a lawyer once aid is granted; 法律援助法 第四十三条/第四十四条,
settings LEGAL_AID_REVIEW_DAYS / LEGAL_AID_ASSIGN_DAYS) is due within
`rules.legal.DUE_SOON_DAYS` days or already passed gives each holder of legal.manage in the
case's unit (a unit administrator granted on the unit's top body or below it, never the 工委)
a to-do `legal_aid_due` pointing at the case. One item per case, stage, state (due soon, then
once more when overdue) and user (`dedupe_key`), so the job may run every day. A fixed number
of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.legal.models import LegalAidCase
from dangjian.legal.selectors_services import pending_q
from dangjian.notify.services import Draft, notifications_create
from dangjian.rules import legal as rules

#: the notification kind (notify.models.NotificationKind.LEGAL_AID_DUE)
KIND = "legal_aid_due"


def _link(case_id: int) -> str:
    try:
        return reverse("legal:case", args=[case_id])
    except NoReverseMatch:
        return ""


def _holders(orgs) -> dict[int, list[tuple[int, str]]]:
    """{org id: [(user id, email)]}: the active holders of legal.manage granted on an org of
    the same unit at or above the case's org (one query)."""
    from dangjian.accounts.models import RoleGrant

    roles = [role for role, caps in ROLE_CAPS.items() if Cap.LEGAL_MANAGE in caps]
    ancestors = {o.pk: [int(x) for x in o.path.strip("/").split("/") if x] for o in orgs}
    ids = {i for chain in ancestors.values() for i in chain}
    rows = (
        RoleGrant.objects.filter(
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
            user__is_active=True,
            role__in=roles,
            org_id__in=ids,
        )
        .values_list("org_id", "org__unit_id", "user_id", "user__email")
        .order_by("user_id")
    )
    by_org = defaultdict(list)
    for org_id, unit_id, user_id, email in rows:
        by_org[org_id].append((unit_id, user_id, email or ""))
    out = {}
    for o in orgs:
        seen: dict[int, str] = {}
        for org_id in ancestors[o.pk]:
            for unit_id, user_id, email in by_org.get(org_id, []):
                if unit_id is not None and unit_id == o.unit_id:
                    seen.setdefault(user_id, email)
        out[o.pk] = list(seen.items())
    return out


def aid_drafts(today: dt.date) -> list[Draft]:
    review, assign = settings.LEGAL_AID_REVIEW_DAYS, settings.LEGAL_AID_ASSIGN_DAYS
    cases = list(
        LegalAidCase.objects.unscoped()
        .filter(pending_q(today, "pending"))
        .select_related("org")
        .order_by("applied_on", "id")
    )
    if not cases:
        return []
    holders = _holders({c.org for c in cases})
    drafts: list[Draft] = []
    for c in cases:
        state = rules.aid_state(
            status=c.status,
            applied_on=c.applied_on,
            accepted_on=c.accepted_on,
            assigned_on=c.assigned_on,
            today=today,
            review_days=review,
            assign_days=assign,
        )
        if not state.pending:
            continue
        what = "审查决定" if state.stage == "review" else "指派律师"
        overdue = state.state == rules.OVERDUE
        title = f"法律援助{what}{'已超时限' if overdue else '即将到期'}：{c.case_no}"
        body = (
            f"法律援助案件{c.case_no}（{c.get_applicant_category_display()}，{c.matter[:60]}）"
            f"应于{state.due_on:%Y年%m月%d日}前{what}"
            + ("，已超过时限，" if overdue else "，")
            + "请及时办理。"
        )
        for user_id, email in holders.get(c.org_id, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=KIND,
                    title=title,
                    body=body,
                    link=_link(c.pk),
                    org_id=c.org_id,
                    org_path=c.org_path,
                    topic=f"{KIND}:{c.pk}",
                    # one item when the limit is near and one more when it has passed
                    dedupe_key=f"{KIND}:{c.pk}:{state.stage}:{state.state}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def remind_legal(today: dt.date | None = None) -> int:
    """Create the legal-aid to-do items for `today`; returns how many were created (items
    already sent are not counted)."""
    today = today or timezone.localdate()
    drafts = aid_drafts(today)
    if not drafts:
        return 0
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "legal.reminders.created",
                changes={"today": today, "created": created.created},
            )
    return created.created
