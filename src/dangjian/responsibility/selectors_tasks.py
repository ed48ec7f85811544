"""Reads of the work points (工作要点) and their tasks: who sees what, the lists, the
per-point and per-unit roll-ups, a unit's annual plan, a task's history, and the people a
notice goes to. A fixed number of queries per page whatever the number of rows.

Who sees a task:

- the publisher of its point (resp.publish on the point's org), drafts included;
- the unit and everyone above it holding resp.manage on the task's org, once the point is
  published (a unit's own task, without a point, at once).

Who sees a point: its publisher, and, once published, whoever sees one of its tasks.
See docs/responsibility-tasks.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.access import can, deny, has_cap_anywhere, paths_for, scope_q, subtree_q
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.orgs.models import Org, OrgKind, SeatRole
from dangjian.responsibility.models import (
    ReportFile,
    Supervision,
    Task,
    TaskKind,
    TaskReport,
    TaskStatus,
    WorkPoint,
)
from dangjian.rules import responsibility as rules

PUBLISH = Cap.RESP_PUBLISH
MANAGE = Cap.RESP_MANAGE
YEAR_MIN = 2000
#: choices of the meeting a report links to, latest first
MEETING_CHOICES_MAX = 100
#: a report links a meeting that took place
REPORTABLE_MEETINGS = [MeetingStatus.HELD, MeetingStatus.ARCHIVED]
#: the states a list can be filtered by (closed_late is a kind of closed)
STATE_FILTERS = [
    (rules.TaskState.NOT_STARTED, "未开始"),
    (rules.TaskState.ON_TRACK, "推进中"),
    (rules.TaskState.DUE_SOON, "即将到期"),
    (rules.TaskState.OVERDUE, "已逾期"),
    (rules.TaskState.CLOSED, "已办结"),
    (rules.TaskState.CLOSED_LATE, "逾期办结"),
]
STATE_VALUES = [value for value, _ in STATE_FILTERS]
#: tasks the units see: their own, and those of a published work point (a draft's tasks are
#: never overdue nor due soon)
PUBLISHED_Q = Q(point__isnull=True) | Q(point__published_at__isnull=False)
#: roles whose grant on a unit's top org makes its holder one of the unit's administrators
MANAGE_ROLES = sorted(role for role, caps in ROLE_CAPS.items() if MANAGE in caps)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**62 else None


def parse_year(value, today: dt.date | None = None) -> int | None:
    """A year from a query string, or None when absent or not sensible."""
    try:
        year = int(str(value).strip()[:6])
    except (TypeError, ValueError):
        return None
    today = today or timezone.localdate()
    return year if YEAR_MIN <= year <= today.year + 1 else None


def year_choices(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year + 1, today.year - 6, -1))


def due_soon_days() -> int:
    return settings.RESPONSIBILITY_DUE_SOON_DAYS


def escalate_days() -> int:
    return settings.RESPONSIBILITY_ESCALATE_DAYS


# ---------------------------------------------------------------------------------------------
# Units: the top Party body of each 单位


def unit_tops_q() -> Q:
    """Orgs that stand for a unit: they belong to one, and their parent does not belong to
    the same one (the 党组 under the 工委; a unit's 机关党委 or branches follow its unit)."""
    return Q(unit__isnull=False) & (
        Q(parent__isnull=True) | Q(parent__unit__isnull=True) | ~Q(parent__unit_id=F("unit_id"))
    )


def is_unit_top(org: Org) -> bool:
    if org.unit_id is None:
        return False
    parent = org.parent
    return parent is None or parent.unit_id != org.unit_id


def units_below(org: Org) -> list[Org]:
    """The active units strictly below `org` (the 工委): what "all units" means when a work
    point's task is assigned. One query."""
    return list(
        Org.objects.unscoped()
        .filter(subtree_q("path", org.path), dissolved_on__isnull=True)
        .exclude(pk=org.pk)
        .filter(unit_tops_q())
        .select_related("unit")
        .order_by("unit__sort", "path")
    )


def unit_choices(user) -> list[Org]:
    """The units whose tasks the user keeps (resp.manage): filters and the own-task form."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .filter(unit_tops_q())
        .select_related("unit")
        .order_by("unit__sort", "path")[:500]
    )


def unit_of(org: Org) -> Org | None:
    """The unit top at or above `org` (one query), None outside any unit."""
    if org.unit_id is None:
        return None
    ids = [int(x) for x in org.path.strip("/").split("/") if x]
    chain = {
        o.pk: o for o in Org.objects.unscoped().filter(pk__in=ids).select_related("parent", "unit")
    }
    for pk in ids:
        candidate = chain.get(pk)
        if candidate is not None and is_unit_top(candidate):
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# Who may do what


def publisher_orgs(user) -> list[Org]:
    """The orgs where the user may publish work points (resp.publish), top-most first."""
    ids = [int(p.strip("/").split("/")[-1]) for p in paths_for(user, PUBLISH)]
    return list(Org.objects.unscoped().filter(pk__in=ids, dissolved_on__isnull=True))


def can_publish_over(user, task: Task) -> bool:
    """May the user 督办 and evaluate this task: the publisher of its point, or (a unit's own
    task) someone holding resp.publish strictly above the unit."""
    if task.point_id:
        return can(user, PUBLISH, task.point.org_path)
    return any(task.org_path.startswith(p) and task.org_path != p for p in paths_for(user, PUBLISH))


def can_manage_point(user, point: WorkPoint) -> bool:
    """The point's publisher: edit, assign, publish, 督办 and close its tasks."""
    return can(user, PUBLISH, point.org_path)


def can_report(user, task: Task) -> bool:
    return can(user, MANAGE, task.org_path) and (
        task.point_id is None or task.point.published_at is not None
    )


def can_close(user, task: Task) -> bool:
    if task.point_id:
        return can(user, PUBLISH, task.point.org_path)
    return can(user, MANAGE, task.org_path)


@dataclass(frozen=True)
class TaskRights:
    report: bool
    close: bool
    supervise: bool


def task_rights(user, task: Task) -> TaskRights:
    is_open = task.status == TaskStatus.OPEN
    published = task.point_id is None or task.point.published_at is not None
    return TaskRights(
        report=is_open and can_report(user, task),
        close=is_open and can_close(user, task),
        supervise=is_open and published and can_publish_over(user, task),
    )


def visible_tasks_q(user) -> Q:
    """The tasks the user may read (see the module's docstring)."""
    manage = scope_q(user, MANAGE, "org_path")
    return (manage & PUBLISHED_Q) | scope_q(user, PUBLISH, "point__org_path")


def can_see_tasks(user) -> bool:
    return has_cap_anywhere(user, MANAGE) or has_cap_anywhere(user, PUBLISH)


def tasks_for(user):
    """Every task the user may read. `.unscoped()` because the filter is the user's scope
    itself, built from scope_q (the manager's visible_to takes a single capability)."""
    return Task.objects.unscoped().filter(visible_tasks_q(user))


def is_unit_secretary(user, task: Task) -> bool:
    """Is the user one of the accounts a 督办 escalates to for this task's unit (see
    unit_secretaries): he may read the task, read-only, once the units see it."""
    user_id = getattr(user, "pk", None)
    if not user_id or not getattr(user, "is_active", False):
        return False
    if task.point_id and task.point.published_at is None:
        return False
    return any(uid == user_id for uid, _ in unit_secretaries([task.org_id]).get(task.org_id, []))


def access_task(user, task_id) -> Task:
    """A task for whoever may read it (see the module's docstring), and read-only for the
    unit's secretary, who receives its escalated 督办 (`task.read_as_secretary`)."""
    pk = _int(task_id)
    task = (
        Task.objects.unscoped()
        .select_related("org", "org__unit", "org__parent", "point", "point__org", "closed_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if task is None:
        raise deny()
    if task.point_id and can(user, PUBLISH, task.point.org_path):
        return task
    if can_report(user, task):
        return task
    if is_unit_secretary(user, task):
        task.read_as_secretary = True
        return task
    raise deny()


def access_point(user, point_id, *, manage: bool = False) -> WorkPoint:
    """A work point: its publisher always; with `manage` only the publisher; otherwise also
    whoever sees one of its tasks once it is published."""
    pk = _int(point_id)
    point = WorkPoint.objects.unscoped().select_related("org").filter(pk=pk).first() if pk else None
    if point is None:
        raise deny()
    if can(user, PUBLISH, point.org_path):
        return point
    if (
        not manage
        and point.published_at is not None
        and tasks_for(user).filter(point=point).exists()
    ):
        return point
    raise deny()


def access_report_file(user, file_id) -> ReportFile:
    """A file of a task report, for whoever may read the task."""
    pk = _int(file_id)
    found = (
        ReportFile.objects.filter(pk=pk, task_report__isnull=False)
        .select_related("task_report")
        .first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    access_task(user, found.task_report.task_id)
    return found


# ---------------------------------------------------------------------------------------------
# States


def state_q(state: str, today: dt.date, soon_days: int | None = None) -> Q:
    """The SQL form of rules.task_state for one state (kept in step with it; the tests
    compare them on every boundary)."""
    soon_days = due_soon_days() if soon_days is None else soon_days
    soon_end = today + dt.timedelta(days=soon_days)
    is_open = Q(status=TaskStatus.OPEN)
    # a draft point's task is never overdue nor due soon (rules.task_state, published=False)
    overdue = PUBLISHED_Q & Q(due_on__lt=today)
    due_soon = PUBLISHED_Q & Q(due_on__gte=today, due_on__lte=soon_end, progress__lt=100)
    not_started = Q(starts_on__gt=today, progress=0)
    if state == rules.TaskState.OVERDUE:
        return is_open & overdue
    if state == rules.TaskState.DUE_SOON:
        return is_open & due_soon
    if state == rules.TaskState.NOT_STARTED:
        return is_open & ~overdue & ~due_soon & not_started
    if state == rules.TaskState.ON_TRACK:
        return is_open & ~overdue & ~due_soon & ~not_started
    if state == rules.TaskState.CLOSED:
        return Q(status=TaskStatus.CLOSED)
    if state == rules.TaskState.CLOSED_LATE:
        return Q(status=TaskStatus.CLOSED, closed_at__date__gt=F("due_on"))
    return Q()


def closed_on(task: Task) -> dt.date | None:
    return timezone.localdate(task.closed_at) if task.closed_at else None


def is_published(task: Task) -> bool:
    """Whether the units see the task: their own, or its point is published (the caller
    loaded `point` with the task)."""
    return task.point_id is None or task.point.published_at is not None


def state_of(task: Task, today: dt.date, soon_days: int | None = None) -> rules.TaskState:
    return rules.task_state(
        task.status,
        task.progress,
        task.starts_on,
        task.due_on,
        today,
        closed_on=closed_on(task),
        due_soon_days=due_soon_days() if soon_days is None else soon_days,
        published=is_published(task),
    )


def with_states(tasks, today: dt.date | None = None) -> list[Task]:
    """Set `.state` and `.state_label` on each task (no query when `point` was loaded with
    the tasks)."""
    today = today or timezone.localdate()
    soon = due_soon_days()
    tasks = list(tasks)
    for task in tasks:
        task.state = state_of(task, today, soon)
        task.state_label = rules.STATE_LABELS[task.state]
    return tasks


def facts(task) -> rules.TaskFacts:
    return rules.TaskFacts(
        task.status, task.progress, task.due_on, closed_on(task), is_published(task)
    )


# ---------------------------------------------------------------------------------------------
# Lists


def _annotated(qs):
    """Per row in the same query: the open 督办 count, whether one is escalated, the latest
    report's text."""
    open_sup = Supervision.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True)
    latest = TaskReport.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-id")
    open_count = open_sup.order_by().values("task").annotate(n=Count("id")).values("n")[:1]
    return qs.annotate(
        open_supervisions=Coalesce(Subquery(open_count), Value(0)),
        escalated=Exists(open_sup.filter(escalated_at__isnull=False)),
        last_text=Subquery(latest.values("text")[:1]),
    )


def task_list(
    user,
    *,
    org: Org | None = None,
    point: WorkPoint | None = None,
    unit: Org | None = None,
    year: int | None = None,
    state: str = "",
    kind: str = "",
    q: str = "",
    today: dt.date | None = None,
):
    """The tasks the user may read, filtered: `org` (its subtree), `unit` (that unit's
    tasks), `point`, `year`, a state (rules.TaskState), a kind, a search in the title."""
    today = today or timezone.localdate()
    qs = tasks_for(user).select_related("org", "org__unit", "point")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if unit is not None:
        qs = qs.filter(org=unit)
    if point is not None:
        qs = qs.filter(point=point)
    if year:
        qs = qs.filter(year=year)
    if state in STATE_VALUES:
        qs = qs.filter(state_q(state, today))
    if kind in TaskKind.values:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(org__name__icontains=q))
    return _annotated(qs).order_by("due_on", "org_path", "id")


def overdue_list(user, *, point=None, unit=None, q: str = "", today: dt.date | None = None):
    """Every overdue open task the user may read (the 工委's 逾期 view), longest overdue
    first."""
    return task_list(
        user, point=point, unit=unit, q=q, state=rules.TaskState.OVERDUE, today=today
    ).order_by("due_on", "org_path", "id")


def point_list(user, *, year: int | None = None, org: Org | None = None):
    """Work points the user may read: the ones he publishes (drafts too), and published ones
    where he sees a task."""
    seen = tasks_for(user).filter(point__isnull=False).values("point_id")
    qs = WorkPoint.objects.unscoped().filter(
        scope_q(user, PUBLISH, "org_path") | Q(published_at__isnull=False, pk__in=seen)
    )
    if year:
        qs = qs.filter(year=year)
    if org is not None:
        qs = qs.filter(org=org)
    return qs.select_related("org").order_by("-year", "seq", "id")


def completion_by_point(user, points, today: dt.date | None = None) -> dict:
    """{point id: rules.Completion} of the tasks the user sees, one query."""
    today = today or timezone.localdate()
    ids = [p.pk for p in points]
    published = {p.pk: p.published_at is not None for p in points}
    rows = defaultdict(list)
    qs = tasks_for(user).filter(point_id__in=ids)
    for task in qs.only("id", "point_id", "status", "progress", "due_on", "closed_at"):
        rows[task.point_id].append(
            rules.TaskFacts(
                task.status,
                task.progress,
                task.due_on,
                closed_on(task),
                published[task.point_id],
            )
        )
    return {pk: rules.completion(rows.get(pk, []), today) for pk in ids}


def point_tasks(user, point: WorkPoint, today: dt.date | None = None) -> list[Task]:
    """A point's tasks the user sees, unit by unit, with states: the point page."""
    qs = _annotated(
        tasks_for(user).filter(point=point).select_related("org", "org__unit", "point")
    ).order_by("org__unit__sort", "org_path", "id")
    return with_states(qs, today)


@dataclass
class MatrixColumn:
    org: Org
    completion: rules.Completion = field(default_factory=rules.Completion)


@dataclass
class MatrixRow:
    point: WorkPoint
    cells: list = field(default_factory=list)
    completion: rules.Completion = field(default_factory=rules.Completion)


@dataclass
class Matrix:
    year: int
    columns: list[MatrixColumn]
    rows: list[MatrixRow]
    total: rules.Completion


def matrix(user, year: int, today: dt.date | None = None) -> Matrix:
    """Points × units of a year: each cell the unit's task of the point (or None), each row
    the point's completion, each column the unit's, and the year's. Two queries."""
    today = today or timezone.localdate()
    points = list(point_list(user, year=year))
    tasks = with_states(
        tasks_for(user)
        .filter(point__in=[p.pk for p in points])
        .select_related("org", "org__unit", "point")
        .order_by("org__unit__sort", "org_path"),
        today,
    )
    orgs: dict[int, Org] = {}
    cells: dict[tuple[int, int], Task] = {}
    by_org: dict[int, list] = defaultdict(list)
    by_point: dict[int, list] = defaultdict(list)
    for task in tasks:
        orgs.setdefault(task.org_id, task.org)
        cells[(task.point_id, task.org_id)] = task
        by_org[task.org_id].append(facts(task))
        by_point[task.point_id].append(facts(task))
    columns = [MatrixColumn(o, rules.completion(by_org[o.pk], today)) for o in orgs.values()]
    rows = [
        MatrixRow(
            p,
            [cells.get((p.pk, c.org.pk)) for c in columns],
            rules.completion(by_point[p.pk], today),
        )
        for p in points
    ]
    total = rules.completion([facts(t) for t in tasks], today)
    return Matrix(year, columns, rows, total)


@dataclass
class PlanMonth:
    month: int
    party: list = field(default_factory=list)
    business: list = field(default_factory=list)


def plan(user, unit: Org, year: int, today: dt.date | None = None) -> list[PlanMonth]:
    """A unit's annual plan: its tasks of the year the user may read, by the month of their
    deadline, 党建 and 业务 side by side. Months without a task are left out. One query."""
    tasks = with_states(
        tasks_for(user)
        .filter(org=unit, year=year)
        .select_related("point")
        .order_by("due_on", "id"),
        today,
    )
    months: dict[int, PlanMonth] = {}
    for task in tasks:
        month = months.setdefault(task.due_on.month, PlanMonth(task.due_on.month))
        (month.business if task.kind == TaskKind.BUSINESS else month.party).append(task)
    return [months[m] for m in sorted(months)]


def plan_tasks(user, unit: Org, year: int):
    """The plan's tasks as one list (the export)."""
    return _annotated(
        tasks_for(user).filter(org=unit, year=year).select_related("org", "org__unit", "point")
    ).order_by("kind", "due_on", "id")


@dataclass
class History:
    reports: list
    supervisions: list

    @property
    def events(self) -> list[tuple[str, object]]:
        """Reports and 督办 in one timeline, latest first: ("report" | "supervision", row)."""
        rows = [("report", r, r.reported_at) for r in self.reports]
        rows += [("supervision", s, s.sent_at) for s in self.supervisions]
        rows.sort(key=lambda row: row[2], reverse=True)
        return [(kind, row) for kind, row, _ in rows]


def history(task: Task) -> History:
    """A task's reports (latest first, with files and linked meetings) and its 督办 (latest
    first). Three queries. The caller obtained `task` through access_task."""
    reports = list(
        TaskReport.objects.filter(task=task)
        .select_related("meeting", "reported_by")
        .prefetch_related(Prefetch("files", queryset=ReportFile.objects.order_by("id")))
        .order_by("-reported_at", "-id")
    )
    supervisions = list(
        Supervision.objects.filter(task=task).select_related("sent_by").order_by("-sent_at", "-id")
    )
    for s in supervisions:
        s.escalates_at = rules.escalates_at(s.sent_at, s.escalate_after_days)
    return History(reports, supervisions)


def meetings_for_report(task: Task, include_id: int | None = None) -> list[Meeting]:
    """Meetings of the unit's subtree a report may link, latest first. The caller obtained
    `task` with the right to report on it (resp.manage on the unit covers its subtree)."""
    qs = (
        Meeting.objects.unscoped()
        .filter(subtree_q("org_path", task.org_path))
        .filter(status__in=REPORTABLE_MEETINGS)
        .select_related("org")
        .order_by("-starts_at", "-id")
    )
    found = list(qs[:MEETING_CHOICES_MAX])
    if include_id and include_id not in {m.pk for m in found}:
        found += list(qs.filter(pk=include_id))
    return found


def meeting_of_unit(task: Task, meeting_id) -> Meeting | None:
    """The meeting a report names, if it is a held (or archived) meeting of the task's unit
    subtree, as meetings_for_report offers them (else None)."""
    pk = _int(meeting_id)
    if pk is None:
        return None
    return (
        Meeting.objects.unscoped()
        .filter(pk=pk)
        .filter(subtree_q("org_path", task.org_path))
        .filter(status__in=REPORTABLE_MEETINGS)
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Who is told (the services and the daily job)


def unit_admins(unit_ids) -> dict[int, list[tuple[int, str]]]:
    """{unit org id: [(user id, email)]}: the active users with a resp.manage grant on the
    unit's top org itself (not the 工委 above it). One query."""
    from dangjian.accounts.models import RoleGrant

    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        RoleGrant.objects.filter(
            org_id__in=list(unit_ids),
            role__in=MANAGE_ROLES,
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .values_list("org_id", "user_id", "user__email")
        .order_by("org_id", "user_id")
    )
    for org_id, user_id, email in rows:
        if (user_id, email or "") not in out[org_id]:
            out[org_id].append((user_id, email or ""))
    return out


def unit_secretaries(unit_ids) -> dict[int, list[tuple[int, str]]]:
    """{unit org id: [(user id, email)]}: the active accounts of the member holding the
    current 书记 seat of the unit's top org, or, when that yields no account (no seat, or its
    member has no active account), those of its 机关党委's secretary. A unit with neither is
    left out (the caller falls back to the unit's administrators). Three queries."""
    from dangjian.accounts.models import User
    from dangjian.orgs.models import CommitteeSeat

    unit_ids = list(unit_ids)
    if not unit_ids:
        return {}
    organs = dict(
        Org.objects.unscoped()
        .filter(
            parent_id__in=unit_ids,
            kind=OrgKind.ORGAN_COMMITTEE,
            dissolved_on__isnull=True,
        )
        .order_by("id")
        .values_list("pk", "parent_id")
    )
    seats = (
        CommitteeSeat.objects.unscoped()
        .filter(
            org_id__in=[*unit_ids, *organs],
            role=SeatRole.SECRETARY,
            ended_on__isnull=True,
        )
        .order_by("org_id", "-started_on", "id")
        .values_list("org_id", "member_id")
    )
    own: dict[int, list[int]] = defaultdict(list)
    via_organ: dict[int, list[int]] = defaultdict(list)
    for org_id, member_id in seats:
        if org_id in organs:
            via_organ[organs[org_id]].append(member_id)
        else:
            own[org_id].append(member_id)
    members = {m for ids in (*own.values(), *via_organ.values()) for m in ids}
    accounts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for member_id, user_id, email in (
        User.objects.filter(member_id__in=members, is_active=True)
        .order_by("id")
        .values_list("member_id", "id", "email")
    ):
        accounts[member_id].append((user_id, email or ""))

    def reached(ids: list[int]) -> list[tuple[int, str]]:
        return [acc for m in ids for acc in accounts.get(m, [])]

    out = {u: reached(own.get(u, [])) or reached(via_organ.get(u, [])) for u in unit_ids}
    return {u: people for u, people in out.items() if people}
