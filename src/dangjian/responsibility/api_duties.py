"""API of the responsibility lists (责任清单, R-ORG-12) under /api/responsibility/duties: the
lists of an org and year, one list with its items, quarterly reports and findings, and a
quarterly report on an item (JSON; evidence files are uploaded on the page). The same
selectors, access functions and services as the pages: resp.manage on the list's unit;
outsiders get 404."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.responsibility import selectors_duties as sel
from dangjian.responsibility import services_duties as services

router = Router()

Kind = Literal["main", "first", "dual"]


class RespDutyListOut(Schema):
    id: int
    org_id: int
    org_name: str
    unit_name: str
    year: int
    kind: str = Field(
        description="main 党组主体责任 / first 书记第一责任人 / dual 班子成员一岗双责"
    )
    kind_label: str
    holder_name: str
    holder_id: int | None
    holder_post: str
    remit: str
    confirmed_at: dt.datetime | None
    items: int
    done: int
    average_progress: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_unit_name(obj) -> str:
        unit = obj.org.unit
        return unit.name if unit else ""

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_items(obj) -> int:
        return getattr(obj, "item_count", 0) or 0

    @staticmethod
    def resolve_done(obj) -> int:
        return getattr(obj, "done_count", 0) or 0

    @staticmethod
    def resolve_average_progress(obj) -> int:
        return round(getattr(obj, "avg_progress", None) or 0)


class RespDutyListFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="单位（党组）；默认可见的全部单位")
    year: int | None = Field(None, ge=2000, le=2200, description="年度，默认今年")
    kind: Kind | None = Field(None, description="清单类别")
    q: str = Field("", max_length=50, description="搜索责任主体、职务、分管领域或责任内容")


class RespDutyFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class RespDutyReportOut(Schema):
    id: int
    item_id: int
    quarter: int
    progress: int
    text: str
    reported_at: dt.datetime
    reported_by: str
    files: list[RespDutyFileOut]

    @staticmethod
    def resolve_reported_by(obj) -> str:
        return str(obj.reported_by) if obj.reported_by_id else ""

    @staticmethod
    def resolve_files(obj) -> list[dict]:
        files = getattr(obj, "file_list", None)
        if files is None:
            files = list(obj.files.all())
        return [_file(f) for f in files]


class RespDutyFindingOut(Schema):
    rule_id: str
    level: str = Field(description="error 逾期 / warning 待报告")
    message: str
    quarter: int | None


class RespDutyItemOut(Schema):
    id: int
    seq: int
    category: str
    category_label: str
    content: str
    measures: str
    owner_name: str
    deadline: dt.date | None
    evidence_asked: str
    progress: int
    done_on: dt.date | None
    overdue: bool
    reports: list[RespDutyReportOut]
    findings: list[RespDutyFindingOut]


class RespDutyListDetailOut(RespDutyListOut):
    duty_items: list[RespDutyItemOut]


class RespDutyReportIn(Schema):
    # ranges are checked by the service, whose Chinese message names the field (400)
    quarter: int = Field(..., ge=-(2**31), le=2**31, description="季度（1至4）")
    progress: int = Field(..., ge=-(2**31), le=2**31, description="完成进度（0至100）")
    text: str = Field(..., max_length=5000, description="进展情况")


def _file(f) -> dict:
    from django.urls import reverse

    return {
        "id": f.pk,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "url": reverse("responsibility:duty_file", args=[f.pk]),
    }


def _guard(request) -> None:
    if not has_cap_anywhere(request.user, sel.MANAGE):
        raise deny()


@router.get(
    "/duties/lists",
    response={200: list[RespDutyListOut], **ERRORS},
    summary="责任清单列表（按单位、年度）",
)
@paginate(BoundedLimitOffsetPagination)
def list_duty_lists(request, filters: Query[RespDutyListFilter]):
    _guard(request)
    org = sel.access_unit_org(request.user, filters.org) if filters.org else None
    year = filters.year or timezone.localdate().year
    return sel.duty_lists(request.user, org=org, year=year, kind=filters.kind or "", q=filters.q)


@router.get(
    "/duties/lists/{duty_list_id}",
    response={200: RespDutyListDetailOut, **ERRORS},
    summary="一份责任清单：事项、季度进展和提示",
)
def get_duty_list(request, duty_list_id: int):
    duty_list = sel.access_list(request.user, duty_list_id)
    detail = sel.list_detail(duty_list)
    summary = detail.summary
    duty_list.item_count = summary["items"]
    duty_list.done_count = summary["done"]
    duty_list.avg_progress = summary["avg"]
    duty_list.duty_items = [
        {
            "id": row.item.pk,
            "seq": row.index,
            "category": row.item.category,
            "category_label": row.item.get_category_display(),
            "content": row.item.content,
            "measures": row.item.measures,
            "owner_name": row.item.owner_name,
            "deadline": row.item.deadline,
            "evidence_asked": row.item.evidence_asked,
            "progress": row.item.progress,
            "done_on": row.item.done_on,
            "overdue": row.overdue,
            "reports": row.reports,
            "findings": [
                {
                    "rule_id": f.rule_id,
                    "level": str(f.level),
                    "message": f.message,
                    "quarter": f.data.get("quarter"),
                }
                for f in row.findings
            ],
        }
        for row in detail.rows
    ]
    return duty_list


@router.post(
    "/duties/items/{duty_item_id}/reports",
    response={201: RespDutyReportOut, **ERRORS},
    summary="报告责任事项的季度进展",
    description="每个事项每季度一份，再次提交同一季度即更新；季度未开始、清单未确认发布返回 400。"
    "佐证材料请在页面上传。",
)
def post_duty_report(request, duty_item_id: int, payload: RespDutyReportIn):
    item = sel.access_item(request.user, duty_item_id)
    report = services.duty_report_submit(
        actor=request.user,
        item=item,
        quarter=payload.quarter,
        progress=payload.progress,
        text=payload.text,
    )
    report.file_list = list(report.files.all())
    return Status(201, report)
