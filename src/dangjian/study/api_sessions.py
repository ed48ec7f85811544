"""学习培训 endpoints for plans, sessions, credit hours, trainings and statistics (mounted at
/api/study): the same selectors, access functions and services as the pages. Outsiders get
404; a refusal is 400 with the service's Chinese message and field. Hours are decimal
strings ("2.5"); times are ISO 8601 with their offset."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.dues.selectors_month import LazyRows
from dangjian.members.api import ERRORS
from dangjian.study import selectors_sessions as sel
from dangjian.study import services_sessions as services

router = Router()

MANAGE = Cap.STUDY_MANAGE
Id = Field(..., ge=1, le=2**62)
OptionalId = Field(None, ge=1, le=2**62)
Year = Field(None, ge=2000, le=2200, description="年度，默认今年")
StudyFormCode = Literal["concentrated", "lecture", "guided", "report", "course", "party_lesson"]
FORM_HELP = (
    "concentrated 集中学习 / lecture 宣讲 / guided 导学 / report 报告会 / course 培训班 / "
    "party_lesson 专题党课"
)
ModeCode = Literal["in_person", "online"]
HoursIn = Field(..., max_digits=6, decimal_places=1, description="学时，最多一位小数")


def _manager(request) -> None:
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()


def _year(value: int | None) -> int:
    return value or timezone.localdate().year


def _in_years(value, field: str, label: str):
    """A date or time the study records can hold: years YEAR_MIN..YEAR_MAX (2000–2200), a
    400 with the field otherwise (a year 1 or 9999 would overflow the local-time arithmetic)."""
    if value is not None and not services.YEAR_MIN <= value.year <= services.YEAR_MAX:
        raise AppError(
            f"{label}无效，应在{services.YEAR_MIN}年至{services.YEAR_MAX}年之间。", field=field
        )
    return value


def _aware(value: dt.datetime, field: str = "starts_at", label: str = "时间") -> dt.datetime:
    _in_years(value, field, label)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# ---------------------------------------------------------------------------------------------
# Schemas


class PlanItemOut(Schema):
    id: int
    month: int
    topic: str
    form: str
    form_label: str
    mode: str
    hours: Decimal
    note: str
    sessions: int = Field(description="按此条目安排的学习培训场次")
    held: int = Field(description="其中已召开的场次")


class PlanOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    title: str
    note: str
    can_edit: bool


class PlanDetailOut(PlanOut):
    items: list[PlanItemOut]


class PlanFilter(Schema):
    org: int | None = Field(
        None, ge=1, le=2**62, description="组织（及其上级的计划），默认全部可见"
    )
    year: int | None = Year


class PlanIn(Schema):
    org_id: int = Id
    year: int = Field(..., ge=2000, le=2200)
    title: str = Field(..., min_length=1, max_length=200)
    note: str = Field("", max_length=5000)


class PlanItemIn(Schema):
    month: int = Field(..., ge=1, le=12)
    topic: str = Field(..., min_length=1, max_length=200)
    form: StudyFormCode = Field(description=FORM_HELP)
    mode: ModeCode = "in_person"
    hours: Decimal = HoursIn
    note: str = Field("", max_length=200)


class StudySessionOut(Schema):
    id: int
    meeting_id: int
    org_id: int
    org_name: str
    kind: str = Field(description="会议类型：study_session 学习培训 / party_lesson 党课 …")
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str = Field(description="planned 计划召开 / held 已召开 / archived 已归档")
    form: str
    form_label: str
    mode: str
    hours: Decimal
    speaker: str
    plan_item_id: int | None
    sign_in_code: str
    expected: int
    present: int


class StudySessionFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可管理的最上级")
    year: int | None = Year
    form: StudyFormCode | None = None


class SessionIn(Schema):
    org_id: int = Id
    form: StudyFormCode = Field(description=FORM_HELP)
    mode: ModeCode = "in_person"
    topic: str = Field(..., min_length=1, max_length=200)
    starts_at: dt.datetime = Field(..., description="无时区时按北京时间理解")
    ends_at: dt.datetime = Field(..., description="无时区时按北京时间理解")
    hours: Decimal = HoursIn
    place: str = Field("", max_length=200)
    speaker: str = Field("", max_length=100)
    plan_item_id: int | None = OptionalId
    agenda: str = Field("", max_length=5000)


class HoursOut(Schema):
    member_id: int
    member_name: str
    branch_name: str
    required: int
    earned: Decimal
    shortfall: Decimal
    exempt: bool
    committee: bool = Field(description="书记或班子成员（R-EDU-02）")
    needs_concentrated: bool = Field(description="尚未参加集中培训（R-EDU-02）")
    met: bool


class HoursFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可管理的最上级")
    year: int | None = Year
    short: bool = Field(False, description="只看未达标")


class HoursItemOut(Schema):
    on: dt.date
    title: str
    org_name: str
    label: str
    hours: Decimal
    meeting_id: int | None


class TrainingOut(Schema):
    id: int
    member_id: int
    title: str
    provider: str
    kind: str
    started_on: dt.date
    ended_on: dt.date
    hours: Decimal
    is_concentrated: bool
    status: str = Field(description="submitted 待审核 / approved 已认定 / rejected 未认定")
    reject_reason: str
    has_proof: bool

    @staticmethod
    def resolve_has_proof(obj) -> bool:
        return bool(obj.proof)


class MyHoursOut(Schema):
    member_id: int
    year: int
    required: int
    earned: Decimal
    shortfall: Decimal
    exempt: bool
    committee: bool
    needs_concentrated: bool
    sessions: list[HoursItemOut]
    lessons: list[HoursItemOut]
    trainings: list[TrainingOut]
    findings: list[str]


class YearFilter(Schema):
    year: int | None = Year


class TrainingIn(Schema):
    member_id: int | None = Field(
        None, ge=1, le=2**62, description="党员；不填为本人（本人提交须上传证明材料，待审核）"
    )
    title: str = Field(..., min_length=1, max_length=200)
    provider: str = Field(..., min_length=1, max_length=200)
    kind: Literal["party_school", "online", "rotation", "other"] = Field(
        description="party_school 党校培训 / online 网络培训 / rotation 轮训班 / other 其他培训"
    )
    started_on: dt.date
    ended_on: dt.date
    hours: Decimal = HoursIn
    is_concentrated: bool = False


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=200, description="未认定原因（不予认定时必填）")


class TrainingRevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="撤销认定的原因")


class StatsOut(Schema):
    unit_id: int | None
    name: str
    sessions: int
    person_times: int


class StatsFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可管理的最上级")
    date_from: dt.date | None = Field(None, description="开始日期，默认今年1月1日")
    date_to: dt.date | None = Field(None, description="结束日期，默认今年12月31日")


# ---------------------------------------------------------------------------------------------
# Shaping


def _plan(plan) -> dict:
    return {
        "id": plan.pk,
        "org_id": plan.org_id,
        "org_name": plan.org.name,
        "year": plan.year,
        "title": plan.title,
        "note": plan.note,
        "can_edit": bool(getattr(plan, "can_edit", False)),
    }


def _plan_detail(user, plan) -> dict:
    items = [
        {
            "id": line.item.pk,
            "month": line.item.month,
            "topic": line.item.topic,
            "form": line.item.form,
            "form_label": line.item.get_form_display(),
            "mode": line.item.mode,
            "hours": line.item.hours,
            "note": line.item.note,
            "sessions": len(line.sessions),
            "held": len(line.held),
        }
        for line in sel.plan_lines(user, plan)
    ]
    return {**_plan(plan), "items": items}


def _session(session, counts: dict | None = None) -> dict:
    meeting = session.meeting
    counts = counts or {}
    return {
        "id": session.pk,
        "meeting_id": meeting.pk,
        "org_id": meeting.org_id,
        "org_name": meeting.org.name,
        "kind": meeting.kind,
        "topic": meeting.topic,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "status": meeting.status,
        "form": session.form,
        "form_label": session.get_form_display(),
        "mode": session.mode,
        "hours": session.hours,
        "speaker": session.speaker,
        "plan_item_id": session.plan_item_id,
        "sign_in_code": meeting.sign_in_code,
        "expected": counts.get("expected", 0),
        "present": counts.get("present", 0),
    }


def _counts(sessions) -> dict:
    from dangjian.orglife.selectors import attendance_counts

    return attendance_counts([s.meeting for s in sessions])


def _hours_row(r) -> dict:
    s = r.standing
    return {
        "member_id": r.member.pk,
        "member_name": r.member.name,
        "branch_name": r.member.branch.name,
        "required": s.required,
        "earned": s.earned,
        "shortfall": s.shortfall,
        "exempt": r.exempt,
        "committee": r.committee,
        "needs_concentrated": s.needs_concentrated,
        "met": not r.short,
    }


def _item(i) -> dict:
    return {
        "on": i.on,
        "title": i.title,
        "org_name": i.org_name,
        "label": i.label,
        "hours": i.hours,
        "meeting_id": i.meeting_id,
    }


# ---------------------------------------------------------------------------------------------
# Plans


@router.get(
    "/plans", response={200: list[PlanOut], **ERRORS}, summary="年度学习计划（本组织及上级）"
)
@paginate(BoundedLimitOffsetPagination)
def list_plans(request, filters: Query[PlanFilter]):
    _manager(request)
    org = sel.study_org(request.user, filters.org) if filters.org else None
    return [_plan(p) for p in sel.plans_for(request.user, _year(filters.year), org)]


@router.post(
    "/plans",
    response={200: PlanDetailOut, **ERRORS},
    summary="制定或修改组织的年度学习计划",
    description="每个组织每年一份计划；已有计划时修改其名称和说明。",
)
def save_plan(request, payload: PlanIn):
    org = sel.study_org(request.user, payload.org_id)
    plan = services.plan_save(
        actor=request.user, org=org, year=payload.year, title=payload.title, note=payload.note
    )
    return _plan_detail(request.user, sel.access_plan(request.user, plan.pk))


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    summary="学习计划及其条目（计划与开展情况）",
)
def get_plan(request, plan_id: int):
    return _plan_detail(request.user, sel.access_plan(request.user, plan_id))


@router.post(
    "/plans/{plan_id}/items", response={201: PlanItemOut, **ERRORS}, summary="添加学习计划条目"
)
def add_plan_item(request, plan_id: int, payload: PlanItemIn):
    plan = sel.access_plan(request.user, plan_id)
    if not plan.can_edit:
        raise deny()
    item = services.plan_item_add(
        actor=request.user,
        plan=plan,
        month=payload.month,
        topic=payload.topic,
        form=payload.form,
        mode=payload.mode,
        hours=payload.hours,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": item.pk,
            "month": item.month,
            "topic": item.topic,
            "form": item.form,
            "form_label": item.get_form_display(),
            "mode": item.mode,
            "hours": item.hours,
            "note": item.note,
            "sessions": 0,
            "held": 0,
        },
    )


@router.delete(
    "/plans/{plan_id}/items/{item_id}",
    response={204: None, **ERRORS},
    summary="删除尚未开展的学习计划条目",
)
def delete_plan_item(request, plan_id: int, item_id: int):
    plan = sel.access_plan(request.user, plan_id)
    if not plan.can_edit:
        raise deny()
    services.plan_item_delete(actor=request.user, item=sel.access_plan_item(plan, item_id))
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# Sessions


@router.get("/sessions", response={200: list[StudySessionOut], **ERRORS}, summary="学习培训列表")
@paginate(BoundedLimitOffsetPagination)
def list_sessions(request, filters: Query[StudySessionFilter]):
    _manager(request)
    org = sel.study_org(request.user, filters.org)
    qs = sel.session_list(request.user, org=org, year=_year(filters.year), form=filters.form or "")

    def shape(sessions) -> list[dict]:
        counts = _counts(sessions)
        return [_session(s, counts.get(s.meeting_id)) for s in sessions]

    return LazyRows(qs, shape)


@router.post(
    "/sessions",
    response={201: StudySessionOut, **ERRORS},
    summary="安排学习培训",
    description="生成会议（应到人员、签到码与会议通知由组织生活模块办理）及其学时；党支部的"
    "专题党课按“党课”召开，同时计入三会一课。学时不能超过会议时长。",
)
def create_session(request, payload: SessionIn):
    org = sel.study_org(request.user, payload.org_id)
    starts_at = _aware(payload.starts_at, "starts_at", "开始时间")
    ends_at = _aware(payload.ends_at, "ends_at", "结束时间")
    item = None
    if payload.plan_item_id:
        year = timezone.localtime(starts_at).year
        item = {i.pk: i for i in sel.plan_items_for(org, year)}.get(payload.plan_item_id)
        if item is None:
            raise AppError("只能选择本组织或上级组织当年学习计划中的条目。", field="plan_item")
    session = services.session_create(
        actor=request.user,
        org=org,
        form=payload.form,
        mode=payload.mode,
        topic=payload.topic,
        starts_at=starts_at,
        ends_at=ends_at,
        hours=payload.hours,
        place=payload.place,
        speaker=payload.speaker,
        plan_item=item,
        agenda=payload.agenda,
    )
    session = sel.access_session(request.user, session.pk)
    return Status(201, _session(session, _counts([session]).get(session.meeting_id)))


@router.get("/sessions/{session_id}", response={200: StudySessionOut, **ERRORS}, summary="学习培训")
def get_session(request, session_id: int):
    session = sel.access_session(request.user, session_id)
    return _session(session, _counts([session]).get(session.meeting_id))


# ---------------------------------------------------------------------------------------------
# Hours


@router.get(
    "/hours",
    response={200: list[HoursOut], **ERRORS},
    summary="组织党员学时（未达标的在前）",
    description="应修学时：党员32，书记和班子成员56（可配置，R-EDU-01/02），免除的为0（R-EDU-03）。",
)
@paginate(BoundedLimitOffsetPagination)
def list_hours(request, filters: Query[HoursFilter]):
    _manager(request)
    org = sel.study_org(request.user, filters.org)
    rows = sel.org_hours(request.user, org, _year(filters.year), only_short=filters.short)
    return LazyRows(rows.queryset, lambda members: [_hours_row(r) for r in rows.build(members)])


@router.get("/hours/me", response={200: MyHoursOut, **ERRORS}, summary="本人学时明细")
def my_hours(request, filters: Query[YearFilter]):
    member = sel.own_member(request.user)
    if member is None:
        raise deny()
    year = _year(filters.year)
    mine = sel.member_hours(member, year)
    s = mine.standing
    return {
        "member_id": member.pk,
        "year": year,
        "required": s.required,
        "earned": s.earned,
        "shortfall": s.shortfall,
        "exempt": mine.exemption is not None,
        "committee": mine.committee,
        "needs_concentrated": s.needs_concentrated,
        "sessions": [_item(i) for i in mine.sessions],
        "lessons": [_item(i) for i in mine.lessons],
        "trainings": mine.trainings,
        "findings": [f.message for f in mine.findings(timezone.localdate())],
    }


# ---------------------------------------------------------------------------------------------
# Trainings


@router.post(
    "/trainings",
    response={201: TrainingOut, **ERRORS},
    summary="登记参加培训",
    description="表单提交（multipart/form-data）。党员本人提交须附证明材料（PDF、JPG、PNG、"
    "Word 或 Excel），待支部审核；管理人员为本组织党员登记的直接认定。",
)
def create_training(request, payload: Form[TrainingIn], proof: File[UploadedFile] = None):
    if payload.member_id:
        member = sel.access_study_member(request.user, payload.member_id, need=None)
    else:
        member = sel.own_member(request.user)
        if member is None:
            raise deny()
    training = services.training_submit(
        actor=request.user,
        member=member,
        title=payload.title,
        provider=payload.provider,
        kind=payload.kind,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        hours=payload.hours,
        is_concentrated=payload.is_concentrated,
        proof=proof,
    )
    return Status(201, training)


@router.post(
    "/trainings/{training_id}/decision",
    response={200: TrainingOut, **ERRORS},
    summary="审核党员提交的培训（认定或不予认定）",
)
def decide_training(request, training_id: int, payload: DecisionIn):
    training = sel.access_training(request.user, training_id)
    return services.training_decide(
        actor=request.user, training=training, approve=payload.approve, reason=payload.reason
    )


@router.post(
    "/trainings/{training_id}/revoke",
    response={200: TrainingOut, **ERRORS},
    summary="撤销已认定的培训（学时和积分随之取消）",
    description="证明材料不实、重复登记等情形，由党员所在组织的管理人员撤销认定并说明原因；"
    "不能撤销本人的培训。",
)
def revoke_training(request, training_id: int, payload: TrainingRevokeIn):
    training = sel.access_training(request.user, training_id)
    return services.training_revoke(actor=request.user, training=training, reason=payload.reason)


# ---------------------------------------------------------------------------------------------
# Statistics


@router.get(
    "/stats",
    response={200: list[StatsOut], **ERRORS},
    summary="各单位学习培训场次和人次（最后一行为合计）",
)
def get_stats(request, filters: Query[StatsFilter]):
    _manager(request)
    org = sel.study_org(request.user, filters.org)
    today = timezone.localdate()
    first = _in_years(filters.date_from, "date_from", "开始日期") or today.replace(month=1, day=1)
    last = _in_years(filters.date_to, "date_to", "结束日期") or today.replace(month=12, day=31)
    if last < first:
        raise AppError("结束日期不能早于开始日期。", field="date_to")
    return [
        {
            "unit_id": r.unit_id,
            "name": r.name,
            "sessions": r.sessions,
            "person_times": r.person_times,
        }
        for r in sel.study_stats(request.user, org, first, last)
    ]
