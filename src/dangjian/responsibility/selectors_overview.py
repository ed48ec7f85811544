"""Reads of the 工委's overview of 责任落实 and 共同缔造 (`responsibility:overview`) and the
counts of the hub (`responsibility:home`): derived from the records the units keep, never
typed, in a fixed number of grouped queries whatever the number of units, points or tasks.

Scope: the work points and tasks are read under the user's `resp.manage` and `resp.publish`
paths, the responsibility lists under `resp.manage`, co-creation under `cocreation.manage`
(`cocreation/selectors_overview.py`); each through `scope_q`. The 工委 (a grant on the root)
sees every unit, a unit admin his unit only. `within` narrows everything to one unit the
caller obtained through `access_unit`.

The definitions (also in docs/responsibility.md, "The overview"):

- only tasks the units can see count: those of published points and the units' own tasks;
- a task is *closed on time* when it was closed on or before its `due_on` (local date);
  *overdue* when it is open and `due_on` is before today;
- *completion* of a point or a unit = closed / total; *average progress* is the mean of the
  tasks' latest reported progress, closed ones included at what they last reported (the
  same roll-up as `rules.responsibility.completion` on the work-point pages);
- a unit's list *exists* when it was created for the year and is *confirmed* once
  `confirmed_at` is set; the *report share* is, over the items of the unit's confirmed lists
  of the year that owe the report of the last quarter ended by today (Q4 for a past year;
  none yet in the first quarter, or for a future year) — those in force by that quarter's
  last day (`selectors_duties.owes_report_q`) — the share with that report;
- the *units* of the totals are the units' top bodies only: a row met only in the figures
  (a task filed on a unit's 机关党委, a dissolved unit's records) is shown and summed, but is
  not a unit of the denominators ("主体责任清单 已确认 / 单位数").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.utils import timezone

from dangjian.cocreation import selectors_overview as cocreation_sel
from dangjian.core.access import deny, has_cap_anywhere, scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org
from dangjian.responsibility import selectors_duties as duty_sel
from dangjian.responsibility.models import (
    DutyItem,
    DutyKind,
    DutyList,
    DutyReport,
    Task,
    TaskStatus,
    WorkPoint,
)
from dangjian.rules import duties as duty_rules

#: who may open the hub and the overview at all (anywhere in the tree)
ACCESS_CAPS = (Cap.RESP_MANAGE, Cap.RESP_PUBLISH)
#: work points and tasks: the units' managers and the publisher above them
TASK_CAPS = (Cap.RESP_MANAGE, Cap.RESP_PUBLISH)
#: responsibility lists: the units' managers (the 工委 holds it on the root)
DUTY_CAPS = (Cap.RESP_MANAGE,)
#: years the overview accepts: from 2000 to next year
YEAR_MIN = 2000
YEAR_TEXT_MAX = 12


# ---------------------------------------------------------------------------------------------
# Small helpers


def may_open(user) -> bool:
    """The hub and the overview exist for the holders of resp.manage or resp.publish."""
    return any(has_cap_anywhere(user, cap) for cap in ACCESS_CAPS)


def parse_year(raw, today: dt.date) -> tuple[int, str]:
    """The year asked for in a query string, and a Chinese notice when it was not usable (the
    current year is shown instead). Never raises."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text:
        return today.year, ""
    if len(text) > YEAR_TEXT_MAX:
        return today.year, "年度无效，已显示本年度。"
    try:
        year = int(text)
    except ValueError:
        return today.year, "年度无效，已显示本年度。"
    if not YEAR_MIN <= year <= today.year + 1:
        return today.year, f"年度应在{YEAR_MIN}年至{today.year + 1}年之间，已显示本年度。"
    return year, ""


def year_choices(today: dt.date) -> list[int]:
    return list(range(today.year + 1, today.year - 6, -1))


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def last_ended_quarter(year: int, today: dt.date) -> int | None:
    """The last quarter of `year` that has ended by `today` (whose report is expected), or
    None when none has: a future year, or the first quarter of this one."""
    if year < today.year:
        return 4
    if year > today.year:
        return None
    return quarter_of(today) - 1 or None


