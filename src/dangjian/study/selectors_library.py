"""Reads of the materials library, always from what the user may see (the banks and the
self-tests are in selectors_quiz).

Visibility: a material, bank or quiz belongs to an org (`org_path`). A member sees what the
orgs above him own (every `org_path` that is a prefix of his own `member.org_path`: his
branch's library and that of every org above it). A holder of study.manage sees what the
orgs of his subtree own, and the library of the orgs above his node (a branch may assign a
material the 工委 published). Everyone else gets 404.

- access: `access_material`, `access_assignment`, `may_change_assignment`, `member_of`,
  `sees_path`;
- the library: `library_page`, `material_list`, `assigned_to`, `progress_of`,
  `assignments_of`, `assignment_summary`, `assignment_rows`, `assignment_by_org`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from dangjian.core.access import can, deny, grants_of, paths_for, scope_q, subtree_q
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind
from dangjian.study.models import (
    Material,
    ReadingAssignment,
    ReadingProgress,
    Topic,
)

MANAGE = Cap.STUDY_MANAGE
#: reading progress of one member on one material
NOT_STARTED, READING, DONE = "not_started", "reading", "done"
PROGRESS_LABELS = {NOT_STARTED: "未开始", READING: "学习中", DONE: "已完成"}
ORG_CHOICES_MAX = 300
ASSIGNED_MAX = 100


def percent(part: int, whole: int) -> int:
    """A whole percentage, half up (12.5 → 13)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


# ---------------------------------------------------------------------------------------------
# Who sees what


