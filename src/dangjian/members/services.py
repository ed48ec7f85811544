"""Member write paths: create, update, reveal a sensitive item, change branch, leave.

Every change of a member goes through here (the import and transfers too), so the record is
always checked against R-INFO-03, sensitive items are always sealed and masked, the keys for
search are always current, and the audit log and the member's history are always written.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.masking import id_tail, mask_address, mask_id_number, mask_phone
from dangjian.core.permissions import Cap
from dangjian.members.models import (
    AbroadPurpose,
    Category,
    Employment,
    LeftReason,
    Member,
    MemberChange,
    Source,
    Standing,
    SuspensionGround,
)
from dangjian.members.pinyin import pinyin_keys
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import members as member_rules
from dangjian.rules.base import add_months

SENSITIVE = ("id_number", "phone", "address")
SENSITIVE_LABELS = {"id_number": "公民身份号码", "phone": "联系电话", "address": "家庭住址"}

#: record key → model attribute, where they differ (the record uses the rule's names)
ATTR = {"lost_contact": "is_lost_contact", "mobile": "is_mobile"}

#: items beyond the national form that the services also accept
EXTRA_KEYS = (
    "standing_reason",
    "suspension_ground",
    "suspended_on",
    "probation_extension_months",
    "employment",
    "unit_post",
    "mobile_since",
    "abroad_since",
    "abroad_purpose",
)
DATE_KEYS = {
    "birth_date",
    "joined_on",
    "converted_on",
    "lost_contact_since",
    "suspended_on",
    "mobile_since",
    "abroad_since",
}
BOOL_KEYS = {"lost_contact", "mobile"}

#: the columns a record change may touch (never branch, org_path, source or leaving)
RECORD_ATTRS = [
    "name",
    "name_pinyin",
    "name_initials",
    "sex",
    "ethnicity",
    "id_number_sealed",
    "id_number_masked",
    "id_tail",
    "id_digest",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "converted_on",
    "post",
    "phone_sealed",
    "phone_masked",
    "address_sealed",
    "address_masked",
    "standing",
    "standing_reason",
    "suspension_ground",
    "suspended_on",
    "is_lost_contact",
    "lost_contact_since",
    "is_mobile",
    "mobile_destination",
    "mobile_since",
    "abroad_since",
    "abroad_purpose",
    "probation_extension_months",
    "employment",
    "unit_post",
    "updated_at",
]

#: items whose changes are kept as effective-dated history (with who, when and why)
TRACKED = {
    "category": ("人员类别", dict(Category.choices)),
    "standing": ("党籍状态", dict(Standing.choices)),
    "employment": ("在职状态", dict(Employment.choices)),
    "lost_contact": ("失联", {True: "是", False: "否"}),
    "mobile": ("流动", {True: "是", False: "否"}),
    # R-DEV-21: an extension of probation is part of the member's history (recruitment)
    "probation_extension_months": ("延长预备期（月）", {}),
}


def record_keys() -> tuple[str, ...]:
    return (*member_rules.FIELD_ORDER, *EXTRA_KEYS)


def clean_record(raw: dict) -> dict:
    """Normalise user input into a record for the rules: strings stripped, the ID number in
    its canonical form, booleans as booleans, empty values as None."""
    out: dict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = value.strip()
            if key == "id_number":
                value = member_rules.normalize_id_number(value)
            if value == "":
                value = None
        if key in BOOL_KEYS:
            value = bool(value)
        out[key] = value
    if out.get("probation_extension_months") is None and "probation_extension_months" in out:
        out["probation_extension_months"] = 0
    return out


def record_of(member: Member) -> dict:
    """The member as a plain record, sensitive items opened (for validation inside services;
    never shown to a user from here)."""
    record = {}
    for key in record_keys():
        if key in SENSITIVE:
            record[key] = crypto.decrypt(getattr(member, f"{key}_sealed")) or None
        else:
            value = getattr(member, ATTR.get(key, key))
            record[key] = None if value == "" else value
    return record


def _check_extras(record: dict, today: dt.date) -> list[tuple[str, str]]:
    errors = []
    if record.get("standing") == Standing.SUSPENDED:
        ground = record.get("suspension_ground")
        if ground and ground not in SuspensionGround.values:
            errors.append(("suspension_ground", "停止党籍情形：取值无效。"))
        suspended_on = record.get("suspended_on")
        if isinstance(suspended_on, dt.date) and suspended_on > today:
            errors.append(("suspended_on", "停止党籍日期：不能晚于今天。"))
        if ground == SuspensionGround.LOST_CONTACT:
            since = record.get("lost_contact_since")
            if not record.get("lost_contact"):
                errors.append(
                    (
                        "suspension_ground",
                        "停止党籍情形：因失联停止党籍的，须登记为失联党员（R-EDU-06）。",
                    )
                )
            elif (
                isinstance(since, dt.date)
                and isinstance(suspended_on, dt.date)
                and suspended_on < add_months(since, member_rules.LOST_CONTACT_SUSPEND_MONTHS)
            ):
                errors.append(
                    (
                        "suspended_on",
                        "停止党籍日期：失去联系满6个月、经查找仍无法取得联系的，"
                        "才能停止党籍（R-EDU-06）。",
                    )
                )
    employment = record.get("employment")
    if employment and employment not in Employment.values:
        errors.append(("employment", "在职状态：取值无效。"))
    for key, label in (("mobile_since", "外出日期"), ("abroad_since", "出国（境）日期")):
        value = record.get(key)
        if isinstance(value, dt.date) and value > today:
            errors.append((key, f"{label}：不能晚于今天。"))
    purpose = record.get("abroad_purpose")
    if purpose and purpose not in AbroadPurpose.values:
        errors.append(("abroad_purpose", "出国（境）事由：取值无效。"))
    if bool(purpose) != bool(record.get("abroad_since")):
        field = "abroad_since" if purpose else "abroad_purpose"
        errors.append((field, "出国（境）日期与事由须同时填写（R-EDU-05）。"))
    return errors


def validate_record(record: dict, today: dt.date) -> list[tuple[str | None, str]]:
    """All refusals for a record, as (field, message): the national rules, then our extras."""
    errors = [(f.field, f.message) for f in member_rules.check(record, today)]
    return errors + _check_extras(record, today)


def check_branch(branch: Org) -> None:
    if branch.kind != OrgKind.BRANCH or not branch.is_active:
        raise AppError("所在党支部：党员只能编入未撤销的党支部。", field="branch")


def id_digest_of(id_number: str | None) -> str:
    return crypto.digest(id_number or "")


def apply_record(member: Member, record: dict) -> None:
    """Write a (valid) record onto a member: clear items, sealed items with their masks and
    search keys. Keys absent from `record` leave the member's value alone."""
    for key, value in record.items():
        if key in SENSITIVE:
            value = value or ""
            setattr(member, f"{key}_sealed", crypto.encrypt(value))
            if key == "id_number":
                member.id_number_masked = mask_id_number(value)
                member.id_tail = id_tail(value)
                member.id_digest = id_digest_of(value)
            elif key == "phone":
                member.phone_masked = mask_phone(value)[:60]
            else:
                member.address_masked = mask_address(value)
        elif key in record_keys():
            attr = ATTR.get(key, key)
            field = Member._meta.get_field(attr)
            if value is None and not field.null:
                value = 0 if key == "probation_extension_months" else ""
            setattr(member, attr, value)
    if "name" in record:
        member.name_pinyin, member.name_initials = pinyin_keys(member.name)
    if member.standing != Standing.SUSPENDED:
        member.standing_reason = ""
        member.suspension_ground = ""
        member.suspended_on = None
    if not member.is_lost_contact:
        member.lost_contact_since = None
    if not member.is_mobile:
        member.mobile_destination = ""


