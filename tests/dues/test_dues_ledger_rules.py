"""Ledger rules after the review: a charge of 0 is settled at once and counted so in every
report; a voided payment is kept, counts nowhere, re-derives its months and releases its
statement line; the leaving month is not owed, the same in the generation, the ledger and the
reconciliation's roster."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import selectors, services
from dangjian.dues import services_reconcile as reconcile
from dangjian.dues.models import (
    ChargeStatus,
    DuesCharge,
    DuesPayment,
    LineStatus,
    StatementLine,
)
from dangjian.members.models import Member
from dangjian.rules import dues as rules
from tests.dues.conftest import MONTHLY, generate, pay, set_base

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


def _charge(member, month):
    return DuesCharge.all_objects.get(member=member, month=month)


# --- item 4: a charge of 0 ------------------------------------------------------------------


def test_a_zero_base_gives_a_settled_charge_in_every_report(tree, personas, dues_bases):
    member = tree.members_a[2]
    set_base(member, base="0.00")
    generate(tree.branch_a, MAR)
    charge = _charge(member, MAR)
    assert (charge.amount, charge.paid_amount, charge.status) == (D("0.00"), 0, "paid")
    user = personas.secretary_a
    ml = selectors.month_list(user, tree.branch_a, MAR)
    row = next(r for r in ml.rows if r.member.pk == member.pk)
    assert row.status == "paid" and ml.counts["paid"] == 1 and ml.counts["due"] == 4
    pub = selectors.publication(user, tree.branch_a, 2024)
    mine = next(r for r in pub.rows if r.name == member.name)
    assert mine.months_paid == [3] and mine.months_owed == []
    assert member.pk not in {
        r.member.pk for r in selectors.arrears(user, tree.branch_a, dt.date(2024, 9, 1))
    }
    with pytest.raises(AppError, match="已缴清或免交"):
        pay(member, "1", dt.date(2024, 3, 5), months=[MAR])
    # a base set later makes it owed again (it was never paid)
    set_base(member, month=MAR)
    charge = _charge(member, MAR)
    assert (charge.amount, charge.status, charge.paid_on) == (MONTHLY, "due", None)


def test_an_exemption_over_a_zero_charge_is_exempt(tree, personas, dues_bases):
    member = tree.members_a[2]
    set_base(member, base="0.00")
    reduction = services.reduction_request(
        actor=personas.secretary_a,
        member=member,
        kind="exempt",
        monthly_amount=None,
        from_month=MAR,
        to_month=MAR,
        reason="困难",
        branch_discussed_on=dt.date(2024, 2, 20),
    )
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    generate(tree.branch_a, MAR)
    assert _charge(member, MAR).status == ChargeStatus.EXEMPT


def test_settled_status_table():
    from dangjian.dues.services_common import settled_status

    assert settled_status(D("0"), D("0"), None) == "paid"
    assert settled_status(D("0"), D("0"), 7) == "exempt"
    assert settled_status(D("40"), D("0"), None) == "due"
    assert settled_status(D("40"), D("10"), None) == "partial"
    assert settled_status(D("40"), D("40"), None) == "paid"


# --- item 7: voids ----------------------------------------------------------------------------


def test_a_voided_payment_counts_in_no_total(tree, personas, charged):
    member = tree.members_a[2]
    regular = pay(member, "40.00", dt.date(2024, 3, 5), months=[MAR])
    voluntary = pay(member, "1200.00", dt.date(2024, 3, 5), kind="voluntary")
    user = personas.secretary_a
    for p in (regular, voluntary):
        services.payment_void(actor=user, payment=p, reason="录错")
    assert DuesPayment.all_objects.filter(voided_at__isnull=False).count() == 2
    ledger = selectors.member_ledger(user, member, 2024)
    assert ledger[2].status == "due" and ledger[2].allocations == []
    totals = selectors.annual_totals(user, tree.branch_a, 2024)
    assert (totals[-1].paid, totals[-1].voluntary, totals[-1].to_centre) == (0, 0, 0)
    pub = selectors.publication(user, tree.branch_a, 2024)
    assert pub.voluntary == 0 and pub.to_centre == 0 and pub.paid == 0


def test_a_void_rederives_the_month_from_the_base_in_force(tree, personas, charged):
    member = tree.members_a[2]
    payment = pay(member, "40.00", dt.date(2024, 3, 5), months=[MAR])
    set_base(member, base="6000.00", month=MAR)  # paid March stays at 40.00 …
    assert _charge(member, MAR).amount == MONTHLY
    services.payment_void(actor=personas.secretary_a, payment=payment, reason="录错")
    charge = _charge(member, MAR)  # … until the payment is voided: now 6000 × 1.5 %
    assert (charge.amount, charge.status, charge.paid_amount) == (D("90.00"), "due", 0)
    assert AuditEntry.objects.filter(
        action="dues.charge.recomputed", changes__reason="void"
    ).exists()


def _statement_payment(tree, member, month):
    row = f"{member.name},,{MONTHLY},{month.isoformat()}\n"
    upload = SimpleUploadedFile("s.csv", ("姓名,身份证后四位,金额,日期\n" + row).encode())
    statement = reconcile.statement_import(
        actor=None, org=tree.branch_a, month=month, source="bank", uploaded_file=upload
    )
    reconcile.statement_confirm(actor=None, statement=statement)
    return statement, DuesPayment.all_objects.get(statement_line__statement=statement)


def test_voiding_a_statement_payment_releases_its_line(tree, personas, dues_bases):
    month = timezone.localdate().replace(day=1)
    generate(tree.branch_a, month)
    member = tree.members_a[2]
    statement, payment = _statement_payment(tree, member, month)
    services.payment_void(actor=personas.secretary_a, payment=payment, reason="银行退回")
    line = StatementLine.objects.get(statement=statement)
    assert line.status == LineStatus.IGNORED and "银行退回" in line.note
    statement.refresh_from_db()
    assert statement.matched_count == 0
    assert _charge(member, month).status == "due"
    entry = AuditEntry.objects.get(action="dues.payment.voided")
    assert entry.changes["statement_line"]["status"] == ["matched", "ignored"]


# --- item 10: the leaving month -----------------------------------------------------------------


def test_the_leaving_month_is_not_owed_anywhere(tree, personas, dues_bases):
    member = tree.members_a[2]
    Member.all_objects.filter(pk=member.pk).update(left_on=dt.date(2024, 2, 15))
    member.refresh_from_db()
    assert rules.last_month_owed(member.left_on) == JAN
    assert rules.owes_month(member.joined_on, member.left_on, JAN)
    assert not rules.owes_month(member.joined_on, member.left_on, FEB)
    generate(tree.branch_a, JAN)
    generate(tree.branch_a, FEB)
    assert set(DuesCharge.all_objects.filter(member=member).values_list("month", flat=True)) == {
        JAN
    }
    ledger = selectors.member_ledger(personas.secretary_a, member, 2024)
    assert [m.status for m in ledger[:3]] == ["due", "nothing", "nothing"]
    assert ledger[1].status_label == "无需交纳"
    from dangjian.dues.reconcile_matching import _roster

    assert member.pk in set(_roster(tree.branch_a.path, JAN).values_list("pk", flat=True))
    assert member.pk not in set(_roster(tree.branch_a.path, FEB).values_list("pk", flat=True))


def test_a_member_not_yet_charged_shows_not_generated(tree, personas, dues_bases):
    ledger = selectors.member_ledger(personas.secretary_a, tree.members_a[2], 2024)
    assert ledger[0].status == "no_charge" and ledger[0].status_label == "未生成"