def percent(part, whole) -> Decimal | None:
    """part / whole in percent with one decimal; None when there is nothing to count."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _rounded(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _scope(user, caps, field_name: str, within: Org | None = None) -> Q:
    """Rows under the user's paths for any of `caps` (scope_q each), within one unit if asked."""
    q = scope_q(user, caps[0], field_name)
    for cap in caps[1:]:
        q |= scope_q(user, cap, field_name)
    if within is not None:
        q &= subtree_q(field_name, within.path)
    return q


def _visible_tasks(user, within: Org | None = None):
    """Tasks the user may count: under his task paths, of published points or the units' own."""
    return (
        Task.objects.unscoped()
        .filter(_scope(user, TASK_CAPS, "org_path", within))
        .filter(Q(point__isnull=True) | Q(point__published_at__isnull=False))
    )


#: the average progress: each task at its latest report, closed or not
_PROGRESS = F("progress")
_CLOSED = Q(status=TaskStatus.CLOSED)
_ON_TIME = Q(status=TaskStatus.CLOSED, closed_at__date__lte=F("due_on"))


def _overdue(today: dt.date) -> Q:
    return Q(status=TaskStatus.OPEN, due_on__lt=today)


# ---------------------------------------------------------------------------------------------
# Units


def unit_orgs(user) -> list[Org]:
    """The units the user's overview has rows for: the top Party body of each unit (an active
    org with a `unit` whose parent belongs to no or another unit) under any of the user's
    resp.manage, resp.publish or cocreation.manage paths. One query."""
    q = _scope(user, (*TASK_CAPS, cocreation_sel.CAP), "path")
    return list(
        Org.objects.unscoped()
        .filter(q, unit__isnull=False, dissolved_on__isnull=True)
        .exclude(parent__unit_id=F("unit_id"))
        .select_related("unit")
        .order_by("unit__sort", "path")
    )


def access_unit(units: list[Org], raw) -> Org | None:
    """The unit named by `?unit=` among `units` (the user's, from `unit_orgs`): None when the
    parameter is absent; 404 for junk or a unit that is not the user's."""
    if raw in (None, ""):
        return None
    try:
        pk = int(str(raw)[:YEAR_TEXT_MAX])
    except ValueError:
        raise deny() from None
    for org in units:
        if org.pk == pk:
            return org
    raise deny()


def unit_label(org: Org) -> str:
    unit = org.unit
    if unit is not None:
        return unit.short_name or unit.name
    return org.name


# ---------------------------------------------------------------------------------------------
# The overview


@dataclass
class PointRow:
    """One work point's completion across the units the user sees."""

    point_id: int
    seq: int
    title: str
    total: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    avg_progress: Decimal | None = None

    @property
    def completion(self) -> Decimal | None:
        return percent(self.closed, self.total)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.total)

    @property
    def completion_value(self) -> int:
        c = self.completion
        return int(c.to_integral_value(ROUND_HALF_UP)) if c is not None else 0


#: list states of the 主体责任 and 第一责任人 columns
LIST_NONE, LIST_DRAFT, LIST_CONFIRMED = "none", "draft", "confirmed"
LIST_LABELS = {LIST_NONE: "未建立", LIST_DRAFT: "未确认", LIST_CONFIRMED: "已确认"}


