"""Write paths of the places and the pairings (包联): communities (shared reference data,
created by anyone who manages co-creation), a unit's pairings with them, and the cadres who
serve there. Atomic, access-checked, refused in Chinese at the field, audited
(`cocreation.<entity>.<verb>`). See docs/cocreation.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.cocreation.models import Community, CommunityKind, Pairing, PairingCadre
from dangjian.cocreation.services_common import (
    LIMITS,
    MANAGE,
    actor_path,
    count,
    date,
    flag,
    is_unit_top,
    raise_errors,
    require,
    require_anywhere,
    text,
    user_of,
)
from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules import cocreation as rules

COMMUNITY_FIELDS = ["name", "kind", "district", "township", "households", "population", "note"]
PAIRING_FIELDS = ["org", "community", "started_on", "ended_on", "is_pilot", "note"]
CADRE_FIELDS = ["pairing", "member", "name", "post", "started_on", "ended_on"]

# ---------------------------------------------------------------------------------------------
# Communities


def _check_community(values: dict, *, exclude_id: int | None = None) -> dict:
    errors: list = []
    out = {
        "name": text(values.get("name"), "name", "村（社区）名称", errors),
        "district": text(values.get("district"), "district", "县（市、区）", errors),
        "township": text(values.get("township"), "township", "乡镇（街道）", errors),
    }
    kind = values.get("kind") or ""
    if kind not in CommunityKind.values:
        errors.append(("kind", "请选择类别（村或社区）。"))
    out["kind"] = kind
    out["households"] = count(values.get("households"), "households", "户数", errors)
    out["population"] = count(values.get("population"), "population", "人口", errors)
    out["note"] = text(
        values.get("note"), "note", "简介", errors, limit_key="community_note", required=False
    )
    raise_errors(errors)
    same = Community.objects.filter(
        district=out["district"], township=out["township"], name=out["name"]
    )
    if exclude_id:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        raise AppError(
            f"{out['district']}{out['township']}{out['name']}已登记，请直接选用。",
            field="name",
            code="duplicate",
        )
    return out


def _save_new(obj, message: str, field: str):
    """Insert under a savepoint: a concurrent duplicate hits the unique constraint and is
    refused like the one found before."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise AppError(message, field=field, code="duplicate") from None
    return obj


@transaction.atomic
def community_create(
    *,
    actor,
    name: str,
    kind: str,
    district: str,
    township: str,
    households=None,
    population=None,
    note: str = "",
) -> Community:
    """Register a village or community (anyone who manages co-creation). The same district,
    township and name twice is refused: the second unit picks the one registered."""
    require_anywhere(actor)
    values = _check_community(
        {
            "name": name,
            "kind": kind,
            "district": district,
            "township": township,
            "households": households,
            "population": population,
            "note": note,
        }
    )
    community = _save_new(Community(**values), "该村（社区）已登记，请直接选用。", "name")
    audit(
        actor,
        "cocreation.community.created",
        community,
        org_path=actor_path(actor),
        changes=snapshot(community, COMMUNITY_FIELDS),
    )
    return community


def may_edit_community(actor, community: Community) -> bool:
    """The 工委 (cocreation.manage on a root) and the units paired with the place."""
    if actor is None:
        return True
    from dangjian.core.access import paths_for

    if any(p.count("/") == 2 for p in paths_for(actor, MANAGE)):  # "/<root id>/"
        return True
    paths = (
        Pairing.objects.unscoped().filter(community=community).values_list("org_path", flat=True)
    )
    return any(can(actor, MANAGE, p) for p in paths)


