"""共同缔造 endpoints under /api/cocreation: the same selectors, access functions and services
as the pages. Everything here needs cocreation.manage on the pairing's unit (the unit's
administrators and the 工委); outsiders get 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.cocreation import selectors as sel
from dangjian.cocreation import services
from dangjian.core.access import deny
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS

router = Router(tags=["共同缔造"])

Id = Field(None, ge=1, le=2**62)


def _manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


class CocreationCadreOut(Schema):
    id: int
    name: str
    post: str
    member_id: int | None
    started_on: dt.date
    ended_on: dt.date | None


class CocreationPairingOut(Schema):
    id: int
    org_id: int
    org_name: str
    community_id: int
    community_name: str
    district: str
    township: str
    started_on: dt.date
    ended_on: dt.date | None
    is_pilot: bool
    note: str
    project_count: int
    open_problems: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.community.district

    @staticmethod
    def resolve_township(obj) -> str:
        return obj.community.township


class CocreationPairingFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="包联单位（党组）")
    district: str = Field("", max_length=50, description="县（市、区）")
    pilot: bool | None = Field(None, description="只看试点 / 非试点")
    status: Literal["live", "ended", "all"] = Field(
        "live", description="live 包联中 / ended 已结束 / all 全部"
    )
    q: str = Field("", max_length=50, description="搜索村（社区）或单位")


class CocreationMetricOut(Schema):
    id: int
    name: str
    unit: str
    target: Decimal
    achieved: Decimal = Field(description="已完成节点的完成量之和")
    percent: Decimal | None = Field(description="完成率（%），可超过100")


class CocreationMilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None
    metric_id: int | None
    amount: Decimal | None
    note: str


class CocreationProjectOut(Schema):
    id: int
    pairing_id: int
    org_name: str
    community_name: str
    title: str
    category: str
    status: str
    state: str = Field(description="planned / on_track / overdue / done / suspended")
    starts_on: dt.date
    due_on: dt.date | None
    finished_on: dt.date | None
    funds_planned: Decimal | None
    funds_raised: Decimal | None
    beneficiary_households: int | None
    beneficiary_people: int | None
    is_public: bool
    metrics: list[CocreationMetricOut]


class CocreationProjectDetailOut(CocreationProjectOut):
    goal: str
    milestones: list[CocreationMilestoneOut]


class CocreationProjectFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="包联单位（党组）")
    pairing: int | None = Field(None, ge=1, le=2**62, description="包联关系")
    status: Literal["planned", "ongoing", "done", "suspended"] | None = None
    category: (
        Literal["roads", "lighting", "industry", "environment", "services", "governance", "other"]
        | None
    ) = None
    district: str = Field("", max_length=50)
    pilot: bool | None = None
    q: str = Field("", max_length=50, description="搜索项目或村（社区）")


class CocreationMilestoneDoneIn(Schema):
    done_on: dt.date | None = Field(None, description="完成日期，默认今天，不能晚于今天")
    amount: Decimal | None = Field(
        None, ge=0, le=Decimal("9999999999.99"), description="完成量（默认保留原值）"
    )


def _metrics(rows) -> list[dict]:
    return [
        {
            "id": r.metric.pk,
            "name": r.metric.name,
            "unit": r.metric.unit,
            "target": r.progress.target,
            "achieved": r.progress.achieved,
            "percent": r.progress.percent,
        }
        for r in rows
    ]


def _project(p, *, detail: bool = False) -> dict:
    out = {
        "id": p.pk,
        "pairing_id": p.pairing_id,
        "org_name": p.pairing.org.name,
        "community_name": str(p.pairing.community),
        "title": p.title,
        "category": p.category,
        "status": p.status,
        "state": str(p.state),
        "starts_on": p.starts_on,
        "due_on": p.due_on,
        "finished_on": p.finished_on,
        "funds_planned": p.funds_planned,
        "funds_raised": p.funds_raised,
        "beneficiary_households": p.beneficiary_households,
        "beneficiary_people": p.beneficiary_people,
        "is_public": p.is_public,
        "metrics": _metrics(p.metric_rows),
    }
    if detail:
        out["goal"] = p.goal
        out["milestones"] = [
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "metric_id": m.metric_id,
                "amount": m.amount,
                "note": m.note,
            }
            for m in p.milestone_rows
        ]
    return out


class _DecoratedPagination(BoundedLimitOffsetPagination):
    """Pages of projects, each with its metrics (a few queries for the page, never per row)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = sel.decorate_projects(page[self.items_attribute], timezone.localdate())
        page[self.items_attribute] = [_project(p) for p in items]
        return page


@router.get(
    "/pairings",
    response={200: list[CocreationPairingOut], **ERRORS},
    summary="包联关系列表",
)
@paginate(BoundedLimitOffsetPagination)
def list_pairings(request, filters: Query[CocreationPairingFilter]):
    _manager(request)
    return sel.pairing_list(
        request.user,
        org_id=filters.org,
        district=sel.clean_text(filters.district),
        pilot=filters.pilot,
        status=filters.status,
        q=filters.q,
    )


@router.get(
    "/pairings/{pairing_id}/cadres",
    response={200: list[CocreationCadreOut], **ERRORS},
    summary="包联干部",
)
def list_cadres(request, pairing_id: int):
    pairing = sel.access_pairing(request.user, pairing_id)
    return list(pairing.cadres.order_by("ended_on", "started_on", "id"))


@router.get(
    "/projects",
    response={200: list[CocreationProjectOut], **ERRORS},
    summary="实事项目列表（含目标完成情况）",
)
@paginate(_DecoratedPagination)
def list_projects(request, filters: Query[CocreationProjectFilter]):
    _manager(request)
    pairing = sel.access_pairing(request.user, filters.pairing) if filters.pairing else None
    return sel.project_list(
        request.user,
        org_id=filters.org,
        pairing=pairing,
        district=sel.clean_text(filters.district),
        pilot=filters.pilot,
        status=filters.status or "",
        category=filters.category or "",
        q=filters.q,
    )


@router.get(
    "/projects/{project_id}",
    response={200: CocreationProjectDetailOut, **ERRORS},
    summary="实事项目详情：目标指标和节点",
)
def get_project(request, project_id: int):
    project = sel.access_project(request.user, project_id)
    sel.decorate_projects([project], timezone.localdate(), milestones=True)
    return _project(project, detail=True)


@router.post(
    "/milestones/{milestone_id}/done",
    response={200: CocreationMilestoneOut, **ERRORS},
    summary="登记节点完成",
    description="完成量计入对应指标的完成值；已完成的节点再次登记返回 400。",
)
def milestone_done(request, milestone_id: int, payload: CocreationMilestoneDoneIn):
    milestone = sel.access_milestone(request.user, milestone_id)
    return services.milestone_done(
        actor=request.user,
        milestone=milestone,
        done_on=payload.done_on or timezone.localdate(),
        amount=payload.amount,
    )
