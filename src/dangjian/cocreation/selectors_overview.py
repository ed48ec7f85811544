"""共同缔造 figures for the 工委's overview (`responsibility:overview`): per unit and in total,
for one year, in a fixed number of grouped queries whatever the number of units, pairings,
projects or milestones.

What counts for a year (see docs/responsibility.md, "The overview"):

- a pairing, when it was live at some time in the year (started by 31 Dec, not ended before
  1 Jan); a pilot is such a pairing with `is_pilot`;
- a project, when it ran in the year (started by 31 Dec, not finished before 1 Jan); it
  counts under its current status; households reached and funds raised are the sums of its
  `beneficiary_households` and `funds_raised`;
- a metric's target is summed over those projects per metric name and unit of measure; the
  achieved amount is the sum of the amounts of the milestones done by 31 Dec (never typed);
- visits made in the year, and the problems found on them: resolved, explained (暂不能解决),
  unresolved (open or in progress) and, of these, overdue (due before today);
- campaigns that started in the year, with their participation (person-times).

Rows are keyed by the pairing's (or campaign's) `org_id`, the unit's top Party body. Every
query is scoped by the user's `cocreation.manage` paths (`scope_q`), optionally narrowed to
one unit's subtree (`within`, obtained by the caller through an access check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from dangjian.cocreation.models import (
    Campaign,
    Milestone,
    Pairing,
    Problem,
    ProblemStatus,
    Project,
    ProjectMetric,
    ProjectStatus,
    Visit,
)
from dangjian.core.access import has_cap_anywhere, scope_q, subtree_q
from dangjian.core.permissions import Cap

#: who sees the co-creation figures, and of which subtrees
CAP = Cap.COCREATION_MANAGE
#: project statuses in the order the overview shows them
STATUSES: list[tuple[str, str]] = [(str(v), str(label)) for v, label in ProjectStatus.choices]
UNRESOLVED = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


def _percent(part, whole) -> Decimal | None:
    """part / whole in percent, one decimal; None when whole is 0. Not capped at 100."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class CocreationRow:
    """The co-creation figures of one unit (its top Party body `org_id`) for the year."""

    org_id: int | None
    pairings: int = 0
    pilots: int = 0
    by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(ProjectStatus.values, 0)
    )
    households: int = 0
    people: int = 0
    funds_raised: Decimal = Decimal("0")
    visits: int = 0
    visit_households: int = 0
    problems_resolved: int = 0
    problems_explained: int = 0
    problems_unresolved: int = 0
    problems_overdue: int = 0
    campaigns: int = 0
    campaign_cadres: int = 0
    campaign_residents: int = 0

    @property
    def projects(self) -> int:
        return sum(self.by_status.values())

    @property
    def problems(self) -> int:
        return self.problems_resolved + self.problems_explained + self.problems_unresolved

    @property
    def status_counts(self) -> list[int]:
        """Projects per status in the order of `STATUSES` (for tables and charts)."""
        return [self.by_status.get(value, 0) for value, _ in STATUSES]

    @property
    def is_empty(self) -> bool:
        return not (self.pairings or self.projects or self.visits or self.campaigns)

    def add(self, other: CocreationRow) -> None:
        for name in (
            "pairings",
            "pilots",
            "households",
            "people",
            "funds_raised",
            "visits",
            "visit_households",
            "problems_resolved",
            "problems_explained",
            "problems_unresolved",
            "problems_overdue",
            "campaigns",
            "campaign_cadres",
            "campaign_residents",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n


@dataclass
class MetricRow:
    """One goal metric across the projects (same name and unit of measure)."""

    name: str
    unit: str
    target: Decimal = Decimal("0")
    achieved: Decimal = Decimal("0")
    projects: int = 0

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def percent(self) -> Decimal | None:
        """达成率: achieved / target in percent; above 100 when the goal was exceeded."""
        return _percent(self.achieved, self.target)

    @property
    def percent_value(self) -> int:
        """The rate as a whole number for a <progress> bar (the bar itself stops at 100)."""
        p = self.percent
        return int(p.to_integral_value(ROUND_HALF_UP)) if p is not None else 0


@dataclass
class CocreationOverview:
    year: int
    today: dt.date
    rows: dict[int | None, CocreationRow] = field(default_factory=dict)
    metrics: list[MetricRow] = field(default_factory=list)
    total: CocreationRow = field(default_factory=lambda: CocreationRow(None))

    def row(self, org_id) -> CocreationRow:
        found = self.rows.get(org_id)
        if found is None:
            found = self.rows[org_id] = CocreationRow(org_id)
        return found

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return STATUSES

    @property
    def status_totals(self) -> list[tuple[str, int]]:
        """(label, projects) per status, over all units."""
        return [(label, self.total.by_status.get(value, 0)) for value, label in STATUSES]


def may_see(user) -> bool:
    return has_cap_anywhere(user, CAP)


def _scope(user, field_name: str, within) -> Q:
    q = scope_q(user, CAP, field_name)
    if within is not None:
        q &= subtree_q(field_name, within.path)
    return q


def projects_of_year_q(year: int, prefix: str = "") -> Q:
    """Projects that ran in `year`: started by 31 Dec, not finished before 1 Jan."""
    p = prefix
    return Q(**{f"{p}starts_on__lte": dt.date(year, 12, 31)}) & (
        Q(**{f"{p}finished_on__isnull": True}) | Q(**{f"{p}finished_on__gte": dt.date(year, 1, 1)})
    )


def cocreation_overview(user, year: int, today: dt.date, within=None) -> CocreationOverview:
    """The year's co-creation figures the user may see (`cocreation.manage`), per unit, in
    total and per metric. Seven queries, whatever the size of the data."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    result = CocreationOverview(year=year, today=today)

    pairings = (
        Pairing.objects.unscoped()
        .filter(_scope(user, "org_path", within), started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values("org_id")
        .annotate(n=Count("id"), pilots=Count("id", filter=Q(is_pilot=True)))
        .order_by()
    )
    for r in pairings:
        row = result.row(r["org_id"])
        row.pairings, row.pilots = r["n"], r["pilots"]

    projects = (
        Project.objects.unscoped()
        .filter(_scope(user, "org_path", within))
        .filter(projects_of_year_q(year))
        .values("pairing__org_id", "status")
        .annotate(
            n=Count("id"),
            households=Sum("beneficiary_households"),
            people=Sum("beneficiary_people"),
            funds=Sum("funds_raised"),
        )
        .order_by()
    )
    for r in projects:
        row = result.row(r["pairing__org_id"])
        row.by_status[r["status"]] = row.by_status.get(r["status"], 0) + r["n"]
        # households reached: what done projects reached; a planned or ongoing project's
        # beneficiaries are a plan, not a result (the co-creation hub counts the same way)
        if r["status"] == ProjectStatus.DONE:
            row.households += r["households"] or 0
            row.people += r["people"] or 0
        row.funds_raised += r["funds"] or Decimal("0")

    targets = (
        ProjectMetric.objects.filter(_scope(user, "org_path", within))
        .filter(projects_of_year_q(year, "project__"))
        .values("name", "unit")
        .annotate(target=Sum("target"), projects=Count("project", distinct=True))
        .order_by()
    )
    metrics = {
        (r["name"], r["unit"]): MetricRow(r["name"], r["unit"], r["target"], projects=r["projects"])
        for r in targets
    }
    achieved = (
        Milestone.objects.filter(_scope(user, "org_path", within))
        .filter(metric__isnull=False, done_on__isnull=False, done_on__lte=last)
        .filter(projects_of_year_q(year, "metric__project__"))
        .values("metric__name", "metric__unit")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for r in achieved:
        metric = metrics.get((r["metric__name"], r["metric__unit"]))
        if metric is not None:
            metric.achieved = r["amount"] or Decimal("0")
    result.metrics = sorted(metrics.values(), key=lambda m: (m.name, m.unit))

    visits = (
        Visit.objects.unscoped()
        .filter(_scope(user, "org_path", within), visited_on__gte=first, visited_on__lte=last)
        .values("pairing__org_id")
        .annotate(n=Count("id"), households=Sum("households"))
        .order_by()
    )
    for r in visits:
        row = result.row(r["pairing__org_id"])
        row.visits, row.visit_households = r["n"], r["households"] or 0

    problems = (
        Problem.objects.unscoped()
        .filter(
            _scope(user, "org_path", within),
            visit__visited_on__gte=first,
            visit__visited_on__lte=last,
        )
        .values("pairing__org_id")
        .annotate(
            resolved=Count("id", filter=Q(status=ProblemStatus.RESOLVED)),
            explained=Count("id", filter=Q(status=ProblemStatus.EXPLAINED)),
            unresolved=Count("id", filter=Q(status__in=UNRESOLVED)),
            overdue=Count("id", filter=Q(status__in=UNRESOLVED, due_on__lt=today)),
        )
        .order_by()
    )
    for r in problems:
        row = result.row(r["pairing__org_id"])
        row.problems_resolved, row.problems_explained = r["resolved"], r["explained"]
        row.problems_unresolved, row.problems_overdue = r["unresolved"], r["overdue"]

    campaigns = (
        Campaign.objects.unscoped()
        .filter(_scope(user, "org_path", within), starts_on__gte=first, starts_on__lte=last)
        .values("org_id")
        .annotate(n=Count("id"), cadres=Sum("cadres"), residents=Sum("residents"))
        .order_by()
    )
    for r in campaigns:
        row = result.row(r["org_id"])
        row.campaigns = r["n"]
        row.campaign_cadres, row.campaign_residents = r["cadres"] or 0, r["residents"] or 0

    for row in result.rows.values():
        result.total.add(row)
    return result
