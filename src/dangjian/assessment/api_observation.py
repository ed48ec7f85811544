"""Observation meeting endpoints (/api/assessment/observations): the same selectors, access
functions and services as the pages.

- managers (ASSESS_MANAGE on the meeting's owner): the list and a meeting's detail;
- a judge: his assignments (`/mine`, `/{id}/sheets`), one item's score (PUT, saved at once;
  the phone page's queue resends it), one overall score when the meeting has no sheet, and
  the submission of a stop's sheet;
- managers and judges: the ranking (judge-by-judge totals for managers only).
Everyone else gets 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.assessment import selectors_observation as sel
from dangjian.assessment import services_observation as services
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS

router = Router(tags=["考核评比"])


class ObservationMeetingOut(Schema):
    id: int
    title: str
    theme: str
    starts_at: dt.datetime
    place: str
    status: str = Field(description="planned 筹备中 / live 进行中 / closed 已结束")
    owner_id: int
    owner_name: str
    sheet_id: int | None
    contest_id: int | None
    trim_min_judges: int
    outlier_points: Decimal

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj["owner_name"] if isinstance(obj, dict) else obj.owner.name


class ObsStopOut(Schema):
    id: int
    order: int
    org_id: int
    org_name: str
    place: str
    show_kind: str = Field(description="board 展板 / room 阵地 / activity 现场活动 / archive 档案")
    shows: str
    planned_minutes: int
    arrives_at: dt.datetime = Field(description="按开始时间和前面各站计划时长推算")


class ObsJudgeOut(Schema):
    id: int
    user_id: int
    name: str
    affiliation: str
    stop_ids: list[int]


class ObsMeetingDetailOut(ObservationMeetingOut):
    purpose: str
    sign_in_code: str
    conclusions: str
    participants: int
    signed_in: int
    stops: list[ObsStopOut]
    judges: list[ObsJudgeOut]


class ObsItemPointsOut(Schema):
    indicator_id: int
    points: Decimal


class ObsCardOut(Schema):
    stop_id: int
    order: int
    org_name: str
    place: str
    total: Decimal | None = Field(description="本评委该点位的得分；尚未评分为空")
    submitted: bool
    items: list[ObsItemPointsOut]


class ObsIndicatorOut(Schema):
    id: int
    code: str
    title: str
    max_points: Decimal
    heading: str = Field(description="所属类别")
    guidance: str


class ObsSheetsOut(Schema):
    meeting_id: int
    title: str
    status: str
    judge_id: int
    has_sheet: bool = Field(description="false：不设评分项，每个点位给一个总分（0—100）")
    sheet_max: Decimal
    indicators: list[ObsIndicatorOut]
    stops: list[ObsCardOut]


class ObsAssignmentOut(Schema):
    meeting_id: int
    title: str
    starts_at: dt.datetime
    status: str
    judge_id: int
    stop_ids: list[int]


class ObsScoreIn(Schema):
    points: Decimal = Field(..., description="得分，0至该项分值，最多两位小数")


class ObsSubmitIn(Schema):
    comment: str = Field("", max_length=500, description="评语（可选）")


class ObsItemSavedOut(Schema):
    stop_id: int
    indicator_id: int
    points: Decimal
    sheet_total: Decimal
    submitted: bool


class ObsSheetStateOut(Schema):
    stop_id: int
    total: Decimal
    submitted: bool
    submitted_at: dt.datetime | None


class ObsRankOut(Schema):
    rank: int
    org_id: int
    org_name: str
    score: Decimal = Field(description="各点位得分的平均（百分制）")
    stops: int


class ObsJudgeTotalOut(Schema):
    judge_id: int
    judge_name: str
    total: Decimal
    outlier: Decimal | None = Field(description="偏离其他评委的分值（有提示时）")


class ObsStopResultOut(Schema):
    stop_id: int
    order: int
    org_name: str
    place: str
    score: Decimal | None
    trimmed: bool = Field(description="是否去掉一个最高分、一个最低分")
    judges_assigned: int
    judges_submitted: int
    in_progress: int = Field(description="已开始评分但未提交的评分表数")
    totals: list[ObsJudgeTotalOut] = Field(description="各评委总分（仅会议管理者可见）")


class ObsRankingOut(Schema):
    meeting_id: int
    status: str
    units: list[ObsRankOut]
    stops: list[ObsStopResultOut]
    unsubmitted: int


class ObsListFilter(Schema):
    status: Literal["planned", "live", "closed"] | None = None
    year: int | None = Field(None, ge=2000, le=2200)


# ---------------------------------------------------------------------------------- managers


@router.get("", response={200: list[ObservationMeetingOut], **ERRORS}, summary="现场观摩会列表")
@paginate(BoundedLimitOffsetPagination)
def list_observations(request, filters: Query[ObsListFilter]):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    return sel.observation_list(request.user, status=filters.status or "", year=filters.year)


@router.get(
    "/mine",
    response={200: list[ObsAssignmentOut], **ERRORS},
    summary="我担任评委的观摩会及负责的点位",
)
def my_assignments(request):
    return [
        {
            "meeting_id": judge.meeting.pk,
            "title": judge.meeting.title,
            "starts_at": judge.meeting.starts_at,
            "status": judge.meeting.status,
            "judge_id": judge.pk,
            "stop_ids": sorted(s.pk for s in judge.stops.all()),
        }
        for judge in sel.my_judgeships(request.user)
    ]


@router.get(
    "/{int:meeting_id}",
    response={200: ObsMeetingDetailOut, **ERRORS},
    summary="观摩会详情（路线、评委、参会人数）",
)
def get_observation(request, meeting_id: int):
    meeting = sel.access_observation(request.user, meeting_id)
    counts = sel.participant_counts(meeting)
    judges = sel.judges_of(meeting)
    plain = ("purpose", "sign_in_code", "conclusions", *ObservationMeetingOut.model_fields)
    return {
        **{name: getattr(meeting, name) for name in plain if name != "owner_name"},
        "owner_name": meeting.owner.name,
        "participants": counts.total,
        "signed_in": counts.signed_in,
        "stops": [
            {
                "id": r.stop.pk,
                "order": r.stop.order,
                "org_id": r.stop.org_id,
                "org_name": r.stop.org.name,
                "place": r.stop.place,
                "show_kind": r.stop.show_kind,
                "shows": r.stop.shows,
                "planned_minutes": r.stop.planned_minutes,
                "arrives_at": r.arrives_at,
            }
            for r in sel.route_of(meeting)
        ],
        "judges": [
            {
                "id": j.pk,
                "user_id": j.user_id,
                "name": j.name,
                "affiliation": j.affiliation,
                "stop_ids": [s.pk for s in j.assigned],
            }
            for j in judges
        ],
    }


# ---------------------------------------------------------------------------------- judges


def _judge_meeting(request, meeting_id):
    meeting = sel.access_observation(request.user, meeting_id, allow=(sel.JUDGE,))
    return meeting, meeting.viewer.judge


@router.get(
    "/{int:meeting_id}/sheets",
    response={200: ObsSheetsOut, **ERRORS},
    summary="评委：我的评分表（负责的点位、评分项、已评分数）",
)
def my_sheets(request, meeting_id: int):
    meeting, judge = _judge_meeting(request, meeting_id)
    return {
        "meeting_id": meeting.pk,
        "title": meeting.title,
        "status": meeting.status,
        "judge_id": judge.pk,
        "has_sheet": meeting.sheet_id is not None,
        "sheet_max": sel.sheet_max(meeting),
        "indicators": [
            {
                "id": line.indicator.pk,
                "code": line.indicator.code,
                "title": line.indicator.title,
                "max_points": line.indicator.max_points,
                "heading": line.heading,
                "guidance": line.indicator.guidance,
            }
            for line in sel.sheet_lines(meeting.sheet_id)
        ],
        "stops": [
            {
                "stop_id": card.stop.pk,
                "order": card.stop.order,
                "org_name": card.stop.org.name,
                "place": card.stop.place,
                "total": card.sheet.total if card.sheet else None,
                "submitted": card.submitted,
                "items": [{"indicator_id": k, "points": v} for k, v in card.points.items()],
            }
            for card in sel.judge_cards(judge)
        ],
    }


@router.put(
    "/{int:meeting_id}/stops/{int:stop_id}/items/{int:indicator_id}",
    response={200: ObsItemSavedOut, **ERRORS},
    summary="评委：保存一个评分项的得分（重复提交同一分值无副作用）",
    description="只能为分配给自己的点位评分，观摩会须在进行中，得分在0至该项分值之间；"
    "不符合时返回 400 和中文说明，不写入任何数据。",
)
def save_item(request, meeting_id: int, stop_id: int, indicator_id: int, payload: ObsScoreIn):
    meeting, _judge = _judge_meeting(request, meeting_id)
    stop = sel.access_stop(meeting, stop_id)
    indicator = sel.sheet_indicator(meeting, indicator_id)
    if indicator is None:
        raise AppError("该评分项不属于本次观摩会的评分表。", field="indicator")
    item = services.score_item_save(
        actor=request.user, stop=stop, indicator=indicator, points=payload.points
    )
    return {
        "stop_id": stop.pk,
        "indicator_id": indicator.pk,
        "points": item.points,
        "sheet_total": item.sheet.total,
        "submitted": item.sheet.submitted_at is not None,
    }


def _sheet_state(stop, sheet) -> dict:
    return {
        "stop_id": stop.pk,
        "total": sheet.total,
        "submitted": sheet.submitted_at is not None,
        "submitted_at": sheet.submitted_at,
    }


@router.put(
    "/{int:meeting_id}/stops/{int:stop_id}/overall",
    response={200: ObsSheetStateOut, **ERRORS},
    summary="评委：不设评分项时，保存对该点位的总分（0—100）",
)
def save_overall(request, meeting_id: int, stop_id: int, payload: ObsScoreIn):
    meeting, _judge = _judge_meeting(request, meeting_id)
    stop = sel.access_stop(meeting, stop_id)
    sheet = services.score_overall_save(actor=request.user, stop=stop, points=payload.points)
    return _sheet_state(stop, sheet)


@router.post(
    "/{int:meeting_id}/stops/{int:stop_id}/submit",
    response={200: ObsSheetStateOut, **ERRORS},
    summary="评委：确认提交该点位的评分（须全部评分项已评分；提交后计入排名，不能再改）",
)
def submit_sheet(request, meeting_id: int, stop_id: int, payload: ObsSubmitIn):
    meeting, _judge = _judge_meeting(request, meeting_id)
    stop = sel.access_stop(meeting, stop_id)
    comment = payload.comment or None
    sheet = services.sheet_submit(actor=request.user, stop=stop, comment=comment)
    return _sheet_state(stop, sheet)


# ---------------------------------------------------------------------------------- ranking


@router.get(
    "/{int:meeting_id}/ranking",
    response={200: ObsRankingOut, **ERRORS},
    summary="观摩会排名（单位按各点位得分平均排名；各点位评分进度）",
)
def ranking(request, meeting_id: int):
    meeting = sel.access_observation(request.user, meeting_id, allow=(sel.MANAGE, sel.JUDGE))
    manage = meeting.viewer.manage
    rows = sel.results_of(meeting)
    return {
        "meeting_id": meeting.pk,
        "status": meeting.status,
        "units": [
            {
                "rank": r.rank,
                "org_id": r.org.pk,
                "org_name": r.org.name,
                "score": r.score,
                "stops": r.stops,
            }
            for r in sel.ranking_of(meeting, rows)
        ],
        "stops": [
            {
                "stop_id": row.stop.pk,
                "order": row.stop.order,
                "org_name": row.stop.org.name,
                "place": row.stop.place,
                "score": row.result.score,
                "trimmed": row.trimmed,
                "judges_assigned": row.assigned,
                "judges_submitted": row.submitted,
                "in_progress": row.in_progress,
                "totals": [
                    {
                        "judge_id": s.judge.pk,
                        "judge_name": s.judge.name,
                        "total": s.total,
                        "outlier": s.outlier,
                    }
                    for s in row.scores
                ]
                if manage
                else [],
            }
            for row in rows
        ],
        "unsubmitted": sel.unsubmitted_count(rows),
    }
