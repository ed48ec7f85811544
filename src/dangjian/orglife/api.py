"""Organisational-life endpoints: the same selectors, access functions and services as the
pages. Lists and details need member.view on the meeting's org; planning, recording and
correcting member.manage; the compliance grid org.view; sign-in needs only the caller's own
place on the meeting's roster."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS
from dangjian.members.selectors import access_member
from dangjian.orglife import compliance, selectors, services
from dangjian.orgs.selectors import access_org
from dangjian.rules import orglife as rules

router = Router(tags=["组织生活"])

Kind = Literal[
    "member_assembly",
    "committee_meeting",
    "group_meeting",
    "party_lesson",
    "theme_day",
    "life_meeting",
    "member_appraisal",
]
Id = Field(None, ge=1, le=2**62)


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    kind_label: str
    topic: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj["org_name"] if isinstance(obj, dict) else obj.org.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj["kind_label"] if isinstance(obj, dict) else obj.get_kind_display()


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    status: str = Field(
        description="expected 应到（未登记）/ present 实到 / leave 请假 / absent 缺席"
    )
    reason: str
    signed_in_at: dt.datetime | None
    late_reason: str


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    convener_id: int | None
    chair_id: int | None
    chair_delegated_by_id: int | None
    recorder_id: int | None
    sign_in_code: str
    held_at: dt.datetime | None
    archived_at: dt.datetime | None
    expected: int
    present: int
    leave: int
    absent: int
    attendance: list[AttendanceOut]


class MeetingFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="只看该组织及其下级")
    kind: Kind | None = None
    status: Literal["planned", "held", "archived"] | None = None
    year: int | None = Field(None, ge=1921, le=2200)


class MeetingPlanIn(Schema):
    org_id: int = Field(..., ge=1, le=2**62)
    kind: Kind
    topic: str = Field(..., min_length=1, max_length=200)
    starts_at: dt.datetime = Field(..., description="无时区时按北京时间理解")
    ends_at: dt.datetime
    place: str = Field("", max_length=200)
    agenda: str = Field("", max_length=5000)
    convener_id: int | None = Id
    chair_id: int | None = Id
    chair_delegated_by_id: int | None = Id
    recorder_id: int | None = Id


class SignInIn(Schema):
    code: str = Field(..., min_length=1, max_length=8, description="签到码")
    late_reason: str = Field("", max_length=200, description="开始15分钟后签到须填写")


class SignInOut(Schema):
    meeting_id: int
    topic: str
    signed_in_at: dt.datetime
    late_reason: str


class MeetingCorrectIn(Schema):
    """Only the fields sent are changed; `reason` is required (it is kept with the change)."""

    reason: str = Field("", max_length=500, description="更正原因（必填）")
    topic: str | None = Field(None, max_length=200)
    agenda: str | None = Field(None, max_length=5000)
    place: str | None = Field(None, max_length=200)
    minutes: str | None = Field(None, max_length=50000)
    starts_at: dt.datetime | None = Field(None, description="无时区时按北京时间理解")
    ends_at: dt.datetime | None = None
    convener_id: int | None = Id
    chair_id: int | None = Id
    chair_delegated_by_id: int | None = Id
    recorder_id: int | None = Id


class AttendanceIn(Schema):
    member_id: int = Field(..., ge=1, le=2**62)
    status: Literal["present", "leave", "absent"] = Field(
        ..., description="present 实到 / leave 请假（须填原因）/ absent 缺席"
    )
    reason: str = Field("", max_length=200)


class AddedIn(Schema):
    member_id: int = Field(..., ge=1, le=2**62)
    reason: str = Field("", max_length=200, description="补充为应到人员的原因（必填）")


class MeetingRecordIn(Schema):
    attendance: list[AttendanceIn] = Field(
        ..., max_length=5000, description="每名应到人员一行（含补充人员）"
    )
    minutes: str = Field(..., max_length=50000, description="会议记录")
    chair_id: int | None = Id
    recorder_id: int | None = Id
    chair_delegated_by_id: int | None = Id
    added: list[AddedIn] = Field(
        [], max_length=1000, description="会后补充为应到人员的本支部党员及原因"
    )


class ComplianceFilter(Schema):
    org: int = Field(..., ge=1, le=2**62, description="该组织及其下级的党支部、党小组")
    year: int | None = Field(None, ge=2000, le=2200, description="年度，默认今年")


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    status: str = Field(
        description="done 已开展 / missing 应开未开 / due_soon 即将到期 / not_due 未到期"
    )


class KindCellOut(Schema):
    kind: str
    kind_label: str
    periods: list[PeriodOut]


class ComplianceRowOut(Schema):
    org_id: int
    org_name: str
    org_kind: str
    year: int
    kinds: list[KindCellOut]


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _detail(meeting) -> dict:
    rows = selectors.attendance_of(meeting)
    counts = selectors.attendance_counts([meeting])[meeting.pk]
    out = {
        name: getattr(meeting, name)
        for name in MeetingDetailOut.model_fields
        if hasattr(meeting, name)
    }
    out.update(
        org_name=meeting.org.name,
        kind_label=meeting.get_kind_display(),
        **counts,
        attendance=[
            {
                "member_id": r.member_id,
                "member_name": r.member.name,
                "status": r.status,
                "reason": r.reason,
                "signed_in_at": r.signed_in_at,
                "late_reason": r.late_reason,
            }
            for r in rows
        ],
    )
    return out


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="会议列表")
@paginate(BoundedLimitOffsetPagination)
def list_meetings(request, filters: Query[MeetingFilter]):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    org = access_org(request.user, filters.org, need=Cap.MEMBER_VIEW) if filters.org else None
    return selectors.meeting_list(
        request.user,
        org=org,
        kind=filters.kind or "",
        status=filters.status or "",
        year=filters.year,
    )


@router.get(
    "/meetings/{int:meeting_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="会议详情（含应到人员及出席情况）",
)
def get_meeting(request, meeting_id: int):
    return _detail(selectors.access_meeting(request.user, meeting_id))


@router.post("/meetings", response={201: MeetingDetailOut, **ERRORS}, summary="安排会议")
def plan_meeting(request, payload: MeetingPlanIn):
    org = access_org(request.user, payload.org_id, need=Cap.MEMBER_MANAGE)
    people = {}
    for name in ("convener", "chair", "chair_delegated_by", "recorder"):
        member_id = getattr(payload, f"{name}_id")
        people[name] = access_member(request.user, member_id) if member_id else None
    meeting = services.meeting_plan(
        actor=request.user,
        org=org,
        kind=payload.kind,
        topic=payload.topic,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        place=payload.place,
        agenda=payload.agenda,
        **people,
    )
    return Status(201, _detail(meeting))


def _person(request, member_id):
    return access_member(request.user, member_id) if member_id else None


@router.patch(
    "/meetings/{int:meeting_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="修改计划召开的会议，或更正已归档会议（须说明原因）",
    description="计划召开的会议直接修改；已归档的会议经此更正，旧值、新值和原因留存；"
    "已召开未归档的会议返回 400（登记召开情况请用 POST /meetings/{id}/record）。",
)
def correct_meeting(request, meeting_id: int, payload: MeetingCorrectIn):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    values = payload.dict(exclude_unset=True)
    reason = values.pop("reason", "")
    changes = {}
    for name, value in values.items():
        if name.endswith("_id"):
            changes[name[:-3]] = _person(request, value)
        elif name in ("starts_at", "ends_at"):
            if value is None:
                raise AppError("请填写会议时间。", field=name)
            changes[name] = _aware(value)
        else:
            changes[name] = value
    if meeting.status == "planned":
        services.meeting_update(actor=request.user, meeting=meeting, **changes)
    else:
        services.meeting_correct(actor=request.user, meeting=meeting, reason=reason, **changes)
    meeting.refresh_from_db()
    return _detail(meeting)


@router.post(
    "/meetings/{int:meeting_id}/record",
    response={200: MeetingDetailOut, **ERRORS},
    summary="登记会议召开情况（出席、会议记录、主持人、记录人）",
)
def record_meeting(request, meeting_id: int, payload: MeetingRecordIn):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    attendance: dict[int, tuple[str, str]] = {}
    for row in payload.attendance:
        if row.member_id in attendance:
            raise AppError("同一人员重复登记。", field=f"status_{row.member_id}")
        attendance[row.member_id] = (row.status, row.reason)
    added = {row.member_id: row.reason for row in payload.added}
    meeting = services.meeting_record(
        actor=request.user,
        meeting=meeting,
        attendance=attendance,
        minutes=payload.minutes,
        chair=_person(request, payload.chair_id),
        recorder=_person(request, payload.recorder_id),
        chair_delegated_by=_person(request, payload.chair_delegated_by_id),
        added=added,
    )
    return _detail(meeting)


@router.get(
    "/compliance",
    response={200: list[ComplianceRowOut], **ERRORS},
    summary="组织生活合规情况（按组织、会议类型、周期）",
    description="该组织及其下级每个党支部、党小组应开展的各类会议在该年度各周期的状态。",
)
@paginate(BoundedLimitOffsetPagination)
def compliance_rows(request, filters: Query[ComplianceFilter]):
    org = access_org(request.user, filters.org, need=Cap.ORG_VIEW)
    today = timezone.localdate()
    year = filters.year or today.year
    grid = compliance.compliance_grid(org, year, today)
    return [
        {
            "org_id": row.org_id,
            "org_name": row.name,
            "org_kind": row.kind,
            "year": year,
            "kinds": [
                {
                    "kind": kind,
                    "kind_label": rules.KIND_LABELS[kind],
                    "periods": [
                        {"start": p.start, "end": p.end, "status": status}
                        for p, status in zip(grid.periods[kind], statuses, strict=True)
                    ],
                }
                for kind, statuses in row.cells.items()
            ],
        }
        for row in grid.rows
        if row.cells
    ]


@router.post("/sign-in", response={200: SignInOut, **ERRORS}, summary="会议签到")
def sign_in(request, payload: SignInIn):
    row = services.sign_in(user=request.user, code=payload.code, late_reason=payload.late_reason)
    return {
        "meeting_id": row.meeting_id,
        "topic": row.meeting.topic,
        "signed_in_at": row.signed_in_at,
        "late_reason": row.late_reason,
    }
