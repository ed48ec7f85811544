"""Write paths of the pairings of serving cadres with retirees (结对联系), the calls and visits
logged on them, and the responsible offices requests are routed to. Atomic, access-checked,
refused in Chinese at the field, audited. See docs/veterans-people.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.veterans.models import Contact, ContactKind, Office, Pairing, Retiree
from dangjian.veterans.services_people import (
    MANAGE,
    clean_date,
    clean_text,
    flag,
    raise_errors,
    require,
    user_of,
)

# ---------------------------------------------------------------------------------------------
# Pairings and contacts


@transaction.atomic
def pairing_create(
    *, actor, retiree: Retiree, cadre, started_on, note: str = "", today: dt.date | None = None
) -> Pairing:
    """Pair a serving cadre (a Member on the roster) with a retiree. One live pairing per cadre
    and retiree."""
    today = today or timezone.localdate()
    require(actor, retiree.org_path)
    errors: list = []
    if cadre is None or not cadre.is_active:
        errors.append(("cadre", "请选择在册的结对干部（党员）。"))
    elif actor is not None and not can(actor, MANAGE, cadre.org_path):
        errors.append(("cadre", "请选择本单位的党员作为结对干部。"))
    elif retiree.member_id and retiree.member_id == cadre.pk:
        errors.append(("cadre", "不能与本人结对。"))
    started = clean_date(started_on, "started_on", "结对日期", errors, today)
    note = clean_text(note, "note", "说明", errors)
    if retiree.died_on is not None:
        errors.append(("retiree", "该离退休干部已去世，不能新建结对。"))
    raise_errors(errors)
    live = Pairing.all_objects.filter(retiree=retiree, cadre=cadre, ended_on__isnull=True)
    if live.exists():
        raise AppError(f"{cadre.name}已与{retiree.name}结对，不能重复结对。", field="cadre")
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(
                retiree=retiree,
                org_path=retiree.org_path,
                cadre=cadre,
                started_on=started,
                note=note,
            )
    except IntegrityError:
        raise AppError(
            f"{cadre.name}已与{retiree.name}结对，不能重复结对。", field="cadre"
        ) from None
    audit(
        actor,
        "veterans.pairing.created",
        pairing,
        org_path=pairing.org_path,
        changes={"retiree": retiree.pk, "cadre": cadre.pk, "started_on": started},
    )
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on=None, today: dt.date | None = None) -> Pairing:
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    current = Pairing.all_objects.select_for_update().get(pk=pairing.pk)
    if current.ended_on is not None:
        raise AppError("该结对已结束。")
    errors: list = []
    ended = clean_date(ended_on or today, "ended_on", "结束日期", errors, today)
    if ended and ended < current.started_on:
        errors.append(("ended_on", "结束日期不能早于结对日期。"))
    raise_errors(errors)
    current.ended_on = ended
    current.save(update_fields=["ended_on"])
    audit(
        actor,
        "veterans.pairing.ended",
        current,
        org_path=current.org_path,
        changes={"ended_on": ended},
    )
    return current


def may_contact(actor, pairing: Pairing) -> bool:
    """The paired cadre himself, or a veterans.manage holder over the retiree."""
    if actor is None:
        return True
    member_id = getattr(actor, "member_id", None)
    return bool(member_id and member_id == pairing.cadre_id) or can(actor, MANAGE, pairing.org_path)


@transaction.atomic
def contact_record(
    *,
    actor,
    pairing: Pairing,
    kind: str,
    contacted_on,
    thoughts: str = "",
    living: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Contact:
    """Log a call or a visit: not in the future, not before the pairing started, not after
    it ended."""
    today = today or timezone.localdate()
    if not may_contact(actor, pairing):
        raise deny()
    errors: list = []
    if kind not in ContactKind.values:
        errors.append(("kind", "请选择联系方式（电话联系或上门走访）。"))
    on = clean_date(contacted_on, "contacted_on", "联系日期", errors, today)
    if on and on < pairing.started_on:
        errors.append(("contacted_on", "联系日期不能早于结对日期。"))
    if on and pairing.ended_on and on > pairing.ended_on:
        errors.append(("contacted_on", "联系日期不能晚于结对结束日期。"))
    values = {
        "thoughts": clean_text(thoughts, "thoughts", "思想动态", errors),
        "living": clean_text(living, "living", "生活状况", errors),
        "note": clean_text(note, "note", "其他情况", errors),
    }
    if not (values["thoughts"] or values["living"]):
        errors.append(("thoughts", "请填写思想动态或生活状况。"))
    raise_errors(errors)
    contact = Contact.objects.create(
        pairing=pairing,
        org_path=pairing.org_path,
        kind=kind,
        contacted_on=on,
        recorded_by=user_of(actor),
        **values,
    )
    audit(
        actor,
        "veterans.contact.recorded",
        contact,
        org_path=contact.org_path,
        changes={"pairing": pairing.pk, "kind": kind, "contacted_on": on},
    )
    return contact


# ---------------------------------------------------------------------------------------------
# Offices


def _office_name(org, name) -> str:
    errors: list = []
    if org is None or org.dissolved_on is not None:
        errors.append(("org", "请选择所属单位。"))
    value = clean_text(name, "name", "处室名称", errors, required=True, limit=50)
    raise_errors(errors)
    return value


@transaction.atomic
def office_create(*, actor, org, name: str) -> Office:
    """A responsible office of the managing unit (离休干部处, 退休干部处, 活动中心 …)."""
    if org is not None:
        require(actor, org.path)
    name = _office_name(org, name)
    if Office.all_objects.filter(org=org, name=name).exists():
        raise AppError("本单位已有同名处室。", field="name")
    office = Office.objects.create(org=org, org_path=org.path, name=name)
    audit(
        actor, "veterans.office.created", office, org_path=office.org_path, changes={"name": name}
    )
    return office


@transaction.atomic
def office_update(*, actor, office: Office, name=None, is_active=None) -> Office:
    require(actor, office.org_path)
    current = Office.all_objects.select_for_update().select_related("org").get(pk=office.pk)
    before = snapshot(current, ["name", "is_active"])
    if name is not None:
        current.name = _office_name(current.org, name)
        clash = Office.all_objects.filter(org=current.org, name=current.name)
        if clash.exclude(pk=current.pk).exists():
            raise AppError("本单位已有同名处室。", field="name")
    if is_active is not None:
        current.is_active = flag(is_active)
    changed = diff(before, snapshot(current, ["name", "is_active"]))
    if changed:
        current.save(update_fields=list(changed))
        audit(actor, "veterans.office.updated", current, org_path=current.org_path, changes=changed)
    return current
