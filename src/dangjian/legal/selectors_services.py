"""Reads of the 司法局's legal services for the pages, the API and the exports: access functions
(one object, 404 whether missing or not the user's), the lists scoped by the user's legal.manage
subtrees with search, filters and the batched extras of a shown page, and the two coverages
(一村(社区)一律师 over every registered village and community, 法律顾问 by government level).
Each read costs a fixed number of queries whatever the rows. The overviews are in
selectors_services_overview.py."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from dangjian.cocreation.models import Community
from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.lookups import get_by_id as _get
from dangjian.core.lookups import parse_id
from dangjian.core.permissions import Cap
from dangjian.legal.models import (
    AdviserPost,
    AidStatus,
    GovLevel,
    LawFirm,
    Lawyer,
    LegalActivity,
    LegalAdviser,
    LegalAidCase,
    ServiceLog,
    VillageLawyer,
    WorkSystemItem,
)
from dangjian.orgs.models import Org
from dangjian.rules import legal as rules

MANAGE = Cap.LEGAL_MANAGE
SEARCH_MAX = 50
CHOICES_MAX = 500
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_q(value, limit: int = SEARCH_MAX) -> str:
    if not isinstance(value, str):
        return ""
    return CONTROL.sub("", value).strip()[:limit]


def is_manager(user) -> bool:
    return has_cap_anywhere(user, MANAGE)


def require_manager(user) -> None:
    if not is_manager(user):
        raise deny()


def _checked(found, user):
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# Access: one object


def access_unit(user, org_id) -> Org:
    """A unit's top body on which the user manages legal services (the forms' `unit`)."""
    pk = parse_id(org_id)
    found = next((o for o in legal_units(user) if o.pk == pk), None)
    if found is None:
        raise deny()
    return found


def access_firm(user, firm_id) -> LawFirm:
    return _checked(
        _get(LawFirm.objects.unscoped().select_related("org", "party_branch"), firm_id), user
    )


def access_lawyer(user, lawyer_id) -> Lawyer:
    return _checked(_get(Lawyer.objects.unscoped().select_related("firm"), lawyer_id), user)


def access_assignment(user, assignment_id) -> VillageLawyer:
    qs = VillageLawyer.objects.unscoped().select_related("community", "lawyer", "lawyer__firm")
    return _checked(_get(qs, assignment_id), user)


def access_post(user, post_id) -> AdviserPost:
    return _checked(_get(AdviserPost.objects.unscoped().select_related("org"), post_id), user)


def access_adviser(user, adviser_id) -> LegalAdviser:
    qs = LegalAdviser.objects.unscoped().select_related("post", "lawyer")
    return _checked(_get(qs, adviser_id), user)


def access_case(user, case_id) -> LegalAidCase:
    qs = LegalAidCase.objects.unscoped().select_related("org", "lawyer", "lawyer__firm")
    return _checked(_get(qs, case_id), user)


def access_activity(user, activity_id) -> LegalActivity:
    return _checked(_get(LegalActivity.objects.unscoped().select_related("org"), activity_id), user)


def access_item(user, item_id) -> WorkSystemItem:
    return _checked(_get(WorkSystemItem.objects.unscoped(), item_id), user)


def access_community(user, community_id) -> Community:
    """A registered place, for a legal manager (places are shared reference data)."""
    found = _get(Community.objects.all(), community_id)
    if found is None or not is_manager(user):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# Choices


def legal_units(user) -> list[Org]:
    """The units' top bodies the user manages legal services on. One query."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(unit__isnull=False, dissolved_on__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__unit__isnull=True) | ~Q(parent__unit=F("unit")))
        .select_related("unit")
        .order_by("unit__sort", "path")[:CHOICES_MAX]
    )


# ---------------------------------------------------------------------------------------------
# Lists


def firm_list(user, *, q: str = "", unit: int | None = None):
    qs = LawFirm.objects.visible_to(user, MANAGE).select_related("org", "party_branch")
    if unit:
        qs = qs.filter(org_id=unit)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(district__icontains=q))
    return qs.annotate(
        lawyer_count=Count("lawyers", filter=Q(lawyers__is_active=True)),
        party_count=Count(
            "lawyers", filter=Q(lawyers__is_active=True, lawyers__is_party_member=True)
        ),
    ).order_by("district", "name", "id")


