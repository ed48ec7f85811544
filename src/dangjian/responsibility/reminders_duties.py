"""The responsibility lists' part of the daily 事前提醒 (R-ORG-12): from the first day after a
quarter ends, each confirmed list of that quarter's year with items that owe the quarter's
report (in force by its last day: the list confirmed and the item added by then) and lack it
gives a to-do (`duty_report`) to the unit's administrators — the users holding
resp.manage through a grant on the unit's top org (or on an org above it that still belongs
to the unit). The 工委 sees the same gaps on the overview and is not sent to-dos.

Items are deduplicated per user, list and quarter (`notify`'s dedupe_key), so the job may run
every day: one to-do per list and quarter. A fixed number of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.responsibility.models import DutyItem, DutyList, DutyReport
from dangjian.responsibility.selectors_duties import owes_report_q
from dangjian.rules import duties as rules

KIND = NotificationKind.DUTY_REPORT
MANAGE_ROLES = sorted(role for role, caps in ROLE_CAPS.items() if Cap.RESP_MANAGE in caps)


def _link(list_id: int) -> str:
    try:
        return reverse("responsibility:duty_list", args=[list_id])
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return "/responsibility/"


def _missing(year: int, quarter: int) -> dict[int, int]:
    """{list id: items owing the quarter's report and without it} of the year's confirmed
    lists (an item added after the quarter, or a list confirmed after it, owes none)."""
    reported = DutyReport.objects.filter(item=OuterRef("pk"), quarter=quarter)
    rows = (
        DutyItem.objects.filter(owes_report_q(year, quarter), duty_list__year=year)
        .annotate(has_report=Exists(reported))
        .filter(has_report=False)
        .values("duty_list_id")
        .annotate(n=Count("id"))
        .values_list("duty_list_id", "n")
    )
    return dict(rows)


def _admins(lists: list[DutyList]) -> dict[int, list[tuple[int, str]]]:
    """{list id: [(user id, email)]}: holders of resp.manage through a grant on the list's
    org or an org above it within the same unit (one query)."""
    from dangjian.accounts.models import RoleGrant

    candidates: dict[int, list[int]] = {}
    for dl in lists:
        ids = [int(x) for x in dl.org_path.strip("/").split("/") if x]
        candidates[dl.pk] = ids
    wanted = {i for ids in candidates.values() for i in ids}
    by_org: dict[int, list[tuple[int, int | None, str]]] = defaultdict(list)
    rows = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role__in=MANAGE_ROLES,
        org_id__in=list(wanted),
    ).values_list("org_id", "org__unit_id", "user_id", "user__email")
    for org_id, unit_id, user_id, email in rows.order_by("user_id"):
        by_org[org_id].append((user_id, unit_id, email or ""))
    out: dict[int, list[tuple[int, str]]] = {}
    for dl in lists:
        unit_id = dl.org.unit_id
        found: dict[int, str] = {}
        for org_id in candidates[dl.pk]:
            for user_id, grant_unit, email in by_org.get(org_id, []):
                if grant_unit is not None and grant_unit == unit_id:
                    found.setdefault(user_id, email)
        out[dl.pk] = list(found.items())
    return out


def duty_drafts(today: dt.date) -> list[Draft]:
    """The to-do items for `today`: the latest ended quarter's missing reports."""
    year, quarter = rules.last_ended_quarter(today)
    missing = _missing(year, quarter)
    if not missing:
        return []
    lists = list(
        DutyList.objects.unscoped()
        .filter(pk__in=list(missing))
        .select_related("org")
        .order_by("org_path", "kind", "id")
    )
    admins = _admins(lists)
    due = rules.report_due_on(year, quarter)
    name = rules.QUARTER_NAMES[quarter]
    drafts: list[Draft] = []
    for dl in lists:
        count = missing[dl.pk]
        for user_id, email in admins.get(dl.pk, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=KIND,
                    title=f"责任清单待报告：{dl.org.name}{year}年{dl.get_kind_display()}清单"
                    f"{name}进展",
                    body=(
                        f"{dl.holder_name}的{year}年{dl.get_kind_display()}清单有{count}项责任"
                        f"尚未报告{name}落实进展，请于{due.year}年{due.month}月{due.day}日前报告"
                        "（R-ORG-12；季度结束后15日内报告为平台默认期限）。"
                    ),
                    link=_link(dl.pk),
                    rule_id="R-ORG-12",
                    org_id=dl.org_id,
                    org_path=dl.org_path,
                    topic=f"{KIND}:{year}:q{quarter}",
                    dedupe_key=f"{KIND}:{dl.pk}:{year}:{quarter}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def remind_duties(today: dt.date | None = None) -> int:
    """Create the responsibility-list to-do items for `today`; returns how many were created
    (items already sent are not counted)."""
    today = today or timezone.localdate()
    drafts = duty_drafts(today)
    if not drafts:
        return 0
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            year, quarter = rules.last_ended_quarter(today)
            audit(
                None,
                "responsibility.duty_reminders.created",
                changes={
                    "today": today,
                    "year": year,
                    "quarter": quarter,
                    "created": created.created,
                },
            )
    return created.created
