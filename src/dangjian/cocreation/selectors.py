"""Reads of 共同缔造 for the pages, the API and the exports: access functions (one object, 404
to outsiders), lists scoped by the user's `cocreation.manage` subtrees, the figures of the hub
— each in a fixed number of queries whatever the number of rows. The community page, which
also shows what units marked public to every reader, is `selectors_community.py`."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from dangjian.cocreation.models import (
    Campaign,
    Community,
    CommunityKind,
    Feedback,
    Milestone,
    Pairing,
    PairingCadre,
    Photo,
    Problem,
    ProblemStatus,
    Project,
    ProjectCategory,
    ProjectMetric,
    ProjectStatus,
    Visit,
)
from dangjian.core.access import can, deny, grants_of, has_cap_anywhere, subtree_q
from dangjian.core.lookups import get_by_id as _get
from dangjian.core.lookups import parse_id
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.orgs.models import Org
from dangjian.rules import cocreation as rules

MANAGE = Cap.COCREATION_MANAGE
#: the units of measure summed as 公里 of road and as lights on the hub
KM_UNITS = ("公里", "千米", "km", "KM")
LIGHT_UNITS = ("盏",)
OPEN = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)
SEARCH_MAX = 50
#: how many options a place or member <select> lists at once; a search narrows them, and any
#: id of the database (scoped) is accepted whether it was listed or not
CHOICES_MAX = 500
#: C0 control characters and DEL: never part of a search or a filter value
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value, limit: int = SEARCH_MAX) -> str:
    """A search or filter value: text only, control characters dropped, trimmed, at most
    `limit` characters. (A NUL is refused earlier by the global middleware; this is defence
    in depth.)"""
    if not isinstance(value, str):
        return ""
    return CONTROL.sub("", value).strip()[:limit]


def clean_q(value) -> str:
    return clean_text(value)


def is_reader(user) -> bool:
    """Anyone signed in with a grant in the tree, except the three separated administrators
    (auditor, security and system administrator): they may open a community page and see what
    the units marked public."""
    grants = grants_of(user)
    return bool(grants) and not any(g.role in SEPARATED_ROLES for g in grants)


def is_manager(user) -> bool:
    return has_cap_anywhere(user, MANAGE)


# ---------------------------------------------------------------------------------------------
# Access: one object (404 whether missing or not the user's)


def access_community(user, community_id) -> Community:
    """A place, for any reader (its page then shows each pairing's data as the user may)."""
    found = _get(Community.objects.all(), community_id)
    if found is None or not is_reader(user):
        raise deny()
    return found


def access_pairing(user, pairing_id, need: Cap = MANAGE) -> Pairing:
    found = _get(Pairing.objects.unscoped().select_related("org", "community"), pairing_id)
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_cadre(user, cadre_id) -> PairingCadre:
    found = _get(PairingCadre.objects.select_related("pairing"), cadre_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_project(user, project_id) -> Project:
    found = _get(
        Project.objects.unscoped().select_related("pairing", "pairing__org", "pairing__community"),
        project_id,
    )
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_metric(user, metric_id) -> ProjectMetric:
    found = _get(ProjectMetric.objects.select_related("project"), metric_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_milestone(user, milestone_id) -> Milestone:
    found = _get(Milestone.objects.select_related("project", "metric"), milestone_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_feedback(user, feedback_id) -> Feedback:
    found = _get(Feedback.objects.select_related("project"), feedback_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_campaign(user, campaign_id) -> Campaign:
    found = _get(Campaign.objects.unscoped().select_related("org"), campaign_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_visit(user, visit_id) -> Visit:
    found = _get(
        Visit.objects.unscoped().select_related("pairing", "pairing__org", "pairing__community"),
        visit_id,
    )
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_problem(user, problem_id) -> Problem:
    found = _get(
        Problem.objects.unscoped().select_related(
            "visit", "pairing", "pairing__org", "pairing__community"
        ),
        problem_id,
    )
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_photo(user, photo_id) -> Photo:
    """A photo: its unit's managers and the 工委 always; any other reader when the record it
    belongs to is public (a public project, campaign or visit)."""
    found = _get(Photo.objects.select_related("project", "campaign", "visit"), photo_id)
    if found is None:
        raise deny()
    if can(user, MANAGE, found.org_path):
        return found
    owner = found.project or found.campaign or found.visit
    if owner is None or not owner.is_public or not is_reader(user):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# Choices


def unit_orgs(user) -> list[Org]:
    """The units' top Party bodies (党组) the user manages co-creation for: the choices of the
    pairing and campaign forms. One query."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(unit__isnull=False, dissolved_on__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__unit__isnull=True) | ~Q(parent__unit=F("unit")))
        .select_related("unit")
        .order_by("unit__sort", "path")[:CHOICES_MAX]
    )


def paired_units(user) -> list[Org]:
    """The units with a pairing the user may see (the list filters' choices). One query."""
    ids = Pairing.objects.visible_to(user, MANAGE).values("org_id")
    return list(Org.objects.unscoped().filter(pk__in=ids).select_related("unit").order_by("path"))


def districts(user=None) -> list[str]:
    """The districts of the registered places."""
    return list(
        Community.objects.order_by("district").values_list("district", flat=True).distinct()
    )


def communities_for_campaign(org: Org) -> list[Community]:
    """The places `org` is or was paired with (the campaign form's choices)."""
    ids = Pairing.objects.unscoped().filter(org=org).values("community_id")
    return list(Community.objects.filter(pk__in=ids))


def _with(rows: list, include, qs) -> list:
    """`rows` (a page of options) with the object `include` names first when it is not among
    them (the value already chosen stays on offer whatever the search)."""
    include = parse_id(include)
    if include and include not in {r.pk for r in rows}:
        extra = qs.filter(pk=include).first()
        if extra is not None:
            rows.insert(0, extra)
    return rows


def community_choices(q: str = "", include=None) -> list[Community]:
    """The options of the pairing form's place: at most CHOICES_MAX places matching `q`
    (name, township or district), plus `include` (the chosen id). Only a page of the
    register: the form accepts any registered place (`community_by_id`), listed or not, and
    the form's search narrows the list. Two queries at most."""
    qs = Community.objects.order_by("district", "township", "name", "id")
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(township__icontains=q) | Q(district__icontains=q))
    return _with(list(qs[:CHOICES_MAX]), include, Community.objects.all())


def community_by_id(pk) -> Community | None:
    """A registered place by its id (places are shared reference data), or None."""
    return _get(Community.objects.all(), pk)


def _cadre_members(pairing: Pairing):
    """The members who may serve as the pairing's cadres: on the roster of the pairing
    unit's subtree, not suspended."""
    from dangjian.members.models import Member

    return (
        Member.objects.unscoped()
        .filter(subtree_q("org_path", pairing.org_path), left_on__isnull=True)
        .exclude(standing="suspended")
    )


def members_for_cadres(pairing: Pairing, q: str = "", include=None) -> list:
    """The options of the cadre form's member: at most CHOICES_MAX members of the pairing
    unit's subtree matching `q` (name, pinyin or initials), plus `include` (the chosen id).
    The form accepts any such member (`cadre_member`), listed or not. Two queries at most."""
    qs = _cadre_members(pairing).order_by("name_pinyin", "id")
    q = clean_q(q)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(name_pinyin__icontains=q.lower())
            | Q(name_initials__istartswith=q.lower())
        )
    return _with(list(qs[:CHOICES_MAX]), include, _cadre_members(pairing))


def cadre_member(pairing: Pairing, pk):
    """A member of the pairing unit's subtree (not left, not suspended) by id, or None."""
    return _get(_cadre_members(pairing), pk)


# ---------------------------------------------------------------------------------------------
# Lists


def community_list(*, district: str = "", kind: str = "", q: str = ""):
    """The registered places (shared reference data), with how many pairings each has."""
    qs = Community.objects.annotate(
        pairing_count=Count("pairings", filter=Q(pairings__ended_on__isnull=True))
    )
    if district:
        qs = qs.filter(district=district)
    if kind in CommunityKind.values:
        qs = qs.filter(kind=kind)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(township__icontains=q) | Q(district__icontains=q))
    return qs.order_by("district", "township", "name", "id")


def pairing_list(
    user,
    *,
    org_id: int | None = None,
    district: str = "",
    pilot: bool | None = None,
    status: str = "live",
    q: str = "",
):
    """The pairings the user manages (the 工委: all units'), filtered; each with its number of
    projects and of open problems."""
    qs = (
        Pairing.objects.visible_to(user, MANAGE)
        .select_related("org", "org__unit", "community")
        .annotate(
            project_count=Count("projects", distinct=True),
            open_problems=Count("problems", filter=Q(problems__status__in=OPEN), distinct=True),
        )
    )
    if org_id:
        qs = qs.filter(org_id=org_id)
    if district:
        qs = qs.filter(community__district=district)
    if pilot is not None:
        qs = qs.filter(is_pilot=pilot)
    if status == "live":
        qs = qs.filter(ended_on__isnull=True)
    elif status == "ended":
        qs = qs.filter(ended_on__isnull=False)
    q = clean_q(q)
    if q:
        qs = qs.filter(
            Q(community__name__icontains=q)
            | Q(community__township__icontains=q)
            | Q(org__name__icontains=q)
        )
    return qs.order_by("org_path", "community__name", "id")


def project_list(
    user,
    *,
    org_id: int | None = None,
    pairing: Pairing | None = None,
    district: str = "",
    pilot: bool | None = None,
    status: str = "",
    category: str = "",
    q: str = "",
):
    """The projects the user manages, filtered."""
    qs = Project.objects.visible_to(user, MANAGE).select_related(
        "pairing", "pairing__org", "pairing__community"
    )
    if org_id:
        qs = qs.filter(pairing__org_id=org_id)
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if district:
        qs = qs.filter(pairing__community__district=district)
    if pilot is not None:
        qs = qs.filter(pairing__is_pilot=pilot)
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    if category in ProjectCategory.values:
        qs = qs.filter(category=category)
    q = clean_q(q)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(pairing__community__name__icontains=q))
    return qs.order_by("org_path", "pairing__community__name", "starts_on", "id")


def problem_list(
    user,
    *,
    org_id: int | None = None,
    pairing: Pairing | None = None,
    status: str = "",
    overdue: bool = False,
    q: str = "",
    today: dt.date | None = None,
):
    """群众问题台账: the problems found on the visits the user manages. `status` "open" takes
    待办理 and 办理中 together; `overdue` only open ones past their deadline."""
    today = today or timezone.localdate()
    qs = Problem.objects.visible_to(user, MANAGE).select_related(
        "visit", "pairing", "pairing__org", "pairing__community"
    )
    if org_id:
        qs = qs.filter(pairing__org_id=org_id)
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status in ProblemStatus.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN, due_on__lt=today)
    q = clean_q(q)
    if q:
        qs = qs.filter(
            Q(description__icontains=q)
            | Q(owner_name__icontains=q)
            | Q(pairing__community__name__icontains=q)
        )
    return qs.order_by("due_on", "id")


def campaign_list(user, *, org_id: int | None = None, q: str = ""):
    qs = Campaign.objects.visible_to(user, MANAGE).select_related("org")
    if org_id:
        qs = qs.filter(org_id=org_id)
    q = clean_q(q)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-starts_on", "-id")


def visit_list(pairing: Pairing):
    """The visits of a pairing (obtained through an access check), latest first, with their
    problem counts."""
    return (
        Visit.objects.unscoped()
        .filter(pairing=pairing)
        .annotate(
            problem_count=Count("problems"),
            open_count=Count("problems", filter=Q(problems__status__in=OPEN)),
        )
        .order_by("-visited_on", "-id")
    )


def places_of(campaigns) -> dict[int, list[Community]]:
    """{campaign id: [community]} for the campaigns shown. One query."""
    ids = [c.pk for c in campaigns]
    out: dict[int, list[Community]] = defaultdict(list)
    if not ids:
        return out
    through = Campaign.communities.through.objects.filter(campaign_id__in=ids).select_related(
        "community"
    )
    for row in through:
        out[row.campaign_id].append(row.community)
    return out


# ---------------------------------------------------------------------------------------------
# Metrics, milestones and states of the projects shown (batched)


@dataclass
class MetricRow:
    metric: ProjectMetric
    progress: rules.MetricProgress

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def unit(self) -> str:
        return self.metric.unit


def metrics_for(project_ids) -> dict[int, list[MetricRow]]:
    """{project id: [MetricRow]} with achieved = sum of the done milestones' amounts. Two
    queries whatever the number of projects."""
    project_ids = list(project_ids)
    out: dict[int, list[MetricRow]] = defaultdict(list)
    if not project_ids:
        return out
    metrics = list(
        ProjectMetric.objects.filter(project_id__in=project_ids).order_by(
            "project_id", "sort", "id"
        )
    )
    sums = dict(
        Milestone.objects.filter(
            project_id__in=project_ids, metric__isnull=False, done_on__isnull=False
        )
        .values("metric_id")
        .annotate(total=Sum("amount"))
        .values_list("metric_id", "total")
    )
    for m in metrics:
        out[m.project_id].append(MetricRow(m, rules.metric_progress(m.target, [sums.get(m.pk)])))
    return out


def milestones_for(project_ids) -> dict[int, list[Milestone]]:
    project_ids = list(project_ids)
    out: dict[int, list[Milestone]] = defaultdict(list)
    if not project_ids:
        return out
    for m in (
        Milestone.objects.filter(project_id__in=project_ids)
        .select_related("metric")
        .order_by("project_id", "due_on", "id")
    ):
        out[m.project_id].append(m)
    return out


def late_counts(project_ids, today: dt.date) -> dict[int, int]:
    project_ids = list(project_ids)
    if not project_ids:
        return {}
    return dict(
        Milestone.objects.filter(project_id__in=project_ids, done_on__isnull=True, due_on__lt=today)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )


def state_of(project: Project, today: dt.date, late: int = 0) -> rules.ProjectState:
    return rules.project_state(
        status=project.status,
        starts_on=project.starts_on,
        due_on=project.due_on,
        today=today,
        late_milestones=late,
    )


def decorate_projects(projects, today: dt.date | None = None, *, milestones: bool = False):
    """Give each project of a shown page `metric_rows`, `state`, `state_label` (and
    `milestone_rows` when asked): three or four queries for the whole page."""
    today = today or timezone.localdate()
    projects = list(projects)
    ids = [p.pk for p in projects]
    metrics = metrics_for(ids)
    late = late_counts(ids, today)
    stones = milestones_for(ids) if milestones else {}
    for p in projects:
        p.metric_rows = metrics.get(p.pk, [])
        p.state = state_of(p, today, late.get(p.pk, 0))
        p.state_label = rules.STATE_LABELS[p.state]
        if milestones:
            p.milestone_rows = stones.get(p.pk, [])
            for m in p.milestone_rows:
                m.late = rules.milestone_late(due_on=m.due_on, done_on=m.done_on, today=today)
    return projects


def projects_by_pairing(pairings, today: dt.date | None = None) -> dict[int, list[Project]]:
    """{pairing id: [project]} for the pairings shown on the hub, decorated. A few queries."""
    ids = [p.pk for p in pairings]
    out: dict[int, list[Project]] = defaultdict(list)
    if not ids:
        return out
    projects = decorate_projects(
        Project.objects.unscoped().filter(pairing_id__in=ids).order_by("starts_on", "id"), today
    )
    for p in projects:
        out[p.pairing_id].append(p)
    return out


def satisfaction_of(feedback) -> rules.SatisfactionSummary:
    counts: dict[str, int] = defaultdict(int)
    for f in feedback:
        counts[f.satisfaction] += 1
    return rules.satisfaction_summary(counts)


def project_feedback(project: Project):
    return list(project.feedback.order_by("-received_on", "-id"))


def photos_of(*, project=None, campaign=None, visit=None) -> list[Photo]:
    qs = Photo.objects.all()
    if project is not None:
        qs = qs.filter(project=project)
    elif campaign is not None:
        qs = qs.filter(campaign=campaign)
    else:
        qs = qs.filter(visit=visit)
    return list(qs.order_by("-taken_on", "-id"))