def member_of(user) -> Member | None:
    """The member the user is (on the roster, not left), or None. The three separated
    administrators take no part in study, whatever record their account names."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return None
    cached = getattr(user, "_study_member", None)
    if cached is not None and cached.pk == member_id:
        return cached
    if any(g.role in SEPARATED_ROLES for g in grants_of(user)):
        return None
    member = Member.all_objects.select_related("branch").filter(pk=member_id, left_on=None).first()
    if member is not None:
        user._study_member = member
    return member


def ancestor_paths(path: str) -> list[str]:
    """ "/1/5/12/" → ["/1/", "/1/5/", "/1/5/12/"]: the node and every node above it."""
    parts = [p for p in (path or "").strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _library_paths(user) -> tuple[list[str], list[str]]:
    """(the exact paths whose library the user reads: above his nodes and his branch, the
    subtree prefixes he manages)."""
    manage = paths_for(user, MANAGE)
    exact: set[str] = set()
    for p in manage:
        exact.update(ancestor_paths(p))
    member = member_of(user)
    if member is not None:
        exact.update(ancestor_paths(member.org_path))
    return sorted(exact), manage


def library_q(user, field_name: str = "org_path") -> Q:
    """Rows owned by an org whose library the user reads (empty when none)."""
    exact, manage = _library_paths(user)
    q = Q(pk__in=[])
    if exact:
        q |= Q(**{f"{field_name}__in": exact})
    for p in manage:
        q |= subtree_q(field_name, p)
    return q


def sees_path(user, path: str) -> bool:
    exact, manage = _library_paths(user)
    return path in exact or any(path.startswith(p) for p in manage)


def uses_library(user) -> bool:
    """Does the user have a library at all (a member, or a study manager)?"""
    return member_of(user) is not None or bool(paths_for(user, MANAGE))


def manages_any(user) -> bool:
    return bool(paths_for(user, MANAGE))


def manage_orgs(user, current: Org | None = None) -> list[Org]:
    """The orgs on which the user keeps study (pickers), top-most first."""
    orgs = list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("depth", "path")[:ORG_CHOICES_MAX]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs = sorted([*orgs, current], key=lambda o: (o.depth, o.path))
    return orgs


# ---------------------------------------------------------------------------------------------
# Access to one object


def access_material(user, material_id, need: Cap | None = None) -> Material:
    """A material the user reads (`need=None`: in his library; a retired one only for those
    who manage it) or manages (`need=MANAGE`); 404 otherwise."""
    pk = _int(material_id)
    found = (
        Material.all_objects.select_related("topic", "org", "created_by").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    manages = can(user, MANAGE, found.org_path)
    if need is not None:
        if not manages:
            raise deny()
    elif not (manages or (found.is_active and sees_path(user, found.org_path))):
        raise deny()
    return found


def may_change_assignment(user, assignment: ReadingAssignment) -> bool:
    """Change its due date or withdraw it: those who manage the material's org, or the one who
    made it while he still manages the assigned org. Managing the assigned org alone is not
    enough: a branch does not undo what the level above required of it."""
    if user is None:
        return True
    if can(user, MANAGE, assignment.material.org_path):
        return True
    made_it = assignment.assigned_by_id is not None and assignment.assigned_by_id == getattr(
        user, "pk", None
    )
    return made_it and can(user, MANAGE, assignment.org_path)


def access_assignment(user, assignment_id) -> ReadingAssignment:
    """An assignment the user may change (`may_change_assignment`); 404 otherwise."""
    pk = _int(assignment_id)
    found = (
        ReadingAssignment.all_objects.select_related("material", "org").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None or not may_change_assignment(user, found):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# The library


def progress_status(progress: ReadingProgress | None) -> str:
    if progress is None:
        return NOT_STARTED
    return DONE if progress.completed_at else READING


@dataclass
class AssignedItem:
    material: Material
    due_on: dt.date
    status: str
    progress: ReadingProgress | None

    @property
    def status_label(self) -> str:
        return PROGRESS_LABELS[self.status]

    @property
    def overdue(self) -> bool:
        return self.status != DONE and self.due_on < timezone.localdate()


@dataclass
class LibraryRow:
    material: Material
    status: str = NOT_STARTED
    due_on: dt.date | None = None

    @property
    def status_label(self) -> str:
        return PROGRESS_LABELS[self.status]


def material_list(
    user, *, topic: Topic | None = None, kind: str = "", q: str = "", retired: bool = False
):
    """The materials of the user's library, newest first within each topic's order; retired
    ones only when asked, and only those the user manages."""
    qs = Material.all_objects.filter(library_q(user))
    if retired:
        qs = qs.filter(is_active=False).filter(scope_q(user, MANAGE, "org_path"))
    else:
        qs = qs.filter(is_active=True)
    if topic is not None:
        qs = qs.filter(topic=topic)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.select_related("topic", "org").order_by("topic__sort", "-created_at", "-id")


def progress_of(member: Member | None, material_ids) -> dict[int, ReadingProgress]:
    """{material id: the member's progress}: one query."""
    if member is None:
        return {}
    rows = ReadingProgress.all_objects.filter(member=member, material_id__in=list(material_ids))
    return {p.material_id: p for p in rows}


def assigned_to(member: Member | None) -> list[AssignedItem]:
    """What the member must read (assignments to his branch or an org above it), the earliest
    due first; finished ones last. Two queries."""
    if member is None:
        return []
    rows = (
        ReadingAssignment.all_objects.filter(
            org_path__in=ancestor_paths(member.org_path), material__is_active=True
        )
        .select_related("material", "material__topic", "material__org")
        .order_by("due_on", "id")[:ASSIGNED_MAX]
    )
    due: dict[int, tuple[Material, dt.date]] = {}
    for a in rows:
        if a.material_id not in due:  # the earliest due date of several assignments
            due[a.material_id] = (a.material, a.due_on)
    progress = progress_of(member, due)
    items = [
        AssignedItem(m, day, progress_status(progress.get(pk)), progress.get(pk))
        for pk, (m, day) in due.items()
    ]
    items.sort(key=lambda i: (i.status == DONE, i.due_on, i.material.pk))
    return items


@dataclass
class LibraryPage:
    member: Member | None
    assigned: list[AssignedItem]
    rows: object  # a queryset of materials, paginated by the view
    topics: list[Topic] = field(default_factory=list)


def library_page(user, *, topic=None, kind="", q="", retired=False) -> LibraryPage:
    member = member_of(user)
    return LibraryPage(
        member=member,
        assigned=assigned_to(member) if not (topic or kind or q or retired) else [],
        rows=material_list(user, topic=topic, kind=kind, q=q, retired=retired),
        topics=list(Topic.objects.all()),
    )


def library_rows(user, materials: list[Material]) -> list[LibraryRow]:
    """The page's materials with the member's progress and his due date: two queries."""
    member = member_of(user)
    ids = [m.pk for m in materials]
    progress = progress_of(member, ids)
    due: dict[int, dt.date] = {}
    if member is not None and ids:
        for a in ReadingAssignment.all_objects.filter(
            material_id__in=ids, org_path__in=ancestor_paths(member.org_path)
        ).order_by("-due_on"):
            due[a.material_id] = a.due_on
    return [LibraryRow(m, progress_status(progress.get(m.pk)), due.get(m.pk)) for m in materials]


def assignments_of(user, material: Material) -> list[ReadingAssignment]:
    """The material's assignments the user may see: to his branch or above it (a member),
    to orgs of his subtree and above his node (a manager)."""
    return list(
        ReadingAssignment.all_objects.filter(material=material)
        .filter(library_q(user))
        .select_related("org", "assigned_by")
        .order_by("org__path", "id")
    )


def my_due_on(user, material: Material) -> dt.date | None:
    member = member_of(user)
    if member is None:
        return None
    row = (
        ReadingAssignment.all_objects.filter(
            material=material, org_path__in=ancestor_paths(member.org_path)
        )
        .order_by("due_on")
        .first()
    )
    return row.due_on if row else None


def _members_q(user, path: str) -> Q:
    """Active members of `path`'s subtree that the user manages."""
    return subtree_q("org_path", path) & scope_q(user, MANAGE, "org_path") & Q(left_on__isnull=True)


@dataclass
class ProgressSummary:
    total: int
    done: int
    reading: int

    @property
    def not_started(self) -> int:
        return self.total - self.done - self.reading

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)


