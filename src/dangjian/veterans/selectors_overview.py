"""The overview of the retired cadres' services, counted the way the seed report counts them,
for everything the user manages (a 老干部局: its unit; the 工委: every unit, one row each, and
the total). Every figure is an aggregate grouped by `org_path`, bucketed to units in Python: a
fixed number of queries whatever the number of rows. How each figure is counted:
docs/veterans-activities.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from dangjian.core.access import scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org
from dangjian.veterans.models import (
    CareKind,
    CareSession,
    Contact,
    Exemplar,
    MediationCase,
    MediationOutcome,
    Pairing,
    Request,
    RequestStatus,
    Resource,
    Studio,
    StudioActivity,
    StudioKind,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)

MANAGE = Cap.VETERANS_MANAGE
OTHER = "其他（未归属单位）"


@dataclass
class Figures:
    teams: int = 0  # live teams
    team_members: int = 0  # retirees with a live membership in a live team
    activities: int = 0  # volunteer activities
    hours: Decimal = Decimal("0")  # Σ hours × participants
    beneficiaries: int = 0
    studios: int = 0
    homes: int = 0
    studio_activities: int = 0
    studio_attendance: int = 0
    care_health: int = 0
    care_health_served: int = 0
    care_smart: int = 0
    care_smart_served: int = 0
    exemplars: int = 0
    cases: int = 0
    cases_resolved: int = 0
    red: int = 0
    silver: int = 0
    gold: int = 0
    requests: int = 0
    requests_in_time: int = 0
    requests_late: int = 0
    requests_open: int = 0  # not answered, deadline not passed
    requests_overdue: int = 0  # not answered, deadline passed
    pairings: int = 0  # live pairings
    contacts: int = 0  # calls and visits of the year

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def in_time_percent(self) -> Decimal | None:
        answered = self.requests_in_time + self.requests_late
        if not answered:
            return None
        return (Decimal(self.requests_in_time) * 100 / answered).quantize(Decimal("0.1"))


@dataclass
class UnitRow:
    org: Org | None
    name: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Overview:
    year: int | None
    contact_year: int
    total: Figures
    rows: list[UnitRow]


def unit_tops(user) -> list[Org]:
    """The units' top Party bodies in the user's veterans.manage subtrees (one query)."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(unit__isnull=False)
        .filter(Q(parent__isnull=True) | Q(parent__unit__isnull=True) | ~Q(parent__unit=F("unit")))
        .select_related("unit")
        .order_by("unit__sort", "path")
    )


class _Buckets:
    """Maps a row's org_path to the deepest unit top above it (or to the OTHER row)."""

    def __init__(self, tops: list[Org]):
        self.tops = sorted(tops, key=lambda o: -len(o.path))
        self.rows = {o.pk: UnitRow(o, o.name) for o in tops}
        self.other = UnitRow(None, OTHER)
        self._cache: dict[str, UnitRow] = {}

    def __call__(self, path: str) -> Figures:
        row = self._cache.get(path)
        if row is None:
            top = next((o for o in self.tops if path.startswith(o.path)), None)
            row = self.rows[top.pk] if top else self.other
            self._cache[path] = row
        return row.figures

    def result(self) -> list[UnitRow]:
        """The units with something to show (the 工委 sees dozens of units, most without
        retirees), in the tree's order; all of them when none has anything yet."""
        out = sorted(self.rows.values(), key=lambda r: (r.org.unit.sort, r.org.path))
        out = [r for r in out if _any(r.figures)] or out
        if _any(self.other.figures):
            out.append(self.other)
        return out


def _any(figures: Figures) -> bool:
    return any(getattr(figures, f.name) for f in fields(Figures))


def _scope(qs, user, org, path_field: str = "org_path", scoped: bool = True):
    qs = qs.visible_to(user, MANAGE) if scoped else qs.filter(scope_q(user, MANAGE, path_field))
    if org is not None:
        qs = qs.filter(subtree_q(path_field, org.path))
    return qs


