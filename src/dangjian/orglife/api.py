"""Organisational-life endpoints: the same selectors, access functions and services as the
pages. Lists and details need member.view on the meeting's org, planning member.manage;
sign-in needs only the caller's own place on the meeting's roster."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS
from dangjian.members.selectors import access_member
from dangjian.orglife import selectors, services
from dangjian.orgs.selectors import access_org

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


@router.post("/sign-in", response={200: SignInOut, **ERRORS}, summary="会议签到")
def sign_in(request, payload: SignInIn):
    row = services.sign_in(user=request.user, code=payload.code, late_reason=payload.late_reason)
    return {
        "meeting_id": row.meeting_id,
        "topic": row.meeting.topic,
        "signed_in_at": row.signed_in_at,
        "late_reason": row.late_reason,
    }
