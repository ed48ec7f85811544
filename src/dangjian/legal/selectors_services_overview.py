"""The overviews of legal services, the way the seed reports them: for the 司法局 (its own
figures) and for the 工委 (the same figures for each unit that has legal data). Every figure is
an aggregate grouped by unit (`org_path`, the unit's top body): a fixed number of queries
whatever the number of units, lawyers or cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from dangjian.cocreation.models import Community
from dangjian.legal.models import (
    ActivityKind,
    AdviserPost,
    AidStatus,
    ApplicantCategory,
    GovLevel,
    LawFirm,
    Lawyer,
    LegalActivity,
    LegalAdviser,
    LegalAidCase,
    VillageLawyer,
)
from dangjian.legal.selectors_services import (
    MANAGE,
    Coverage,
    adviser_coverage,
    pending_q,
    village_coverage,
)
from dangjian.orgs.models import Org


@dataclass
class UnitFigures:
    """The figures of one unit (or, for `Overview.total`, of everything the user sees)."""

    name: str = ""
    org_id: int | None = None
    firms: int = 0
    firms_with_branch: int = 0
    lawyers: int = 0
    party_lawyers: int = 0
    villages: Coverage = field(default_factory=lambda: Coverage(0, 0))
    advisers: dict = field(default_factory=dict)  # level → Coverage, and "all"
    cases: int = 0
    cases_overdue: int = 0
    activities: int = 0
    participants: int = 0
    trained: int = 0  # person-times of 律师培训

    @property
    def party_share(self):
        from dangjian.rules import legal as rules

        return rules.coverage(self.party_lawyers, self.lawyers)


@dataclass
class Overview:
    total: UnitFigures
    units: list[UnitFigures]
    cases_by_category: list[tuple[str, int]]
    cases_by_status: list[tuple[str, str, int]]
    cases_pending: int
    activities_by_kind: list[tuple[str, int, int]]


def _by_path(rows, key="org_path") -> dict:
    return {r[key]: r for r in rows}


def overview(user, today: dt.date | None = None) -> Overview:
    """The overview of everything the user manages (the 司法局's admin: its unit; the 工委:
    every unit, with a row per unit that has legal data)."""
    today = today or timezone.localdate()
    communities = Community.objects.count()
    firms = _by_path(
        LawFirm.objects.visible_to(user, MANAGE)
        .values("org_path")
        .annotate(n=Count("id"), branch=Count("id", filter=Q(party_branch__isnull=False)))
        .order_by()
    )
    lawyers = _by_path(
        Lawyer.objects.visible_to(user, MANAGE)
        .filter(is_active=True)
        .values("org_path")
        .annotate(n=Count("id"), party=Count("id", filter=Q(is_party_member=True)))
        .order_by()
    )
    villages = _by_path(
        VillageLawyer.objects.visible_to(user, MANAGE)
        .filter(ended_on__isnull=True)
        .values("org_path")
        .annotate(n=Count("community", distinct=True))
        .order_by()
    )
    live = LegalAdviser.objects.visible_to(user, MANAGE).filter(
        post=OuterRef("pk"), ended_on__isnull=True
    )
    posts = defaultdict(dict)
    for r in (
        AdviserPost.objects.visible_to(user, MANAGE)
        .annotate(is_covered=Exists(live))
        .values("org_path", "level")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(is_covered=True)))
        .order_by()
    ):
        posts[r["org_path"]][r["level"]] = Coverage(r["covered"], r["total"])
    cases_qs = LegalAidCase.objects.visible_to(user, MANAGE)
    cases = _by_path(
        cases_qs.values("org_path")
        .annotate(n=Count("id"), overdue=Count("id", filter=pending_q(today, "overdue")))
        .order_by()
    )
    acts_qs = LegalActivity.objects.visible_to(user, MANAGE)
    acts = _by_path(
        acts_qs.values("org_path")
        .annotate(
            n=Count("id"),
            people=Sum("participants"),
            trained=Sum("participants", filter=Q(kind=ActivityKind.TRAINING)),
        )
        .order_by()
    )
    paths = set(firms) | set(lawyers) | set(villages) | set(posts) | set(cases) | set(acts)
    names = {
        o.path: o for o in Org.objects.unscoped().filter(path__in=paths).select_related("unit")
    }
    units = []
    for path in sorted(paths):
        org = names.get(path)
        figures = UnitFigures(
            name=(org.unit.name if org and org.unit else (org.name if org else path)),
            org_id=org.pk if org else None,
            firms=firms.get(path, {}).get("n", 0),
            firms_with_branch=firms.get(path, {}).get("branch", 0),
            lawyers=lawyers.get(path, {}).get("n", 0),
            party_lawyers=lawyers.get(path, {}).get("party", 0),
            villages=Coverage(villages.get(path, {}).get("n", 0), communities),
            cases=cases.get(path, {}).get("n", 0),
            cases_overdue=cases.get(path, {}).get("overdue", 0),
            activities=acts.get(path, {}).get("n", 0),
            participants=acts.get(path, {}).get("people") or 0,
            trained=acts.get(path, {}).get("trained") or 0,
        )
        levels = {lv: posts[path].get(lv, Coverage(0, 0)) for lv in GovLevel.values}
        levels["all"] = Coverage(
            sum(c.covered for c in levels.values()), sum(c.total for c in levels.values())
        )
        figures.advisers = levels
        units.append(figures)
    total = UnitFigures(
        name="合计",
        firms=sum(u.firms for u in units),
        firms_with_branch=sum(u.firms_with_branch for u in units),
        lawyers=sum(u.lawyers for u in units),
        party_lawyers=sum(u.party_lawyers for u in units),
        villages=village_coverage(user),
        advisers=adviser_coverage(user),
        cases=sum(u.cases for u in units),
        cases_overdue=sum(u.cases_overdue for u in units),
        activities=sum(u.activities for u in units),
        participants=sum(u.participants for u in units),
        trained=sum(u.trained for u in units),
    )
    by_category = dict(
        cases_qs.values_list("applicant_category").annotate(n=Count("id")).order_by()
    )
    by_status = dict(cases_qs.values_list("status").annotate(n=Count("id")).order_by())
    by_kind = {
        r["kind"]: r
        for r in acts_qs.values("kind").annotate(n=Count("id"), p=Sum("participants")).order_by()
    }
    return Overview(
        total=total,
        units=units,
        cases_by_category=[
            (label, by_category.get(v, 0)) for v, label in ApplicantCategory.choices
        ],
        cases_by_status=[(v, label, by_status.get(v, 0)) for v, label in AidStatus.choices],
        cases_pending=cases_qs.filter(pending_q(today, "pending")).count(),
        activities_by_kind=[
            (label, by_kind.get(v, {}).get("n", 0), by_kind.get(v, {}).get("p") or 0)
            for v, label in ActivityKind.choices
        ],
    )


def chart_data(data: Overview) -> dict:
    """The overview's charts (ECharts, drawn by static/legal/charts.js): coverage bars
    (villages and each adviser level) and aid cases by applicant category."""
    t = data.total
    coverage = [("一村（社区）一律师", t.villages)] + [
        (f"{label}法律顾问", t.advisers.get(v, Coverage(0, 0))) for v, label in GovLevel.choices
    ]
    return {
        "coverage": {
            "names": [name for name, _ in coverage],
            "percents": [float(c.percent) if c.percent is not None else 0 for _, c in coverage],
            "texts": [f"{c.covered}/{c.total}" for _, c in coverage],
            # the bar's label: "—" where there is nothing to cover, never a false 0 %
            "labels": [f"{c.text}（{c.covered}/{c.total}）" for _, c in coverage],
        },
        "categories": {
            "names": [name for name, _ in data.cases_by_category],
            "values": [n for _, n in data.cases_by_category],
        },
    }
