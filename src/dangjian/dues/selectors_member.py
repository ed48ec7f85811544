"""Reads of one member's dues: the twelve months of a year with the payments that settled
them, his bases, payments and reductions, and his own page (`my_dues`). The member comes
from `selectors.access_member_dues` (or is the user's own record), so these only read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dangjian.dues.models import (
    ChargeStatus,
    DuesBase,
    DuesCharge,
    DuesPayment,
    PaymentAllocation,
    Reduction,
)
from dangjian.members.models import Member, Standing
from dangjian.rules import dues as rules

ZERO = Decimal("0.00")
STATUS_LABELS = {
    **dict(ChargeStatus.choices),
    "no_charge": "未生成",
    "no_base": "缺缴纳基数",
    "nothing": "无需交纳",
}


@dataclass
class LedgerMonth:
    month: dt.date
    charge: DuesCharge | None
    allocations: list  # PaymentAllocation with .payment
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def outstanding(self) -> Decimal:
        return self.charge.outstanding if self.charge else ZERO


def owes(member: Member, month: dt.date) -> bool:
    """The one rule of who owes a month (`rules.dues.owes_month`; the same as the generation's
    `services_common.owing_q`): joined by then, not left before the month ended, in normal
    standing."""
    return member.standing == Standing.NORMAL and rules.owes_month(
        member.joined_on, member.left_on, month
    )


def member_ledger(user, member: Member, year: int) -> list[LedgerMonth]:
    """The 12 months of `year` for a member obtained through `access_member_dues`: the charge,
    the payments that settled it, the status. Two queries."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    charges = {
        c.month: c
        for c in DuesCharge.all_objects.filter(member=member, month__gte=first, month__lte=last)
    }
    allocs: dict[int, list] = {}
    for a in (
        PaymentAllocation.objects.filter(
            charge_id__in=[c.pk for c in charges.values()], payment__voided_at__isnull=True
        )
        .select_related("payment")
        .order_by("payment__paid_on", "id")
    ):
        allocs.setdefault(a.charge_id, []).append(a)
    out = []
    for month in rules.month_range(first, last):
        charge = charges.get(month)
        if charge is not None:
            status = charge.status
        elif owes(member, month):
            status = "no_charge"
        else:
            status = "nothing"
        out.append(LedgerMonth(month, charge, allocs.get(charge.pk, []) if charge else [], status))
    return out


def member_bases(user, member: Member) -> list[DuesBase]:
    """The member's bases, newest first (with the items they were derived from)."""
    return list(
        DuesBase.all_objects.filter(member=member)
        .select_related("created_by")
        .order_by("-effective_month")
    )


def member_payments(user, member: Member, year: int | None = None) -> list[DuesPayment]:
    """The member's payments, newest first; voided ones included (the page strikes them
    through, `voided_at` set) — they count in no sum."""
    qs = DuesPayment.all_objects.filter(member=member).select_related(
        "paid_by", "recorded_by", "voided_by"
    )
    if year:
        qs = qs.filter(paid_on__year=year)
    return list(qs.prefetch_related("allocations__charge").order_by("-paid_on", "-id"))


def member_reductions(user, member: Member) -> list[Reduction]:
    return list(
        Reduction.all_objects.filter(member=member)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


@dataclass
class MyDues:
    member: Member
    year: int
    months: list[LedgerMonth]
    outstanding: Decimal
    months_owed: int
    consecutive: int
    since: dt.date | None
    findings: list


def my_dues(user, today: dt.date) -> MyDues | None:
    """A member's own dues for the phone page: this year's months, what he owes now and the
    R-DUES-14 warning, if any. None for an account not linked to a member on the roster."""
    from django.conf import settings

    member_id = getattr(user, "member_id", None)
    if not member_id or not user.is_active:
        return None
    member = Member.all_objects.select_related("branch").filter(pk=member_id).first()
    if member is None:
        return None
    this_month = rules.month_start(today)
    open_rows = list(
        DuesCharge.all_objects.filter(
            member=member,
            status__in=[ChargeStatus.DUE, ChargeStatus.PARTIAL],
            month__lt=this_month,
        ).values_list("month", "amount", "paid_amount", "status")
    )
    open_rows = [r for r in open_rows if r[1] > r[2]]
    unpaid = [m for m, _, _, s in open_rows if s == ChargeStatus.DUE]
    n, since = rules.consecutive_unpaid(unpaid, today)
    findings = (
        rules.arrears_findings(
            n,
            since,
            warn=settings.DUES_ARREARS_WARN_MONTHS,
            alert=settings.DUES_ARREARS_ALERT_MONTHS,
        )
        if n
        else []
    )
    return MyDues(
        member=member,
        year=today.year,
        months=member_ledger(user, member, today.year),
        outstanding=sum((a - p for _, a, p, _ in open_rows), ZERO),
        months_owed=len(open_rows),
        consecutive=n,
        since=since,
        findings=findings,
    )
