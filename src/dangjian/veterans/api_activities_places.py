"""老干部服务 endpoints of the studios (老党员工作室, 老党员之家), the care sessions (健康顾问,
智慧助老), the exemplars and their mediation cases (list, detail, create), mounted under
/api/veterans by api_activities.py. Same access rules: veterans.manage on the row's node;
outsiders get 404."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import services_activities_care as sc

router = Router(tags=["老干部服务：志愿服务、工作室与典型"])


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


class VetActPlaceSearch(Schema):
    q: str = Field("", max_length=50, description="搜索")


# ---------------------------------------------------------------------------------------------
# Studios


class VetActStudioOut(Schema):
    id: int
    org_id: int
    kind: str
    name: str
    leader_id: int | None
    leader_name: str
    place: str
    opened_on: dt.date
    note: str

    @staticmethod
    def resolve_leader_name(obj) -> str:
        return obj.leader.name if obj.leader_id else ""


class VetActStudioActivityOut(Schema):
    id: int
    title: str
    held_on: dt.date
    resource: str
    attendance: int
    summary: str


class VetActStudioDetailOut(VetActStudioOut):
    activities: list[VetActStudioActivityOut]

    @staticmethod
    def resolve_activities(obj) -> list:
        return obj.activities_list


class VetActStudioFilter(VetActPlaceSearch):
    kind: Literal["", "studio", "home"] = ""


class VetActStudioIn(Schema):
    org: int = Field(ge=1, le=2**62)
    kind: Literal["studio", "home"]
    name: str = Field(max_length=100)
    opened_on: dt.date
    leader: int | None = Field(None, ge=1, le=2**62)
    place: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)


@router.get(
    "/studios", response={200: list[VetActStudioOut], **ERRORS}, summary="老党员工作室（之家）"
)
@paginate(BoundedLimitOffsetPagination)
def list_studios(request, filters: Query[VetActStudioFilter]):
    _manager(request)
    return sel.studio_list(request.user, kind=filters.kind, q=filters.q)


@router.get(
    "/studios/{studio_id}",
    response={200: VetActStudioDetailOut, **ERRORS},
    summary="工作室详情（含最近100次活动）",
)
def get_studio(request, studio_id: int):
    studio = sel.access_studio(request.user, studio_id)
    studio.activities_list = list(sel.studio_activities(studio)[:100])
    return studio


@router.post("/studios", response={201: VetActStudioOut, **ERRORS}, summary="登记工作室（之家）")
def create_studio(request, payload: VetActStudioIn):
    org = sel.access_org_for(request.user, payload.org)
    data = payload.model_dump()
    data.pop("org")
    data["leader"] = _retiree(request.user, data.pop("leader"), "leader", "领衔老党员")
    return Status(201, sc.studio_create(actor=request.user, org=org, **data))


# ---------------------------------------------------------------------------------------------
# Care sessions


class VetActCareOut(Schema):
    id: int
    org_id: int
    kind: str
    title: str
    held_on: dt.date
    partner: str
    advisers: str
    place: str
    served: int
    summary: str


class VetActCareFilter(VetActPlaceSearch):
    kind: Literal["", "health", "smart"] = ""
    year: int | None = Field(None, ge=2000, le=2100)


class VetActCareIn(Schema):
    org: int = Field(ge=1, le=2**62)
    kind: Literal["health", "smart"]
    title: str = Field(max_length=200)
    held_on: dt.date
    partner: str = Field("", max_length=100)
    advisers: str = Field("", max_length=200)
    place: str = Field("", max_length=100)
    served: int = Field(0, ge=0, le=1_000_000)
    summary: str = Field("", max_length=5000)


@router.get(
    "/care-sessions", response={200: list[VetActCareOut], **ERRORS}, summary="健康顾问与智慧助老"
)
@paginate(BoundedLimitOffsetPagination)
def list_care(request, filters: Query[VetActCareFilter]):
    _manager(request)
    return sel.care_list(request.user, kind=filters.kind, year=filters.year, q=filters.q)


@router.get(
    "/care-sessions/{session_id}",
    response={200: VetActCareOut, **ERRORS},
    summary="健康顾问与智慧助老详情",
)
def get_care(request, session_id: int):
    return sel.access_care_session(request.user, session_id)


@router.post(
    "/care-sessions", response={201: VetActCareOut, **ERRORS}, summary="记录健康顾问与智慧助老"
)
def create_care(request, payload: VetActCareIn):
    org = sel.access_org_for(request.user, payload.org)
    data = payload.model_dump()
    data.pop("org")
    return Status(201, sc.care_session_record(actor=request.user, org=org, **data))


# ---------------------------------------------------------------------------------------------
# Exemplars and cases


class VetActExemplarOut(Schema):
    id: int
    retiree_id: int
    name: str
    title: str
    named_on: dt.date
    story: str
    case_count: int = 0
    resolved: int = 0

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.retiree.name


class VetActCaseOut(Schema):
    id: int
    exemplar_id: int
    handled_on: dt.date
    place: str
    matter: str
    parties: int
    outcome: str
    summary: str


class VetActExemplarIn(Schema):
    retiree: int = Field(ge=1, le=2**62)
    title: str = Field(max_length=50)
    named_on: dt.date
    story: str = Field(max_length=10000)


class VetActCaseIn(Schema):
    handled_on: dt.date
    matter: str = Field(max_length=200)
    outcome: Literal["resolved", "partly", "failed", "ongoing"]
    place: str = Field("", max_length=100)
    parties: int = Field(2, ge=2, le=1000)
    summary: str = Field("", max_length=5000)


class VetActCaseFilter(VetActPlaceSearch):
    exemplar: int | None = Field(None, ge=1, le=2**62)
    outcome: Literal["", "resolved", "partly", "failed", "ongoing"] = ""


@router.get(
    "/exemplars",
    response={200: list[VetActExemplarOut], **ERRORS},
    summary="先进典型",
)
@paginate(BoundedLimitOffsetPagination)
def list_exemplars(request, filters: Query[VetActPlaceSearch]):
    _manager(request)
    return sel.exemplar_list(request.user, q=filters.q)


@router.get(
    "/exemplars/{exemplar_id}", response={200: VetActExemplarOut, **ERRORS}, summary="先进典型详情"
)
def get_exemplar(request, exemplar_id: int):
    exemplar = sel.access_exemplar(request.user, exemplar_id)
    return sel.exemplar_list(request.user).get(pk=exemplar.pk)


@router.post("/exemplars", response={201: VetActExemplarOut, **ERRORS}, summary="登记先进典型")
def create_exemplar(request, payload: VetActExemplarIn):
    _manager(request)
    retiree = _retiree(request.user, payload.retiree, "retiree", "离退休干部")
    data = payload.model_dump()
    data.pop("retiree")
    return Status(201, sc.exemplar_create(actor=request.user, retiree=retiree, **data))


@router.get("/cases", response={200: list[VetActCaseOut], **ERRORS}, summary="调解案例")
@paginate(BoundedLimitOffsetPagination)
def list_cases(request, filters: Query[VetActCaseFilter]):
    _manager(request)
    exemplar = sel.access_exemplar(request.user, filters.exemplar) if filters.exemplar else None
    return sel.case_list(request.user, exemplar=exemplar, outcome=filters.outcome, q=filters.q)


@router.get("/cases/{case_id}", response={200: VetActCaseOut, **ERRORS}, summary="调解案例详情")
def get_case(request, case_id: int):
    return sel.access_case(request.user, case_id)


@router.post(
    "/exemplars/{exemplar_id}/cases",
    response={201: VetActCaseOut, **ERRORS},
    summary="记录调解案例",
)
def create_case(request, exemplar_id: int, payload: VetActCaseIn):
    exemplar = sel.access_exemplar(request.user, exemplar_id)
    return Status(
        201, sc.mediation_case_record(actor=request.user, exemplar=exemplar, **payload.model_dump())
    )
