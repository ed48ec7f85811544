"""Write paths of legal aid (法律援助: applied → accepted → assigned → closed, or refused), the
普法 / 好律师 / 培训 activities and the items of the "党建+律师246工作体系". Atomic, checked
(legal.manage; `actor=None` is the system), refused in Chinese at the field with nothing
written, audited `legal.<entity>.<verb>`. See docs/legal-services.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max

from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.legal.models import (
    ActivityKind,
    AidOutcome,
    AidStatus,
    ApplicantCategory,
    Lawyer,
    LegalActivity,
    LegalAidCase,
    WorkSystemItem,
)
from dangjian.legal.services_lawyers import (
    _today,
    check_unit,
    choice,
    date,
    number_of,
    raise_errors,
    require,
    text,
)
from dangjian.orgs.models import Org

CASE_FIELDS = [
    "case_no",
    "applicant_category",
    "matter",
    "applied_on",
    "accepted_on",
    "lawyer",
    "assigned_on",
    "status",
    "outcome",
    "closed_on",
    "refusal_reason",
]
ITEM_KINDS = ("goal", "measure")
#: the lawyers one activity may list
ACTIVITY_LAWYERS_MAX = 500

# ---------------------------------------------------------------------------------------------
# Legal aid


@transaction.atomic
def aid_case_create(
    *,
    actor,
    org: Org,
    case_no: str,
    applicant_name: str,
    applicant_category: str,
    matter: str,
    applied_on,
    note: str = "",
    today: dt.date | None = None,
) -> LegalAidCase:
    """A legal-aid application: the case number once per unit, the applicant (a name, kept
    masked in lists) and the category of vulnerable group, the matter, the day received (the
    review limit runs from it)."""
    require(actor, org.path if org else "")
    check_unit(org)
    today = _today(today)
    errors: list = []
    case_no = text(case_no, "case_no", "案号", errors, 40)
    applicant_name = text(applicant_name, "applicant_name", "申请人", errors, 50)
    applicant_category = choice(
        applicant_category, ApplicantCategory.values, "applicant_category", "申请人类别", errors
    )
    matter = text(matter, "matter", "援助事项", errors, 200)
    applied_on = date(applied_on, "applied_on", "申请日期", errors, today, not_future=True)
    note = text(note, "note", "备注", errors, 2000, required=False)
    if case_no and LegalAidCase.all_objects.filter(org=org, case_no=case_no).exists():
        errors.append(("case_no", "该案号已登记。"))
    raise_errors(errors)
    try:
        with transaction.atomic():
            case = LegalAidCase.objects.create(
                org=org,
                org_path=org.path,
                case_no=case_no,
                applicant_name=applicant_name,
                applicant_category=applicant_category,
                matter=matter,
                applied_on=applied_on,
                note=note,
            )
    except IntegrityError:
        raise AppError("该案号已登记。", field="case_no") from None
    # the applicant's name is personal data: the entry names the case, not the person
    audit(
        actor,
        "legal.aid_case.created",
        case,
        org_path=case.org_path,
        changes={k: v for k, v in snapshot(case, CASE_FIELDS).items() if v not in ("", None)},
    )
    return case


def _locked(case: LegalAidCase) -> LegalAidCase:
    return LegalAidCase.all_objects.select_for_update().get(pk=case.pk)


def _move(actor, current: LegalAidCase, verb: str, values: dict) -> LegalAidCase:
    before = snapshot(current, CASE_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, CASE_FIELDS))
    current.save(update_fields=list(values))
    audit(actor, f"legal.aid_case.{verb}", current, org_path=current.org_path, changes=changed)
    return current


@transaction.atomic
def aid_case_accept(
    *, actor, case: LegalAidCase, accepted_on=None, today: dt.date | None = None
) -> LegalAidCase:
    """Grant aid (受理): the assignment limit runs from this decision."""
    require(actor, case.org_path)
    today = _today(today)
    current = _locked(case)
    if current.status != AidStatus.APPLIED:
        raise AppError(f"该案件{current.get_status_display()}，不能再作受理决定。", field="status")
    errors: list = []
    on = date(accepted_on or today, "accepted_on", "受理日期", errors, today, not_future=True)
    if on is not None and on < current.applied_on:
        errors.append(("accepted_on", "受理日期不能早于申请日期。"))
    raise_errors(errors)
    return _move(actor, current, "accepted", {"status": AidStatus.ACCEPTED, "accepted_on": on})


@transaction.atomic
def aid_case_refuse(
    *, actor, case: LegalAidCase, reason: str, decided_on=None, today: dt.date | None = None
) -> LegalAidCase:
    """不予援助, with the reason (required); the decision date is kept as `accepted_on`."""
    require(actor, case.org_path)
    today = _today(today)
    current = _locked(case)
    if current.status != AidStatus.APPLIED:
        raise AppError(
            f"该案件{current.get_status_display()}，不能再作不予援助决定。", field="status"
        )
    errors: list = []
    reason = text(reason, "reason", "不予援助理由", errors, 2000)
    on = date(decided_on or today, "decided_on", "决定日期", errors, today, not_future=True)
    if on is not None and on < current.applied_on:
        errors.append(("decided_on", "决定日期不能早于申请日期。"))
    raise_errors(errors)
    return _move(
        actor,
        current,
        "refused",
        {"status": AidStatus.REFUSED, "accepted_on": on, "refusal_reason": reason},
    )


@transaction.atomic
def aid_case_assign(
    *,
    actor,
    case: LegalAidCase,
    lawyer: Lawyer | None,
    assigned_on=None,
    today: dt.date | None = None,
) -> LegalAidCase:
    """指派 a lawyer of the unit to an accepted case."""
    require(actor, case.org_path)
    today = _today(today)
    current = _locked(case)
    if current.status != AidStatus.ACCEPTED:
        raise AppError("只能为已受理的案件指派律师。", field="status")
    errors: list = []
    if not isinstance(lawyer, Lawyer) or lawyer.org_path != current.org_path:
        errors.append(("lawyer", "请选择本单位登记的律师。"))
    elif not lawyer.is_active:
        errors.append(("lawyer", "该律师已不在执业，不能指派。"))
    on = date(assigned_on or today, "assigned_on", "指派日期", errors, today, not_future=True)
    if on is not None and current.accepted_on and on < current.accepted_on:
        errors.append(("assigned_on", "指派日期不能早于受理日期。"))
    raise_errors(errors)
    return _move(
        actor,
        current,
        "assigned",
        {"status": AidStatus.ASSIGNED, "lawyer": lawyer, "assigned_on": on},
    )


@transaction.atomic
def aid_case_close(
    *, actor, case: LegalAidCase, outcome: str, closed_on=None, today: dt.date | None = None
) -> LegalAidCase:
    """结案 an assigned case: the outcome is required."""
    require(actor, case.org_path)
    today = _today(today)
    current = _locked(case)
    if current.status != AidStatus.ASSIGNED:
        raise AppError("只能对已指派律师的案件结案。", field="status")
    errors: list = []
    if outcome in (None, ""):
        errors.append(("outcome", "结案须填写结果。"))
    else:
        outcome = choice(outcome, AidOutcome.values, "outcome", "结果", errors)
    on = date(closed_on or today, "closed_on", "结案日期", errors, today, not_future=True)
    if on is not None and current.assigned_on and on < current.assigned_on:
        errors.append(("closed_on", "结案日期不能早于指派日期。"))
    raise_errors(errors)
    return _move(
        actor, current, "closed", {"status": AidStatus.CLOSED, "outcome": outcome, "closed_on": on}
    )


# ---------------------------------------------------------------------------------------------
# Activities


@transaction.atomic
def activity_record(
    *,
    actor,
    org: Org,
    kind: str,
    title: str,
    held_on,
    place: str = "",
    lawyers=(),
    participants=0,
    summary: str = "",
    today: dt.date | None = None,
) -> LegalActivity:
    """A 普法 / 好律师 / 培训 activity that took place: the lawyers of the unit who took part and
    the participants (audience or trainees, person-times)."""
    require(actor, org.path if org else "")
    check_unit(org)
    today = _today(today)
    errors: list = []
    kind = choice(kind, ActivityKind.values, "kind", "活动类别", errors)
    title = text(title, "title", "主题", errors, 200)
    held_on = date(held_on, "held_on", "活动日期", errors, today, not_future=True)
    place = text(place, "place", "地点", errors, 100, required=False)
    participants = number_of(participants, "participants", "参加人次", errors, default=0)
    summary = text(summary, "summary", "情况", errors, 5000, required=False)
    lawyers = list(lawyers or [])
    if len(lawyers) > ACTIVITY_LAWYERS_MAX:
        errors.append(("lawyers", f"一次活动最多登记{ACTIVITY_LAWYERS_MAX}名律师。"))
    elif any(not isinstance(x, Lawyer) or x.org_path != org.path for x in lawyers):
        errors.append(("lawyers", "只能选择本单位登记的律师。"))
    raise_errors(errors)
    activity = LegalActivity.objects.create(
        org=org,
        org_path=org.path,
        kind=kind,
        title=title,
        held_on=held_on,
        place=place,
        participants=participants,
        summary=summary,
    )
    if lawyers:
        activity.lawyers.set(lawyers)
    audit(
        actor,
        "legal.activity.recorded",
        activity,
        org_path=activity.org_path,
        changes={
            "kind": kind,
            "title": title,
            "held_on": held_on,
            "participants": participants,
            "lawyers": sorted(x.pk for x in lawyers),
        },
    )
    return activity


# ---------------------------------------------------------------------------------------------
# The 246 system: goals and measures entered by the 司法局


def _check_item(values: dict, errors: list) -> dict:
    return {
        "heading": text(values.get("heading"), "heading", "板块", errors, 100),
        "kind": choice(values.get("kind"), ITEM_KINDS, "kind", "类别", errors),
        "text": text(values.get("text"), "text", "内容", errors, 2000),
    }


@transaction.atomic
def work_system_item_create(
    *, actor, org: Org, heading: str, kind: str, text: str
) -> WorkSystemItem:
    """A goal or measure of the 246 system, appended at the end."""
    require(actor, org.path if org else "")
    check_unit(org)
    errors: list = []
    values = _check_item({"heading": heading, "kind": kind, "text": text}, errors)
    raise_errors(errors)
    last = WorkSystemItem.all_objects.filter(org=org).aggregate(m=Max("position"))["m"]
    item = WorkSystemItem.objects.create(
        org=org, org_path=org.path, position=(last or 0) + 1, **values
    )
    audit(actor, "legal.system_item.created", item, org_path=item.org_path, changes=values)
    return item


@transaction.atomic
def work_system_item_update(*, actor, item: WorkSystemItem, **fields) -> WorkSystemItem:
    unknown = set(fields) - {"heading", "kind", "text"}
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, item.org_path)
    current = WorkSystemItem.all_objects.select_for_update().get(pk=item.pk)
    values = {"heading": current.heading, "kind": current.kind, "text": current.text}
    values.update(fields)
    errors: list = []
    cleaned = _check_item(values, errors)
    raise_errors(errors)
    before = snapshot(current, ["heading", "kind", "text"])
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, ["heading", "kind", "text"]))
    if changed:
        current.save(update_fields=list(changed))
        audit(
            actor, "legal.system_item.updated", current, org_path=current.org_path, changes=changed
        )
    return current


@transaction.atomic
def work_system_item_delete(*, actor, item: WorkSystemItem) -> None:
    """Items are the 司法局's own wording, not records of something done: they may be removed
    (the audit entry keeps the text)."""
    require(actor, item.org_path)
    current = WorkSystemItem.all_objects.select_for_update().filter(pk=item.pk).first()
    if current is None:
        raise AppError("该条目已删除。")
    audit(
        actor,
        "legal.system_item.deleted",
        current,
        org_path=current.org_path,
        changes=snapshot(current, ["heading", "kind", "text", "position"]),
    )
    current.delete()


@transaction.atomic
def work_system_item_move(*, actor, item: WorkSystemItem, direction: str) -> WorkSystemItem:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    require(actor, item.org_path)
    if direction not in ("up", "down"):
        raise AppError("移动方向无效。", field="direction")
    items = list(
        WorkSystemItem.all_objects.select_for_update()
        .filter(org_id=item.org_id)
        .order_by("position", "id")
    )
    index = next((i for i, x in enumerate(items) if x.pk == item.pk), None)
    if index is None:
        raise AppError("该条目已删除。")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise AppError("已在最前。" if direction == "up" else "已在最后。", field="direction")
    items[index], items[other] = items[other], items[index]
    for position, x in enumerate(items, 1):
        if x.position != position:
            x.position = position
            x.save(update_fields=["position"])
    moved = items[other]
    audit(
        actor,
        "legal.system_item.moved",
        moved,
        org_path=moved.org_path,
        changes={"direction": direction, "position": moved.position},
    )
    return moved
