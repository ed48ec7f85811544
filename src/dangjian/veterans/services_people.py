"""Write paths of the retired cadres (离退休干部), their interest groups, the pairings with
serving cadres (结对联系), the calls and visits logged on them, and the responsible offices.
Atomic, access-checked (veterans.manage over the retiree's path; the paired cadre himself for
his contacts), refused in Chinese at the field before anything is written, audited. Phone,
address and the health note are sealed (core.crypto); the phone and address keep a mask.
See docs/veterans-people.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.masking import mask_address, mask_phone
from dangjian.core.permissions import Cap
from dangjian.veterans.models import (
    InterestGroup,
    Retiree,
    RetireeStatus,
)
from dangjian.veterans.services_people_follow import end_pairings, move_records

MANAGE = Cap.VETERANS_MANAGE
#: the sensitive items of a retiree and their labels (a reveal names the item, never the value)
SENSITIVE = {"phone": "联系电话", "address": "住址", "health_note": "健康状况"}
RETIREE_FIELDS = [
    "org",
    "member",
    "name",
    "gender",
    "birth_date",
    "status",
    "former_unit",
    "former_post",
    "retired_on",
    "phone_masked",
    "address_masked",
    "has_health_note",
    "living_alone",
    "died_on",
    "note",
]
LIMITS = {
    "name": 50,
    "former_unit": 100,
    "former_post": 100,
    "phone": 60,
    "address": 200,
    "health_note": 2000,
    "note": 2000,
    "group_name": 50,
    "office_name": 50,
    "thoughts": 2000,
    "living": 2000,
    "content": 2000,
    "family_name": 50,
    "answer": 2000,
}


# ---------------------------------------------------------------------------------------------
# helpers shared with services_requests


def require(actor, path: str) -> None:
    """veterans.manage over the node (`actor=None` is the system: the demo, jobs)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def user_of(actor):
    return actor if getattr(actor, "pk", None) else None


