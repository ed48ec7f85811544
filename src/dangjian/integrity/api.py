"""清廉机关 endpoints: the same selectors, access functions and services as the pages.

Risk points and sessions are read with member.view and written with integrity.manage on the
org; "my commitment" needs only the caller's member link; the coverage figures member.view
on the org. Outsiders get 404."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.integrity import selectors as sel
from dangjian.integrity import services
from dangjian.members.api import ERRORS
from dangjian.members.selectors import access_member
from dangjian.orgs.selectors import access_org

router = Router(tags=["清廉机关"])

Level = Literal["high", "medium", "low"]
OrgId = Field(None, ge=1, le=2**62, description="只看该组织及其下级")
Year = Field(None, ge=2000, le=2200, description="年度")


class RiskPointOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    post: str
    risk: str
    level: str = Field(description="high 高 / medium 中 / low 低")
    level_label: str
    measures: str
    owner_name: str
    owner_id: int | None
    retired_on: dt.date | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()


class RiskPointFilter(Schema):
    org: int | None = OrgId
    year: int | None = Year
    level: Level | None = None
    q: str = Field("", max_length=50, description="搜索岗位或风险描述")
    status: Literal["active", "retired", "all"] = Field(
        "active", description="active 在用 / retired 已停用 / all 全部"
    )


class RiskPointIn(Schema):
    org_id: int = Field(..., ge=1, le=2**62)
    year: int = Field(..., ge=2000, le=2200)
    post: str = Field(..., max_length=100, description="岗位")
    risk: str = Field(..., max_length=2000, description="风险描述")
    level: Level
    measures: str = Field(..., max_length=5000, description="防控措施")
    owner_name: str = Field("", max_length=50, description="责任人（不填 owner_id 时必填）")
    owner_id: int | None = Field(None, ge=1, le=2**62, description="责任人（党员），姓名自动带出")


class SessionOut(Schema):
    id: int
    org_id: int
    org_name: str
    held_on: dt.date
    title: str
    form: str
    form_label: str
    meeting_id: int | None
    attendees: int
    note: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_form_label(obj) -> str:
        return obj.get_form_display()


class SessionFilter(Schema):
    org: int | None = OrgId
    year: int | None = Year


class CommitmentOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    org_name: str
    year: int
    signed_on: dt.date
    text: str

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class SignIn(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="年度，只能是本年度（默认）")


class CoverageRowOut(Schema):
    org_id: int | None = Field(description="下级组织；null 为本级")
    org_name: str
    members: int
    signed: int
    rate: float | None = Field(description="签订率（%），无党员时为 null")
    risks_high: int
    risks_medium: int
    risks_low: int
    sessions: int
    person_times: int


class CoverageOut(Schema):
    org_id: int
    org_name: str
    year: int
    roster_day: dt.date
    total: CoverageRowOut
    rows: list[CoverageRowOut]


class CoverageFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可见范围的最上级")
    year: int | None = Field(None, ge=2000, le=2200, description="年度，默认今年")


def _row(row, org=None) -> dict:
    org = org if org is not None else row.org
    rate = row.rate
    return {
        "org_id": org.pk if org is not None else None,
        "org_name": org.name if org is not None else row.name,
        "members": row.members,
        "signed": row.signed,
        "rate": float(rate) if rate is not None else None,
        "risks_high": row.high,
        "risks_medium": row.medium,
        "risks_low": row.low,
        "sessions": row.sessions,
        "person_times": row.person_times,
    }


def _readable(request) -> None:
    if not has_cap_anywhere(request.user, sel.READ):
        raise deny()


@router.get("/risk-points", response={200: list[RiskPointOut], **ERRORS}, summary="廉政风险点列表")
@paginate(BoundedLimitOffsetPagination)
def list_risk_points(request, filters: Query[RiskPointFilter]):
    _readable(request)
    org = access_org(request.user, filters.org, need=sel.READ) if filters.org else None
    return sel.risk_point_list(
        request.user,
        org=org,
        year=filters.year,
        level=filters.level or "",
        q=filters.q,
        status="" if filters.status == "all" else filters.status,
    )


@router.post("/risk-points", response={201: RiskPointOut, **ERRORS}, summary="登记廉政风险点")
def create_risk_point(request, payload: RiskPointIn):
    org = access_org(request.user, payload.org_id, need=sel.MANAGE)
    owner = access_member(request.user, payload.owner_id) if payload.owner_id else None
    point = services.risk_point_create(
        actor=request.user,
        org=org,
        year=payload.year,
        post=payload.post,
        risk=payload.risk,
        level=payload.level,
        measures=payload.measures,
        owner_name=payload.owner_name,
        owner=owner,
    )
    return Status(201, point)


@router.get("/sessions", response={200: list[SessionOut], **ERRORS}, summary="警示教育列表")
@paginate(BoundedLimitOffsetPagination)
def list_sessions(request, filters: Query[SessionFilter]):
    _readable(request)
    org = access_org(request.user, filters.org, need=sel.READ) if filters.org else None
    return sel.session_list(request.user, org=org, year=filters.year)


@router.get(
    "/commitments/my",
    response={200: list[CommitmentOut], **ERRORS},
    summary="我的廉洁承诺（历年）",
)
def my_commitments(request):
    if sel.my_member(request.user) is None:
        raise deny()
    return sel.my_commitments(request.user)


@router.post(
    "/commitments/my",
    response={201: CommitmentOut, **ERRORS},
    summary="签订本人本年度廉洁承诺",
    description="调用者须关联党员；每人每年一次，重复签订返回 400。",
)
def sign_my_commitment(request, payload: SignIn):
    if sel.my_member(request.user) is None:
        raise deny()
    commitment = services.commitment_sign(actor=request.user, year=payload.year)
    return Status(201, commitment)


@router.get(
    "/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="清廉机关统计：各单位廉洁承诺签订率、风险点、警示教育",
)
def coverage(request, filters: Query[CoverageFilter]):
    _readable(request)
    org = sel.org_from(request.user, filters.org)
    year = filters.year or timezone.localdate().year
    if sel.parse_year(year) is None:
        raise AppError("年度无效。", field="year")
    overview = sel.coverage(request.user, year, org)
    return {
        "org_id": org.pk,
        "org_name": org.name,
        "year": year,
        "roster_day": overview.day,
        "total": _row(overview.total, org),
        "rows": [_row(r) for r in overview.rows],
    }