def lawyer_list(
    user,
    *,
    q: str = "",
    firm: int | None = None,
    party: bool | None = None,
    active: bool | None = True,
):
    qs = Lawyer.objects.visible_to(user, MANAGE).select_related("firm")
    if firm:
        qs = qs.filter(firm_id=firm)
    if party is not None:
        qs = qs.filter(is_party_member=party)
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(licence_no__contains=q) | Q(firm__name__icontains=q)
        )
    return qs.order_by("firm__name", "name", "id")


def _live_assignments(user):
    return VillageLawyer.objects.visible_to(user, MANAGE).filter(ended_on__isnull=True)


def village_list(user, *, q: str = "", district: str = "", covered: bool | None = None):
    """Every registered village and community, `is_covered` when a lawyer the user manages
    serves there now; the uncovered first."""
    live = _live_assignments(user).filter(community=OuterRef("pk"))
    qs = Community.objects.annotate(is_covered=Exists(live))
    if district:
        qs = qs.filter(district=district)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(township__icontains=q))
    if covered is not None:
        qs = qs.filter(is_covered=covered)
    return qs.order_by("is_covered", "district", "township", "name", "id")


@dataclass
class LogTotals:
    entries: int = 0
    count: int = 0
    last_on: dt.date | None = None
    by_kind: dict = field(default_factory=dict)


def decorate_villages(user, communities: list) -> list:
    """For the shown places: the live assignment (`assignment`, with lawyer and firm) and its
    service log totals (`logs`). Two queries."""
    ids = [c.pk for c in communities]
    live = {
        a.community_id: a
        for a in _live_assignments(user)
        .filter(community_id__in=ids)
        .select_related("lawyer", "lawyer__firm")
    }
    totals: dict[int, LogTotals] = defaultdict(LogTotals)
    rows = (
        ServiceLog.objects.visible_to(user, MANAGE)
        .filter(assignment_id__in=[a.pk for a in live.values()])
        .values("assignment_id", "kind")
        .annotate(n=Count("id"), total=Sum("count"), last=Max("served_on"))
    )
    for r in rows:
        t = totals[r["assignment_id"]]
        t.entries += r["n"]
        t.count += r["total"] or 0
        t.by_kind[r["kind"]] = r["total"] or 0
        t.last_on = max(filter(None, [t.last_on, r["last"]]), default=None)
    for c in communities:
        c.assignment = live.get(c.pk)
        c.logs = totals.get(c.assignment.pk, LogTotals()) if c.assignment else LogTotals()
    return communities


@dataclass
class Coverage:
    covered: int
    total: int

    @property
    def percent(self):
        return rules.coverage(self.covered, self.total)

    @property
    def text(self) -> str:
        return rules.coverage_text(self.percent)

    @property
    def uncovered(self) -> int:
        return self.total - self.covered


def village_coverage(user) -> Coverage:
    """Villages and communities with a live lawyer the user manages / every registered place.
    Two queries."""
    covered = _live_assignments(user).values("community_id").distinct().count()
    return Coverage(covered, Community.objects.count())


def assignment_logs(assignment: VillageLawyer, limit: int = 50) -> list[ServiceLog]:
    return list(ServiceLog.objects.unscoped().filter(assignment=assignment)[:limit])


def post_list(user, *, level: str = "", covered: bool | None = None, q: str = ""):
    live = LegalAdviser.objects.visible_to(user, MANAGE).filter(
        post=OuterRef("pk"), ended_on__isnull=True
    )
    qs = AdviserPost.objects.visible_to(user, MANAGE).annotate(is_covered=Exists(live))
    if level:
        qs = qs.filter(level=level)
    if covered is not None:
        qs = qs.filter(is_covered=covered)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(district__icontains=q))
    return qs.order_by("is_covered", "level", "district", "name", "id")


def decorate_posts(user, posts: list) -> list:
    """The live advisers of the shown posts (`advisers`). One query."""
    by_post = defaultdict(list)
    for a in (
        LegalAdviser.objects.visible_to(user, MANAGE)
        .filter(post_id__in=[p.pk for p in posts], ended_on__isnull=True)
        .select_related("lawyer", "lawyer__firm")
        .order_by("started_on", "id")
    ):
        by_post[a.post_id].append(a)
    for p in posts:
        p.live_advisers = by_post.get(p.pk, [])
    return posts