def _duplicate_error(user, id_number: str, exclude_pk: int | None) -> AppError | None:
    other = (
        Member.objects.unscoped()
        .filter(id_digest=id_digest_of(id_number), left_on__isnull=True)
        .exclude(pk=exclude_pk)
        .select_related("branch")
        .first()
    )
    if other is None:
        return None
    if user is None or can(user, Cap.MEMBER_VIEW, other.org_path):
        where = f"{other.name}（{other.branch.name}）"
        return AppError(f"公民身份号码：已登记为{where}。", field="id_number")
    # outside the user's subtree: say that it exists, not whose it is
    return AppError(
        "公民身份号码：该党员已在系统其他党组织登记，请通过组织关系转接办理。", field="id_number"
    )


def _change(member: Member, item: str, old, new, *, actor, on: dt.date, reason: str):
    _, names = TRACKED.get(item, (item, {}))
    return MemberChange(
        member=member,
        item=item,
        old_value=str(names.get(old, old if old is not None else ""))[:200],
        new_value=str(names.get(new, new if new is not None else ""))[:200],
        effective_on=on,
        reason=(reason or "")[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[
            :50
        ],
    )


def _require(actor, cap: Cap, path: str) -> None:
    if actor is not None and not can(actor, cap, path):
        raise deny()


@transaction.atomic
def member_create(
    *, actor, branch: Org, source: str = Source.RECRUITED, today: dt.date | None = None, **fields
) -> Member:
    """Register a member on a branch's roster (R-INFO-01 items, checked by R-INFO-03)."""
    _require(actor, Cap.MEMBER_MANAGE, branch.path)
    check_branch(branch)
    today = today or timezone.localdate()
    unknown = set(fields) - set(record_keys())
    if unknown:
        raise TypeError(f"unknown member items: {sorted(unknown)}")
    record = clean_record({"standing": Standing.NORMAL, "mobile": False, **fields})
    record.setdefault("lost_contact", False)
    _refuse_all(validate_record(record, today))
    if source not in Source.values:
        raise AppError("增加方式：取值无效。", field="source")
    duplicate = _duplicate_error(actor, record.get("id_number"), None)
    if duplicate:
        raise duplicate
    member = Member(branch=branch, org_path=branch.path, source=source)
    apply_record(member, record)
    member.save()
    audit(
        actor,
        "members.member.created",
        member,
        org_path=branch.path,
        changes={
            "name": member.name,
            "branch": branch.pk,
            "category": member.category,
            "joined_on": member.joined_on,
            "source": source,
        },
    )
    return member


def _refuse_all(errors: list[tuple[str | None, str]]) -> None:
    if errors:
        raise AppError(errors[0][1], field=errors[0][0], errors=errors)


@transaction.atomic
def member_update(
    *,
    actor,
    member: Member,
    reason: str = "",
    effective_on: dt.date | None = None,
    today: dt.date | None = None,
    **fields,
) -> Member:
    """Change items of a member. Sensitive items left empty keep their value (editing never
    needs to reveal them). Changes of category, standing, employment, lost contact and mobile
    status are kept as history with their effective date and reason."""
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    # re-read under the row lock: a transfer accepted meanwhile must not be written back
    member = Member.all_objects.select_for_update(of=("self",)).get(pk=member.pk)
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    if not member.is_active:
        raise AppError("该党员已减少，不能再修改其信息。")
    today = today or timezone.localdate()
    unknown = set(fields) - set(record_keys())
    if unknown:
        raise TypeError(f"unknown member items: {sorted(unknown)}")
    changes_in = clean_record(fields)
    for key in SENSITIVE:
        if key in changes_in and not changes_in[key]:
            del changes_in[key]  # empty means "keep"
    before = record_of(member)
    record = {**before, **changes_in}
    on = effective_on or today
    if on > today:
        raise AppError("生效日期不能晚于今天。", field="effective_on")
    newly_suspended = (
        record.get("standing") == Standing.SUSPENDED and before["standing"] != Standing.SUSPENDED
    )
    if newly_suspended and not record.get("suspended_on"):
        record["suspended_on"] = on  # suspended from the day the change takes effect
    _refuse_all(validate_record(record, today))
    if "id_number" in changes_in and changes_in["id_number"] != before["id_number"]:
        duplicate = _duplicate_error(actor, changes_in["id_number"], member.pk)
        if duplicate:
            raise duplicate
    changed = {k for k, v in record.items() if before.get(k) != v}
    if not changed:
        return member
    history = [
        _change(member, key, before[key], record[key], actor=actor, on=on, reason=reason)
        for key in TRACKED
        if key in changed
    ]
    apply_record(member, {k: record[k] for k in changed | {"suspended_on"} if k in record})
    member.save(update_fields=RECORD_ATTRS)
    MemberChange.all_objects.bulk_create(history)
    audit(
        actor,
        "members.member.updated",
        member,
        org_path=member.org_path,
        changes={
            k: ["***", "***"] if k in SENSITIVE else [before.get(k), record.get(k)]
            for k in sorted(changed)
        },
    )
    return member


def member_reveal(*, actor, member: Member, item: str, ip: str | None = None) -> str:
    """The clear value of a sensitive item, for someone allowed to see it; always audited."""
    if item not in SENSITIVE:
        raise AppError("该项不是敏感信息。")
    if not can(actor, Cap.MEMBER_REVEAL, member.org_path):
        raise deny()
    value = crypto.decrypt(getattr(member, f"{item}_sealed"))
    audit(
        actor,
        "members.member.revealed",
        member,
        org_path=member.org_path,
        changes={"item": item, "label": SENSITIVE_LABELS[item]},
        ip=ip,
    )
    return value


def move_to_branch(member: Member, branch: Org, *, actor, on: dt.date, reason: str) -> MemberChange:
    """Put a member on another branch's roster and keep the history. Callers (transfers)
    check access and write the audit entry in their own transaction."""
    check_branch(branch)
    change = MemberChange(
        member=member,
        item="branch",
        old_value=member.branch.name[:200],
        new_value=branch.name[:200],
        effective_on=on,
        reason=(reason or "")[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", ""))[:50],
    )
    change.save()
    member.branch = branch
    member.org_path = branch.path
    member.save(update_fields=["branch", "org_path", "updated_at"])
    return change


@transaction.atomic
def member_leave(
    *, actor, member: Member, on: dt.date, reason: str, note: str = "", check_access=True
) -> Member:
    """Take a member off the roster (转出 to outside, 除名, 去世 …). The row and its history
    stay; lists show active members unless asked otherwise."""
    if check_access:
        _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    if not member.is_active:
        raise AppError("该党员已减少。")
    if reason not in LeftReason.values:
        raise AppError("请选择减少原因。", field="reason")
    if on > timezone.localdate():
        raise AppError("减少日期不能晚于今天。", field="on")
    if on < member.joined_on:
        raise AppError("减少日期不能早于加入党组织日期。", field="on")
    label = dict(LeftReason.choices)[reason]
    member.left_on = on
    member.left_reason = reason
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    _change(member, "left", "", label, actor=actor, on=on, reason=note or label).save()
    audit(
        actor,
        "members.member.left",
        member,
        org_path=member.org_path,
        changes={"left_on": on, "reason": reason, "note": note},
    )
    return member


@transaction.atomic
def member_record_contact(*, actor, member: Member, on: dt.date, note: str = "") -> Member:
    """Record a contact with a mobile or lost-contact member (R-EDU-13/14 follow-up)."""
    _require(actor, Cap.MEMBER_MANAGE, member.org_path)
    if on > timezone.localdate():
        raise AppError("联系日期不能晚于今天。", field="on")
    member.mobile_last_contact_on = on
    member.save(update_fields=["mobile_last_contact_on", "updated_at"])
    _change(member, "contact", "", on.isoformat(), actor=actor, on=on, reason=note).save()
    audit(
        actor,
        "members.member.contacted",
        member,
        org_path=member.org_path,
        changes={"on": on, "note": note},
    )
    return member
