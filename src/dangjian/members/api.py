"""Member endpoints: the same selectors, access functions and services as the pages.

Sensitive items (ID number, phone, address) come masked. `?reveal=true` on a member's detail
returns them in full when the caller holds member.reveal on the member's branch; each such
read is written to the audit log, as on the page.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members import selectors, services
from dangjian.orgs.selectors import access_org

router = Router(tags=["党员"])


class ErrorItem(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: list[ErrorItem] | None = None


class ValidationErrorItem(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ValidationErrorItem]


# every error an operation can answer, so clients (and schemathesis) know them all:
# 400 refused by a business rule, 401 not signed in, 403 session call without CSRF token,
# 404 not found or not visible, 422 malformed input, 429 over the rate limit
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}


class MemberOut(Schema):
    id: int
    name: str
    sex: str
    ethnicity: str
    id_number: str = Field(description="公民身份号码（脱敏）")
    birth_date: dt.date
    education: str
    category: str
    branch_id: int
    branch_name: str
    joined_on: dt.date
    converted_on: dt.date | None
    post: str
    standing: str
    lost_contact: bool
    mobile: bool
    employment: str
    left_on: dt.date | None

    # resolvers let a paginated queryset be read row by row (never the whole roster)
    @staticmethod
    def resolve_id_number(obj) -> str:
        return obj["id_number"] if isinstance(obj, dict) else obj.id_number_masked

    @staticmethod
    def resolve_branch_name(obj) -> str:
        return obj["branch_name"] if isinstance(obj, dict) else obj.branch.name

    @staticmethod
    def resolve_lost_contact(obj) -> bool:
        return obj["lost_contact"] if isinstance(obj, dict) else obj.is_lost_contact

    @staticmethod
    def resolve_mobile(obj) -> bool:
        return obj["mobile"] if isinstance(obj, dict) else obj.is_mobile


class MemberDetailOut(MemberOut):
    phone: str = Field(description="联系电话（脱敏，除非 reveal=true 且有权查看）")
    address: str = Field(description="家庭住址（脱敏，除非 reveal=true 且有权查看）")
    standing_reason: str
    lost_contact_since: dt.date | None
    mobile_destination: str
    unit_post: str
    probation_extension_months: int
    revealed: bool = Field(description="敏感项是否为完整值")


class MemberFilter(Schema):
    q: str = Field("", max_length=50, description="姓名开头、全拼、首字母或身份证号后四位/全号")
    category: Literal["probationary", "full"] | None = None
    status: Literal[
        "active", "mobile", "lost", "suspended", "retired", "attention", "left", "all"
    ] = "active"
    sex: Literal["male", "female"] | None = None
    education: str = Field("", max_length=2)
    org: int | None = Field(None, ge=1, le=2**62, description="只看该组织及其下级")
    sort: Literal["pinyin", "-pinyin", "joined", "-joined", "birth", "-birth"] = "pinyin"


Text = Field(None, max_length=200)


class MemberUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    sex: Literal["male", "female"] | None = None
    ethnicity: str | None = Field(None, max_length=2)
    id_number: str | None = Field(None, max_length=30)
    birth_date: dt.date | None = None
    education: str | None = Field(None, max_length=2)
    category: Literal["probationary", "full"] | None = None
    joined_on: dt.date | None = None
    converted_on: dt.date | None = None
    post: str | None = Field(None, max_length=4)
    phone: str | None = Field(None, max_length=60)
    address: str | None = Text
    standing: Literal["normal", "suspended"] | None = None
    standing_reason: str | None = Text
    suspension_ground: Literal["abroad", "lost_contact", "other"] | None = None
    suspended_on: dt.date | None = None
    lost_contact: bool | None = None
    lost_contact_since: dt.date | None = None
    mobile: bool | None = None
    mobile_destination: str | None = Field(None, max_length=100)
    mobile_since: dt.date | None = None
    abroad_since: dt.date | None = None
    abroad_purpose: Literal["settle", "study", "other"] | None = None
    probation_extension_months: int | None = Field(None, ge=0, le=12)
    employment: Literal["in_service", "retired"] | None = None
    unit_post: str | None = Field(None, max_length=50)
    reason: str = Field("", max_length=200, description="变更原因（记入变更记录）")
    effective_on: dt.date | None = Field(None, description="生效日期，默认今天")


class MemberCreateIn(MemberUpdateIn):
    branch_id: int = Field(..., ge=1, le=2**62)
    name: str = Field(..., min_length=1, max_length=50)
    sex: Literal["male", "female"]
    ethnicity: str = Field(..., max_length=2)
    id_number: str = Field(..., max_length=30)
    birth_date: dt.date
    education: str = Field(..., max_length=2)
    category: Literal["probationary", "full"]
    joined_on: dt.date
    post: str = Field(..., max_length=4)
    phone: str = Field(..., max_length=60)
    address: str = Field(..., max_length=200)
    standing: Literal["normal", "suspended"] = "normal"
    lost_contact: bool = False
    mobile: bool = False


def _out(member) -> dict:
    return {
        "id": member.pk,
        "name": member.name,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "id_number": member.id_number_masked,
        "birth_date": member.birth_date,
        "education": member.education,
        "category": member.category,
        "branch_id": member.branch_id,
        "branch_name": member.branch.name,
        "joined_on": member.joined_on,
        "converted_on": member.converted_on,
        "post": member.post,
        "standing": member.standing,
        "lost_contact": member.is_lost_contact,
        "mobile": member.is_mobile,
        "employment": member.employment,
        "left_on": member.left_on,
    }


def _detail(request, member, reveal: bool) -> dict:
    out = _out(member)
    out.update(
        phone=member.phone_masked,
        address=member.address_masked,
        standing_reason=member.standing_reason,
        lost_contact_since=member.lost_contact_since,
        mobile_destination=member.mobile_destination,
        unit_post=member.unit_post,
        probation_extension_months=member.probation_extension_months,
        revealed=False,
    )
    if reveal and can(request.user, Cap.MEMBER_REVEAL, member.org_path):
        ip = request.META.get("REMOTE_ADDR")
        for item in services.SENSITIVE:
            out[item] = services.member_reveal(actor=request.user, member=member, item=item, ip=ip)
        out["revealed"] = True
    return out


@router.get("", response={200: list[MemberOut], **ERRORS}, summary="党员列表")
@paginate(BoundedLimitOffsetPagination)
def list_members(request, filters: Query[MemberFilter]):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    org = access_org(request.user, filters.org, need=Cap.MEMBER_VIEW) if filters.org else None
    qs = selectors.member_list(
        request.user,
        q=filters.q,
        category=filters.category or "",
        status=filters.status,
        org=org,
        sort=filters.sort,
        sex=filters.sex or "",
        education=filters.education,
    )
    return qs


@router.get("/{int:member_id}", response={200: MemberDetailOut, **ERRORS}, summary="党员详情")
def get_member(request, member_id: int, reveal: bool = False):
    member = selectors.access_member(request.user, member_id)
    return _detail(request, member, reveal)


def _fields(payload) -> dict:
    values = payload.dict(exclude_unset=True)
    for key in ("reason", "effective_on", "branch_id"):
        values.pop(key, None)
    return values


@router.post("", response={201: MemberDetailOut, **ERRORS}, summary="登记党员")
def create_member(request, payload: MemberCreateIn):
    branch = access_org(request.user, payload.branch_id, need=Cap.MEMBER_MANAGE)
    values = payload.dict()
    for key in ("reason", "effective_on", "branch_id"):
        values.pop(key, None)
    values = {k: v for k, v in values.items() if v is not None}
    member = services.member_create(actor=request.user, branch=branch, **values)
    return Status(201, _detail(request, member, False))


@router.patch("/{int:member_id}", response={200: MemberDetailOut, **ERRORS}, summary="修改党员")
def update_member(request, member_id: int, payload: MemberUpdateIn):
    member = selectors.access_member(request.user, member_id, need=Cap.MEMBER_MANAGE)
    values = _fields(payload)
    if not values:
        raise AppError("没有需要修改的字段。")
    member = services.member_update(
        actor=request.user,
        member=member,
        reason=payload.reason,
        effective_on=payload.effective_on,
        **values,
    )
    return Status(200, _detail(request, member, False))


# --- statistics (R-STAT-01..06) ------------------------------------------------------------


class StatisticsSectionOut(Schema):
    key: str
    rule_id: str
    title: str
    header: list[str]
    rows: list[list[str | int | float]]


class StatisticsOut(Schema):
    org_id: int
    org_name: str
    cutoff: dt.date
    age_mode: str
    sections: list[StatisticsSectionOut]


class StatisticsQuery(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="统计范围（默认可见的最上级组织）")
    cutoff: dt.date | None = Field(None, description="统计截止日期，默认今天")
    age_mode: Literal["year_end", "cutoff"] = Field(
        "year_end", description="年龄计算基准：截止日期所在年度的12月31日（默认）或截止日期"
    )


@router.get("/statistics", response={200: StatisticsOut, **ERRORS}, summary="党内统计")
def get_statistics(request, query: Query[StatisticsQuery]):
    org, cutoff, age_mode = query.org, query.cutoff, query.age_mode
    from django.utils import timezone

    from dangjian.members import statistics
    from dangjian.rules.stats import cutoff_problem

    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    target = (
        access_org(request.user, org, need=Cap.MEMBER_VIEW)
        if org
        else statistics.default_statistics_org(request.user)
    )
    today = timezone.localdate()
    cutoff = cutoff or today
    problem = cutoff_problem(cutoff, today)
    if problem:
        raise AppError(f"{problem}。", field="cutoff")
    stats = statistics.member_statistics(request.user, target, cutoff, age_mode)
    return {
        "org_id": target.pk,
        "org_name": target.name,
        "cutoff": cutoff,
        "age_mode": age_mode,
        "sections": [
            {
                "key": s.key,
                "rule_id": s.rule_id,
                "title": s.title,
                "header": s.header,
                "rows": s.rows,
            }
            for s in statistics.statistics_sections(stats)
        ],
    }


# --- import status -------------------------------------------------------------------------


class ImportErrorOut(Schema):
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: str | None = None
    problem: str
    rule_id: str | None = None


class ImportJobOut(Schema):
    id: int
    org_id: int
    file_name: str
    status: str
    status_label: str
    percent: int
    total_rows: int
    processed_rows: int
    new_count: int
    existing_count: int
    created_count: int
    updated_count: int
    error_count: int
    message: str
    errors: list[ImportErrorOut]
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.get("/imports/{int:job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入任务状态")
def get_import(request, job_id: int):
    from dangjian.members.imports.selectors import access_import_job

    job = access_import_job(request.user, job_id)
    errors_limit = 200
    return {
        "id": job.pk,
        "org_id": job.org_id,
        "file_name": job.original_name,
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "new_count": job.new_count,
        "existing_count": job.existing_count,
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "error_count": job.error_count,
        "message": job.message,
        "errors": [
            {**e, "value": None if e.get("value") is None else str(e["value"])}
            for e in (job.errors or [])[:errors_limit]
        ],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }
