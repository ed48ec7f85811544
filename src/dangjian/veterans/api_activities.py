"""老干部服务 endpoints of the activities under /api/veterans: 银龄志愿服务队 and their
activities, studios (老党员工作室, 老党员之家), care sessions (健康顾问, 智慧助老), exemplars and
their mediation cases (list, detail, create), and the overview. The same selectors, access
functions and services as the pages: veterans.manage on the row's node (the unit's admins
and the 工委); outsiders get 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import selectors_overview as ov
from dangjian.veterans import services_activities as sa
from dangjian.veterans.api_activities_places import router as places_router

router = Router(tags=["老干部服务：志愿服务、工作室与典型"])
router.add_router("", places_router)

Text = Field("", max_length=200)


def _manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


def _retiree(user, pk, field: str, label: str):
    if pk is None:
        return None
    found = sel.retiree_for(user, pk)
    if found is None:
        raise AppError(f"请选择有效的{label}。", field=field)
    return found


class VetActSearch(Schema):
    q: str = Field("", max_length=50, description="搜索")


# ---------------------------------------------------------------------------------------------
# Teams and activities


class VetActTeamOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    focus: str
    founded_on: dt.date
    leader_id: int | None
    disbanded_on: dt.date | None
    member_count: int = 0
    activity_count: int = 0

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class VetActMemberOut(Schema):
    id: int
    retiree_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.retiree.name


class VetActTeamDetailOut(VetActTeamOut):
    members: list[VetActMemberOut]
    hours: Decimal = Field(description="服务时长合计（人均时长×参与人数）")
    beneficiaries: int


class VetActTeamFilter(VetActSearch):
    status: Literal["live", "disbanded", "all"] = "live"


class VetActTeamIn(Schema):
    org: int = Field(ge=1, le=2**62, description="所属组织")
    name: str = Field(max_length=100)
    focus: str = Field("", max_length=200)
    founded_on: dt.date
    leader: int | None = Field(None, ge=1, le=2**62, description="队长（离退休干部）")


class VetActActivityOut(Schema):
    id: int
    team_id: int
    team_name: str
    title: str
    held_on: dt.date
    place: str
    resource: str
    hours: Decimal
    participant_count: int = 0
    beneficiaries: int
    summary: str

    @staticmethod
    def resolve_team_name(obj) -> str:
        return obj.team.name


class VetActActivityDetailOut(VetActActivityOut):
    participants: list[str]

    @staticmethod
    def resolve_participants(obj) -> list[str]:
        return obj.participant_names


class VetActActivityFilter(VetActSearch):
    team: int | None = Field(None, ge=1, le=2**62)
    resource: Literal["", "red", "silver", "gold"] = ""
    year: int | None = Field(None, ge=2000, le=2100)


class VetActActivityIn(Schema):
    title: str = Field(max_length=200)
    held_on: dt.date
    hours: Decimal = Field(description="人均服务时长（小时），大于0且不超过24")
    participants: list[int] = Field(max_length=500, description="参与队员（离退休干部 id）")
    beneficiaries: int = Field(0, ge=0, le=1_000_000)
    place: str = Field("", max_length=100)
    resource: Literal["red", "silver", "gold"] = "silver"
    summary: str = Field("", max_length=5000)


@router.get("/teams", response={200: list[VetActTeamOut], **ERRORS}, summary="银龄志愿服务队")
@paginate(BoundedLimitOffsetPagination)
def list_teams(request, filters: Query[VetActTeamFilter]):
    _manager(request)
    return sel.team_list(request.user, status=filters.status, q=filters.q)


@router.get(
    "/teams/{team_id}",
    response={200: VetActTeamDetailOut, **ERRORS},
    summary="服务队详情",
)
def get_team(request, team_id: int):
    team = sel.access_team(request.user, team_id)
    figures = sel.team_figures([team])[team.pk]
    members = sel.live_members(team)
    team.member_count = len(members)
    team.activity_count = team.activities.count()
    team.members = members
    team.hours = figures["hours"]
    team.beneficiaries = figures["beneficiaries"]
    return team


@router.post("/teams", response={201: VetActTeamOut, **ERRORS}, summary="新建服务队")
def create_team(request, payload: VetActTeamIn):
    org = sel.access_org_for(request.user, payload.org)
    team = sa.team_create(
        actor=request.user,
        org=org,
        name=payload.name,
        focus=payload.focus,
        founded_on=payload.founded_on,
        leader=_retiree(request.user, payload.leader, "leader", "队长"),
    )
    team.member_count = 1 if team.leader_id else 0
    return Status(201, team)


@router.get(
    "/activities", response={200: list[VetActActivityOut], **ERRORS}, summary="志愿服务活动"
)
@paginate(BoundedLimitOffsetPagination)
def list_activities(request, filters: Query[VetActActivityFilter]):
    _manager(request)
    team = sel.access_team(request.user, filters.team) if filters.team else None
    return sel.activity_list(
        request.user, team=team, resource=filters.resource, year=filters.year, q=filters.q
    )


@router.get(
    "/activities/{activity_id}",
    response={200: VetActActivityDetailOut, **ERRORS},
    summary="志愿服务活动详情",
)
def get_activity(request, activity_id: int):
    activity = sel.access_activity(request.user, activity_id)
    activity.participant_names = sel.participants_for([activity]).get(activity.pk, [])
    activity.participant_count = len(activity.participant_names)
    return activity


@router.post(
    "/teams/{team_id}/activities",
    response={201: VetActActivityDetailOut, **ERRORS},
    summary="记录志愿服务活动",
    description="参与队员须为活动当日的本队队员；人均时长大于0且不超过24小时；日期不晚于今天。",
)
def create_activity(request, team_id: int, payload: VetActActivityIn):
    team = sel.access_team(request.user, team_id)
    people = sel.team_retirees(team, payload.participants)
    if len(people) != len(set(payload.participants)):
        raise AppError("参与队员须为本队队员。", field="participants")
    data = payload.model_dump()
    data.pop("participants")
    activity = sa.volunteer_activity_record(
        actor=request.user, team=team, participants=people, **data
    )
    activity.participant_names = sorted(p.name for p in people)
    activity.participant_count = len(people)
    return Status(201, activity)


# ---------------------------------------------------------------------------------------------
# Overview


class VetActFiguresOut(Schema):
    teams: int
    team_members: int
    activities: int
    hours: Decimal
    beneficiaries: int
    studios: int
    homes: int
    studio_activities: int
    studio_attendance: int
    care_health: int
    care_health_served: int
    care_smart: int
    care_smart_served: int
    exemplars: int
    cases: int
    cases_resolved: int
    red: int
    silver: int
    gold: int
    requests: int
    requests_in_time: int
    requests_late: int
    requests_open: int
    requests_overdue: int
    pairings: int
    contacts: int


class VetActUnitOut(Schema):
    org_id: int | None
    name: str
    figures: VetActFiguresOut


class VetActOverviewOut(Schema):
    year: int | None
    contact_year: int
    total: VetActFiguresOut
    units: list[VetActUnitOut]


class VetActOverviewFilter(Schema):
    unit: int | None = Field(None, ge=1, le=2**62, description="单位（党组）id")
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/overview", response={200: VetActOverviewOut, **ERRORS}, summary="老干部工作总览")
def get_overview(request, filters: Query[VetActOverviewFilter]):
    _manager(request)
    tops = ov.unit_tops(request.user)
    org = None
    if filters.unit:
        org = next((t for t in tops if t.pk == filters.unit), None)
        if org is None:
            raise deny()
    result = ov.overview(request.user, timezone.localdate(), org=org, year=filters.year)
    return {
        "year": result.year,
        "contact_year": result.contact_year,
        "total": result.total,
        "units": [
            {"org_id": r.org.pk if r.org else None, "name": r.name, "figures": r.figures}
            for r in result.rows
        ],
    }
