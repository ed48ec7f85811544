"""Write paths of the 司法局's lawyers (律师行业党建), 一村(社区)一律师 and the legal advisers of
the governments. Each service is atomic, checks legal.manage itself (`actor=None` is the system:
the demo, jobs), refuses bad input in Chinese at the field before writing anything, and writes
one audit entry `legal.<entity>.<verb>`. See docs/legal-services.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.masking import mask_phone
from dangjian.core.permissions import Cap
from dangjian.legal.models import LawFirm, Lawyer, LegalAdviser, VillageLawyer
from dangjian.orgs.models import Org
from dangjian.rules import cocreation as checks
from dangjian.rules import legal as rules

MANAGE = Cap.LEGAL_MANAGE
FIRM_FIELDS = ["name", "licence_no", "district", "party_branch"]
LAWYER_FIELDS = [
    "firm",
    "name",
    "gender",
    "licence_no",
    "is_party_member",
    "member",
    "practising_since",
    "phone_masked",
    "is_active",
]

# ---------------------------------------------------------------------------------------------
# Shared helpers (services_aid uses them too)


def require(actor, path: str) -> None:
    """legal.manage on the node (`actor=None` is the system)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def raise_errors(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def text(value, field, label, errors, limit, *, required=True) -> str:
    errors.extend(
        checks.check_text(value, field=field, label=label, limit=limit, required=required)
    )
    return value.strip() if isinstance(value, str) else ""


def date(value, field, label, errors, today, *, required=True, not_future=False, earliest=None):
    """A date checked like co-creation's (from 2000, not far ahead); `earliest` (a year) lets
    an older past date through — a lawyer may have practised since the 1980s."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if earliest is not None and value is not None and value.year < checks.YEAR_MIN:
        if value.year < earliest:
            errors.append((field, f"{label}不能早于{earliest}年。"))
            return None
        return value
    found = checks.check_date(
        value, field=field, label=label, today=today, required=required, not_future=not_future
    )
    errors.extend(found)
    return None if found else value


def number_of(value, field, label, errors, *, default=0, minimum=0):
    found = checks.check_count(value, field=field, label=label)
    errors.extend(found)
    if found or value is None or value == "":
        return default
    number = int(value)
    if number < minimum:
        errors.append((field, f"{label}不能小于{minimum}。"))
    return number


def flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


def choice(value, choices, field, label, errors, *, required=True) -> str:
    if value in (None, "") and not required:
        return ""
    if value not in choices:
        errors.append((field, f"请选择有效的{label}。"))
        return ""
    return value


def check_unit(org) -> Org:
    """Legal data is registered on a unit's top Party body (the 司法局's 党组)."""
    if org is None:
        raise AppError("请选择单位。", field="org")
    parent = org.parent
    top = org.unit_id is not None and (parent is None or parent.unit_id != org.unit_id)
    if not top or org.dissolved_on is not None:
        raise AppError("法律服务数据以单位登记，请选择单位的党组（党委）。", field="org")
    return org


def _today(today):
    return today or timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Firms and lawyers


def _check_firm(org, values: dict, errors: list, *, actor=None, exclude=None) -> dict:
    out = {
        "name": text(values.get("name"), "name", "律师事务所名称", errors, 100),
        "licence_no": text(
            values.get("licence_no"), "licence_no", "执业许可证号", errors, 30, required=False
        ),
        "district": text(
            values.get("district"), "district", "所在县（市、区）", errors, 50, required=False
        ),
    }
    branch = values.get("party_branch")
    if branch is not None and (
        not isinstance(branch, Org)
        or branch.dissolved_on is not None
        # an organisation the user cannot see is not a choice (the form lists only those)
        or (actor is not None and not can(actor, Cap.ORG_VIEW, branch.path))
    ):
        errors.append(("party_branch", "请选择有效的党组织。"))
        branch = None
    out["party_branch"] = branch
    if out["name"]:
        same = LawFirm.all_objects.filter(org=org, name=out["name"])
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        if same.exists():
            errors.append(("name", "该律师事务所已登记。"))
    return out


@transaction.atomic
def firm_create(
    *,
    actor,
    org: Org,
    name: str,
    licence_no: str = "",
    district: str = "",
    party_branch: Org | None = None,
) -> LawFirm:
    """A law firm under the 司法局 (`org`), with the tree node of its Party branch if any."""
    require(actor, org.path if org else "")
    check_unit(org)
    errors: list = []
    values = _check_firm(
        org,
        {
            "name": name,
            "licence_no": licence_no,
            "district": district,
            "party_branch": party_branch,
        },
        errors,
        actor=actor,
    )
    raise_errors(errors)
    firm = LawFirm.objects.create(org=org, org_path=org.path, **values)
    audit(
        actor,
        "legal.firm.created",
        firm,
        org_path=firm.org_path,
        changes=snapshot(firm, FIRM_FIELDS),
    )
    return firm


@transaction.atomic
def firm_update(*, actor, firm: LawFirm, **fields) -> LawFirm:
    unknown = set(fields) - {"name", "licence_no", "district", "party_branch"}
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, firm.org_path)
    current = (
        LawFirm.all_objects.select_for_update(of=("self",))
        .select_related("party_branch")
        .get(pk=firm.pk)
    )
    values = {
        "name": current.name,
        "licence_no": current.licence_no,
        "district": current.district,
        "party_branch": current.party_branch,
    }
    values.update(fields)
    errors: list = []
    if "party_branch" not in fields or fields["party_branch"] == current.party_branch:
        actor_for_branch = None  # an unchanged branch stays valid
    else:
        actor_for_branch = actor
    cleaned = _check_firm(current.org, values, errors, actor=actor_for_branch, exclude=current)
    raise_errors(errors)
    before = snapshot(current, FIRM_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, FIRM_FIELDS))
    if changed:
        current.save(update_fields=[n.removesuffix("_id") for n in changed])
        audit(actor, "legal.firm.updated", current, org_path=current.org_path, changes=changed)
    return current


def _check_lawyer(values: dict, errors: list, today, *, exclude=None) -> dict:
    out = {
        "name": text(values.get("name"), "name", "姓名", errors, 50),
        "gender": choice(
            values.get("gender"), ("M", "F"), "gender", "性别", errors, required=False
        ),
        "is_party_member": flag(values.get("is_party_member")),
        "is_active": flag(values.get("is_active", True)),
        "practising_since": date(
            values.get("practising_since"),
            "practising_since",
            "执业时间",
            errors,
            today,
            required=False,
            not_future=True,
            earliest=1979,  # the lawyers' system restored (律师制度恢复重建)
        ),
    }
    licence = values.get("licence_no")
    licence = licence.strip() if isinstance(licence, str) else licence
    if not licence:
        errors.append(("licence_no", "请填写执业证号。"))
    elif not rules.licence_ok(licence):
        errors.append(("licence_no", "执业证号应为17位数字。"))
    else:
        same = Lawyer.all_objects.filter(licence_no=licence)
        if exclude is not None:
            same = same.exclude(pk=exclude.pk)
        if same.exists():
            errors.append(("licence_no", "该执业证号已登记，同一律师不能重复登记。"))
    out["licence_no"] = licence or ""
    member = values.get("member")
    if member is not None:
        out["is_party_member"] = True
    out["member"] = member
    return out


def _seal_phone(lawyer: Lawyer, phone, errors: list) -> None:
    if phone is None:
        return
    phone = phone.strip() if isinstance(phone, str) else phone
    if phone and not rules.phone_ok(phone):
        errors.append(("phone", "联系电话格式有误。"))
        return
    lawyer.phone_sealed = crypto.encrypt(phone) if phone else ""
    lawyer.phone_masked = mask_phone(phone)[:60] if phone else ""


def _check_member(actor, member, errors):
    if member is not None and actor is not None:
        path = getattr(getattr(member, "branch", None), "path", "")
        if not can(actor, Cap.MEMBER_VIEW, path):
            errors.append(("member", "请选择有效的党员档案。"))


def _check_no_live_duties(lawyer: Lawyer, errors: list) -> None:
    """A lawyer who stops practising must first leave the places and governments he serves:
    otherwise the coverage would count a lawyer who no longer practises."""
    live = VillageLawyer.all_objects.filter(lawyer=lawyer, ended_on__isnull=True).exists()
    advising = LegalAdviser.all_objects.filter(lawyer=lawyer, ended_on__isnull=True).exists()
    if live or advising:
        errors.append(
            (
                "is_active",
                "该律师仍在驻村（社区）或担任法律顾问，请先结束驻点或解聘后再标记为停止执业。",
            )
        )


@transaction.atomic
def lawyer_create(
    *,
    actor,
    firm: LawFirm,
    name: str,
    licence_no: str,
    gender: str = "",
    is_party_member=False,
    member=None,
    practising_since=None,
    phone: str = "",
    today: dt.date | None = None,
) -> Lawyer:
    """A lawyer of a firm: 执业证号 (17 digits, unique), Party membership (a linked member record
    makes it true); the phone is sealed, only its mask is shown."""
    require(actor, firm.org_path)
    errors: list = []
    values = _check_lawyer(
        {
            "name": name,
            "licence_no": licence_no,
            "gender": gender,
            "is_party_member": is_party_member,
            "member": member,
            "practising_since": practising_since,
        },
        errors,
        _today(today),
    )
    _check_member(actor, member, errors)
    lawyer = Lawyer(firm=firm, org_path=firm.org_path, **values)
    _seal_phone(lawyer, phone, errors)
    raise_errors(errors)
    try:
        with transaction.atomic():
            lawyer.save()
    except IntegrityError:
        raise AppError("该执业证号已登记，同一律师不能重复登记。", field="licence_no") from None
    audit(
        actor,
        "legal.lawyer.created",
        lawyer,
        org_path=lawyer.org_path,
        changes=snapshot(lawyer, LAWYER_FIELDS),
    )
    return lawyer


@transaction.atomic
def lawyer_update(
    *, actor, lawyer: Lawyer, phone=None, today: dt.date | None = None, **fields
) -> Lawyer:
    """Change a lawyer; `phone=None` keeps the sealed phone, "" clears it."""
    allowed = {
        "name",
        "licence_no",
        "gender",
        "is_party_member",
        "member",
        "practising_since",
        "is_active",
        "firm",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, lawyer.org_path)
    current = (
        Lawyer.all_objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=lawyer.pk)
    )
    firm = fields.pop("firm", current.firm)
    if firm.org_path != current.org_path:
        raise AppError("只能调整到本单位登记的律师事务所。", field="firm")
    values = {n: getattr(current, n) for n in allowed - {"firm"}}
    values.update(fields)
    errors: list = []
    cleaned = _check_lawyer(values, errors, _today(today), exclude=current)
    if "member" in fields:
        _check_member(actor, fields["member"], errors)
    if current.is_active and not cleaned["is_active"]:
        _check_no_live_duties(current, errors)
    before = snapshot(current, LAWYER_FIELDS)
    _seal_phone(current, phone, errors)
    raise_errors(errors)
    current.firm = firm
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, LAWYER_FIELDS))
    if phone is not None:
        changed.setdefault("phone_masked", [before["phone_masked"], current.phone_masked])
    if changed:
        fields_ = {n.removesuffix("_id") for n in changed} | {"phone_sealed"}
        current.save(update_fields=sorted(fields_))
        audit(actor, "legal.lawyer.updated", current, org_path=current.org_path, changes=changed)
    return current
