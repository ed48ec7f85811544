"""Reads of the organisation tree. Every function starts from the user's visible subtree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.access import can, deny, paths_for, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Category, Member, Standing
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole, Term
from dangjian.rules import Finding
from dangjian.rules import orgs as org_rules


def access_org(user, org_id, need: Cap = Cap.ORG_VIEW) -> Org:
    """The org with this id if the user holds `need` on it; 404 otherwise (never confirms
    that an org exists to someone outside its subtree)."""
    try:
        org_id = int(org_id)
    except (TypeError, ValueError):
        raise deny() from None
    org = Org.objects.unscoped().select_related("parent", "unit").filter(pk=org_id).first()
    if org is None or not can(user, need, org.path):
        raise deny()
    return org


def access_org_in_parent(user, org_id) -> Org:
    """The org, for actions decided one level up (move, dissolve): the user needs org.manage
    on its parent. The root has no parent, so nobody moves or dissolves it. 404 otherwise."""
    org = access_org(user, org_id, need=Cap.ORG_VIEW)
    if org.parent is None or not can(user, Cap.ORG_MANAGE, org.parent.path):
        raise deny()
    return org


def access_seat(org: Org, seat_id) -> CommitteeSeat:
    """A seat of `org` (already access-checked); 404 for a seat of another org."""
    seat = (
        CommitteeSeat.objects.unscoped().filter(pk=seat_id, org=org).select_related("org").first()
    )
    if seat is None:
        raise deny()
    return seat


def visible_orgs(user, need: Cap = Cap.ORG_VIEW):
    return Org.objects.visible_to(user, need)


def tree_roots(user) -> list[Org]:
    """The top-most orgs the user can see: the nodes of their grants, minimal."""
    paths = paths_for(user, Cap.ORG_VIEW)
    if not paths:
        return []
    roots = Org.objects.unscoped().filter(path__in=paths).select_related("unit")
    return _with_child_flags(list(roots))


def tree_children(user, parent: Org, *, include_dissolved: bool = False) -> list[Org]:
    qs = Org.objects.visible_to(user, Cap.ORG_VIEW).filter(parent=parent)
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return _with_child_flags(list(qs.order_by("sort", "id")))


def _with_child_flags(orgs: list[Org]) -> list[Org]:
    """Mark which orgs have active children, in one query."""
    ids = [o.pk for o in orgs]
    parents = set(
        Org.objects.unscoped()
        .filter(parent_id__in=ids, dissolved_on__isnull=True)
        .values_list("parent_id", flat=True)
        .distinct()
    )
    for o in orgs:
        o.has_children = o.pk in parents
    return orgs


def expand_towards(user, roots: list[Org], org_id: int | None) -> None:
    """Attach `.open_children` along the path from the roots down to `org_id`, one query per
    level, so the tree can be shown opened at the current org. Does nothing for an org the
    user cannot see."""
    if org_id is None:
        return
    target = Org.objects.unscoped().filter(pk=org_id).only("path").first()
    if target is None or not can(user, Cap.ORG_VIEW, target.path):
        return
    chain = set(target.ancestor_ids())
    level = roots
    while level:
        opened = next((o for o in level if o.pk in chain), None)
        if opened is None:
            return
        opened.open_children = tree_children(user, opened)
        level = opened.open_children


def tree_search(user, query: str, limit: int = 30) -> list[Org]:
    query = (query or "").strip()
    if not query:
        return []
    return list(
        Org.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(name__icontains=query, dissolved_on__isnull=True)
        .select_related("parent")
        .order_by("depth", "sort", "id")[:limit]
    )


def org_list(user, *, q: str = "", kind: str = "", unit_id: str = "", status: str = "active"):
    qs = Org.objects.visible_to(user, Cap.ORG_VIEW).select_related("parent", "unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status == "active":
        qs = qs.filter(dissolved_on__isnull=True)
    elif status == "dissolved":
        qs = qs.filter(dissolved_on__isnull=False)
    return qs.order_by("path")


def ancestors(org: Org) -> list[Org]:
    ids = org.ancestor_ids()
    by_id = {o.pk: o for o in Org.objects.unscoped().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


@dataclass
class MemberCounts:
    total: int = 0
    full: int = 0
    probationary: int = 0
    retired: int = 0


def subtree_member_counts(org: Org) -> MemberCounts:
    agg = (
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path), left_on__isnull=True)
        .aggregate(
            total=Count("id"),
            full=Count("id", filter=Q(category=Category.FULL)),
            probationary=Count("id", filter=Q(category=Category.PROBATIONARY)),
            retired=Count("id", filter=Q(employment="retired")),
        )
    )
    return MemberCounts(**agg)


def current_seats(org: Org) -> list[CommitteeSeat]:
    return list(
        CommitteeSeat.objects.unscoped()
        .filter(org=org, ended_on__isnull=True)
        .select_related("member")
        .order_by("started_on", "id")
    )


def current_term(org: Org) -> Term | None:
    return Term.objects.unscoped().filter(org=org, ended_on__isnull=True).first()


def term_history(org: Org) -> list[Term]:
    return list(Term.objects.unscoped().filter(org=org).order_by("-started_on"))


@dataclass
class OrgStatus:
    findings: list[Finding] = field(default_factory=list)
    term_due_on: dt.date | None = None


def findings_for(
    orgs: list[Org], today: dt.date | None = None, *, within: list[str] | None = None
) -> dict[int, OrgStatus]:
    """Term and structure findings for many orgs in a constant number of queries. `within`:
    subtree paths holding every org of `orgs` (a whole scope): the counts are then selected by
    path rather than by a list of ids, which for a province's 100,000 orgs would be a query
    of 100,000 parameters."""
    today = today or timezone.localdate()
    ids = [o.pk for o in orgs if o.is_active]
    if not ids:
        return {}

    def among(id_field: str, path_field: str) -> Q:
        if within is None:
            return Q(**{f"{id_field}__in": ids})
        q = Q(pk__in=[])
        for path in within:
            q |= subtree_q(path_field, path)
        return q

    member_rows = (
        Member.objects.unscoped()
        .filter(among("branch_id", "org_path"), left_on__isnull=True)
        .values("branch_id")
        .annotate(
            total=Count("id"),
            # a suspended member (停止党籍) does not count towards the full members of R-ORG-03
            full=Count("id", filter=Q(category=Category.FULL, standing=Standing.NORMAL)),
        )
    )
    members = {r["branch_id"]: r for r in member_rows}
    seat_counts = dict(
        CommitteeSeat.objects.unscoped()
        .filter(among("org_id", "org__path"), ended_on__isnull=True)
        .exclude(role=SeatRole.GROUP_LEADER)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    due = dict(
        Term.objects.unscoped()
        .filter(among("org_id", "org__path"), ended_on__isnull=True)
        .values_list("org_id", "due_on")
    )
    with_discipline = set(
        Org.objects.unscoped()
        .filter(among("parent_id", "path"), kind=OrgKind.DISCIPLINE_COMMITTEE)
        .filter(dissolved_on__isnull=True)
        .values_list("parent_id", flat=True)
    )
    out: dict[int, OrgStatus] = defaultdict(OrgStatus)
    for org in orgs:
        if not org.is_active:
            continue
        m = members.get(org.pk, {"total": 0, "full": 0})
        facts = org_rules.OrgFacts(
            kind=org.kind,
            members=m["total"],
            full_members=m["full"],
            committee_seats=seat_counts.get(org.pk, 0),
            has_discipline_committee=org.pk in with_discipline,
        )
        status = out[org.pk]
        status.term_due_on = due.get(org.pk)
        status.findings += org_rules.term_findings(org.kind, due.get(org.pk), today)
        status.findings += org_rules.structure_findings(facts)
    return dict(out)


def warnings_in_scope(user, today: dt.date | None = None) -> list[tuple[Org, Finding]]:
    """All open findings of the orgs the user can see, most severe first."""
    orgs = list(
        Org.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.WORKING_COMMITTEE, OrgKind.PARTY_GROUP])
        .only("id", "name", "kind", "path", "dissolved_on", "unit_id")
    )
    statuses = findings_for(orgs, today, within=paths_for(user, Cap.ORG_VIEW))
    rows = [(o, f) for o in orgs for f in statuses.get(o.pk, OrgStatus()).findings]
    order = {"error": 0, "warning": 1, "info": 2}
    rows.sort(key=lambda r: (order[r[1].level], r[0].path))
    return rows


def scope_summary(user) -> dict:
    """Counts for the home page: orgs, members, probationary members, open warnings."""
    orgs = Org.objects.visible_to(user, Cap.ORG_VIEW).filter(dissolved_on__isnull=True)
    kinds = dict(orgs.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    # Counts (not names) of members are part of seeing an org, hence org.view here.
    members = (
        Member.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(left_on__isnull=True)
        .aggregate(
            total=Count("id"),
            probationary=Count("id", filter=Q(category=Category.PROBATIONARY)),
            women=Count("id", filter=Q(sex="female")),
            retired=Count("id", filter=Q(employment="retired")),
        )
    )
    return {"kinds": kinds, "org_total": sum(kinds.values()), **members}


def members_by_unit(user, limit: int = 15) -> list[tuple[str, int]]:
    """Member counts per unit, largest first (for the home chart)."""
    rows = (
        Member.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(left_on__isnull=True)
        .values("branch__unit__short_name", "branch__unit__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    return [
        (r["branch__unit__short_name"] or r["branch__unit__name"] or "工委直属", r["n"])
        for r in rows
    ]