@dataclass
class UnitRow:
    """One unit's line: its tasks of the year, its responsibility lists, its co-creation."""

    org_id: int
    name: str
    path: str = ""
    #: a unit's top body (one of `unit_orgs`); False for a row met only in the figures
    is_unit: bool = False
    # tasks of published work points
    point_tasks: int = 0
    point_closed: int = 0
    point_on_time: int = 0
    point_avg_progress: Decimal | None = None
    # the unit's own tasks (党建 and 业务, no point)
    own_tasks: int = 0
    own_closed: int = 0
    # open tasks past due_on (points' and own)
    overdue: int = 0
    # responsibility lists
    main_list: str = LIST_NONE
    first_list: str = LIST_NONE
    dual_lists: int = 0
    dual_confirmed: int = 0
    #: items of the confirmed lists; of those, owing the quarter's report; of those, reported
    items: int = 0
    expected: int = 0
    reported: int = 0
    cocreation: cocreation_sel.CocreationRow | None = None

    @property
    def completion(self) -> Decimal | None:
        return percent(self.point_closed, self.point_tasks)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.point_on_time, self.point_tasks)

    @property
    def completion_value(self) -> int:
        c = self.completion
        return int(c.to_integral_value(ROUND_HALF_UP)) if c is not None else 0

    @property
    def report_share(self) -> Decimal | None:
        return percent(self.reported, self.expected)

    @property
    def report_share_value(self) -> int:
        s = self.report_share
        return int(s.to_integral_value(ROUND_HALF_UP)) if s is not None else 0

    @property
    def main_label(self) -> str:
        return LIST_LABELS[self.main_list]

    @property
    def first_label(self) -> str:
        return LIST_LABELS[self.first_list]


@dataclass
class Totals:
    point_tasks: int = 0
    point_closed: int = 0
    point_on_time: int = 0
    own_tasks: int = 0
    own_closed: int = 0
    overdue: int = 0
    units: int = 0
    main_confirmed: int = 0
    first_confirmed: int = 0
    dual_lists: int = 0
    items: int = 0
    expected: int = 0
    reported: int = 0
    avg_progress: Decimal | None = None

    @property
    def completion(self) -> Decimal | None:
        return percent(self.point_closed, self.point_tasks)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.point_on_time, self.point_tasks)

    @property
    def report_share(self) -> Decimal | None:
        return percent(self.reported, self.expected)


