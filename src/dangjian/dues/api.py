"""党费 endpoints: the same selectors, access functions and services as the pages.

Reads and writes need dues.manage on the member's branch (or the org asked about); outsiders
get 404. Money is a decimal string ("40.00") in answers and a decimal (string or number) in
requests; months are the 1st of the month (YYYY-MM-01). The reconciliation endpoints
(`/statements`) come from api_reconcile.py."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.dues import selectors as sel
from dangjian.dues import services
from dangjian.dues.api_reconcile import router as statements_router
from dangjian.members.api import ERRORS

router = Router(tags=["党费"])
router.add_router("/statements", statements_router)

MANAGE = Cap.DUES_MANAGE
Category = Literal[
    "in_service",
    "annual_salary",
    "self_employed",
    "retired",
    "farmer",
    "student",
    "unemployed",
    "low_income",
]
Method = Literal["cash", "transfer", "payroll", "online"]
Money = Field(..., max_digits=12, decimal_places=2, description="金额（元）")
OptionalMoney = Field(None, max_digits=12, decimal_places=2)
Id = Field(..., ge=1, le=2**62)


def _month(value: dt.date | None) -> dt.date:
    month = (value or timezone.localdate()).replace(day=1)
    if not 2000 <= month.year <= 2200:
        raise AppError("月份无效。", field="month")
    return month


def _manager(request) -> None:
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()


# ---------------------------------------------------------------------------------------------
# Schemas


class DuesMonthRowOut(Schema):
    member_id: int
    member_name: str
    branch_id: int
    branch_name: str
    month: dt.date
    charge_id: int | None
    category: str = Field(description="缴费类别；缺缴纳基数时为空")
    category_label: str
    amount_due: Decimal = Field(description="应缴（未生成时为按基数计算的应缴）")
    paid: Decimal
    outstanding: Decimal
    status: str = Field(
        description="due 未缴 / partial 部分缴纳 / paid 已缴 / exempt 免交 / "
        "no_charge 未生成 / no_base 缺缴纳基数"
    )
    status_label: str


class DuesChargeFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可管理的最上级")
    month: dt.date | None = Field(None, description="月份（该月任意一天），默认本月")


class DuesLedgerMonthOut(Schema):
    month: dt.date
    charge_id: int | None
    category: str
    amount_due: Decimal | None
    paid: Decimal | None
    outstanding: Decimal
    status: str = Field(
        description="due / partial / paid / exempt / no_charge 未生成 / nothing 无需交纳"
    )
    status_label: str


class DuesYearFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="年度，默认今年")


class DuesPaymentIn(Schema):
    member_id: int = Id
    amount: Decimal = Money
    paid_on: dt.date
    method: Method = Field(
        description="cash 现金 / transfer 银行转账 / payroll 工资代扣 / online 线上"
    )
    kind: Literal["regular", "voluntary"] = Field(
        "regular", description="regular 按月缴纳 / voluntary 自愿多交（R-DUES-12）"
    )
    months: list[dt.date] = Field(
        default_factory=list,
        max_length=60,
        description="冲抵的月份（每月1日）；不填则从最早未缴的月份起冲抵",
    )
    paid_by_id: int | None = Field(None, ge=1, le=2**62, description="代缴党员（R-DUES-13）")
    consent_note: str = Field("", max_length=200, description="支部同意说明（代缴时必填）")
    exception_reason: str = Field("", max_length=200, description="补缴超过6个月的说明")
    receipt_no: str = Field("", max_length=50)
    note: str = Field("", max_length=200)


class DuesAllocationOut(Schema):
    month: dt.date
    amount: Decimal


class DuesPaymentOut(Schema):
    id: int
    member_id: int
    kind: str
    method: str
    paid_on: dt.date
    amount: Decimal
    paid_by_id: int | None
    back_paid_months: int
    to_centre: bool = Field(description="单笔自愿多交1000元以上，全部上缴中央（R-DUES-12）")
    allocations: list[DuesAllocationOut]

    @staticmethod
    def resolve_allocations(obj) -> list[dict]:
        return [
            {"month": a.charge.month, "amount": a.amount}
            for a in obj.allocations.select_related("charge").order_by("charge__month")
        ]


class DuesVoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="作废原因")


class DuesVoidOut(Schema):
    id: int
    voided: bool


class DuesArrearsOut(Schema):
    member_id: int
    member_name: str
    branch_name: str
    consecutive: int = Field(description="连续未缴月数（至上月）")
    since: dt.date | None
    months_owed: int
    outstanding: Decimal
    oldest: dt.date
    bucket: str = Field(description="账龄：1-2 / 3-5 / 6+ 个月")
    rule_id: str | None
    level: str | None = Field(description="warning 提示 / error 警示（R-DUES-14）")
    message: str | None


class DuesArrearsFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认为可管理的最上级")


class DuesItemIn(Schema):
    name: str = Field(..., min_length=1, max_length=50, description="工资项目名称")
    amount: Decimal = Money


class DuesBaseIn(Schema):
    member_id: int = Id
    category: Category
    effective_month: dt.date = Field(description="起用月份（该月任意一天），R-DUES-11")
    items: list[DuesItemIn] = Field(default_factory=list, max_length=20)
    income_tax: Decimal = Field(Decimal("0"), max_digits=12, decimal_places=2)
    base: Decimal | None = OptionalMoney
    fixed_amount: Decimal | None = OptionalMoney
    note: str = Field("", max_length=200)


class DuesBaseOut(Schema):
    id: int
    member_id: int
    category: str
    effective_month: dt.date
    base: Decimal | None
    fixed_amount: Decimal | None
    income_tax: Decimal
    monthly_amount: Decimal


class DuesRunIn(Schema):
    org_id: int = Id
    month: dt.date = Field(description="月份（该月任意一天）")


class DuesRunOut(Schema):
    id: int
    org_id: int
    month: dt.date
    status: str = Field(description="queued 排队中 / running 生成中 / done 已完成 / failed 失败")
    total: int
    done: int
    percent: int
    created_count: int
    skipped_count: int
    no_base_count: int
    error: str


# ---------------------------------------------------------------------------------------------
# Endpoints


@router.get(
    "/charges",
    response={200: list[DuesMonthRowOut], **ERRORS},
    summary="某月党费收缴名单（应缴、已缴、状态）",
)
@paginate(BoundedLimitOffsetPagination)
def list_charges(request, filters: Query[DuesChargeFilter]):
    _manager(request)
    org = sel.dues_org(request.user, filters.org)
    month = _month(filters.month)

    def shape(members) -> list[dict]:
        return [
            {
                "member_id": r.member.pk,
                "member_name": r.member.name,
                "branch_id": r.member.branch_id,
                "branch_name": r.member.branch.name,
                "month": month,
                "charge_id": r.charge.pk if r.charge else None,
                "category": r.category,
                "category_label": r.category_label,
                "amount_due": r.due,
                "paid": r.paid,
                "outstanding": r.outstanding,
                "status": r.status,
                "status_label": r.status_label,
            }
            for r in rows.build(members)
        ]

    # paginated in SQL: only the requested slice of members is loaded
    rows = sel.month_list(request.user, org, month).rows
    return sel.LazyRows(rows.queryset, shape)


@router.get(
    "/members/{member_id}/charges",
    response={200: list[DuesLedgerMonthOut], **ERRORS},
    summary="党员某年逐月应缴与缴纳情况",
)
def member_charges(request, member_id: int, filters: Query[DuesYearFilter]):
    member = sel.access_member_dues(request.user, member_id)
    year = filters.year or timezone.localdate().year
    return [
        {
            "month": m.month,
            "charge_id": m.charge.pk if m.charge else None,
            "category": m.charge.category if m.charge else "",
            "amount_due": m.charge.amount if m.charge else None,
            "paid": m.charge.paid_amount if m.charge else None,
            "outstanding": m.outstanding,
            "status": m.status,
            "status_label": m.status_label,
        }
        for m in sel.member_ledger(request.user, member, year)
    ]


@router.post(
    "/payments",
    response={201: DuesPaymentOut, **ERRORS},
    summary="登记党费缴纳",
    description="按月缴纳冲抵所列月份（或从最早未缴月份起）；自愿多交不冲抵应缴，"
    "单笔1000元及以上全部上缴中央（R-DUES-12）；补缴超过6个月须填写说明（R-DUES-13）。",
)
def create_payment(request, payload: DuesPaymentIn):
    member = sel.access_member_dues(request.user, payload.member_id)
    paid_by = (
        sel.access_member_dues(request.user, payload.paid_by_id) if payload.paid_by_id else None
    )
    payment = services.payment_record(
        actor=request.user,
        member=member,
        amount=payload.amount,
        paid_on=payload.paid_on,
        method=payload.method,
        kind=payload.kind,
        months=payload.months or None,
        paid_by=paid_by,
        consent_note=payload.consent_note,
        exception_reason=payload.exception_reason,
        receipt_no=payload.receipt_no,
        note=payload.note,
    )
    return Status(201, payment)


@router.post(
    "/payments/{payment_id}/void",
    response={200: DuesVoidOut, **ERRORS},
    summary="作废一条缴费记录",
)
def void_payment(request, payment_id: int, payload: DuesVoidIn):
    payment = sel.access_payment(request.user, payment_id)
    pk = payment.pk
    services.payment_void(actor=request.user, payment=payment, reason=payload.reason)
    return {"id": pk, "voided": True}


@router.get(
    "/arrears",
    response={200: list[DuesArrearsOut], **ERRORS},
    summary="欠缴党费的党员（连续未缴月数、账龄、R-DUES-14 提示）",
)
@paginate(BoundedLimitOffsetPagination)
def list_arrears(request, filters: Query[DuesArrearsFilter]):
    _manager(request)
    org = sel.dues_org(request.user, filters.org)

    def shape(r) -> dict:
        finding = r.findings[0] if r.findings else None
        return {
            "member_id": r.member.pk,
            "member_name": r.member.name,
            "branch_name": r.member.branch.name,
            "consecutive": r.consecutive,
            "since": r.since,
            "months_owed": r.months_owed,
            "outstanding": r.outstanding,
            "oldest": r.oldest,
            "bucket": r.bucket,
            "rule_id": finding.rule_id if finding else None,
            "level": str(finding.level) if finding else None,
            "message": finding.message if finding else None,
        }

    # paginated in SQL: only the requested slice of members is loaded
    rows = sel.arrears(request.user, org, timezone.localdate())
    return sel.LazyRows(rows.queryset, lambda groups: [shape(r) for r in rows.build(groups)])


@router.post(
    "/bases",
    response={201: DuesBaseOut, **ERRORS},
    summary="设置党员的缴纳基数",
    description="按计算项目（减个人所得税，R-DUES-02）或直接填写基数；农民等定额类别填写定额"
    "（R-DUES-07）；从起用月份起适用（R-DUES-11），未缴的应缴随之重算。",
)
def create_base(request, payload: DuesBaseIn):
    member = sel.access_member_dues(request.user, payload.member_id)
    base = services.base_set(
        actor=request.user,
        member=member,
        category=payload.category,
        effective_month=payload.effective_month,
        items=[{"name": i.name, "amount": str(i.amount)} for i in payload.items],
        income_tax=payload.income_tax,
        base=payload.base,
        fixed_amount=payload.fixed_amount,
        note=payload.note,
    )
    return Status(201, base)


@router.post(
    "/runs",
    response={201: DuesRunOut, **ERRORS},
    summary="生成某月应缴（后台进行）",
)
def create_run(request, payload: DuesRunIn):
    org = sel.dues_org(request.user, payload.org_id)
    run = services.charge_run_start(actor=request.user, org=org, month=payload.month)
    return Status(201, run)


@router.get("/runs/{run_id}", response={200: DuesRunOut, **ERRORS}, summary="应缴生成进度")
def get_run(request, run_id: int):
    return sel.access_run(request.user, run_id)