def adviser_coverage(user) -> dict[str, Coverage]:
    """{level: Coverage} for 市/县/乡 and "all". One query."""
    live = LegalAdviser.objects.visible_to(user, MANAGE).filter(
        post=OuterRef("pk"), ended_on__isnull=True
    )
    rows = (
        AdviserPost.objects.visible_to(user, MANAGE)
        .annotate(is_covered=Exists(live))
        .values("level")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(is_covered=True)))
        .order_by()
    )
    out = {level: Coverage(0, 0) for level in GovLevel.values}
    for r in rows:
        out[r["level"]] = Coverage(r["covered"], r["total"])
    out["all"] = Coverage(sum(c.covered for c in out.values()), sum(c.total for c in out.values()))
    return out


# ---------------------------------------------------------------------------------------------
# Legal aid


def aid_limits() -> tuple[int, int]:
    return settings.LEGAL_AID_REVIEW_DAYS, settings.LEGAL_AID_ASSIGN_DAYS


def pending_q(today: dt.date, state: str) -> Q:
    """The cases whose running limit is `state` ("overdue", "due_soon" or "pending": either)
    on `today`, as a filter (the rule's arithmetic moved onto the dates)."""
    review, assign = aid_limits()
    soon = rules.DUE_SOON_DAYS
    # review due = applied_on + review: overdue when applied_on < today - review
    review_over = Q(status=AidStatus.APPLIED, applied_on__lt=today - dt.timedelta(days=review))
    review_soon = Q(
        status=AidStatus.APPLIED,
        applied_on__gte=today - dt.timedelta(days=review),
        applied_on__lte=today - dt.timedelta(days=review - soon),
    )
    assign_over = Q(status=AidStatus.ACCEPTED, accepted_on__lt=today - dt.timedelta(days=assign))
    assign_soon = Q(
        status=AidStatus.ACCEPTED,
        accepted_on__gte=today - dt.timedelta(days=assign),
        accepted_on__lte=today - dt.timedelta(days=assign - soon),
    )
    if state == "overdue":
        return review_over | assign_over
    if state == "due_soon":
        return review_soon | assign_soon
    return review_over | assign_over | review_soon | assign_soon


def case_list(
    user,
    *,
    status: str = "",
    state: str = "",
    category: str = "",
    q: str = "",
    unit: int | None = None,
    today: dt.date | None = None,
):
    today = today or timezone.localdate()
    qs = LegalAidCase.objects.visible_to(user, MANAGE).select_related("lawyer", "org")
    if unit:
        qs = qs.filter(org_id=unit)
    if status:
        qs = qs.filter(status=status)
    if state in ("overdue", "due_soon", "pending"):
        qs = qs.filter(pending_q(today, state))
    if category:
        qs = qs.filter(applicant_category=category)
    if q:
        qs = qs.filter(
            Q(case_no__icontains=q) | Q(matter__icontains=q) | Q(lawyer__name__icontains=q)
        )
    return qs.order_by("-applied_on", "-id")


def mask_name(name: str) -> str:
    """The applicant in lists: the family name and 某 (张某某)."""
    name = (name or "").strip()
    return name[:1] + "某" * max(1, min(2, len(name) - 1)) if name else ""


def decorate_cases(cases, today: dt.date | None = None) -> list:
    """Each case with its time-limit state (`limit`) and masked applicant. No query."""
    today = today or timezone.localdate()
    review, assign = aid_limits()
    cases = list(cases)
    for c in cases:
        c.limit = rules.aid_state(
            status=c.status,
            applied_on=c.applied_on,
            accepted_on=c.accepted_on,
            assigned_on=c.assigned_on,
            today=today,
            review_days=review,
            assign_days=assign,
        )
        c.applicant_masked = mask_name(c.applicant_name)
    return cases


# ---------------------------------------------------------------------------------------------
# Activities and the 246 system


def activity_list(user, *, kind: str = "", q: str = "", year: int | None = None):
    qs = LegalActivity.objects.visible_to(user, MANAGE).select_related("org")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q))
    return qs.annotate(lawyer_count=Count("lawyers")).order_by("-held_on", "-id")


def activity_lawyers(activities: list) -> dict[int, list[str]]:
    """{activity id: lawyer names} for the shown activities. One query."""
    out = defaultdict(list)
    through = LegalActivity.lawyers.through
    for aid, name in (
        through.objects.filter(legalactivity_id__in=[a.pk for a in activities])
        .order_by("lawyer__name")
        .values_list("legalactivity_id", "lawyer__name")
    ):
        out[aid].append(name)
    return out


def system_items(user, unit: int | None = None) -> list[WorkSystemItem]:
    qs = WorkSystemItem.objects.visible_to(user, MANAGE).select_related("org")
    if unit:
        qs = qs.filter(org_id=unit)
    return list(qs.order_by("org_path", "position", "id"))
