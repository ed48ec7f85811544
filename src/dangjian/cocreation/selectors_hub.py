"""The hub's figures of 共同缔造: the totals of everything the user manages (the 工委: every
unit) and the data of its two charts, each a fixed number of grouped queries scoped by the
user's cocreation.manage subtrees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

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
from dangjian.cocreation.selectors import KM_UNITS, LIGHT_UNITS, MANAGE, OPEN
from dangjian.core.access import scope_q
from dangjian.rules import cocreation as rules


@dataclass
class Totals:
    pairings: int = 0
    pilots: int = 0
    communities: int = 0
    projects: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    #: households and people reached: the beneficiaries of the done projects only
    households: int = 0
    people: int = 0
    #: beneficiaries still to come: those of the planned (谋划中) and ongoing projects
    #: (suspended ones left out)
    households_planned: int = 0
    people_planned: int = 0
    funds_planned: Decimal = Decimal(0)
    funds_raised: Decimal = Decimal(0)
    km: Decimal = Decimal(0)
    lights: Decimal = Decimal(0)
    problems_resolved: int = 0
    problems_explained: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    campaigns: int = 0
    visits: int = 0

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(v, label, self.by_status.get(v, 0)) for v, label in ProjectStatus.choices]


def hub_totals(user, today: dt.date | None = None) -> Totals:
    """The figures of everything the user manages (the 工委: every unit): live pairings and
    pilots, projects by status, households and people reached (the beneficiaries of the done
    projects: what was achieved, like the km and lights) and those still planned (planned
    and ongoing projects), funds, km of road and lights achieved (done milestones of metrics
    in 公里 / 盏), problems resolved and open. A fixed number of grouped queries."""
    today = today or timezone.localdate()
    t = Totals()
    pairing = (
        Pairing.objects.visible_to(user, MANAGE)
        .filter(ended_on__isnull=True)
        .aggregate(
            n=Count("id"),
            pilots=Count("id", filter=Q(is_pilot=True)),
            places=Count("community", distinct=True),
        )
    )
    t.pairings, t.pilots, t.communities = pairing["n"], pairing["pilots"], pairing["places"]
    projects = Project.objects.visible_to(user, MANAGE)
    for row in projects.values("status").annotate(n=Count("id")).order_by():
        t.by_status[row["status"]] = row["n"]
    t.projects = sum(t.by_status.values())
    done = Q(status=ProjectStatus.DONE)
    coming = Q(status__in=(ProjectStatus.PLANNED, ProjectStatus.ONGOING))
    sums = projects.aggregate(
        households=Sum("beneficiary_households", filter=done),
        people=Sum("beneficiary_people", filter=done),
        households_planned=Sum("beneficiary_households", filter=coming),
        people_planned=Sum("beneficiary_people", filter=coming),
        planned=Sum("funds_planned"),
        raised=Sum("funds_raised"),
    )
    t.households, t.people = sums["households"] or 0, sums["people"] or 0
    t.households_planned = sums["households_planned"] or 0
    t.people_planned = sums["people_planned"] or 0
    t.funds_planned = sums["planned"] or Decimal(0)
    t.funds_raised = sums["raised"] or Decimal(0)
    achieved = Milestone.objects.filter(
        scope_q(user, MANAGE, "org_path"), done_on__isnull=False, metric__isnull=False
    ).aggregate(
        km=Sum("amount", filter=Q(metric__unit__in=KM_UNITS)),
        lights=Sum("amount", filter=Q(metric__unit__in=LIGHT_UNITS)),
    )
    t.km, t.lights = achieved["km"] or Decimal(0), achieved["lights"] or Decimal(0)
    problems = Problem.objects.visible_to(user, MANAGE).aggregate(
        resolved=Count("id", filter=Q(status=ProblemStatus.RESOLVED)),
        explained=Count("id", filter=Q(status=ProblemStatus.EXPLAINED)),
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=Q(status__in=OPEN, due_on__lt=today)),
    )
    t.problems_resolved, t.problems_explained = problems["resolved"], problems["explained"]
    t.problems_open, t.problems_overdue = problems["open"], problems["overdue"]
    t.campaigns = Campaign.objects.visible_to(user, MANAGE).count()
    t.visits = Visit.objects.visible_to(user, MANAGE).count()
    return t


def chart_status_by_unit(user) -> dict:
    """Projects by status per unit (a stacked bar chart). One query."""
    rows = (
        Project.objects.visible_to(user, MANAGE)
        .values("pairing__org_id", "pairing__org__name", "status")
        .annotate(n=Count("id"))
        .order_by("pairing__org__path")
    )
    units: dict[int, str] = {}
    counts: dict[tuple[int, str], int] = {}
    for r in rows:
        units.setdefault(r["pairing__org_id"], r["pairing__org__name"])
        counts[(r["pairing__org_id"], r["status"])] = r["n"]
    return {
        "units": list(units.values()),
        "series": [
            {"name": str(label), "data": [counts.get((uid, value), 0) for uid in units]}
            for value, label in ProjectStatus.choices
        ],
    }


def chart_metrics(user, limit: int = 12) -> dict:
    """Metric achievement per metric name and unit (target vs achieved, and the percentage).
    Two queries."""
    targets = (
        ProjectMetric.objects.filter(scope_q(user, MANAGE, "org_path"))
        .values("name", "unit")
        .annotate(target=Sum("target"), n=Count("id"))
        .order_by("-n", "name", "unit")[:limit]
    )
    done = dict(
        (
            (r["metric__name"], r["metric__unit"]),
            r["total"],
        )
        for r in Milestone.objects.filter(
            scope_q(user, MANAGE, "org_path"), done_on__isnull=False, metric__isnull=False
        )
        .values("metric__name", "metric__unit")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    names, target_values, achieved_values, percents = [], [], [], []
    for r in targets:
        got = done.get((r["name"], r["unit"])) or Decimal(0)
        names.append(f"{r['name']}（{r['unit']}）")
        target_values.append(float(r["target"]))
        achieved_values.append(float(got))
        pct = rules.percentage(got, r["target"])
        percents.append(float(pct) if pct is not None else 0.0)
    return {
        "names": names,
        "targets": target_values,
        "achieved": achieved_values,
        "percents": percents,
    }
