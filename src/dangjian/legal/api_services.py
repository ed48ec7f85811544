"""Legal-services endpoints under /api/legal: firms, lawyers (the masked phone only, never the
sealed one), village lawyers and their coverage, advisers and their coverage by level, legal
aid cases (list with time-limit state, create, accept / refuse / assign / close) and
activities. The same selectors, access functions and services as the pages: legal.manage is
needed (unit administrators and the 工委); outsiders get 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.legal import selectors_services as sel
from dangjian.legal import services_aid as sa
from dangjian.legal import services_villages as sv
from dangjian.members.api import ERRORS

router = Router(tags=["法律服务"])

Q = Query("", max_length=50, description="搜索")


def _manager(request):
    sel.require_manager(request.user)
    return request.user


class LegalSvcFirmOut(Schema):
    id: int
    org_id: int
    name: str
    licence_no: str
    district: str
    party_branch_id: int | None
    party_branch_name: str
    lawyer_count: int
    party_count: int

    @staticmethod
    def resolve_party_branch_name(obj) -> str:
        return obj.party_branch.name if obj.party_branch else ""


class LegalSvcLawyerOut(Schema):
    id: int
    firm_id: int
    firm_name: str
    name: str
    gender: str
    licence_no: str
    is_party_member: bool
    practising_since: dt.date | None
    phone_masked: str = Field(description="联系电话（掩码）；密文从不返回")
    is_active: bool

    @staticmethod
    def resolve_firm_name(obj) -> str:
        return obj.firm.name


class LegalSvcLawyerFilter(Schema):
    q: str = Field("", max_length=50, description="搜索姓名、执业证号或律所")
    party: bool | None = Field(None, description="只看党员 / 非党员")
    firm: int | None = Field(None, ge=1, le=2**62, description="律师事务所")


class LegalSvcCoverageOut(Schema):
    covered: int
    total: int
    percent: Decimal | None = Field(description="覆盖率（%），一位小数；无对象时为 null")


class LegalSvcVillageOut(Schema):
    community_id: int
    name: str
    kind: str
    district: str
    township: str
    covered: bool
    assignment_id: int | None
    lawyer_id: int | None
    lawyer_name: str
    started_on: dt.date | None
    service_count: int = Field(description="服务件（人）次")
    last_served_on: dt.date | None


class LegalSvcAssignIn(Schema):
    community_id: int = Field(ge=1, le=2**62)
    lawyer_id: int = Field(ge=1, le=2**62)
    started_on: dt.date | None = None


class LegalSvcAssignmentOut(Schema):
    id: int
    community_id: int
    lawyer_id: int
    started_on: dt.date
    ended_on: dt.date | None


class LegalSvcAdviserOut(Schema):
    id: int
    lawyer_id: int
    lawyer_name: str
    started_on: dt.date


class LegalSvcPostOut(Schema):
    id: int
    name: str
    level: str
    district: str
    covered: bool
    advisers: list[LegalSvcAdviserOut]


class LegalSvcCaseOut(Schema):
    id: int
    org_id: int
    case_no: str
    applicant: str = Field(description="申请人（掩码）")
    applicant_category: str
    matter: str
    applied_on: dt.date
    accepted_on: dt.date | None
    lawyer_id: int | None
    assigned_on: dt.date | None
    status: str
    outcome: str
    closed_on: dt.date | None
    limit_stage: str | None = Field(description="review 审查 / assign 指派 / null 已办结")
    limit_state: str = Field(description="on_time / due_soon / overdue / done")
    limit_due_on: dt.date | None


class LegalSvcCaseIn(Schema):
    org_id: int = Field(ge=1, le=2**62, description="单位（党组）")
    case_no: str = Field(max_length=40)
    applicant_name: str = Field(max_length=50)
    applicant_category: str = Field(max_length=12)
    matter: str = Field(max_length=200)
    applied_on: dt.date
    note: str = Field("", max_length=2000)


class LegalSvcCaseMoveIn(Schema):
    on: dt.date | None = Field(None, description="日期，缺省为今天")
    reason: str = Field("", max_length=2000, description="不予援助理由（refuse 必填）")
    lawyer_id: int | None = Field(None, ge=1, le=2**62, description="承办律师（assign 必填）")
    outcome: str = Field("", max_length=10, description="结果（close 必填）")


class LegalSvcActivityOut(Schema):
    id: int
    kind: str
    title: str
    held_on: dt.date
    place: str
    participants: int
    lawyer_count: int


def _case(c) -> dict:
    return {
        "id": c.pk,
        "org_id": c.org_id,
        "case_no": c.case_no,
        "applicant": c.applicant_masked,
        "applicant_category": c.applicant_category,
        "matter": c.matter,
        "applied_on": c.applied_on,
        "accepted_on": c.accepted_on,
        "lawyer_id": c.lawyer_id,
        "assigned_on": c.assigned_on,
        "status": c.status,
        "outcome": c.outcome,
        "closed_on": c.closed_on,
        "limit_stage": c.limit.stage,
        "limit_state": c.limit.state,
        "limit_due_on": c.limit.due_on,
    }


def _coverage(c) -> dict:
    return {"covered": c.covered, "total": c.total, "percent": c.percent}


class _VillagePagination(BoundedLimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = sel.decorate_villages(request.user, list(page[self.items_attribute]))
        page[self.items_attribute] = [
            {
                "community_id": c.pk,
                "name": c.name,
                "kind": c.kind,
                "district": c.district,
                "township": c.township,
                "covered": c.assignment is not None,
                "assignment_id": c.assignment.pk if c.assignment else None,
                "lawyer_id": c.assignment.lawyer_id if c.assignment else None,
                "lawyer_name": c.assignment.lawyer.name if c.assignment else "",
                "started_on": c.assignment.started_on if c.assignment else None,
                "service_count": c.logs.count,
                "last_served_on": c.logs.last_on,
            }
            for c in rows
        ]
        return page


class _PostPagination(BoundedLimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = sel.decorate_posts(request.user, list(page[self.items_attribute]))
        page[self.items_attribute] = [
            {
                "id": p.pk,
                "name": p.name,
                "level": p.level,
                "district": p.district,
                "covered": bool(p.live_advisers),
                "advisers": [
                    {
                        "id": a.pk,
                        "lawyer_id": a.lawyer_id,
                        "lawyer_name": a.lawyer.name,
                        "started_on": a.started_on,
                    }
                    for a in p.live_advisers
                ],
            }
            for p in rows
        ]
        return page


class _CasePagination(BoundedLimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        cases = sel.decorate_cases(page[self.items_attribute], timezone.localdate())
        page[self.items_attribute] = [_case(c) for c in cases]
        return page


@router.get("/firms", response={200: list[LegalSvcFirmOut], **ERRORS}, summary="律师事务所")
@paginate(BoundedLimitOffsetPagination)
def list_firms(request, q: str = Q):
    return sel.firm_list(_manager(request), q=sel.clean_q(q))


@router.get("/lawyers", response={200: list[LegalSvcLawyerOut], **ERRORS}, summary="律师")
@paginate(BoundedLimitOffsetPagination)
def list_lawyers(request, filters: Query[LegalSvcLawyerFilter]):
    return sel.lawyer_list(
        _manager(request), q=sel.clean_q(filters.q), party=filters.party, firm=filters.firm
    )


@router.get(
    "/villages",
    response={200: list[LegalSvcVillageOut], **ERRORS},
    summary="一村（社区）一律师：每个村（社区）及其驻点律师",
)
@paginate(_VillagePagination)
def list_villages(request, q: str = Q, covered: bool | None = None):
    return sel.village_list(_manager(request), q=sel.clean_q(q), covered=covered)


@router.get(
    "/villages/coverage",
    response={200: LegalSvcCoverageOut, **ERRORS},
    summary="一村（社区）一律师覆盖率",
)
def village_coverage(request):
    return _coverage(sel.village_coverage(_manager(request)))


@router.post(
    "/village-lawyers",
    response={201: LegalSvcAssignmentOut, **ERRORS},
    summary="指派驻村（社区）律师",
    description="同一律师重复指派到同一村（社区），或该村（社区）已有驻点律师时返回 400。",
)
def assign_village_lawyer(request, payload: LegalSvcAssignIn):
    user = _manager(request)
    community = sel.access_community(user, payload.community_id)
    lawyer = sel.access_lawyer(user, payload.lawyer_id)
    return Status(
        201,
        sv.village_lawyer_assign(
            actor=user, community=community, lawyer=lawyer, started_on=payload.started_on
        ),
    )


@router.get(
    "/advisers",
    response={200: list[LegalSvcPostOut], **ERRORS},
    summary="党委政府及其法律顾问",
)
@paginate(_PostPagination)
def list_advisers(
    request,
    level: Literal["city", "county", "township"] | None = None,
    covered: bool | None = None,
    q: str = Q,
):
    return sel.post_list(_manager(request), level=level or "", covered=covered, q=sel.clean_q(q))


@router.get(
    "/advisers/coverage",
    response={200: dict[str, LegalSvcCoverageOut], **ERRORS},
    summary="法律顾问覆盖率（city / county / township / all）",
)
def adviser_coverage(request):
    return {k: _coverage(c) for k, c in sel.adviser_coverage(_manager(request)).items()}


@router.get(
    "/aid-cases",
    response={200: list[LegalSvcCaseOut], **ERRORS},
    summary="法律援助案件（含时限情况）",
)
@paginate(_CasePagination)
def list_cases(
    request,
    status: Literal["applied", "accepted", "assigned", "closed", "refused"] | None = None,
    state: Literal["pending", "due_soon", "overdue"] | None = None,
    category: str = Query("", max_length=12),
    q: str = Q,
):
    return sel.case_list(
        _manager(request),
        status=status or "",
        state=state or "",
        category=category,
        q=sel.clean_q(q),
    )


@router.post(
    "/aid-cases",
    response={201: LegalSvcCaseOut, **ERRORS},
    summary="登记法律援助申请",
)
def create_case(request, payload: LegalSvcCaseIn):
    user = _manager(request)
    org = sel.access_unit(user, payload.org_id)
    data = payload.dict()
    data.pop("org_id")
    case = sa.aid_case_create(actor=user, org=org, **data)
    return Status(201, _case(sel.decorate_cases([case])[0]))


@router.post(
    "/aid-cases/{case_id}/{action}",
    response={200: LegalSvcCaseOut, **ERRORS},
    summary="法律援助案件办理：accept 受理 / refuse 不予援助 / assign 指派 / close 结案",
)
def move_case(
    request,
    case_id: int,
    action: Literal["accept", "refuse", "assign", "close"],
    payload: LegalSvcCaseMoveIn,
):
    user = _manager(request)
    case = sel.access_case(user, case_id)
    if action == "accept":
        case = sa.aid_case_accept(actor=user, case=case, accepted_on=payload.on)
    elif action == "refuse":
        case = sa.aid_case_refuse(
            actor=user, case=case, reason=payload.reason, decided_on=payload.on
        )
    elif action == "assign":
        lawyer = sel.access_lawyer(user, payload.lawyer_id) if payload.lawyer_id else None
        case = sa.aid_case_assign(actor=user, case=case, lawyer=lawyer, assigned_on=payload.on)
    else:
        case = sa.aid_case_close(
            actor=user, case=case, outcome=payload.outcome, closed_on=payload.on
        )
    return _case(sel.decorate_cases([case])[0])


@router.get(
    "/activities",
    response={200: list[LegalSvcActivityOut], **ERRORS},
    summary="普法与好律师活动",
)
@paginate(BoundedLimitOffsetPagination)
def list_activities(
    request,
    kind: Literal["pufa", "good_lawyer", "training"] | None = None,
    q: str = Q,
):
    return sel.activity_list(_manager(request), kind=kind or "", q=sel.clean_q(q))
