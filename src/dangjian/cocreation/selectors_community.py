"""The page of one village or community: everything every pairing did there, as the user may
see it.

- The managers of a pairing's unit and the 工委 (cocreation.manage on the pairing's org)
  see everything of that pairing: all projects, campaigns, visits with their problems,
  feedback with the residents' names, the cadres' member links.
- Any other reader (signed in with a grant in the tree, not one of the separated
  administrators) sees only what the unit marked public: public projects (with their metrics,
  milestones and photos), public campaigns, public visits (their problems without who raised
  them), the content of public feedback on public projects — never a resident's name — and
  the cadres' names and posts without member links.

The filter is applied in the queries (`is_public` or the user's managed subtrees), so what is
not shown is not even loaded; the few names that must not show are blanked on the loaded
objects as a second guard. A fixed number of queries whatever the size of the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone

from dangjian.cocreation.models import (
    Campaign,
    Community,
    Feedback,
    Pairing,
    PairingCadre,
    Photo,
    Problem,
    Project,
    Visit,
)
from dangjian.cocreation.selectors import (
    MANAGE,
    decorate_projects,
    places_of,
    satisfaction_of,
)
from dangjian.core.access import can, scope_q
from dangjian.rules import cocreation as rules

VISITS_PER_PAGE = 10
PHOTOS_MAX = 48
FEEDBACK_MAX = 50


@dataclass
class CommunityPage:
    community: Community
    pairings: list[Pairing] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    visits: object = None  # a Paginator page of Visit
    photos: list[Photo] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    satisfaction: rules.SatisfactionSummary = field(default_factory=rules.SatisfactionSummary)
    #: the user manages at least one pairing here (or is the 工委)
    manages_any: bool = False
    #: the user sees only what the units marked public, for every pairing here
    public_only: bool = True


def _shown(user) -> Q:
    """Rows the user may see: public, or in a subtree he manages."""
    return Q(is_public=True) | scope_q(user, MANAGE, "org_path")


def community_page(
    user, community: Community, *, visit_page=None, today: dt.date | None = None
) -> CommunityPage:
    """Everything done in `community` by every pairing, as `user` may see it. The caller
    obtained `community` through `access_community`."""
    today = today or timezone.localdate()
    page = CommunityPage(community=community)
    full = lambda path: can(user, MANAGE, path)  # noqa: E731

    pairings = list(
        Pairing.objects.unscoped()
        .filter(community=community)
        .select_related("org", "org__unit")
        .order_by("ended_on", "started_on", "id")
    )
    page.manages_any = any(full(p.org_path) for p in pairings)
    page.public_only = not page.manages_any
    cadres: dict[int, list[PairingCadre]] = {p.pk: [] for p in pairings}
    for c in (
        PairingCadre.objects.filter(pairing__community=community)
        .select_related("member")
        .order_by("ended_on", "started_on", "id")
    ):
        if not full(c.org_path):
            c.member = None  # a member link only inside the unit and for the 工委
            c.member_id = None
        cadres.setdefault(c.pairing_id, []).append(c)
    for p in pairings:
        p.full = full(p.org_path)
        p.cadre_rows = cadres.get(p.pk, [])
    page.pairings = pairings

    projects = list(
        Project.objects.unscoped()
        .filter(pairing__community=community)
        .filter(_shown(user))
        .select_related("pairing", "pairing__org")
        .order_by("pairing__org__path", "starts_on", "id")
    )
    decorate_projects(projects, today, milestones=True)
    for p in projects:
        p.full = full(p.org_path)
    page.projects = projects

    campaigns = list(
        Campaign.objects.unscoped()
        .filter(communities=community)
        .filter(_shown(user))
        .select_related("org")
        .order_by("-starts_on", "-id")
    )
    places = places_of(campaigns)
    for c in campaigns:
        c.full = full(c.org_path)
        c.places = places.get(c.pk, [])
    page.campaigns = campaigns

    visits_qs = (
        Visit.objects.unscoped()
        .filter(pairing__community=community)
        .filter(_shown(user))
        .select_related("pairing", "pairing__org")
        .order_by("-visited_on", "-id")
    )
    visits = Paginator(visits_qs, VISITS_PER_PAGE).get_page(visit_page)
    shown_visits = list(visits.object_list)
    problems: dict[int, list[Problem]] = {v.pk: [] for v in shown_visits}
    for pr in (
        Problem.objects.unscoped()
        .filter(visit__in=[v.pk for v in shown_visits])
        .order_by("due_on", "id")
    ):
        pr.full = full(pr.org_path)
        if not pr.full:
            pr.raised_by = ""  # who raised it is a resident's name
        pr.overdue = rules.problem_overdue(status=pr.status, due_on=pr.due_on, today=today)
        problems[pr.visit_id].append(pr)
    for v in shown_visits:
        v.full = full(v.org_path)
        v.problem_rows = problems.get(v.pk, [])
    visits.object_list = shown_visits
    page.visits = visits

    project_ids = [p.pk for p in projects]
    feedback = list(
        Feedback.objects.filter(project_id__in=project_ids)
        .filter(_shown(user))
        .select_related("project")
        .order_by("-received_on", "-id")
    )
    for f in feedback:
        f.full = full(f.org_path)
        if not f.full:
            f.resident_name = ""  # never a resident's name outside the unit
    page.satisfaction = satisfaction_of(feedback)
    page.feedback = feedback[:FEEDBACK_MAX]

    page.photos = list(
        Photo.objects.filter(
            Q(project_id__in=project_ids)
            | Q(campaign_id__in=[c.pk for c in campaigns])
            | Q(visit_id__in=[v.pk for v in shown_visits])
        ).order_by("-taken_on", "-id")[:PHOTOS_MAX]
    )
    return page
