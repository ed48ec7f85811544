"""Reads of the teams, studios, care sessions, exemplars and mediation cases: access functions
(one object, the same 404 whether missing or outside the user's veterans.manage subtrees) and
lists that start from `visible_to(user, Cap.VETERANS_MANAGE)`, with search and filters, each in
a fixed number of queries whatever the number of rows. The figures: selectors_overview.py."""

from __future__ import annotations

import re

from django.db.models import Count, Q, Sum

from dangjian.core.access import can, deny, has_cap_anywhere, subtree_q
from dangjian.core.lookups import get_by_id as _get
from dangjian.core.lookups import parse_id
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org
from dangjian.veterans.models import (
    CareKind,
    CareSession,
    Exemplar,
    MediationCase,
    MediationOutcome,
    Resource,
    Retiree,
    Studio,
    StudioActivity,
    StudioKind,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)

MANAGE = Cap.VETERANS_MANAGE
SEARCH_MAX = 50
CHOICES_MAX = 500
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_q(value, limit: int = SEARCH_MAX) -> str:
    """A search: text only, control characters dropped, trimmed, at most `limit` chars."""
    if not isinstance(value, str):
        return ""
    return CONTROL.sub("", value).strip()[:limit]


def is_manager(user) -> bool:
    return has_cap_anywhere(user, MANAGE)


# ---------------------------------------------------------------------------------------------
# Access


