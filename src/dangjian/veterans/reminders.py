"""The retired cadres' part of the daily reminders (`remind_veterans(today)`):

- a live pairing whose call or visit is overdue (rules/veterans.py `contact_due` /
  `contact_state`, settings VETERANS_CALL_MONTHS / VETERANS_VISIT_MONTHS) gives the paired
  cadre's account a to-do `veterans_contact` pointing at /veterans/mine/. One item per pairing,
  kind and day owed (`dedupe_key`): a new contact moves the day, and the next lapse is a new
  item;
- an open request due within REQUEST_SOON_DAYS days or overdue gives each administrator of
  the responsible office's unit (unit_admin granted on the office's org or above it; for an
  office of the 工委 itself, the committee's administrators) a to-do `veterans_request`, once
  per request;
- an open request more than VETERANS_REQUEST_ESCALATE_DAYS past due is escalated (督办): its
  `escalated_at` is set once (audited `veterans.request.escalated`) and the unit's
  administrators and the 工委's administrators above it get a to-do, once per request.

A fixed number of queries plus the inserts and the escalations, so the job may run daily."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import Role
from dangjian.notify.services import Draft, notifications_create
from dangjian.rules import veterans as rules
from dangjian.veterans.models import Pairing, Request, RequestStatus
from dangjian.veterans.selectors_people import pairing_dues
from dangjian.veterans.services_requests import request_escalate

CONTACT = "veterans_contact"
REQUEST = "veterans_request"


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return ""


def _ancestors(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def _admins(paths, roles) -> dict[str, list[tuple[int, str]]]:
    """{org path: [(user id, email)]}: the active holders of `roles` granted on the org or an
    org above it (one query)."""
    from dangjian.accounts.models import RoleGrant

    ids = {i for p in paths for i in _ancestors(p)}
    by_org: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role__in=roles,
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


def contact_drafts(today: dt.date) -> list[Draft]:
    from dangjian.accounts.models import User

    pairings = list(
        Pairing.objects.unscoped()
        .filter(ended_on__isnull=True, retiree__died_on__isnull=True)
        .select_related("retiree", "cadre")
        .order_by("id")
    )
    pairing_dues(pairings, today)
    late = [p for p in pairings if p.overdue]
    if not late:
        return []
    users: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = User.objects.filter(
        member_id__in={p.cadre_id for p in late}, is_active=True
    ).values_list("member_id", "pk", "email")
    for member_id, user_id, email in rows.order_by("pk"):
        users[member_id].append((user_id, email or ""))
    link = _link("veterans:mine")
    drafts = []
    for p in late:
        for owed in (p.call, p.visit):
            if owed.state != rules.OVERDUE:
                continue
            title = f"结对联系已逾期：{p.retiree.name}（{owed.label}）"
            body = (
                f"您与离退休干部{p.retiree.name}结对，应于{owed.due_on:%Y年%m月%d日}前"
                f"{owed.label}，已逾期，请尽快联系并记录思想动态和生活状况。"
            )
            key = f"{CONTACT}:{p.pk}:{owed.kind}:{owed.due_on.isoformat()}"
            for user_id, email in users.get(p.cadre_id, []):
                drafts.append(
                    Draft(
                        user_id=user_id,
                        kind=CONTACT,
                        title=title,
                        body=body,
                        link=link,
                        org_path=p.org_path,
                        topic=f"{CONTACT}:{p.pk}",
                        dedupe_key=key,
                        is_todo=True,
                        email=email,
                    )
                )
    return drafts


def request_drafts(today: dt.date) -> tuple[list[Draft], list[Request]]:
    """The to-dos about open requests and the requests to escalate now."""
    escalate_days = settings.VETERANS_REQUEST_ESCALATE_DAYS
    horizon = today + dt.timedelta(days=rules.REQUEST_SOON_DAYS)
    rows = list(
        Request.objects.unscoped()
        .filter(status=RequestStatus.OPEN, due_on__lte=horizon)
        .select_related("retiree", "office")
        .order_by("due_on", "id")
    )
    if not rows:
        return [], []
    paths = {r.office.org_path for r in rows}
    unit_admins = _admins(paths, [Role.UNIT_ADMIN])
    escalation = _admins(paths, [Role.UNIT_ADMIN, Role.COMMITTEE_ADMIN])
    drafts: list[Draft] = []
    to_escalate: list[Request] = []
    for r in rows:
        state = rules.request_state(r.status, r.due_on, r.answered_on, today, escalate_days)
        link = _link("veterans:request", r.pk)
        what = f"{r.retiree.name}的{r.get_kind_display()}“{r.content[:60]}”"
        if state == rules.ESCALATE:
            if r.escalated_at is None:
                to_escalate.append(r)
            recipients, key = escalation.get(r.office.org_path, []), f"{REQUEST}:{r.pk}:escalated"
            title = f"老干部诉求逾期升级督办：{r.retiree.name}"
            body = (
                f"{what}，责任处室{r.office.name}，答复期限{r.due_on:%Y年%m月%d日}，"
                f"逾期超过{escalate_days}日仍未答复，已升级督办，请督促办理。"
            )
        else:
            # the office's unit administrators; an office of the 工委 itself (no unit
            # administrator above it) goes to the committee's administrators
            recipients = unit_admins.get(r.office.org_path) or escalation.get(r.office.org_path, [])
            key = f"{REQUEST}:{r.pk}:due"
            overdue = state == rules.OVERDUE
            title = (
                f"老干部诉求已逾期：{r.retiree.name}"
                if overdue
                else f"老干部诉求即将到期：{r.retiree.name}"
            )
            body = (
                f"{what}，责任处室{r.office.name}，答复期限{r.due_on:%Y年%m月%d日}"
                + ("，已逾期，" if overdue else "，")
                + "请及时答复并反馈本人。"
            )
        for user_id, email in recipients:
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=REQUEST,
                    title=title,
                    body=body,
                    link=link,
                    org_path=r.org_path,
                    topic=f"{REQUEST}:{r.pk}",
                    dedupe_key=key,
                    is_todo=True,
                    email=email,
                )
            )
    return drafts, to_escalate


def remind_veterans(today: dt.date | None = None) -> int:
    """Create the veterans to-do items for `today` and escalate the requests now due for it;
    returns how many items were created (items already sent are not counted)."""
    today = today or timezone.localdate()
    drafts = contact_drafts(today)
    more, to_escalate = request_drafts(today)
    drafts.extend(more)
    with transaction.atomic():
        escalated = sum(1 for r in to_escalate if request_escalate(request=r))
        created = notifications_create(drafts) if drafts else None
        count = created.created if created else 0
        if count or escalated:
            audit(
                None,
                "veterans.reminders.created",
                changes={"today": today, "created": count, "escalated": escalated},
            )
    return count
