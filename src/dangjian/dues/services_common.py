"""What the dues write paths share: access checks, input parsing with Chinese messages, and
the one derivation of a month's charge from the base in force and an approved reduction
(used by generation, by a new base (R-DUES-11) and by an approved reduction (R-DUES-08)).
Private to the dues services; the public names live in `dangjian.dues.services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues.models import (
    ChargeStatus,
    DuesBase,
    DuesCharge,
    Reduction,
    ReductionKind,
    ReductionStatus,
)
from dangjian.members.models import Member, Standing
from dangjian.rules import dues as rules

#: the 2008 rules (中组发〔2008〕3号) apply from April 2008: no month before it is charged
MONTH_MIN = dt.date(2008, 4, 1)
#: a single payment above this is surely a typing error
AMOUNT_MAX = Decimal("1000000")
CENT = Decimal("0.01")


def require(actor, cap: Cap, path: str) -> None:
    """`cap` on the node, else 404 (`actor=None` is the system: demo, jobs, reminders)."""
    if actor is not None and not can(actor, cap, path):
        raise deny()


def user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def rounding() -> str:
    return getattr(settings, "DUES_ROUNDING", "0.01")


def money(value, field: str, label: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount in yuan with at most two decimals, or AppError at `field`."""
    if value is None or value == "":
        raise AppError(f"请填写{label}。", field=field)
    if isinstance(value, float):  # money is Decimal; a float from a caller is read as written
        value = repr(value)
    try:
        amount = rules.to_decimal(value, field, label)
    except rules.DuesInputError as exc:
        raise AppError(exc.message, field=field) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise AppError(f"{label}须大于0。", field=field)
    if amount > AMOUNT_MAX:
        raise AppError(
            f"{label}超出合理范围（不超过{AMOUNT_MAX:,.0f}元），请核对是否多输了位数。", field=field
        )
    if amount != amount.quantize(CENT):
        raise AppError(f"{label}最小单位为分（0.01元）。", field=field)
    return amount.quantize(CENT)


def month_of(value, field: str = "month", label: str = "月份") -> dt.date:
    """The 1st of the month of a date (or of "YYYY-MM" / "YYYY-MM-DD"), or AppError."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            raise AppError(f"{label}“{text}”无效，应为 YYYY-MM。", field=field) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise AppError(f"请填写{label}。", field=field)
    month = rules.month_start(value)
    if month < MONTH_MIN:
        raise AppError(f"{label}不能早于2008年4月（现行党费规定自2008年起施行）。", field=field)
    return month


def day_of(value, field: str, label: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise AppError(f"{label}“{value}”无效，应为 YYYY-MM-DD。", field=field) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise AppError(f"请填写{label}。", field=field)
    return value


def text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise AppError(f"{label}不能超过{limit}字。", field=field)
    return value


def is_current(member: Member) -> bool:
    """On the roster and in normal standing: the members who owe dues."""
    return member.left_on is None and member.standing == Standing.NORMAL


def owing_q(month: dt.date, prefix: str = "") -> Q:
    """Members who owe dues for `month`: joined (probationary members from the month the
    支部大会 accepted them, R-DUES-09) by the month's end, not taken off the roster before the
    month ended (the leaving month is not owed), in normal standing (停止党籍 pays nothing).
    The SQL form of `rules.dues.owes_month`, the one rule the ledger, the generation and the
    reconciliation share."""
    p = prefix
    after = rules.add_month_starts(month, 1)
    return (
        Q(**{f"{p}joined_on__lt": after})
        & (Q(**{f"{p}left_on__isnull": True}) | Q(**{f"{p}left_on__gte": after}))
        & Q(**{f"{p}standing": Standing.NORMAL})
    )


def lock_member(member: Member) -> None:
    """Serialise the dues writes of one member (base, reduction, a generation chunk): the row
    lock on PostgreSQL; SQLite's IMMEDIATE transactions serialise every write already."""
    Member.all_objects.select_for_update().filter(pk=member.pk).values_list("pk").first()


def settled_status(amount: Decimal, paid: Decimal, reduction_id: int | None) -> str:
    """The status of a charge of `amount` of which `paid` is paid. A charge of 0 (a base of 0,
    an amount rounding to 0, or an exemption) is settled at once: exempt when a reduction made
    it so (R-DUES-08), else paid with nothing to pay — never 未缴 forever."""
    if paid <= 0:
        if amount <= 0:
            return ChargeStatus.EXEMPT if reduction_id else ChargeStatus.PAID
        return ChargeStatus.DUE
    return ChargeStatus.PAID if paid >= amount else ChargeStatus.PARTIAL


