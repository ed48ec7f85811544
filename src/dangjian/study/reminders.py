"""The study part of the daily 事前提醒 (R-EDU-01/02): from October 1 (rules.study.
WARN_FROM_MONTH) to December 31, before the year closes,

- each member with an account who is short of the year's hours (or, a secretary or committee
  member, has no concentrated training yet) gets a to-do citing R-EDU-01 or R-EDU-02;
- each branch secretary (the 组织委员 where the branch has no secretary account) gets one
  to-do listing the short members of his branch.

Exempt members (R-EDU-03) are never short. Items are deduplicated per user, member (or
branch) and year (`notify`'s dedupe_key), so the job may run every day: one item a year each.
A fixed number of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import Role
from dangjian.notify.services import Draft, notifications_create
from dangjian.rules import study as rules
from dangjian.study.selectors_sessions import committee_hours, hours_queryset

#: the notification kind of these items (notify.models.NotificationKind.STUDY_HOURS)
KIND = "study_hours"
BRANCH_ROLES = [Role.BRANCH_SECRETARY, Role.BRANCH_ORGANIZER]
#: a branch's item names at most this many members (the page lists them all)
NAMES_MAX = 30


def _link(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return "/study/"


def _short_members(year: int) -> list[tuple]:
    """(member, standing) of every member short of the year's hours, by branch (one query;
    the standing is judged in Python, as on the pages: filtering on the sums in SQL would make
    SQLite compute them twice per member)."""
    from django.db.models import Q

    qs = (
        hours_queryset(Q(), year)
        .filter(exempt=False)
        .select_related("branch")
        .only("id", "name", "name_pinyin", "org_path", "branch__name", "branch__path")
        .order_by("branch_id", "name_pinyin", "id")
    )
    out = []
    for member in qs.iterator(chunk_size=2000):
        state = _standing(member)
        if not state.met:
            out.append((member, state))
    return out


def _accounts(member_ids) -> dict[int, list[tuple[int, str]]]:
    """{member id: [(user id, email)]} of the active accounts linked to these members."""
    from dangjian.accounts.models import User

    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = User.objects.filter(member_id__in=list(member_ids), is_active=True).values_list(
        "member_id", "id", "email"
    )
    for member_id, user_id, email in rows:
        out[member_id].append((user_id, email or ""))
    return out


def _keepers(branch_ids) -> dict[int, list[tuple[int, str]]]:
    """{branch id: [(user id, email)]}: the secretaries, else the 组织委员 (one query)."""
    from dangjian.accounts.models import RoleGrant

    by_branch: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role__in=BRANCH_ROLES,
        org_id__in=list(branch_ids),
    ).values_list("org_id", "user_id", "role", "user__email")
    for org_id, user_id, role, email in rows.order_by("user_id"):
        by_branch[org_id][role].append((user_id, email or ""))
    return {
        org_id: roles.get(Role.BRANCH_SECRETARY) or roles.get(Role.BRANCH_ORGANIZER) or []
        for org_id, roles in by_branch.items()
    }


def _standing(member) -> rules.HoursStanding:
    return rules.standing(
        rules.hours(member.earned_t / 10),
        is_committee_member=member.committee,
        exempt=member.exempt,
        has_concentrated=member.concentrated,
        committee_hours=committee_hours(),
    )


def study_drafts(today: dt.date) -> list[Draft]:
    """The to-do items for `today` (none before October or after the year)."""
    if today.month < rules.WARN_FROM_MONTH:
        return []
    year = today.year
    short = _short_members(year)
    if not short:
        return []
    accounts = _accounts(m.pk for m, _ in short)
    keepers = _keepers({m.branch_id for m, _ in short})
    topic = f"study_hours:{year}"
    drafts: list[Draft] = []
    by_branch: dict[int, list[tuple]] = defaultdict(list)
    for member, state in short:
        findings = rules.shortfall_findings(state, today=today, year=year)
        if not findings:
            continue
        by_branch[member.branch_id].append((member, state, findings))
        for user_id, email in accounts.get(member.pk, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=KIND,
                    title=f"学时提醒：{year}年学时尚未达到要求",
                    body="；".join(f.message for f in findings)
                    + "。请在年底前参加集中学习培训，参加的党校、网络培训可提交证明认定学时。",
                    link=_link("study:my_hours", f"?year={year}"),
                    rule_id=findings[0].rule_id,
                    org_id=member.branch_id,
                    org_path=member.org_path,
                    topic=topic,
                    dedupe_key=f"{KIND}:member:{member.pk}:{year}",
                    is_todo=True,
                    email=email,
                )
            )
    for branch_id, rows in by_branch.items():
        branch = rows[0][0].branch
        rule_ids = sorted({f.rule_id for _, _, found in rows for f in found})
        names = "、".join(
            f"{m.name}（差{state.shortfall}学时）"
            if state.shortfall
            else f"{m.name}（未参加集中培训）"
            for m, state, _ in rows[:NAMES_MAX]
        )
        more = f"等{len(rows)}人" if len(rows) > NAMES_MAX else ""
        for user_id, email in keepers.get(branch_id, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=KIND,
                    title=f"{branch.name}有{len(rows)}名党员{year}年学时未达标",
                    body=(
                        f"截至{today:%Y年%m月%d日}，以下党员{year}年学时尚未达到要求：{names}{more}。"
                        f"请督促参加集中学习培训（{'、'.join(rule_ids)}）。"
                    ),
                    link=_link("study:hours", f"?org={branch_id}&year={year}&short=1"),
                    rule_id=rule_ids[0],
                    org_id=branch_id,
                    org_path=branch.path,
                    topic=topic,
                    dedupe_key=f"{KIND}:branch:{branch_id}:{year}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def remind_study(today: dt.date | None = None) -> int:
    """Create the study to-do items for `today`; returns how many were created (items already
    sent are not counted)."""
    today = today or timezone.localdate()
    drafts = study_drafts(today)
    if not drafts:
        return 0
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "study.reminders.created",
                changes={"today": today, "created": created.created},
            )
    return created.created
