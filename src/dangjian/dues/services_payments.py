"""Write paths of 实缴: `payment_record` (a regular payment settles months' charges, oldest
first unless months are named; a voluntary one settles nothing, R-DUES-12) and `payment_void`
(a mistaken entry reversed; the payment is kept, marked voided). R-DUES-13 governs who pays
(another member, with the branch's consent) and back-payment (no more than six months)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    DuesPayment,
    LineStatus,
    PaymentAllocation,
    PaymentKind,
    PaymentMethod,
    StatementLine,
)
from dangjian.dues.services_common import (
    day_of,
    is_current,
    money,
    month_of,
    rederive_unpaid,
    require,
    settled_status,
    text,
    user_or_none,
)
from dangjian.members.models import Member
from dangjian.rules import dues as rules
from dangjian.rules.base import Level

MANAGE = Cap.DUES_MANAGE
PAYMENT_FIELDS = [
    "member",
    "kind",
    "method",
    "paid_on",
    "amount",
    "paid_by",
    "consent_note",
    "back_paid_months",
    "exception_reason",
    "to_centre",
    "statement_line",
    "receipt_no",
    "note",
]
OPEN = [ChargeStatus.DUE, ChargeStatus.PARTIAL]


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _check_payer(member: Member, paid_by: Member | None, consent_note: str) -> None:
    """R-DUES-13: another member of the same branch may pay on one's behalf, with the branch's
    consent recorded."""
    if paid_by is None:
        return
    if paid_by.pk == member.pk:
        raise AppError("代缴人不能是本人；本人缴纳请不填代缴人。", field="paid_by")
    if not is_current(paid_by) or paid_by.branch_id != member.branch_id:
        raise AppError("代缴人须为同一党支部的在册党员（R-DUES-13）。", field="paid_by")
    if not consent_note:
        raise AppError(
            "他人代缴须经党支部同意，请填写支部同意说明（R-DUES-13）。", field="consent_note"
        )


def _choose(member: Member, amount: Decimal, months) -> list[DuesCharge]:
    """The charges the payment settles, locked, in month order: the named months, or the
    oldest outstanding first as far as the amount reaches."""
    locked = DuesCharge.all_objects.select_for_update().filter(member=member)
    if months:
        wanted = sorted({month_of(m, "months", "缴纳月份") for m in months})
        found = {c.month: c for c in locked.filter(month__in=wanted)}
        missing = [m for m in wanted if m not in found]
        if missing:
            raise AppError(
                f"该月无应缴记录：{'、'.join(_month_label(m) for m in missing)}"
                "（请先生成该月应缴，或该党员该月无需交纳）。",
                field="months",
            )
        settled = [
            found[m] for m in wanted if found[m].status not in OPEN or found[m].outstanding <= 0
        ]
        if settled:
            raise AppError(
                f"{'、'.join(_month_label(c.month) for c in settled)}的党费已缴清或免交，"
                "不能重复缴纳。",
                field="months",
            )
        charges = [found[m] for m in wanted]
        owed_text = "所选月份"
    else:
        charges = list(locked.filter(status__in=OPEN).order_by("month"))
        charges = [c for c in charges if c.outstanding > 0]
        if not charges:
            raise AppError(
                "该党员目前没有未缴的应缴记录；多交的党费请登记为自愿多交（R-DUES-12）。",
                field="amount",
            )
        owed_text = "该党员全部未缴月份"
    owed = sum((c.outstanding for c in charges), Decimal("0"))
    if amount > owed:
        raise AppError(
            f"{owed_text}共欠缴{owed}元，本次金额{amount}元超出{amount - owed}元；"
            "超出部分请另行登记为自愿多交党费（R-DUES-12）。",
            field="amount",
        )
    return charges


def _allocate(charges: list[DuesCharge], amount: Decimal) -> list[tuple[DuesCharge, Decimal]]:
    left, out = amount, []
    for charge in charges:
        if left <= 0:
            break
        part = min(left, charge.outstanding)
        out.append((charge, part))
        left -= part
    return out


@transaction.atomic
def payment_record(
    *,
    actor,
    member: Member,
    amount,
    paid_on,
    method: str,
    months=None,
    kind: str = PaymentKind.REGULAR,
    paid_by: Member | None = None,
    consent_note: str = "",
    exception_reason: str = "",
    receipt_no: str = "",
    note: str = "",
    statement_line=None,
    today: dt.date | None = None,
) -> DuesPayment:
    """登记缴费. A regular payment settles the charges of `months` (default: the oldest
    outstanding first, as far as the amount reaches; the last month may stay partial). A
    voluntary payment (自愿多交) settles nothing; one of 1000 yuan or more goes wholly to the
    Centre (R-DUES-12). Nothing is written when anything is wrong."""
    require(actor, MANAGE, member.org_path)
    today = today or timezone.localdate()
    amount = money(amount, "amount", "缴纳金额")
    paid_on = day_of(paid_on, "paid_on", "缴纳日期")
    if paid_on > today:
        raise AppError("缴纳日期不能晚于今天。", field="paid_on")
    if paid_on < dt.date(2008, 4, 1):
        raise AppError("缴纳日期不能早于2008年4月。", field="paid_on")
    if method not in PaymentMethod.values:
        raise AppError("请选择缴纳方式。", field="method")
    if kind not in PaymentKind.values:
        raise AppError("缴费类型无效。", field="kind")
    consent_note = text(consent_note, "consent_note", "支部同意说明", 200)
    exception_reason = text(exception_reason, "exception_reason", "超期补缴说明", 200)
    receipt_no = text(receipt_no, "receipt_no", "收据号", 50)
    note = text(note, "note", "备注", 200)
    _check_payer(member, paid_by, consent_note)
    payment = DuesPayment(
        member=member,
        org_path=member.org_path,
        kind=kind,
        method=method,
        paid_on=paid_on,
        amount=amount,
        paid_by=paid_by,
        consent_note=consent_note if paid_by else "",
        receipt_no=receipt_no,
        note=note,
        statement_line=statement_line,
        recorded_by=user_or_none(actor),
    )
    allocations: list[tuple[DuesCharge, Decimal]] = []
    if kind == PaymentKind.VOLUNTARY:
        if months:
            raise AppError(
                "自愿多交的党费不对应月份，请不要选择月份（R-DUES-12）。", field="months"
            )
        if not is_current(member):
            raise AppError("该党员已不在册或已停止党籍。", field="member")
        payment.to_centre = rules.to_centre(amount)
    else:
        allocations = _allocate(_choose(member, amount, months), amount)
        late = [rules.months_between(c.month, paid_on) for c, _ in allocations]
        worst = max(late, default=0)
        finding = rules.back_pay_finding(worst, exception_reason)
        if finding is not None and finding.level == Level.ERROR:
            raise AppError(finding.message, field="exception_reason")
        payment.back_paid_months = sum(1 for n in late if n > 0)
        payment.exception_reason = exception_reason if worst > rules.BACK_PAY_MAX_MONTHS else ""
    payment.save()
    for charge, part in allocations:
        # guarded on what was read: a concurrent payment that got in first makes this fail
        updated = DuesCharge.all_objects.filter(pk=charge.pk, paid_amount=charge.paid_amount)
        new_paid = charge.paid_amount + part
        full = new_paid >= charge.amount
        count = updated.update(
            paid_amount=new_paid,
            status=ChargeStatus.PAID if full else ChargeStatus.PARTIAL,
            paid_on=paid_on if full else None,
        )
        if count != 1:
            raise AppError("该月党费刚被他人登记，请刷新后重试。", field="months")
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=payment, charge=c, amount=part) for c, part in allocations]
    )
    audit(
        actor,
        "dues.payment.recorded",
        payment,
        org_path=member.org_path,
        changes={
            **snapshot(payment, PAYMENT_FIELDS),
            "allocations": [[c.month.isoformat(), str(part)] for c, part in allocations],
        },
    )
    return payment


@transaction.atomic
def payment_void(*, actor, payment: DuesPayment, reason: str) -> DuesPayment:
    """作废 a mistaken entry. The payment is kept, marked voided (when, by whom, why) and
    struck through on the member's page; it counts in no total, report or ledger sum from now
    on. Each month it settled is derived again from the payments that remain, and a month left
    wholly unpaid is re-derived from the base and reductions in force (they may have changed
    since). A payment booked from a statement also releases its line: the line becomes 不入账
    with a note saying why, so the confirmed statement no longer claims it."""
    require(actor, MANAGE, payment.org_path)
    reason = text(reason, "reason", "作废原因", 200, required=True)
    payment = (
        DuesPayment.all_objects.select_for_update()
        .select_related("member")
        .filter(pk=payment.pk)
        .first()
    )
    if payment is None or payment.voided_at is not None:
        raise AppError("该缴费记录已作废。")
    allocations = list(payment.allocations.select_related("charge").order_by("charge__month"))
    charge_ids = [a.charge_id for a in allocations]
    list(DuesCharge.all_objects.select_for_update().filter(pk__in=charge_ids))
    record = snapshot(payment, PAYMENT_FIELDS)
    record["allocations"] = [[a.charge.month.isoformat(), str(a.amount)] for a in allocations]
    payment.voided_at = timezone.now()
    payment.voided_by = user_or_none(actor)
    payment.void_reason = reason
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    remaining = {
        row["charge_id"]: row
        for row in PaymentAllocation.objects.filter(
            charge_id__in=charge_ids, payment__voided_at__isnull=True
        )
        .values("charge_id")
        .annotate(paid=Sum("amount"), last=Max("payment__paid_on"))
    }
    unpaid_months = []
    for charge in DuesCharge.all_objects.filter(pk__in=charge_ids):
        row = remaining.get(charge.pk)
        paid = row["paid"] if row else Decimal("0")
        status = settled_status(charge.amount, paid, charge.reduction_id)
        charge.paid_amount = paid
        charge.status = status
        charge.paid_on = row["last"] if row and status == ChargeStatus.PAID else None
        charge.save(update_fields=["paid_amount", "status", "paid_on"])
        if paid <= 0:
            unpaid_months.append(charge.month)
    line_change = _release_line(payment, reason)
    audit(
        actor,
        "dues.payment.voided",
        payment,
        org_path=payment.org_path,
        changes={"reason": reason, **record, **line_change},
    )
    rederive_unpaid(actor=actor, member=payment.member, months=unpaid_months, reason="void")
    return payment


def _release_line(payment: DuesPayment, reason: str) -> dict:
    """The statement line a voided payment was booked from becomes 不入账 (with the reason),
    and its statement's counts follow."""
    if not payment.statement_line_id:
        return {}
    line = (
        StatementLine.objects.select_for_update()
        .select_related("statement")
        .filter(pk=payment.statement_line_id)
        .first()
    )
    if line is None:
        return {}
    before = line.status
    line.status = LineStatus.IGNORED
    line.note = f"已入账的缴费于{timezone.localdate():%Y-%m-%d}作废：{reason}"[:200]
    line.save(update_fields=["status", "note"])
    statuses = list(
        StatementLine.objects.filter(statement=line.statement_id).values_list("status", flat=True)
    )
    statement = line.statement
    statement.matched_count = sum(1 for s in statuses if s == LineStatus.MATCHED)
    statement.save(update_fields=["matched_count"])
    return {
        "statement_line": {
            "statement": line.statement_id,
            "row_no": line.row_no,
            "status": [before, LineStatus.IGNORED],
        }
    }