# ---------------------------------------------------------------------------------------------
# Deriving a charge


@dataclass(frozen=True)
class Derived:
    category: str
    base: Decimal | None
    standard_amount: Decimal
    amount: Decimal
    reduction_id: int | None
    status: str


def derive(base_row: DuesBase, reduction: Reduction | None) -> Derived:
    """A month's charge from the base in force (R-DUES-11) and an approved reduction covering
    the month (R-DUES-08): exempt → 0 and status exempt; reduce → its monthly amount."""
    standard = base_row.monthly_amount
    amount, reduction_id = standard, None
    if reduction is not None:
        reduction_id = reduction.pk
        if reduction.kind == ReductionKind.EXEMPT:
            amount = Decimal("0.00")
        else:
            amount = min(reduction.monthly_amount, standard)
    status = settled_status(amount, Decimal("0"), reduction_id)
    return Derived(base_row.category, base_row.base, standard, amount, reduction_id, status)


def bases_in_force(member_ids, month: dt.date) -> dict[int, DuesBase]:
    """{member id: the base in force in `month`}: one query, at most one row per member."""
    latest = (
        DuesBase.all_objects.filter(member_id=OuterRef("member_id"), effective_month__lte=month)
        .order_by("-effective_month")
        .values("pk")[:1]
    )
    rows = DuesBase.all_objects.filter(member_id__in=list(member_ids), pk=Subquery(latest))
    return {b.member_id: b for b in rows}


def reductions_covering(member_ids, month: dt.date) -> dict[int, Reduction]:
    """{member id: the approved reduction covering `month`} (the latest decided): one query."""
    rows = (
        Reduction.all_objects.filter(
            member_id__in=list(member_ids),
            status=ReductionStatus.APPROVED,
            from_month__lte=month,
        )
        .filter(Q(to_month__isnull=True) | Q(to_month__gte=month))
        .order_by("member_id", "decided_at", "id")
    )
    return {r.member_id: r for r in rows}  # the last one decided wins


def rederive_unpaid(*, actor, member: Member, months: list[dt.date], reason: str) -> list[dict]:
    """Recompute the charges of `member` for `months` that are still wholly unpaid (nothing
    paid: a charge of 0 settled at once counts as unpaid here): a new base (R-DUES-11), an
    approved or ended reduction (R-DUES-08) or a voided payment changes what is owed; a month
    already paid in part or in full stays as it was. One audit entry."""
    if not months:
        return []
    charges = list(
        DuesCharge.all_objects.select_for_update()
        .filter(member=member, month__in=months, paid_amount=0)
        .order_by("month")
    )
    if not charges:
        return []
    # the member's whole history: a few rows, read once for every month
    bases = list(DuesBase.all_objects.filter(member=member).order_by("effective_month"))
    reductions = list(
        Reduction.all_objects.filter(member=member, status=ReductionStatus.APPROVED).order_by(
            "decided_at", "id"
        )
    )
    changed = []
    for charge in charges:
        in_force = [b for b in bases if b.effective_month <= charge.month]
        if not in_force:
            continue
        covering = [
            r
            for r in reductions
            if r.from_month <= charge.month and (r.to_month is None or r.to_month >= charge.month)
        ]
        d = derive(in_force[-1], covering[-1] if covering else None)
        before = (charge.category, charge.base, charge.standard_amount, charge.amount)
        before += (charge.reduction_id, charge.status, charge.paid_on)
        after = (d.category, d.base, d.standard_amount, d.amount, d.reduction_id, d.status)
        after += (None,)
        if before == after:
            continue
        charge.category, charge.base, charge.standard_amount = after[:3]
        charge.amount, charge.reduction_id, charge.status, charge.paid_on = after[3:]
        charge.save(
            update_fields=[
                "category",
                "base",
                "standard_amount",
                "amount",
                "reduction",
                "status",
                "paid_on",
            ]
        )
        changed.append(
            {
                "month": charge.month.isoformat(),
                "amount": [str(before[3]), str(d.amount)],
                "status": [before[5], d.status],
            }
        )
    if changed:
        audit(
            actor,
            "dues.charge.recomputed",
            member,
            org_path=member.org_path,
            changes={"reason": reason, "charges": changed},
        )
    return changed
