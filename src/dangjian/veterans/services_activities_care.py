"""Write paths of the studios (老党员工作室, 老党员之家) and their activities, the care sessions
(健康顾问, 智慧助老), the exemplars (典型) and the mediation cases they helped with. Same rules
as services_activities.py: atomic, access-checked, refused at the field, audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.veterans.models import (
    CareKind,
    CareSession,
    Exemplar,
    MediationCase,
    MediationOutcome,
    Resource,
    Studio,
    StudioActivity,
    StudioKind,
)
from dangjian.veterans.services_activities_common import (
    choice,
    count,
    date,
    raise_errors,
    require,
    retiree_of,
    text,
)

STUDIO_FIELDS = ["org", "kind", "name", "leader", "place", "opened_on", "note"]
STUDIO_ACTIVITY_FIELDS = ["studio", "title", "held_on", "resource", "attendance"]
CARE_FIELDS = ["org", "kind", "title", "held_on", "partner", "advisers", "place", "served"]
EXEMPLAR_FIELDS = ["retiree", "title", "named_on", "story"]
CASE_FIELDS = ["exemplar", "handled_on", "place", "matter", "parties", "outcome", "summary"]

# ---------------------------------------------------------------------------------------------
# Studios


def _check_studio(values: dict, today, actor, org, exclude_id=None, keep_id=None) -> dict:
    errors: list = []
    out = {
        "kind": choice(values.get("kind"), "kind", "类别", StudioKind, errors),
        "name": text(values.get("name"), "name", "名称", errors),
        "leader": retiree_of(
            values.get("leader"),
            "leader",
            "领衔老党员",
            errors,
            org_path=org.path,
            actor=actor,
            keep_id=keep_id,
        ),
        "place": text(values.get("place"), "place", "地址", errors, required=False),
        "opened_on": date(values.get("opened_on"), "opened_on", "授牌（成立）日期", errors, today),
        "note": text(values.get("note"), "note", "简介", errors, required=False),
    }
    if out["kind"] == StudioKind.HOME and not out["place"] and not errors:
        errors.append(("place", "老党员之家请填写地址。"))
    raise_errors(errors)
    same = Studio.objects.unscoped().filter(org_id=org.pk, name=out["name"])
    if exclude_id:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        raise AppError(f"本单位已有“{out['name']}”。", field="name", code="duplicate")
    return out


@transaction.atomic
def studio_create(
    *, actor, org, kind, name, opened_on, leader=None, place: str = "", note: str = "", today=None
) -> Studio:
    """A 老党员工作室 (named after its leading old member) or a 老党员之家 (a place)."""
    today = today or timezone.localdate()
    if org is None:
        raise AppError("请选择所属组织。", field="org")
    require(actor, org.path)
    values = {"kind": kind, "name": name, "leader": leader, "place": place}
    values.update(opened_on=opened_on, note=note)
    cleaned = _check_studio(values, today, actor, org)
    studio = Studio(org=org, org_path=org.path, **cleaned)
    try:
        with transaction.atomic():
            studio.save(force_insert=True)
    except IntegrityError:
        raise AppError("本单位已有同名工作室。", field="name", code="duplicate") from None
    audit(
        actor,
        "veterans.studio.created",
        studio,
        org_path=studio.org_path,
        changes=snapshot(studio, STUDIO_FIELDS),
    )
    return studio


@transaction.atomic
def studio_update(*, actor, studio: Studio, today=None, **changes) -> Studio:
    today = today or timezone.localdate()
    editable = {"kind", "name", "leader", "place", "opened_on", "note"}
    unknown = set(changes) - editable
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, studio.org_path)
    current = Studio.objects.unscoped().select_for_update().select_related("org").get(pk=studio.pk)
    values = {n: getattr(current, n) for n in editable}
    values.update(changes)
    cleaned = _check_studio(
        values, today, actor, current.org, exclude_id=current.pk, keep_id=current.leader_id
    )
    before = snapshot(current, STUDIO_FIELDS)
    for key, value in cleaned.items():
        setattr(current, key, value)
    changed = diff(before, snapshot(current, STUDIO_FIELDS))
    if not changed:
        return current
    try:
        with transaction.atomic():
            current.save(update_fields=["leader_id" if k == "leader" else k for k in changed])
    except IntegrityError:
        raise AppError("本单位已有同名工作室。", field="name", code="duplicate") from None
    audit(actor, "veterans.studio.updated", current, org_path=current.org_path, changes=changed)
    return current


@transaction.atomic
def studio_activity_record(
    *,
    actor,
    studio: Studio,
    title,
    held_on,
    resource: str = Resource.RED,
    attendance=0,
    summary: str = "",
    today=None,
) -> StudioActivity:
    today = today or timezone.localdate()
    require(actor, studio.org_path)
    errors: list = []
    values = {
        "title": text(title, "title", "活动名称", errors),
        "held_on": date(held_on, "held_on", "活动日期", errors, today),
        "resource": choice(resource, "resource", "资源类别", Resource, errors, default="red"),
        "attendance": count(attendance, "attendance", "参加人次", errors),
        "summary": text(summary, "summary", "活动情况", errors, required=False),
    }
    if values["held_on"] is not None and values["held_on"] < studio.opened_on:
        errors.append(("held_on", "活动日期不能早于工作室授牌（成立）日期。"))
    raise_errors(errors)
    activity = StudioActivity.objects.create(studio=studio, org_path=studio.org_path, **values)
    audit(
        actor,
        "veterans.studio_activity.recorded",
        activity,
        org_path=activity.org_path,
        changes=snapshot(activity, STUDIO_ACTIVITY_FIELDS),
    )
    return activity


# ---------------------------------------------------------------------------------------------
# Care sessions


@transaction.atomic
def care_session_record(
    *,
    actor,
    org,
    kind,
    title,
    held_on,
    partner: str = "",
    advisers: str = "",
    place: str = "",
    served=0,
    summary: str = "",
    today=None,
) -> CareSession:
    """A 健康顾问 session (with a hospital) or a 智慧助老 session."""
    today = today or timezone.localdate()
    if org is None:
        raise AppError("请选择组织单位。", field="org")
    require(actor, org.path)
    errors: list = []
    values = {
        "kind": choice(kind, "kind", "类别", CareKind, errors),
        "title": text(title, "title", "主题", errors),
        "held_on": date(held_on, "held_on", "日期", errors, today),
        "partner": text(partner, "partner", "合作单位", errors, required=False),
        "advisers": text(advisers, "advisers", "顾问（志愿者）", errors, required=False),
        "place": text(place, "place", "地点", errors, limit=100, required=False),
        "served": count(served, "served", "服务老干部人次", errors),
        "summary": text(summary, "summary", "情况", errors, required=False),
    }
    raise_errors(errors)
    session = CareSession.objects.create(org=org, org_path=org.path, **values)
    audit(
        actor,
        "veterans.care_session.recorded",
        session,
        org_path=session.org_path,
        changes=snapshot(session, CARE_FIELDS),
    )
    return session


# ---------------------------------------------------------------------------------------------
# Exemplars and their mediation cases


def _check_exemplar(values: dict, today) -> dict:
    errors: list = []
    out = {
        "title": text(values.get("title"), "title", "称号", errors, limit=50),
        "named_on": date(values.get("named_on"), "named_on", "评树日期", errors, today),
        "story": text(values.get("story"), "story", "事迹", errors),
    }
    raise_errors(errors)
    return out


@transaction.atomic
def exemplar_create(*, actor, retiree, title, named_on, story, today=None) -> Exemplar:
    """典型: a retiree named as a model (普法爷爷, 金牌调解员 …) with his story."""
    today = today or timezone.localdate()
    if retiree is None:
        raise AppError("请选择离退休干部。", field="retiree")
    require(actor, retiree.org_path)
    errors: list = []
    retiree_of(retiree, "retiree", "典型", errors, org_path=retiree.org_path, actor=actor)
    raise_errors(errors)
    cleaned = _check_exemplar({"title": title, "named_on": named_on, "story": story}, today)
    same = Exemplar.objects.unscoped().filter(retiree=retiree, title=cleaned["title"])
    if same.exists():
        raise AppError(f"{retiree.name}已被评树为“{cleaned['title']}”。", field="title")
    exemplar = Exemplar.objects.create(retiree=retiree, org_path=retiree.org_path, **cleaned)
    audit(
        actor,
        "veterans.exemplar.created",
        exemplar,
        org_path=exemplar.org_path,
        changes=snapshot(exemplar, EXEMPLAR_FIELDS),
    )
    return exemplar


@transaction.atomic
def exemplar_update(*, actor, exemplar: Exemplar, today=None, **changes) -> Exemplar:
    today = today or timezone.localdate()
    unknown = set(changes) - {"title", "named_on", "story"}
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, exemplar.org_path)
    current = Exemplar.objects.unscoped().select_for_update().get(pk=exemplar.pk)
    values = {n: getattr(current, n) for n in ("title", "named_on", "story")}
    values.update(changes)
    cleaned = _check_exemplar(values, today)
    before = snapshot(current, EXEMPLAR_FIELDS)
    for key, value in cleaned.items():
        setattr(current, key, value)
    changed = diff(before, snapshot(current, EXEMPLAR_FIELDS))
    if changed:
        current.save(update_fields=list(changed))
        audit(
            actor, "veterans.exemplar.updated", current, org_path=current.org_path, changes=changed
        )
    return current


def _check_case(values: dict, today) -> dict:
    errors: list = []
    out = {
        "handled_on": date(values.get("handled_on"), "handled_on", "调解日期", errors, today),
        "place": text(values.get("place"), "place", "地点", errors, limit=100, required=False),
        "matter": text(values.get("matter"), "matter", "纠纷事项", errors),
        "parties": count(values.get("parties"), "parties", "当事人数", errors, default=2),
        "outcome": choice(values.get("outcome"), "outcome", "调解结果", MediationOutcome, errors),
        "summary": text(values.get("summary"), "summary", "经过", errors, required=False),
    }
    if out["parties"] is not None and not errors and not 2 <= out["parties"] <= 1000:
        errors.append(("parties", "当事人数应在2至1000之间。"))
    raise_errors(errors)
    return out


@transaction.atomic
def mediation_case_record(
    *,
    actor,
    exemplar: Exemplar,
    handled_on,
    matter,
    outcome,
    place: str = "",
    parties=2,
    summary: str = "",
    today=None,
) -> MediationCase:
    today = today or timezone.localdate()
    require(actor, exemplar.org_path)
    values = {"handled_on": handled_on, "matter": matter, "outcome": outcome, "place": place}
    values.update(parties=parties, summary=summary)
    cleaned = _check_case(values, today)
    case = MediationCase.objects.create(exemplar=exemplar, org_path=exemplar.org_path, **cleaned)
    audit(
        actor,
        "veterans.mediation_case.recorded",
        case,
        org_path=case.org_path,
        changes=snapshot(case, CASE_FIELDS),
    )
    return case


@transaction.atomic
def mediation_case_update(*, actor, case: MediationCase, today=None, **changes) -> MediationCase:
    """Correct a case or record how it ended (调解中 → 调解成功 …)."""
    today = today or timezone.localdate()
    editable = {"handled_on", "place", "matter", "parties", "outcome", "summary"}
    unknown = set(changes) - editable
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, case.org_path)
    current = MediationCase.objects.unscoped().select_for_update().get(pk=case.pk)
    values = {n: getattr(current, n) for n in editable}
    values.update(changes)
    cleaned = _check_case(values, today)
    before = snapshot(current, CASE_FIELDS)
    for key, value in cleaned.items():
        setattr(current, key, value)
    changed = diff(before, snapshot(current, CASE_FIELDS))
    if changed:
        current.save(update_fields=list(changed))
        audit(
            actor,
            "veterans.mediation_case.updated",
            current,
            org_path=current.org_path,
            changes=changed,
        )
    return current
