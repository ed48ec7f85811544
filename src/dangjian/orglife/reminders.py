"""事前提醒: the daily job behind `dangjian remind` (and `orglife.tasks.remind_task`).

`remind(today)` applies the compliance grid (`compliance.compliance_grid`, three queries per
tree) to the whole tree for today's year, and in January also to the previous year, then:

- every period that is `due_soon` (nothing held yet, the period ends within 10 days) gives the
  org's branch secretaries a to-do item (a 党小组's: its own secretaries, else its branch's);
  without a secretary, the admins above get it;
- the most recent period of each kind that has ended and went `missing` gives the unit admins
  above the org (unit_admin on any ancestor; without one, the committee admins) a to-do item
  and the secretaries a notice. Only the latest ended period: a first run in August does not
  bury the admins under every gap since January — the compliance page shows those. In January
  that period is the previous year's last one (December, Q4, the year).

Each item cites the rule (rule id, title and citation from `rules.RULES`) and links to the
compliance drill-down. Items are deduplicated per user × org × kind × period (`dedupe_key`),
so running the job twice, or daily, never repeats one. Role grants are loaded once, so the
cost is a fixed number of queries plus the inserts, whatever the number of branches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import Role
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.orglife import compliance
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import RULES
from dangjian.rules import orglife as rules

QUARTERS = "一二三四"


@dataclass
class RemindResult:
    today: dt.date
    years: list[int] = field(default_factory=list)
    due_soon: int = 0  # (org, kind, period) cells due soon
    missing: int = 0  # cells whose period just ended with nothing held
    todos: int = 0  # to-do items created
    notices: int = 0  # notices created
    existing: int = 0  # items skipped because they were already sent
    unaddressed: int = 0  # cells with nobody to tell (no secretary and no admin above)
    emailed: int = 0

    @property
    def created(self) -> int:
        return self.todos + self.notices

    def summary(self) -> str:
        years = "、".join(f"{y}年" for y in self.years)
        return (
            f"事前提醒（{self.today.isoformat()}，核查{years}）：即将到期 {self.due_soon} 项，"
            f"应开未开 {self.missing} 项；新建待办 {self.todos} 条、通知 {self.notices} 条，"
            f"已提醒过 {self.existing} 条，无人接收 {self.unaddressed} 项，"
            f"邮件 {self.emailed} 封。"
        )


def period_label(start: dt.date, end: dt.date, this_year: int) -> str:
    """ "11月", "第四季度", "2025年度"; the year is named when it is not this year's."""
    year = f"{start.year}年" if start.year != this_year else ""
    if (start.month, end.month) == (1, 12):
        return f"{start.year}年度"
    if start.month == end.month:
        return f"{year}{start.month}月"
    return f"{year}第{QUARTERS[(start.month - 1) // 3]}季度"


def _day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


class _Recipients:
    """Who is told about an org, from all active grants of the roles involved, loaded once."""

    def __init__(self):
        from dangjian.accounts.models import RoleGrant

        self.by_org: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        rows = RoleGrant.objects.filter(
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
            user__is_active=True,
            role__in=[Role.BRANCH_SECRETARY, Role.UNIT_ADMIN, Role.COMMITTEE_ADMIN],
        ).values_list("org_id", "role", "user_id", "user__email")
        for org_id, role, user_id, email in rows:
            self.by_org[org_id][role].append((user_id, email or ""))

    @staticmethod
    def _ids(path: str) -> list[int]:
        return [int(x) for x in path.strip("/").split("/") if x]

    def secretaries(self, row: compliance.OrgRow) -> list[tuple[int, str]]:
        ids = self._ids(row.path)
        own = self.by_org.get(ids[-1], {}).get(Role.BRANCH_SECRETARY, [])
        if own or row.kind != OrgKind.GROUP or len(ids) < 2:
            return list(own)
        return list(self.by_org.get(ids[-2], {}).get(Role.BRANCH_SECRETARY, []))

    def admins(self, row: compliance.OrgRow) -> list[tuple[int, str]]:
        ids = self._ids(row.path)
        for role in (Role.UNIT_ADMIN, Role.COMMITTEE_ADMIN):
            found = [u for org_id in ids for u in self.by_org.get(org_id, {}).get(role, [])]
            if found:
                return list(dict.fromkeys(found))
        return []


def _link(org_id: int, kind: str, year: int) -> str:
    return f"{reverse('compliance:cell')}?org={org_id}&kind={kind}&year={year}"


def _basis(kind: str, extra: dict) -> tuple[str, str]:
    rule_id = rules.frequency_of(kind, extra).rule_id
    r = RULES.get(rule_id)
    if r is None:
        return rule_id, f"依据：{rule_id}。"
    return rule_id, f"依据：{r.id}“{r.title}”（{r.citation}）。"


def _cells(grid: compliance.Grid, today: dt.date, *, last_only: bool):
    """(row, kind, period, status) to remind about: due_soon periods, and the latest period of
    each kind that has ended (`last_only`: the year's last period, for the previous year)."""
    latest: dict[str, int] = {}
    for kind, periods in grid.periods.items():
        ended = [i for i, p in enumerate(periods) if p.end < today]
        if ended:
            latest[kind] = len(periods) - 1 if last_only else ended[-1]
    for row in grid.rows:
        for kind, statuses in row.cells.items():
            periods = grid.periods[kind]
            if not last_only:
                for i, status in enumerate(statuses):
                    if status == rules.DUE_SOON:
                        yield row, kind, periods[i], status
            i = latest.get(kind)
            if i is not None and statuses[i] == rules.MISSING:
                yield row, kind, periods[i], rules.MISSING