@transaction.atomic
def community_update(*, actor, community: Community, **changes) -> Community:
    """Correct a place's data (the 工委, or a unit paired with it)."""
    unknown = set(changes) - set(COMMUNITY_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require_anywhere(actor)
    if not may_edit_community(actor, community):
        raise deny()
    current = Community.objects.select_for_update().get(pk=community.pk)
    values = {name: getattr(current, name) for name in COMMUNITY_FIELDS}
    values.update(changes)
    cleaned = _check_community(values, exclude_id=current.pk)
    before = snapshot(current, COMMUNITY_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, COMMUNITY_FIELDS))
    if not changed:
        return current
    try:
        with transaction.atomic():
            current.save(update_fields=list(changed))
    except IntegrityError:
        raise AppError("该村（社区）已登记。", field="name", code="duplicate") from None
    audit(
        actor,
        "cocreation.community.updated",
        current,
        org_path=actor_path(actor),
        changes=changed,
    )
    return current


# ---------------------------------------------------------------------------------------------
# Pairings


def _live_pairing(org: Org, community: Community, exclude_id: int | None = None):
    qs = Pairing.objects.unscoped().filter(org=org, community=community, ended_on__isnull=True)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.first()


@transaction.atomic
def pairing_create(
    *,
    actor,
    org: Org,
    community: Community,
    started_on,
    is_pilot: bool = False,
    note: str = "",
    today: dt.date | None = None,
) -> Pairing:
    """包联: a unit (its top Party body) pairs with a village or community. A second live
    pairing of the same unit and place is refused."""
    today = today or timezone.localdate()
    errors: list = []
    if org is None:
        errors.append(("org", "请选择包联单位。"))
    else:
        require(actor, org.path)
        if org.dissolved_on is not None:
            errors.append(("org", "该组织已撤销，不能包联。"))
        elif not is_unit_top(org):
            errors.append(("org", "包联关系以单位登记，请选择单位的党组（党委）。"))
    if community is None:
        errors.append(("community", "请选择村（社区）。"))
    started_on = date(started_on, "started_on", "包联日期", errors, today, not_future=True)
    note = text(note, "note", "说明", errors, required=False)
    raise_errors(errors)
    if _live_pairing(org, community) is not None:
        raise AppError(
            f"{org.name}已包联{community}，不能重复登记。", field="community", code="duplicate"
        )
    pairing = _save_new(
        Pairing(
            org=org,
            org_path=org.path,
            community=community,
            started_on=started_on,
            is_pilot=flag(is_pilot),
            note=note,
            created_by=user_of(actor),
        ),
        f"{org.name}已包联{community}，不能重复登记。",
        "community",
    )
    audit(
        actor,
        "cocreation.pairing.created",
        pairing,
        org_path=pairing.org_path,
        changes=snapshot(pairing, PAIRING_FIELDS),
    )
    return pairing


def _locked_pairing(pairing: Pairing) -> Pairing:
    return (
        Pairing.all_objects.select_for_update()
        .select_related("org", "community")
        .get(pk=pairing.pk)
    )


@transaction.atomic
def pairing_update(
    *,
    actor,
    pairing: Pairing,
    is_pilot=None,
    note=None,
    started_on=None,
    today: dt.date | None = None,
) -> Pairing:
    """Change a pairing's pilot flag (试点), note or start date."""
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    current = _locked_pairing(pairing)
    errors: list = []
    before = snapshot(current, PAIRING_FIELDS)
    if is_pilot is not None:
        current.is_pilot = flag(is_pilot)
    if note is not None:
        current.note = text(note, "note", "说明", errors, required=False)
    if started_on is not None:
        started = date(started_on, "started_on", "包联日期", errors, today, not_future=True)
        if started is not None:
            errors.extend(
                rules.check_order(
                    started,
                    current.ended_on,
                    field="started_on",
                    message="包联日期不能晚于结束日期。",
                )
            )
            current.started_on = started
    raise_errors(errors)
    changed = diff(before, snapshot(current, PAIRING_FIELDS))
    if not changed:
        return current
    current.save(update_fields=list(changed))
    audit(actor, "cocreation.pairing.updated", current, org_path=current.org_path, changes=changed)
    return current


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on=None, today: dt.date | None = None) -> Pairing:
    """End a pairing (the unit is paired elsewhere now); it stays with its record."""
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    current = _locked_pairing(pairing)
    if current.ended_on is not None:
        raise AppError(f"该包联关系已于{current.ended_on:%Y-%m-%d}结束。")
    errors: list = []
    ended_on = date(ended_on or today, "ended_on", "结束日期", errors, today, not_future=True)
    if ended_on is not None:
        errors.extend(
            rules.check_order(
                current.started_on,
                ended_on,
                field="ended_on",
                message="结束日期不能早于包联日期。",
            )
        )
    raise_errors(errors)
    current.ended_on = ended_on
    current.save(update_fields=["ended_on"])
    audit(
        actor,
        "cocreation.pairing.ended",
        current,
        org_path=current.org_path,
        changes={"ended_on": ended_on},
    )
    return current