def assignment_summary(user, assignment: ReadingAssignment) -> ProgressSummary:
    """Of the members the assignment covers and the user manages: how many finished, how many
    are reading. Two queries."""
    members = Member.all_objects.filter(_members_q(user, assignment.org_path))
    total = members.count()
    counts = ReadingProgress.all_objects.filter(
        material_id=assignment.material_id, member__in=members.values("pk")
    ).aggregate(
        done=Count("pk", filter=Q(completed_at__isnull=False)),
        reading=Count("pk", filter=Q(completed_at__isnull=True)),
    )
    return ProgressSummary(total, counts["done"] or 0, counts["reading"] or 0)


def assignment_rows(user, assignment: ReadingAssignment, *, only_open: bool = False):
    """The members an assignment covers (those the user manages), with their progress
    (opened_at, completed_at annotated), by branch and name: a queryset for a paginator or an
    export."""
    progress = ReadingProgress.all_objects.filter(
        material_id=assignment.material_id, member_id=OuterRef("pk")
    )
    qs = (
        Member.all_objects.filter(_members_q(user, assignment.org_path))
        .select_related("branch")
        .annotate(
            opened_at=Subquery(progress.values("opened_at")[:1]),
            completed_at=Subquery(progress.values("completed_at")[:1]),
        )
    )
    if only_open:
        qs = qs.filter(completed_at__isnull=True)
    return qs.order_by("org_path", "name_pinyin", "id")


def row_status(row) -> str:
    if getattr(row, "completed_at", None):
        return DONE
    return READING if getattr(row, "opened_at", None) else NOT_STARTED


@dataclass
class OrgProgress:
    org: Org | None
    path: str
    total: int
    done: int

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)


def assignment_by_org(user, assignment: ReadingAssignment) -> list[OrgProgress]:
    """Per branch (the members' org): how many the assignment covers and how many finished,
    lowest share first. Two queries."""
    done = ReadingProgress.all_objects.filter(
        material_id=assignment.material_id, member_id=OuterRef("pk"), completed_at__isnull=False
    )
    grouped = (
        Member.all_objects.filter(_members_q(user, assignment.org_path))
        .annotate(finished=Subquery(done.values("pk")[:1]))
        .values("org_path")
        .annotate(total=Count("pk"), done=Count("finished"))
        .order_by("org_path")
    )
    rows = list(grouped)
    orgs = {o.path: o for o in Org.all_objects.filter(path__in=[r["org_path"] for r in rows])}
    out = [OrgProgress(orgs.get(r["org_path"]), r["org_path"], r["total"], r["done"]) for r in rows]
    out.sort(key=lambda r: (r.percent, r.path))
    return out