def remind(today: dt.date | None = None) -> RemindResult:
    """Create the to-do items and notices for `today` (default: the local date)."""
    today = today or timezone.localdate()
    result = RemindResult(today=today)
    extra = compliance.overrides()
    roots = list(
        Org.objects.unscoped()
        .filter(parent__isnull=True, dissolved_on__isnull=True)
        .order_by("path")
    )
    years = [(today.year, False)]
    if today.month == 1:
        years.insert(0, (today.year - 1, True))
    result.years = [y for y, _ in years]
    who = _Recipients()
    drafts: list[Draft] = []
    for year, last_only in years:
        for root in roots:
            grid = compliance.compliance_grid(root, year, today)
            for row, kind, period, status in _cells(grid, today, last_only=last_only):
                drafts.extend(_drafts(result, who, row, kind, period, status, today, extra))
    with transaction.atomic():
        created = notifications_create(drafts)
        result.existing = created.existing
        result.emailed = created.emailed
        if created.created:
            audit(
                None,
                "orglife.reminders.created",
                changes={
                    "today": today,
                    "due_soon": result.due_soon,
                    "missing": result.missing,
                    "created": created.created,
                },
            )
    result.todos = created.todos
    result.notices = created.created - created.todos
    return result


def _drafts(result, who, row, kind, period, status, today, extra) -> list[Draft]:
    label = rules.KIND_LABELS[kind]
    when = period_label(period.start, period.end, today.year)
    rule_id, basis = _basis(kind, extra)
    topic = f"orglife:{kind}:{period.start.isoformat()}"
    link = _link(row.org_id, kind, period.start.year)
    common = {"rule_id": rule_id, "org_id": row.org_id, "org_path": row.path, "topic": topic}
    secretaries = who.secretaries(row)
    out: list[Draft] = []
    if status == rules.DUE_SOON:
        result.due_soon += 1
        days = (period.end - today).days
        title = f"{row.name} {label}：{when}尚未开展（{_day(period.end)}截止）"
        body = (
            f"{row.name}{when}的{label}尚未开展，本期{_day(period.start)}至{_day(period.end)}，"
            f"{'今天' if days == 0 else f'{days}天后'}截止。请及时安排，会后在系统中登记。{basis}"
        )
        to = secretaries or who.admins(row)
        key = f"{NotificationKind.ORGLIFE_DUE_SOON}:{row.org_id}:{kind}:{period.start.isoformat()}"
        for user_id, email in to:
            out.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ORGLIFE_DUE_SOON,
                    title=title,
                    body=body,
                    link=link,
                    dedupe_key=key,
                    is_todo=True,
                    email=email,
                    **common,
                )
            )
    else:
        result.missing += 1
        title = f"{row.name} {label}：{when}应开未开（{_day(period.end)}已截止）"
        key = f"{NotificationKind.ORGLIFE_MISSING}:{row.org_id}:{kind}:{period.start.isoformat()}"
        admins = who.admins(row)
        for user_id, email in admins:
            out.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ORGLIFE_MISSING,
                    title=title,
                    body=(
                        f"{row.name}{when}的{label}未开展，本期已于{period.end.isoformat()}截止。"
                        f"请督促该组织尽快补开并说明情况。{basis}"
                    ),
                    link=link,
                    dedupe_key=key,
                    is_todo=True,
                    email=email,
                    **common,
                )
            )
        for user_id, email in secretaries:
            out.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ORGLIFE_MISSING,
                    title=title,
                    body=(
                        f"{row.name}{when}的{label}未开展，本期已于{period.end.isoformat()}截止，"
                        f"已提醒上级党组织。请尽快补开，会后在系统中登记。{basis}"
                    ),
                    link=link,
                    dedupe_key=key,
                    is_todo=False,
                    email=email,
                    **common,
                )
            )
    if not out:
        result.unaddressed += 1
    return out


def lifecycle_summary(today: dt.date) -> str:
    """The member-lifecycle part of the daily job: dues arrears (R-DUES-14) and pending
    reductions, recruitment deadlines and violations (R-DEV-*), the year-end credit-hour
    warnings (R-EDU-01/02, from October), the quarterly reports of the responsibility lists
    (R-ORG-12), the tasks' deadlines and the escalation of 督办, and the co-creation problems
    due, the retired cadres' contacts and requests, and the legal aid time limits. One line
    for the log."""
    from dangjian.cocreation.reminders import remind_cocreation
    from dangjian.dues.reminders import remind_dues
    from dangjian.legal.reminders import remind_legal
    from dangjian.recruitment.reminders import remind_recruitment
    from dangjian.responsibility.reminders_duties import remind_duties
    from dangjian.responsibility.reminders_tasks import remind_tasks
    from dangjian.study.reminders import remind_study
    from dangjian.veterans.reminders import remind_veterans

    dues, recruitment = remind_dues(today), remind_recruitment(today)
    study = remind_study(today)
    duties, tasks = remind_duties(today), remind_tasks(today)
    problems = remind_cocreation(today)
    veterans, legal = remind_veterans(today), remind_legal(today)
    return (
        f"党费提醒 {dues} 条；发展党员提醒 {recruitment} 条；学时提醒 {study} 条；"
        f"责任清单进展提醒 {duties} 条；任务提醒与督办升级 {tasks} 条；群众问题办理提醒 "
        f"{problems} 条；老干部结对联系与诉求提醒 {veterans} 条；法律援助时限提醒 {legal} 条。"
    )