# ---------------------------------------------------------------------------------------------
# Cadres


@transaction.atomic
def cadre_add(
    *,
    actor,
    pairing: Pairing,
    name: str,
    started_on,
    post: str = "",
    member: Member | None = None,
    today: dt.date | None = None,
) -> PairingCadre:
    """A cadre who serves in the paired place (包联干部, 驻村第一书记 …), optionally linked to a
    member of the unit's subtree (the name then comes from the record when left empty)."""
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    errors: list = []
    if pairing.ended_on is not None:
        raise AppError("该包联关系已结束，不能再添加包联干部。")
    if member is not None:
        if not member.org_path.startswith(pairing.org_path):
            errors.append(("member", "包联干部须为本单位的党员。"))
        elif actor is not None and not can(actor, Cap.MEMBER_VIEW, member.org_path):
            errors.append(("member", "包联干部须为您管理范围内的党员。"))
        elif not member.is_active:
            errors.append(("member", f"{member.name}已不在党员名册中。"))
        if not (name or "").strip():
            name = member.name[: LIMITS["cadre_name"]]
    name = text(name, "name", "姓名", errors, limit_key="cadre_name")
    post = text(post, "post", "职责", errors, required=False)
    started_on = date(started_on, "started_on", "开始日期", errors, today, not_future=True)
    raise_errors(errors)
    same = PairingCadre.objects.filter(pairing=pairing, name=name, ended_on__isnull=True)
    if same.exists():
        raise AppError(f"{name}已在本包联点任职。", field="name", code="duplicate")
    cadre = PairingCadre.objects.create(
        pairing=pairing,
        org_path=pairing.org_path,
        member=member,
        name=name,
        post=post,
        started_on=started_on,
    )
    audit(
        actor,
        "cocreation.cadre.added",
        cadre,
        org_path=cadre.org_path,
        changes=snapshot(cadre, CADRE_FIELDS),
    )
    return cadre


@transaction.atomic
def cadre_end(
    *, actor, cadre: PairingCadre, ended_on=None, today: dt.date | None = None
) -> PairingCadre:
    """A cadre leaves the paired place; kept as history."""
    today = today or timezone.localdate()
    require(actor, cadre.org_path)
    current = PairingCadre.objects.select_for_update().get(pk=cadre.pk)
    if current.ended_on is not None:
        raise AppError(f"{current.name}已于{current.ended_on:%Y-%m-%d}离任。")
    errors: list = []
    ended_on = date(ended_on or today, "ended_on", "离任日期", errors, today, not_future=True)
    if ended_on is not None:
        errors.extend(
            rules.check_order(
                current.started_on,
                ended_on,
                field="ended_on",
                message="离任日期不能早于开始日期。",
            )
        )
    raise_errors(errors)
    current.ended_on = ended_on
    current.save(update_fields=["ended_on"])
    audit(
        actor,
        "cocreation.cadre.ended",
        current,
        org_path=current.org_path,
        changes={"name": current.name, "ended_on": ended_on},
    )
    return current