def access_team(user, team_id) -> VolunteerTeam:
    found = _get(VolunteerTeam.objects.unscoped().select_related("org", "leader"), team_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_membership(user, membership_id) -> TeamMembership:
    found = _get(TeamMembership.objects.select_related("team", "retiree"), membership_id)
    if found is None or not can(user, MANAGE, found.team.org_path):
        raise deny()
    return found


def access_activity(user, activity_id) -> VolunteerActivity:
    found = _get(VolunteerActivity.objects.unscoped().select_related("team"), activity_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_studio(user, studio_id) -> Studio:
    found = _get(Studio.objects.unscoped().select_related("org", "leader"), studio_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_care_session(user, session_id) -> CareSession:
    found = _get(CareSession.objects.unscoped().select_related("org"), session_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_exemplar(user, exemplar_id) -> Exemplar:
    found = _get(Exemplar.objects.unscoped().select_related("retiree"), exemplar_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_case(user, case_id) -> MediationCase:
    found = _get(MediationCase.objects.unscoped().select_related("exemplar__retiree"), case_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_org_for(user, org_id) -> Org:
    """An org of the user's veterans.manage subtrees (a form's 所属组织), not dissolved."""
    found = _get(Org.objects.unscoped().filter(dissolved_on__isnull=True), org_id)
    if found is None or not can(user, MANAGE, found.path):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# Choices


def org_choices(user) -> list[Org]:
    """Where a team, studio or session may sit: the units' top bodies and the retiree
    branches the user manages (one query)."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .filter(Q(is_retiree_branch=True) | Q(parent__isnull=True) | Q(parent__unit__isnull=True))
        .order_by("path")[:CHOICES_MAX]
    )


def retirees_for(org_path: str, q: str = "") -> list[Retiree]:
    """Living retirees of a subtree (the caller obtained the node through an access check)."""
    qs = Retiree.objects.unscoped().filter(subtree_q("org_path", org_path), died_on__isnull=True)
    q = clean_q(q)
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs.order_by("name", "id")[:CHOICES_MAX])


def retiree_in(org_path: str, pk) -> Retiree | None:
    return _get(
        Retiree.objects.unscoped().filter(subtree_q("org_path", org_path), died_on__isnull=True),
        pk,
    )


def live_members(team: VolunteerTeam) -> list[TeamMembership]:
    return list(
        team.memberships.filter(left_on__isnull=True)
        .select_related("retiree")
        .order_by("joined_on", "id")
    )


def team_retirees(team: VolunteerTeam, ids) -> list[Retiree]:
    """Retirees by id who were ever members of the team (the activity form's participants;
    the service then checks their membership on the day)."""
    wanted = [i for i in (parse_id(x) for x in ids) if i]
    return list(
        Retiree.objects.unscoped()
        .filter(pk__in=wanted, team_memberships__team=team)
        .distinct()
        .order_by("name", "id")
    )


# ---------------------------------------------------------------------------------------------
# Lists


def team_list(user, *, status: str = "live", q: str = "", org_id=None):
    """The teams the user manages, with the number of live members, activities, hours
    (Σ hours × participants) and people served — all annotated in one query."""
    member_count = Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True)
    qs = VolunteerTeam.objects.visible_to(user, MANAGE).select_related("org", "leader")
    if status == "live":
        qs = qs.filter(disbanded_on__isnull=True)
    elif status == "disbanded":
        qs = qs.filter(disbanded_on__isnull=False)
    if org_id:
        qs = qs.filter(org_id=org_id)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(focus__icontains=q) | Q(org__name__icontains=q))
    return qs.annotate(
        member_count=member_count,
        activity_count=Count("activities", distinct=True),
    ).order_by("org_path", "name", "id")


def team_figures(teams) -> dict[int, dict]:
    """Hours and beneficiaries of the shown teams, one query each, by team id."""
    ids = [t.pk for t in teams]
    hours = dict(
        VolunteerActivity.participants.through.objects.filter(volunteeractivity__team_id__in=ids)
        .values_list("volunteeractivity__team_id")
        .annotate(h=Sum("volunteeractivity__hours"))
    )
    served = dict(
        VolunteerActivity.objects.unscoped()
        .filter(team_id__in=ids)
        .values_list("team_id")
        .annotate(b=Sum("beneficiaries"))
    )
    return {i: {"hours": hours.get(i) or 0, "beneficiaries": served.get(i) or 0} for i in ids}


def activity_list(user, *, team=None, resource: str = "", year=None, q: str = ""):
    qs = VolunteerActivity.objects.visible_to(user, MANAGE).select_related("team")
    if team is not None:
        qs = qs.filter(team=team)
    if resource in Resource.values:
        qs = qs.filter(resource=resource)
    if year:
        qs = qs.filter(held_on__year=year)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(team__name__icontains=q) | Q(place__icontains=q))
    return qs.annotate(participant_count=Count("participants")).order_by("-held_on", "-id")


def participants_for(activities) -> dict[int, list[str]]:
    """The participants' names of the shown activities (one query), by activity id."""
    through = VolunteerActivity.participants.through
    out: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(volunteeractivity_id__in=[a.pk for a in activities])
        .values_list("volunteeractivity_id", "retiree__name")
        .order_by("volunteeractivity_id", "retiree__name")
    )
    for activity_id, name in rows:
        out.setdefault(activity_id, []).append(name)
    return out


def studio_list(user, *, kind: str = "", q: str = ""):
    qs = (
        Studio.objects.visible_to(user, MANAGE)
        .select_related("org", "leader")
        .annotate(activity_count=Count("activities"), attendance=Sum("activities__attendance"))
    )
    if kind in StudioKind.values:
        qs = qs.filter(kind=kind)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__icontains=q) | Q(leader__name__icontains=q))
    return qs.order_by("org_path", "kind", "opened_on", "id")


def studio_activities(studio: Studio):
    return StudioActivity.objects.unscoped().filter(studio=studio).order_by("-held_on", "-id")


def studio_activity_list(user, *, resource: str = ""):
    qs = StudioActivity.objects.visible_to(user, MANAGE).select_related("studio")
    if resource in Resource.values:
        qs = qs.filter(resource=resource)
    return qs.order_by("-held_on", "-id")


def care_list(user, *, kind: str = "", year=None, q: str = ""):
    qs = CareSession.objects.visible_to(user, MANAGE).select_related("org")
    if kind in CareKind.values:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(partner__icontains=q) | Q(advisers__icontains=q))
    return qs.order_by("-held_on", "-id")


def exemplar_list(user, *, q: str = ""):
    qs = (
        Exemplar.objects.visible_to(user, MANAGE)
        .select_related("retiree")
        .annotate(
            case_count=Count("cases"),
            resolved=Count("cases", filter=Q(cases__outcome=MediationOutcome.RESOLVED)),
        )
    )
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(retiree__name__icontains=q))
    return qs.order_by("org_path", "named_on", "id")


def case_list(user, *, exemplar=None, outcome: str = "", q: str = ""):
    qs = MediationCase.objects.visible_to(user, MANAGE).select_related("exemplar__retiree")
    if exemplar is not None:
        qs = qs.filter(exemplar=exemplar)
    if outcome in MediationOutcome.values:
        qs = qs.filter(outcome=outcome)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(matter__icontains=q) | Q(place__icontains=q))
    return qs.order_by("-handled_on", "-id")


def retiree_choices(user) -> list[Retiree]:
    """Living retirees the user manages (a form's options; at most CHOICES_MAX)."""
    return list(
        Retiree.objects.visible_to(user, MANAGE)
        .filter(died_on__isnull=True)
        .order_by("name", "id")[:CHOICES_MAX]
    )


def retiree_for(user, pk) -> Retiree | None:
    """A living retiree the user manages, by id (a form's choice), or None."""
    return _get(Retiree.objects.visible_to(user, MANAGE).filter(died_on__isnull=True), pk)