@dataclass
class Overview:
    year: int
    today: dt.date
    quarter: int | None
    within: Org | None = None
    show_tasks: bool = False
    show_duties: bool = False
    points: list[PointRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    cocreation: cocreation_sel.CocreationOverview | None = None

    @property
    def scope_name(self) -> str:
        return unit_label(self.within) if self.within is not None else ""

    def charts(self) -> dict:
        """The data of the page's charts (rendered by overview.js from json_script)."""
        data = {
            "points": {
                "labels": [f"{p.seq}. {p.title}" for p in self.points],
                "completion": [_num(p.completion) for p in self.points],
                "on_time": [_num(p.on_time_rate) for p in self.points],
                "progress": [_num(p.avg_progress) for p in self.points],
            },
            "units": {
                "labels": [u.name for u in self.units],
                "completion": [_num(u.completion) for u in self.units],
                "overdue": [u.overdue for u in self.units],
            },
        }
        co = self.cocreation
        if co is not None:
            statuses = co.statuses
            data["projects"] = {
                "labels": [u.name for u in self.units],
                "series": [
                    {
                        "name": label,
                        "data": [
                            (u.cocreation.by_status.get(value, 0) if u.cocreation else 0)
                            for u in self.units
                        ],
                    }
                    for value, label in statuses
                ],
            }
            data["metrics"] = {
                "labels": [m.label for m in co.metrics],
                "percent": [_num(m.percent) for m in co.metrics],
                "target": [_num(m.target) for m in co.metrics],
                "achieved": [_num(m.achieved) for m in co.metrics],
            }
        return data


def _num(value):
    """A Decimal as a JSON number (None stays null)."""
    if value is None:
        return None
    return float(value)


def _row(rows: dict[int, UnitRow], org_id: int, names: dict[int, str]) -> UnitRow:
    found = rows.get(org_id)
    if found is None:
        found = rows[org_id] = UnitRow(org_id=org_id, name=names.get(org_id, ""))
    return found


def overview(
    user,
    year: int,
    *,
    units: list[Org],
    within: Org | None = None,
    today: dt.date | None = None,
) -> Overview:
    """The overview of `year` for `user`: completion per work point and per unit, overdue
    tasks, the state of the responsibility lists, co-creation results. `units` comes from
    `unit_orgs(user)`, `within` from `access_unit`. A fixed number of queries (at most 12)."""
    today = today or timezone.localdate()
    quarter = last_ended_quarter(year, today)
    result = Overview(year=year, today=today, quarter=quarter, within=within)
    shown = [u for u in units if within is None or u.pk == within.pk]
    names = {u.pk: unit_label(u) for u in shown}
    rows: dict[int, UnitRow] = {
        u.pk: UnitRow(org_id=u.pk, name=names[u.pk], path=u.path, is_unit=True) for u in shown
    }

    result.show_tasks = any(has_cap_anywhere(user, cap) for cap in TASK_CAPS)
    if result.show_tasks:
        _task_figures(user, year, today, within, result, rows, names)
    result.show_duties = any(has_cap_anywhere(user, cap) for cap in DUTY_CAPS)
    if result.show_duties:
        _duty_figures(user, year, quarter, within, rows, names)
    if cocreation_sel.may_see(user):
        co = cocreation_sel.cocreation_overview(user, year, today, within=within)
        result.cocreation = co
        for org_id, co_row in co.rows.items():
            if org_id is not None:
                _row(rows, org_id, names).cocreation = co_row

    _name_strays(rows)
    order = {u.pk: i for i, u in enumerate(shown)}
    result.units = sorted(rows.values(), key=lambda r: (order.get(r.org_id, len(order)), r.path))
    _totals(result)
    return result


def _task_figures(user, year, today, within, result: Overview, rows, names) -> None:
    tasks = _visible_tasks(user, within).filter(year=year)

    per_point = (
        tasks.filter(point__isnull=False)
        .values("point_id", "point__seq", "point__title")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=_CLOSED),
            on_time=Count("id", filter=_ON_TIME),
            overdue=Count("id", filter=_overdue(today)),
            progress=Avg(_PROGRESS),
        )
        .order_by()
    )
    points = {
        r["point_id"]: PointRow(
            point_id=r["point_id"],
            seq=r["point__seq"],
            title=r["point__title"],
            total=r["total"],
            closed=r["closed"],
            on_time=r["on_time"],
            overdue=r["overdue"],
            avg_progress=_rounded(r["progress"]),
        )
        for r in per_point
    }
    if within is None:
        # published points that have no task yet show too (0 tasks): the publisher sees them
        empty = (
            WorkPoint.objects.unscoped()
            .filter(_scope(user, TASK_CAPS, "org_path"), year=year, published_at__isnull=False)
            .exclude(pk__in=list(points))
            .values_list("id", "seq", "title")
        )
        for pk, seq, title in empty:
            points[pk] = PointRow(point_id=pk, seq=seq, title=title)
    result.points = sorted(points.values(), key=lambda p: (p.seq, p.point_id))

    point_q = Q(point__isnull=False)
    own_q = Q(point__isnull=True)
    per_unit = (
        tasks.values("org_id")
        .annotate(
            point_tasks=Count("id", filter=point_q),
            point_closed=Count("id", filter=point_q & _CLOSED),
            point_on_time=Count("id", filter=point_q & _ON_TIME),
            point_progress=Avg(_PROGRESS, filter=point_q),
            own_tasks=Count("id", filter=own_q),
            own_closed=Count("id", filter=own_q & _CLOSED),
            overdue=Count("id", filter=_overdue(today)),
        )
        .order_by()
    )
    for r in per_unit:
        row = _row(rows, r["org_id"], names)
        row.point_tasks, row.point_closed = r["point_tasks"], r["point_closed"]
        row.point_on_time = r["point_on_time"]
        row.point_avg_progress = _rounded(r["point_progress"])
        row.own_tasks, row.own_closed, row.overdue = r["own_tasks"], r["own_closed"], r["overdue"]

    total = tasks.filter(point_q).aggregate(progress=Avg(_PROGRESS))
    result.totals.avg_progress = _rounded(total["progress"])


