"""Every change to the organisation tree goes through one of these functions: atomic,
checked against the rules, and audited."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs.models import ALLOWED_CHILDREN, CommitteeSeat, Org, OrgKind, SeatRole, Term, Unit
from dangjian.rules import orgs as org_rules

EDITABLE_FIELDS = ["name", "unit", "is_retiree_branch", "established_on", "contact_phone", "sort"]


def _require_manage(actor, org: Org) -> None:
    if actor is not None and not can(actor, Cap.ORG_MANAGE, org.path):
        raise deny()


def _check_child_kind(parent: Org | None, kind: str) -> None:
    if kind not in OrgKind.values:
        raise AppError("未知的组织类别。", field="kind")
    if parent is None:
        if kind != OrgKind.WORKING_COMMITTEE:
            raise AppError("只有机关工委可以作为最上级组织。", field="parent")
        return
    if not parent.is_active:
        raise AppError("上级组织已撤销，不能在其下设立组织。", field="parent")
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise AppError(
            f"{parent.get_kind_display()}下不能设立{OrgKind(kind).label}。", field="kind"
        )


def _unit_for(parent: Org | None, unit: Unit | None) -> Unit | None:
    if unit is not None:
        return unit
    return parent.unit if parent is not None else None


@transaction.atomic
def org_create(
    *,
    actor,
    parent: Org | None,
    name: str,
    kind: str,
    unit: Unit | None = None,
    is_retiree_branch: bool = False,
    established_on: dt.date | None = None,
    contact_phone: str = "",
    sort: int = 0,
) -> Org:
    """Create a body under `parent` (the actor needs org.manage there)."""
    name = (name or "").strip()
    if not name:
        raise AppError("请填写组织名称。", field="name")
    if parent is not None:
        _require_manage(actor, parent)
    _check_child_kind(parent, kind)
    if is_retiree_branch and kind != OrgKind.BRANCH:
        raise AppError("只有党支部可以标记为离退休干部党支部。", field="is_retiree_branch")
    if established_on and established_on > timezone.localdate():
        raise AppError("成立日期不能晚于今天。", field="established_on")
    org = Org(
        name=name[:100],
        kind=kind,
        parent=parent,
        unit=_unit_for(parent, unit),
        is_retiree_branch=is_retiree_branch,
        established_on=established_on,
        contact_phone=contact_phone[:30],
        sort=sort,
        depth=(parent.depth + 1 if parent else 0),
    )
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    audit(
        actor,
        "orgs.org.created",
        org,
        changes=snapshot(org, ["name", "kind", "parent", "unit", "is_retiree_branch"]),
    )
    return org


@transaction.atomic
def org_update(*, actor, org: Org, **values) -> Org:
    _require_manage(actor, org)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise AppError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise AppError("请填写组织名称。", field="name")
    if values.get("is_retiree_branch") and org.kind != OrgKind.BRANCH:
        raise AppError("只有党支部可以标记为离退休干部党支部。", field="is_retiree_branch")
    established = values.get("established_on")
    if established and established > timezone.localdate():
        raise AppError("成立日期不能晚于今天。", field="established_on")
    before = snapshot(org, list(values))
    for key, value in values.items():
        setattr(org, key, value)
    changes = diff(before, snapshot(org, list(values)))
    if changes:
        org.save(update_fields=[*values, "updated_at"])
        audit(actor, "orgs.org.updated", org, changes=changes)
    return org


#: stored paths a move must not rewrite: the audit chain is immutable (each entry's digest
#: covers its path), and an export job records the scope it was made for
PATH_COPIES_KEPT = frozenset({("core.AuditEntry", "org_path"), ("core.ExportJob", "org_path")})


def _path_copies():
    """Every stored copy of an org's path (tree-owned rows are scoped by it): a move
    rewrites them all, or the old parent would go on seeing what moved away. Found by name
    (a CharField ending in "path" on any model but Org), so a new app's copies are never
    forgotten; tests/orgs check the list."""
    from django.apps import apps

    copies = []
    for model in apps.get_models():
        if model is Org:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField) or not field.name.endswith("path"):
                continue
            if (model._meta.label, field.name) not in PATH_COPIES_KEPT:
                copies.append((model, field.name))
    return copies


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org) -> Org:
    """Move an org and its whole subtree under another parent (paths rewritten in one UPDATE)."""
    if org.parent_id is None:
        raise AppError("最上级组织不能移动。")
    _require_manage(actor, org.parent)
    _require_manage(actor, new_parent)
    if new_parent.path.startswith(org.path):
        raise AppError("不能移动到自身或其下级组织之下。", field="parent")
    if new_parent.pk == org.parent_id:
        raise AppError("新的上级组织与原上级组织相同。", field="parent")
    _check_child_kind(new_parent, org.kind)
    old_parent_id, old_path = org.parent_id, org.path
    new_path = f"{new_parent.path}{org.pk}/"
    depth_delta = new_parent.depth + 1 - org.depth
    subtree = Org.objects.unscoped().filter(subtree_q("path", old_path))
    if new_parent.unit_id != org.unit_id and org.kind != OrgKind.PARTY_GROUP:
        # bodies that followed the old unit now belong to the new parent's unit
        subtree.filter(unit_id=org.unit_id).update(unit_id=new_parent.unit_id)
    subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    # rows that copy their org's path for index-served scoping follow the subtree
    for model, field in _path_copies():
        model._base_manager.filter(subtree_q(field, old_path)).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
    org.parent = new_parent
    org.save(update_fields=["parent", "updated_at"])
    org.refresh_from_db()
    audit(
        actor,
        "orgs.org.moved",
        org,
        changes={"parent": [old_parent_id, new_parent.pk], "path": [old_path, org.path]},
    )
    return org


@transaction.atomic
def org_dissolve(*, actor, org: Org, on: dt.date, reason: str) -> Org:
    """Dissolve (撤销) an org. History is kept: the row stays, marked with the date."""
    if org.parent_id is None:
        raise AppError("最上级组织不能撤销。")
    _require_manage(actor, org.parent)
    if not org.is_active:
        raise AppError("该组织已撤销。")
    reason = (reason or "").strip()
    if not reason:
        raise AppError("请填写撤销原因。", field="reason")
    if on > timezone.localdate():
        raise AppError("撤销日期不能晚于今天。", field="on")
    if on < (org.established_on or dt.date.min):
        raise AppError("撤销日期不能早于成立日期。", field="on")
    active_children = Org.objects.unscoped().filter(parent=org, dissolved_on__isnull=True).count()
    if active_children:
        raise AppError(f"该组织还有{active_children}个下级组织，请先撤销或移走。")
    members = Member.objects.unscoped().filter(branch=org, left_on__isnull=True).count()
    if members:
        raise AppError(f"该组织还有{members}名党员，请先转出组织关系。")
    org.dissolved_on = on
    org.dissolved_reason = reason[:200]
    org.save(update_fields=["dissolved_on", "dissolved_reason", "updated_at"])
    CommitteeSeat.objects.unscoped().filter(org=org, ended_on__isnull=True).update(ended_on=on)
    Term.objects.unscoped().filter(org=org, ended_on__isnull=True).update(ended_on=on)
    audit(actor, "orgs.org.dissolved", org, changes={"dissolved_on": on, "reason": reason})
    return org


@transaction.atomic
def term_record_election(*, actor, org: Org, elected_on: dt.date, note: str = "") -> Term:
    """Record an election (换届): closes the current term and opens the next, due per rules."""
    _require_manage(actor, org)
    years = org_rules.term_years(org.kind)
    if years is None:
        raise AppError(f"{org.get_kind_display()}不实行任期制。")
    if elected_on > timezone.localdate():
        raise AppError("选举日期不能晚于今天。", field="elected_on")
    current = Term.objects.unscoped().filter(org=org, ended_on__isnull=True).first()
    if current is not None:
        if elected_on <= current.started_on:
            raise AppError("选举日期必须晚于本届开始日期。", field="elected_on")
        current.ended_on = elected_on
        current.save(update_fields=["ended_on"])
    term = Term.objects.create(
        org=org,
        started_on=elected_on,
        due_on=org_rules.term_due_on(org.kind, elected_on),
        note=(note or "")[:200],
    )
    audit(
        actor,
        "orgs.term.elected",
        org,
        changes={
            "started_on": elected_on,
            "due_on": term.due_on,
            "rule": org_rules.TERM_YEARS[org.kind][1],
        },
    )
    return term


@transaction.atomic
def seat_assign(
    *, actor, org: Org, member: Member, role: str, started_on: dt.date
) -> CommitteeSeat:
    _require_manage(actor, org)
    if role not in SeatRole.values:
        raise AppError("未知的职务。", field="role")
    if not member.branch.path.startswith(org.path) and org.kind != OrgKind.PARTY_GROUP:
        raise AppError("委员必须是本组织（或其下级组织）的党员。", field="member")
    if started_on > timezone.localdate():
        raise AppError("任职日期不能晚于今天。", field="started_on")
    seats = CommitteeSeat.objects.unscoped().filter(org=org, ended_on__isnull=True)
    if seats.filter(member=member).exists():
        raise AppError("该党员已在本组织任职，请先办理离任。", field="member")
    if role in (SeatRole.SECRETARY,) and seats.filter(role=role).exists():
        raise AppError("本组织已有书记，请先办理原书记离任。", field="role")
    seat = CommitteeSeat.objects.create(org=org, member=member, role=role, started_on=started_on)
    audit(
        actor,
        "orgs.seat.assigned",
        org,
        changes={
            "member": member.pk,
            "role": role,
            "started_on": started_on,
        },
    )
    return seat


@transaction.atomic
def seat_end(*, actor, seat: CommitteeSeat, ended_on: dt.date) -> CommitteeSeat:
    _require_manage(actor, seat.org)
    if seat.ended_on is not None:
        raise AppError("该任职已结束。")
    if ended_on < seat.started_on:
        raise AppError("离任日期不能早于任职日期。", field="ended_on")
    if ended_on > timezone.localdate():
        raise AppError("离任日期不能晚于今天。", field="ended_on")
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on"])
    audit(
        actor,
        "orgs.seat.ended",
        seat.org,
        changes={
            "member": seat.member_id,
            "role": seat.role,
            "ended_on": ended_on,
        },
    )
    return seat