def raise_errors(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def clean_text(value, field: str, label: str, errors: list, *, required=False, limit=None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append((field, f"{label}应为文字。"))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.append((field, f"{label}含有不允许的字符。"))
        return ""
    if required and not value:
        errors.append((field, f"请填写{label}。"))
    limit = limit or LIMITS.get(field, 2000)
    if len(value) > limit:
        errors.append((field, f"{label}不能超过{limit}个字。"))
    return value


def clean_date(
    value, field: str, label: str, errors: list, today: dt.date, *, required=True, past=True
) -> dt.date | None:
    """A date or an ISO string; not in the future when it records something done."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            value = None
        else:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
                return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if value is None:
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    if not isinstance(value, dt.date):
        errors.append((field, f"{label}无效。"))
        return None
    if value.year < 1900:
        errors.append((field, f"{label}无效。"))
        return None
    if past and value > today:
        errors.append((field, f"{label}不能晚于今天。"))
        return None
    return value


def flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


# ---------------------------------------------------------------------------------------------
# Retirees


def _check_retiree(values: dict, today: dt.date, *, current: Retiree | None) -> dict:
    errors: list = []
    out: dict = {}
    org = values.get("org")
    if org is None or getattr(org, "dissolved_on", None) is not None:
        errors.append(("org", "请选择有效的所在组织。"))
    out["org"] = org
    out["name"] = clean_text(values.get("name"), "name", "姓名", errors, required=True)
    gender = values.get("gender") or ""
    if gender not in ("", "M", "F"):
        errors.append(("gender", "请选择性别。"))
    out["gender"] = gender
    status = values.get("status") or RetireeStatus.RETIRED
    if status not in RetireeStatus.values:
        errors.append(("status", "请选择离退休类别。"))
    out["status"] = status
    out["birth_date"] = clean_date(
        values.get("birth_date"), "birth_date", "出生日期", errors, today, required=False
    )
    out["retired_on"] = clean_date(
        values.get("retired_on"), "retired_on", "离退休时间", errors, today, required=False
    )
    out["died_on"] = clean_date(
        values.get("died_on"), "died_on", "去世日期", errors, today, required=False
    )
    if out["birth_date"] and out["retired_on"] and out["retired_on"] < out["birth_date"]:
        errors.append(("retired_on", "离退休时间不能早于出生日期。"))
    for key, label in (("former_unit", "原工作单位"), ("former_post", "原职务"), ("note", "备注")):
        out[key] = clean_text(values.get(key), key, label, errors)
    out["living_alone"] = flag(values.get("living_alone"))
    member = values.get("member")
    if member is not None:
        taken = Retiree.all_objects.filter(member=member)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            errors.append(("member", "该党员已登记为离退休干部。"))
    out["member"] = member
    for key in SENSITIVE:
        if key in values and values[key] is not None:
            label = SENSITIVE[key]
            out[key] = clean_text(values[key], key, label, errors)
    raise_errors(errors)
    return out


def _apply_sealed(retiree: Retiree, key: str, value: str) -> None:
    setattr(retiree, f"{key}_sealed", crypto.encrypt(value) if value else "")
    if key == "phone":
        retiree.phone_masked = mask_phone(value)[:60] if value else ""
    elif key == "address":
        retiree.address_masked = mask_address(value) if value else ""
    else:
        retiree.has_health_note = bool(value)


@transaction.atomic
def retiree_create(
    *,
    actor,
    org,
    name: str,
    gender: str = "",
    birth_date=None,
    status: str = RetireeStatus.RETIRED,
    former_unit: str = "",
    former_post: str = "",
    retired_on=None,
    phone: str = "",
    address: str = "",
    health_note: str = "",
    living_alone: bool = False,
    member=None,
    note: str = "",
    today: dt.date | None = None,
) -> Retiree:
    """Register a retired cadre under `org` (his retiree branch, or the serving body). Phone,
    address and health note are sealed; a linked Party member is registered once only."""
    today = today or timezone.localdate()
    if org is not None:
        require(actor, org.path)
    if member is not None and actor is not None and not can(actor, MANAGE, member.org_path):
        raise AppError("请选择有效的党员。", field="member")
    values = _check_retiree(
        {
            "org": org,
            "name": name,
            "gender": gender,
            "birth_date": birth_date,
            "status": status,
            "former_unit": former_unit,
            "former_post": former_post,
            "retired_on": retired_on,
            "phone": phone,
            "address": address,
            "health_note": health_note,
            "living_alone": living_alone,
            "member": member,
            "note": note,
        },
        today,
        current=None,
    )
    retiree = Retiree(org_path=org.path)
    for key, value in values.items():
        if key in SENSITIVE:
            _apply_sealed(retiree, key, value)
        else:
            setattr(retiree, key, value)
    retiree.save()
    audit(
        actor,
        "veterans.retiree.created",
        retiree,
        org_path=retiree.org_path,
        changes=snapshot(retiree, RETIREE_FIELDS),
    )
    return retiree


@transaction.atomic
def retiree_update(*, actor, retiree: Retiree, today: dt.date | None = None, **fields) -> Retiree:
    """Change a retiree. Phone, address and health note are changed only when given (None or
    absent keeps the sealed value; "" clears it)."""
    allowed = set(RETIREE_FIELDS) - {"phone_masked", "address_masked", "has_health_note"}
    unknown = set(fields) - allowed - set(SENSITIVE)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    today = today or timezone.localdate()
    require(actor, retiree.org_path)
    current = Retiree.all_objects.select_for_update().select_related("org").get(pk=retiree.pk)
    new_org = fields.get("org", current.org)
    if new_org is not None and new_org.pk != current.org_id:
        require(actor, new_org.path)
    member = fields.get("member", current.member)
    if (
        member is not None
        and member.pk != current.member_id
        and actor is not None
        and not can(actor, MANAGE, member.org_path)
    ):
        raise AppError("请选择有效的党员。", field="member")
    values = {k: getattr(current, k) for k in allowed}
    values.update(fields)
    cleaned = _check_retiree(values, today, current=current)
    before = snapshot(current, RETIREE_FIELDS)
    sealed_changed = []
    for key, value in cleaned.items():
        if key in SENSITIVE:
            if fields.get(key) is not None:
                _apply_sealed(current, key, value)
                sealed_changed.append(key)
        else:
            setattr(current, key, value)
    old_path = current.org_path
    current.org_path = current.org.path
    if current.org_path != old_path:
        move_records(current)
    if current.died_on is not None and before.get("died_on") is None:
        end_pairings(actor, current)
    changed = diff(before, snapshot(current, RETIREE_FIELDS))
    for key in sealed_changed:
        changed.setdefault(key, "已更新")
    if changed:
        names = {k for k in changed if k in RETIREE_FIELDS}
        names |= {f"{k}_sealed" for k in sealed_changed}
        if "phone" in sealed_changed:
            names.add("phone_masked")
        if "address" in sealed_changed:
            names.add("address_masked")
        if "health_note" in sealed_changed:
            names.add("has_health_note")
        current.save(update_fields=sorted(names | {"org_path", "updated_at"}))
        audit(
            actor, "veterans.retiree.updated", current, org_path=current.org_path, changes=changed
        )
    return current


def retiree_reveal(*, actor, retiree: Retiree, item: str, ip: str | None = None) -> str:
    """The clear phone, address or health note, for a veterans.manage holder over the retiree;
    always audited (`veterans.retiree.revealed` names the item, never the value)."""
    if item not in SENSITIVE:
        raise AppError("该项不是敏感信息。", field="item")
    if actor is None or not can(actor, MANAGE, retiree.org_path):
        raise deny()
    value = crypto.decrypt(getattr(retiree, f"{item}_sealed"))
    audit(
        actor,
        "veterans.retiree.revealed",
        retiree,
        org_path=retiree.org_path,
        changes={"field": item, "label": SENSITIVE[item]},
        ip=ip,
    )
    return value


# ---------------------------------------------------------------------------------------------
# Interest groups


def _group_values(org, name, note) -> dict:
    errors: list = []
    if org is None or (not getattr(org, "is_retiree_branch", False) and org.kind != "branch"):
        errors.append(("org", "兴趣小组应设在离退休干部党支部。"))
    out = {
        "name": clean_text(name, "name", "小组名称", errors, required=True, limit=50),
        "note": clean_text(note, "note", "简介", errors),
    }
    raise_errors(errors)
    return out


@transaction.atomic
def interest_group_create(*, actor, org, name: str, note: str = "") -> InterestGroup:
    """兴趣小组 of a retiree branch (诗词, 书画, 花鼓船歌 …); a name once per branch."""
    if org is not None:
        require(actor, org.path)
    values = _group_values(org, name, note)
    if InterestGroup.all_objects.filter(org=org, name=values["name"]).exists():
        raise AppError("本支部已有同名兴趣小组。", field="name")
    try:
        with transaction.atomic():
            group = InterestGroup.objects.create(org=org, org_path=org.path, **values)
    except IntegrityError:
        raise AppError("本支部已有同名兴趣小组。", field="name") from None
    audit(actor, "veterans.group.created", group, org_path=group.org_path, changes=values)
    return group


@transaction.atomic
def interest_group_update(*, actor, group: InterestGroup, name=None, note=None) -> InterestGroup:
    require(actor, group.org_path)
    current = InterestGroup.all_objects.select_for_update().select_related("org").get(pk=group.pk)
    before = snapshot(current, ["name", "note"])
    values = _group_values(
        current.org,
        current.name if name is None else name,
        current.note if note is None else note,
    )
    clash = InterestGroup.all_objects.filter(org=current.org, name=values["name"])
    if clash.exclude(pk=current.pk).exists():
        raise AppError("本支部已有同名兴趣小组。", field="name")
    current.name, current.note = values["name"], values["note"]
    changed = diff(before, snapshot(current, ["name", "note"]))
    if changed:
        current.save(update_fields=list(changed))
        audit(actor, "veterans.group.updated", current, org_path=current.org_path, changes=changed)
    return current


def _member_check(actor, group: InterestGroup, retiree: Retiree) -> None:
    require(actor, group.org_path)
    if actor is not None and not can(actor, MANAGE, retiree.org_path):
        raise AppError("请选择有效的离退休干部。", field="retiree")


@transaction.atomic
def interest_group_join(*, actor, group: InterestGroup, retiree: Retiree) -> InterestGroup:
    _member_check(actor, group, retiree)
    if retiree.died_on is not None:
        raise AppError(f"{retiree.name}已去世，不能加入兴趣小组。", field="retiree")
    if group.members.filter(pk=retiree.pk).exists():
        raise AppError(f"{retiree.name}已在该兴趣小组中。", field="retiree")
    group.members.add(retiree)
    audit(
        actor,
        "veterans.group.joined",
        group,
        org_path=group.org_path,
        changes={"retiree": retiree.pk, "name": retiree.name},
    )
    return group


@transaction.atomic
def interest_group_leave(*, actor, group: InterestGroup, retiree: Retiree) -> InterestGroup:
    _member_check(actor, group, retiree)
    if not group.members.filter(pk=retiree.pk).exists():
        raise AppError(f"{retiree.name}不在该兴趣小组中。", field="retiree")
    group.members.remove(retiree)
    audit(
        actor,
        "veterans.group.left",
        group,
        org_path=group.org_path,
        changes={"retiree": retiree.pk, "name": retiree.name},
    )
    return group
