"""Reconciliation endpoints (mounted under /api/dues/statements): the statements the caller
keeps, one statement with its lines, and confirming it (every matched line booked as a
payment, all or nothing). The same access as the pages: dues.manage on the statement's org,
404 for everyone else. Uploading stays a page (a person checks the matches before booking)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.dues import selectors_reconcile as sel
from dangjian.dues import services_reconcile as services
from dangjian.dues.models import StatementStatus
from dangjian.members.api import ERRORS
from dangjian.orgs.selectors import access_org

router = Router(tags=["党费"])


class StatementOut(Schema):
    id: int
    org_id: int
    org_name: str
    month: dt.date = Field(description="对账月份（当月1日）")
    source: str = Field(description="payroll 工资代扣清单 / bank 银行流水")
    original_name: str
    status: str = Field(description="matched 待确认 / confirmed 已入账 / discarded 已作废")
    total_rows: int
    matched_count: int = Field(description="已匹配、确认时入账的行数")
    unmatched_count: int = Field(description="待核对的行数（不含标为不入账的行）")
    total_amount: Decimal
    uploaded_at: dt.datetime
    confirmed_at: dt.datetime | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class StatementLineOut(Schema):
    id: int
    row_no: int = Field(description="文件中的行号")
    name: str
    id_tail: str = Field(description="身份证后四位（文件中的完整号码只保留后四位）")
    amount: Decimal
    paid_on: dt.date
    status: str = Field(
        description="matched 已匹配 / ambiguous 多个可能 / amount_mismatch 金额不符 / "
        "duplicate 重复 / date_mismatch 日期不符 / unmatched 未匹配 / ignored 不入账"
    )
    member_id: int | None
    member_name: str | None
    charge_id: int | None
    charge_month: dt.date | None
    note: str

    @staticmethod
    def resolve_member_name(obj) -> str | None:
        return obj.member.name if obj.member_id else None

    @staticmethod
    def resolve_charge_month(obj) -> dt.date | None:
        return obj.charge.month if obj.charge_id else None


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return sel.statement_lines(obj)


class StatementFilter(Schema):
    org: int | None = Field(None, ge=1, description="组织（含下级）")
    status: str | None = Field(None, description="matched / confirmed / discarded")


@router.get("", response={200: list[StatementOut], **ERRORS}, summary="对账单列表")
@paginate(BoundedLimitOffsetPagination)
def list_statements(request, filters: Query[StatementFilter]):
    if not has_cap_anywhere(request.user, sel.MANAGE):
        raise deny()
    org = access_org(request.user, filters.org, need=sel.MANAGE) if filters.org else None
    qs = sel.statement_list(request.user, org)
    if filters.status in StatementStatus.values:
        qs = qs.filter(status=filters.status)
    return qs


@router.get(
    "/{int:statement_id}", response={200: StatementDetailOut, **ERRORS}, summary="对账单及各行结果"
)
def get_statement(request, statement_id: int):
    return sel.access_statement(request.user, statement_id)


@router.post(
    "/{int:statement_id}/confirm",
    response={200: StatementDetailOut, **ERRORS},
    summary="确认入账",
    description="将所有已匹配的行登记为党费缴纳（工资代扣清单记为工资代扣，银行流水记为银行转账）。"
    "任何一行不能入账时全部不入账，返回 400 并指明行号；已入账或已作废的对账单返回 400。",
)
def confirm_statement(request, statement_id: int):
    statement = sel.access_statement(request.user, statement_id)
    statement = services.statement_confirm(actor=request.user, statement=statement)
    return sel.access_statement(request.user, statement.pk)
