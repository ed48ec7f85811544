"""Org endpoints. Same access functions and services as the pages."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.orgs import selectors, services
from dangjian.orgs.models import Unit
from dangjian.rules import RULES

router = Router(tags=["组织"])

KindLiteral = Literal[
    "working_committee",
    "party_group",
    "organ_committee",
    "discipline_committee",
    "general_branch",
    "branch",
    "group",
]


class OrgErrorOut(Schema):
    detail: str
    field: str | None = None


class OrgValidationErrorItem(Schema):
    field: str
    message: str


class OrgValidationErrorOut(Schema):
    detail: str
    errors: list[OrgValidationErrorItem]


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    unit_id: int | None
    depth: int
    is_retiree_branch: bool
    established_on: dt.date | None
    dissolved_on: dt.date | None


class FindingOut(Schema):
    rule_id: str
    level: str
    message: str
    citation: str


class SeatOut(Schema):
    role: str
    member_id: int
    member_name: str
    started_on: dt.date


class OrgDetailOut(OrgOut):
    members_total: int
    members_full: int
    members_probationary: int
    term_started_on: dt.date | None
    term_due_on: dt.date | None
    seats: list[SeatOut]
    findings: list[FindingOut]


class OrgFilter(Schema):
    q: str = Field("", max_length=50, description="名称包含")
    kind: KindLiteral | None = None
    parent: int | None = Field(None, ge=1, le=2**62)
    status: Literal["active", "dissolved", "all"] = "active"


class OrgCreateIn(Schema):
    parent_id: int = Field(..., ge=1, le=2**62)
    name: str = Field(..., min_length=1, max_length=100)
    kind: KindLiteral
    unit_id: int | None = Field(None, ge=1, le=2**62)
    is_retiree_branch: bool = False
    established_on: dt.date | None = None
    contact_phone: str = Field("", max_length=30)
    sort: int = Field(0, ge=0, le=100000)


class OrgUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    unit_id: int | None = Field(None, ge=1, le=2**62)
    is_retiree_branch: bool | None = None
    established_on: dt.date | None = None
    contact_phone: str | None = Field(None, max_length=30)
    sort: int | None = Field(None, ge=0, le=100000)


# every error an operation can answer, so clients (and schemathesis) know them all:
# 400 refused by a business rule, 401 not signed in, 403 session call without CSRF token,
# 404 not found or not visible, 422 malformed input, 429 over the rate limit
ERRORS = {
    400: OrgErrorOut,
    401: OrgErrorOut,
    403: OrgErrorOut,
    404: OrgErrorOut,
    422: OrgValidationErrorOut,
    429: OrgErrorOut,
}


@router.get("", response={200: list[OrgOut], **ERRORS}, summary="组织列表")
@paginate(BoundedLimitOffsetPagination)
def list_orgs(request, filters: Query[OrgFilter]):
    qs = selectors.org_list(
        request.user, q=filters.q, kind=filters.kind or "", status=filters.status
    )
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    return qs


def _detail(org) -> dict:
    counts = selectors.subtree_member_counts(org)
    term = selectors.current_term(org)
    status = selectors.findings_for([org]).get(org.pk)
    out = {name: getattr(org, name) for name in OrgOut.model_fields}
    out.update(
        members_total=counts.total,
        members_full=counts.full,
        members_probationary=counts.probationary,
        term_started_on=term.started_on if term else None,
        term_due_on=term.due_on if term else None,
        seats=[
            {
                "role": s.role,
                "member_id": s.member_id,
                "member_name": s.member.name,
                "started_on": s.started_on,
            }
            for s in selectors.current_seats(org)
        ],
        findings=[
            {
                "rule_id": f.rule_id,
                "level": str(f.level),
                "message": f.message,
                "citation": RULES[f.rule_id].citation,
            }
            for f in (status.findings if status else [])
        ],
    )
    return out


@router.get("/{int:org_id}", response={200: OrgDetailOut, **ERRORS}, summary="组织详情")
def get_org(request, org_id: int):
    return _detail(selectors.access_org(request.user, org_id))


def _unit(unit_id):
    if unit_id is None:
        return None
    return get_object_or_404(Unit, pk=unit_id)


@router.post("", response={201: OrgDetailOut, **ERRORS}, summary="新建组织")
def create_org(request, payload: OrgCreateIn):
    parent = selectors.access_org(request.user, payload.parent_id, need=Cap.ORG_MANAGE)
    org = services.org_create(
        actor=request.user,
        parent=parent,
        name=payload.name,
        kind=payload.kind,
        unit=_unit(payload.unit_id),
        is_retiree_branch=payload.is_retiree_branch,
        established_on=payload.established_on,
        contact_phone=payload.contact_phone,
        sort=payload.sort,
    )
    return Status(201, _detail(org))


@router.patch("/{int:org_id}", response={200: OrgDetailOut, **ERRORS}, summary="修改组织")
def update_org(request, org_id: int, payload: OrgUpdateIn):
    org = selectors.access_org(request.user, org_id, need=Cap.ORG_MANAGE)
    values = payload.dict(exclude_unset=True)
    if "unit_id" in values:
        values["unit"] = _unit(values.pop("unit_id"))
    for key in ("name", "is_retiree_branch", "contact_phone", "sort"):
        if key in values and values[key] is None:
            values.pop(key)
    if not values:
        raise AppError("没有需要修改的字段。")
    return Status(200, _detail(services.org_update(actor=request.user, org=org, **values)))