def _duty_figures(user, year, quarter, within, rows, names) -> None:
    lists = (
        DutyList.objects.unscoped()
        .filter(_scope(user, DUTY_CAPS, "org_path", within), year=year)
        .values("org_id", "kind")
        .annotate(n=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
        .order_by()
    )
    for r in lists:
        row = _row(rows, r["org_id"], names)
        if r["kind"] == DutyKind.DUAL:
            row.dual_lists, row.dual_confirmed = r["n"], r["confirmed"]
            continue
        state = LIST_CONFIRMED if r["confirmed"] else LIST_DRAFT
        if r["kind"] == DutyKind.MAIN:
            row.main_list = state
        elif r["kind"] == DutyKind.FIRST:
            row.first_list = state

    items = DutyItem.objects.filter(
        _scope(user, DUTY_CAPS, "org_path", within),
        duty_list__year=year,
        duty_list__confirmed_at__isnull=False,
    )
    figures = {"n": Count("id")}
    if quarter is not None:
        owed = duty_sel.owes_report_q(year, quarter)
        reported = DutyReport.objects.filter(item=OuterRef("pk"), quarter=quarter)
        items = items.annotate(has_report=Exists(reported))
        figures["expected"] = Count("id", filter=owed)
        figures["reported"] = Count("id", filter=owed & Q(has_report=True))
    for r in items.values("duty_list__org_id").annotate(**figures).order_by():
        row = _row(rows, r["duty_list__org_id"], names)
        row.items, row.expected = r["n"], r.get("expected", 0)
        row.reported = r.get("reported", 0)


def _name_strays(rows: dict[int, UnitRow]) -> None:
    """Rows met only in the figures (a record on an org that is not a unit's top body, or a
    dissolved unit): named from their org in one query. Their ids came from scoped rows."""
    missing = [pk for pk, row in rows.items() if not row.name]
    if not missing:
        return
    for org in Org.objects.unscoped().filter(pk__in=missing):
        rows[org.pk].name, rows[org.pk].path = org.name, org.path
    for pk in missing:
        rows[pk].name = rows[pk].name or "其他"


def _totals(result: Overview) -> None:
    """The sums of the rows; the units (and the lists confirmed per unit) count the units'
    top bodies only, not the rows met only in the figures."""
    t = result.totals
    t.units = sum(1 for row in result.units if row.is_unit)
    for row in result.units:
        t.point_tasks += row.point_tasks
        t.point_closed += row.point_closed
        t.point_on_time += row.point_on_time
        t.own_tasks += row.own_tasks
        t.own_closed += row.own_closed
        t.overdue += row.overdue
        t.main_confirmed += row.is_unit and row.main_list == LIST_CONFIRMED
        t.first_confirmed += row.is_unit and row.first_list == LIST_CONFIRMED
        t.dual_lists += row.dual_lists
        t.items += row.items
        t.expected += row.expected
        t.reported += row.reported


# ---------------------------------------------------------------------------------------------
# The hub


@dataclass
class HubCounts:
    open_tasks: int = 0
    overdue_tasks: int = 0
    #: the last ended quarter, whose reports are being collected (on 5 January: Q4 of the
    #: year before), as everywhere else a quarter's report is expected after it ends
    year: int = 0
    quarter: int = 4
    unreported_items: int = 0


def hub_counts(user, today: dt.date | None = None) -> HubCounts:
    """The hub's card counts: open tasks (any year) and those overdue, and the items that owe
    the last ended quarter's report (of that quarter's year's confirmed lists, in force by
    its last day) and have none. Two queries."""
    today = today or timezone.localdate()
    year, quarter = duty_rules.last_ended_quarter(today)
    counts = HubCounts(year=year, quarter=quarter)
    if any(has_cap_anywhere(user, cap) for cap in TASK_CAPS):
        figures = (
            _visible_tasks(user)
            .filter(status=TaskStatus.OPEN)
            .aggregate(n=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        )
        counts.open_tasks, counts.overdue_tasks = figures["n"], figures["overdue"]
    if any(has_cap_anywhere(user, cap) for cap in DUTY_CAPS):
        reported = DutyReport.objects.filter(item=OuterRef("pk"), quarter=quarter)
        counts.unreported_items = (
            DutyItem.objects.filter(
                _scope(user, DUTY_CAPS, "org_path"),
                duty_sel.owes_report_q(year, quarter),
                duty_list__year=year,
            )
            .exclude(Exists(reported))
            .count()
        )
    return counts
