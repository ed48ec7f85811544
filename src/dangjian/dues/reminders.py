"""The dues part of the daily 事前提醒 (R-DUES-14, R-DUES-08):

- a member with `DUES_ARREARS_WARN_MONTHS` (3) or more consecutive months with nothing paid,
  up to last month → a "dues_arrears" to-do to the branch secretary (the 组织委员 when the
  branch has no secretary account); at `DUES_ARREARS_ALERT_MONTHS` (6) a second, stronger
  one: six months without good reason is treated as 自行脱党 (R-DUES-14);
- a pending reduction → a "dues_reduction" to-do to those who decide it: holders of
  dues.approve on the nearest org strictly above the branch that has any (R-DUES-08).

Items are deduplicated per user and key (`notify`'s dedupe_key: member, level and the first
month of the run; the reduction), so the job can run any number of times a day and a new run
of arrears after a payment is told again. A fixed number of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap, Role
from dangjian.dues.models import ChargeStatus, DuesCharge, Reduction, ReductionStatus
from dangjian.members.models import Member, Standing
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.rules import dues as rules

APPROVE_ROLES = sorted(role for role, caps in ROLE_CAPS.items() if Cap.DUES_APPROVE in caps)
BRANCH_ROLES = [Role.BRANCH_SECRETARY, Role.BRANCH_ORGANIZER]


def _link(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return "/dues/"


def _grants(roles, org_ids=None) -> list[tuple[int, int, str, str]]:
    """(org id, user id, role, email) of the active grants of `roles`."""
    from dangjian.accounts.models import RoleGrant

    qs = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role__in=list(roles),
    )
    if org_ids is not None:
        qs = qs.filter(org_id__in=list(org_ids))
    return list(qs.values_list("org_id", "user_id", "role", "user__email").order_by("user_id"))


def branch_keepers(branch_ids) -> dict[int, list[tuple[int, str]]]:
    """{branch id: [(user id, email)]}: the secretaries, else the 组织委员 (one query)."""
    by_branch: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for org_id, user_id, role, email in _grants(BRANCH_ROLES, branch_ids):
        by_branch[org_id][role].append((user_id, email or ""))
    out = {}
    for org_id, roles in by_branch.items():
        out[org_id] = roles.get(Role.BRANCH_SECRETARY) or roles.get(Role.BRANCH_ORGANIZER) or []
    return out


class Approvers:
    """Holders of dues.approve per org, loaded once (one query)."""

    def __init__(self):
        self.by_org: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for org_id, user_id, _role, email in _grants(APPROVE_ROLES):
            self.by_org[org_id].append((user_id, email or ""))

    def of(self, branch_path: str) -> list[tuple[int, str]]:
        """The holders on the nearest org strictly above the branch that has some (R-DUES-08:
        the Party committee one level up)."""
        ids = [int(x) for x in branch_path.strip("/").split("/") if x][:-1]
        for org_id in reversed(ids):
            found = self.by_org.get(org_id)
            if found:
                return list(dict.fromkeys(found))
        return []


# ---------------------------------------------------------------------------------------------
# Reductions


def reduction_drafts(reductions, approvers: Approvers | None = None) -> list[Draft]:
    approvers = approvers or Approvers()
    drafts = []
    for r in reductions:
        member = r.member
        what = "免交" if r.kind == "exempt" else f"少交（每月{r.monthly_amount}元）"
        until = f"至{r.to_month:%Y年%m月}" if r.to_month else "起"
        for user_id, email in approvers.of(r.org_path):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.DUES_REDUCTION,
                    title=f"党费减免待审批：{member.name}{what}",
                    body=(
                        f"{member.branch.name}经{r.branch_discussed_on:%Y年%m月%d日}支部研究，"
                        f"申请{member.name}自{r.from_month:%Y年%m月}{until}{what}党费。"
                        f"原因：{r.reason[:100]}。请上一级党委审批（R-DUES-08）。"
                    ),
                    link=_link("dues:reductions"),
                    rule_id="R-DUES-08",
                    org_id=member.branch_id,
                    org_path=r.org_path,
                    topic=f"dues_reduction:{r.pk}",
                    dedupe_key=f"{NotificationKind.DUES_REDUCTION}:{r.pk}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def notify_reductions(reductions) -> int:
    """Tell the approvers of these pending reductions (called when one is requested)."""
    return notifications_create(reduction_drafts(reductions)).created


# ---------------------------------------------------------------------------------------------
# Arrears


def _in_arrears(today: dt.date, warn: int) -> dict[int, tuple[int, dt.date]]:
    """{member id: (consecutive unpaid months, first month)} for current members with at least
    `warn` months in a row with nothing paid, up to last month. Two queries."""
    this_month = rules.month_start(today)
    current = {"member__left_on__isnull": True, "member__standing": Standing.NORMAL}
    unpaid = DuesCharge.all_objects.filter(
        month__lt=this_month, status=ChargeStatus.DUE, amount__gt=0, **current
    )
    candidates = (
        unpaid.filter(month__gte=rules.add_month_starts(this_month, -warn))
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n=warn)
        .values("member_id")
    )
    months: dict[int, list[dt.date]] = defaultdict(list)
    for member_id, month in unpaid.filter(member_id__in=candidates).values_list(
        "member_id", "month"
    ):
        months[member_id].append(month)
    out = {}
    for member_id, ms in months.items():
        n, since = rules.consecutive_unpaid(ms, today)
        if n >= warn:
            out[member_id] = (n, since)
    return out


def arrears_drafts(today: dt.date) -> list[Draft]:
    warn, alert = settings.DUES_ARREARS_WARN_MONTHS, settings.DUES_ARREARS_ALERT_MONTHS
    found = _in_arrears(today, warn)
    if not found:
        return []
    members = Member.all_objects.select_related("branch").in_bulk(list(found))
    keepers = branch_keepers({m.branch_id for m in members.values()})
    drafts = []
    for member_id in sorted(found):
        n, since = found[member_id]
        member = members[member_id]
        levels = ["warn"] + (["alert"] if n >= alert else [])
        for level in levels:
            if level == "alert":
                title = f"【自行脱党预警】{member.name}已连续{n}个月未交纳党费"
                body = (
                    f"{member.branch.name}党员{member.name}自{since:%Y年%m月}起已连续{n}个月"
                    f"未交纳党费。没有正当理由连续{alert}个月不交纳党费的，按自行脱党处理"
                    "（R-DUES-14）。请支部立即查明原因：有正当理由的记录说明，确有困难的按"
                    "规定申请减免（R-DUES-08），无正当理由的按程序处置。"
                )
            else:
                title = f"党费欠缴提醒：{member.name}已连续{n}个月未交纳党费"
                body = (
                    f"{member.branch.name}党员{member.name}自{since:%Y年%m月}起已连续{n}个月"
                    "未交纳党费。请批评教育、限期交纳；连续6个月不交纳的按自行脱党处理"
                    "（R-DUES-14）。"
                )
            for user_id, email in keepers.get(member.branch_id, []):
                drafts.append(
                    Draft(
                        user_id=user_id,
                        kind=NotificationKind.DUES_ARREARS,
                        title=title,
                        body=body,
                        link=_link("dues:member", member_id=member.pk),
                        rule_id="R-DUES-14",
                        org_id=member.branch_id,
                        org_path=member.org_path,
                        topic=f"dues_arrears:{member.pk}",
                        dedupe_key=(
                            f"{NotificationKind.DUES_ARREARS}:{member.pk}:{level}:{since:%Y-%m}"
                        ),
                        is_todo=True,
                        email=email,
                    )
                )
    return drafts


def remind_dues(today: dt.date | None = None) -> int:
    """Create the dues to-do items for `today`; returns how many were created (items already
    sent are not counted)."""
    today = today or timezone.localdate()
    pending = list(
        Reduction.all_objects.filter(status=ReductionStatus.PENDING)
        .select_related("member", "member__branch")
        .order_by("id")
    )
    drafts = arrears_drafts(today) + (reduction_drafts(pending) if pending else [])
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "dues.reminders.created",
                changes={"today": today, "created": created.created},
            )
    return created.created