def overview(user, today: dt.date, *, org: Org | None = None, year: int | None = None):
    """The figures of everything the user manages (or of `org`'s subtree, an org the caller
    obtained through an access check), one row per unit and the total. `year` narrows the
    activities, sessions, cases and requests to those of that year; the teams, studios,
    exemplars and pairings are those on record now; contacts are those of `year` (or of the
    current year)."""
    tops = unit_tops(user)
    if org is not None:
        tops = [t for t in tops if t.path.startswith(org.path) or org.path.startswith(t.path)]
    b = _Buckets(tops)
    contact_year = year or today.year

    def dated(qs, name):
        return qs.filter(**{f"{name}__year": year}) if year else qs

    for path, n in (
        _scope(VolunteerTeam.objects, user, org)
        .filter(disbanded_on__isnull=True)
        .values_list("org_path")
        .annotate(n=Count("id"))
    ):
        b(path).teams += n
    seen: dict[int, set] = defaultdict(set)
    members = _scope(TeamMembership.objects, user, org, "team__org_path", scoped=False).filter(
        left_on__isnull=True, team__disbanded_on__isnull=True
    )
    for path, retiree_id in members.values_list("team__org_path", "retiree_id").distinct():
        figures = b(path)
        if retiree_id not in seen[id(figures)]:
            seen[id(figures)].add(retiree_id)
            figures.team_members += 1
    activities = dated(_scope(VolunteerActivity.objects, user, org), "held_on")
    for path, resource, n, served in activities.values_list("org_path", "resource").annotate(
        n=Count("id"), served=Sum("beneficiaries")
    ):
        figures = b(path)
        figures.activities += n
        figures.beneficiaries += served or 0
        _add_resource(figures, resource, n)
    through = VolunteerActivity.participants.through.objects
    through = _scope(through, user, org, "volunteeractivity__org_path", scoped=False)
    through = through.filter(volunteeractivity__held_on__year=year) if year else through
    for path, hours in through.values_list("volunteeractivity__org_path").annotate(
        h=Sum("volunteeractivity__hours")
    ):
        b(path).hours += hours or 0
    for path, kind, n in (
        _scope(Studio.objects, user, org).values_list("org_path", "kind").annotate(n=Count("id"))
    ):
        if kind == StudioKind.HOME:
            b(path).homes += n
        else:
            b(path).studios += n
    studio_acts = dated(_scope(StudioActivity.objects, user, org), "held_on")
    for path, resource, n, people in studio_acts.values_list("org_path", "resource").annotate(
        n=Count("id"), people=Sum("attendance")
    ):
        figures = b(path)
        figures.studio_activities += n
        figures.studio_attendance += people or 0
        _add_resource(figures, resource, n)
    care = dated(_scope(CareSession.objects, user, org), "held_on")
    for path, kind, n, served in care.values_list("org_path", "kind").annotate(
        n=Count("id"), served=Sum("served")
    ):
        figures = b(path)
        if kind == CareKind.HEALTH:
            figures.care_health += n
            figures.care_health_served += served or 0
        else:
            figures.care_smart += n
            figures.care_smart_served += served or 0
        figures.silver += n  # 健康顾问 and 智慧助老 are silver-age volunteering
    for path, n in (
        _scope(Exemplar.objects, user, org).values_list("org_path").annotate(n=Count("id"))
    ):
        b(path).exemplars += n
    cases = dated(_scope(MediationCase.objects, user, org), "handled_on")
    resolved = Count("id", filter=Q(outcome=MediationOutcome.RESOLVED))
    for path, n, ok in cases.values_list("org_path").annotate(n=Count("id"), ok=resolved):
        figures = b(path)
        figures.cases += n
        figures.cases_resolved += ok
        figures.gold += n  # mediation by exemplars is 参与治理
    _requests(b, dated(_scope(Request.objects, user, org), "raised_on"), today)
    for path, n in (
        _scope(Pairing.objects, user, org)
        .filter(ended_on__isnull=True)
        .values_list("org_path")
        .annotate(n=Count("id"))
    ):
        b(path).pairings += n
    for path, n in (
        _scope(Contact.objects, user, org)
        .filter(contacted_on__year=contact_year)
        .values_list("org_path")
        .annotate(n=Count("id"))
    ):
        b(path).contacts += n
    rows = b.result()
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return Overview(year=year, contact_year=contact_year, total=total, rows=rows)


def _add_resource(figures: Figures, resource: str, n: int) -> None:
    if resource == Resource.RED:
        figures.red += n
    elif resource == Resource.GOLD:
        figures.gold += n
    else:
        figures.silver += n


def _requests(b, qs, today: dt.date) -> None:
    """Answered in time = answered on or before the deadline; late = after it; open = not yet
    answered (overdue once the deadline has passed)."""
    answered = Q(answered_on__isnull=False)
    unanswered = Q(answered_on__isnull=True) & ~Q(status=RequestStatus.CLOSED)
    rows = qs.values_list("org_path").annotate(
        n=Count("id"),
        in_time=Count("id", filter=answered & Q(answered_on__lte=F("due_on"))),
        late=Count("id", filter=answered & Q(answered_on__gt=F("due_on"))),
        overdue=Count("id", filter=unanswered & Q(due_on__lt=today)),
        open=Count("id", filter=unanswered & Q(due_on__gte=today)),
    )
    for path, n, in_time, late, overdue, still_open in rows:
        figures = b(path)
        figures.requests += n
        figures.requests_in_time += in_time
        figures.requests_late += late
        figures.requests_overdue += overdue
        figures.requests_open += still_open


# ---------------------------------------------------------------------------------------------
# Charts


def chart_by_month(user, today: dt.date, *, org: Org | None = None, months: int = 12) -> dict:
    """Activities per month over the last `months` months (this one included): volunteer
    activities, studio activities and care sessions. Three queries."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    keys = []
    cursor = first
    while cursor <= today:
        keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    series = []
    for name, qs in (
        ("志愿服务", VolunteerActivity.objects),
        ("工作室活动", StudioActivity.objects),
        ("健康顾问与智慧助老", CareSession.objects),
    ):
        counts = {
            m.strftime("%Y-%m"): n
            for m, n in _scope(qs, user, org)
            .filter(held_on__gte=first, held_on__lte=today)
            .annotate(m=TruncMonth("held_on"))
            .values_list("m")
            .annotate(n=Count("id"))
            .values_list("m", "n")
        }
        series.append({"name": name, "data": [counts.get(k, 0) for k in keys]})
    return {"months": keys, "series": series}


def chart_resources(total: Figures) -> dict:
    return {
        "names": ["红色资源", "银色资源", "金色资源"],
        "values": [total.red, total.silver, total.gold],
    }


def chart_requests(total: Figures) -> dict:
    return {
        "names": ["按期答复", "超期答复", "办理中（未超期）", "超期未答复"],
        "values": [
            total.requests_in_time,
            total.requests_late,
            total.requests_open,
            total.requests_overdue,
        ],
    }
