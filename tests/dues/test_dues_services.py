"""The dues write paths: bases (R-DUES-01..07, R-DUES-11), payments (R-DUES-12/13), voids and
reductions (R-DUES-08). Every refusal is a Chinese AppError at the field with nothing
written; outsiders get 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.dues import services
from dangjian.dues.models import (
    ChargeStatus,
    DuesBase,
    DuesCharge,
    DuesPayment,
    PaymentAllocation,
    Reduction,
)
from dangjian.notify.models import Notification
from tests.dues.conftest import generate, pay, set_base

D = Decimal
JAN, FEB, MAR, APR, MAY, JUN = (dt.date(2024, m, 1) for m in range(1, 7))


def _counts():
    return (
        DuesBase.all_objects.count(),
        DuesCharge.all_objects.count(),
        DuesPayment.all_objects.count(),
        PaymentAllocation.objects.count(),
        Reduction.all_objects.count(),
        AuditEntry.objects.count(),
        sorted(DuesCharge.all_objects.values_list("pk", "paid_amount", "status", "amount")),
    )


def _charge(member, month):
    return DuesCharge.all_objects.get(member=member, month=month)


# ---------------------------------------------------------------------------------------------
# Bases


@pytest.mark.parametrize(
    ("category", "base", "fixed", "expected"),
    [
        ("in_service", "3000.00", None, "15.00"),
        ("in_service", "3000.01", None, "30.00"),
        ("in_service", "5000.00", None, "50.00"),
        ("in_service", "5000.01", None, "75.00"),
        ("in_service", "10000.00", None, "150.00"),
        ("in_service", "10000.01", None, "200.00"),
        ("annual_salary", "10000.01", None, "200.00"),
        ("self_employed", "2999.99", None, "15.00"),
        ("retired", "5000.00", None, "25.00"),
        ("retired", "5000.01", None, "50.00"),
        ("in_service", "0", None, "0.00"),
        ("student", None, None, "0.20"),
        ("unemployed", None, None, "0.20"),
        ("low_income", None, None, "0.20"),
        ("farmer", None, "0.50", "0.50"),
        ("farmer", None, None, "0.20"),
    ],
)
def test_base_at_bracket_edges_through_the_service(tree, category, base, fixed, expected):
    member = tree.members_a[0]
    row = services.base_set(
        actor=None,
        member=member,
        category=category,
        effective_month=JAN,
        base=base,
        fixed_amount=fixed,
    )
    assert row.monthly_amount == D(expected)
    assert DuesBase.all_objects.get(pk=row.pk).monthly_amount == D(expected)
    if category in {"farmer", "student", "unemployed", "low_income"}:
        assert row.base is None and row.fixed_amount == D(expected)


def test_base_from_items_minus_income_tax(tree, personas):
    items = [{"name": "职务工资", "amount": "3200.00"}, {"name": "级别工资", "amount": "2800"}]
    row = services.base_set(
        actor=personas.secretary_a,
        member=tree.members_a[1],
        category="in_service",
        effective_month="2024-03",
        items=items,
        income_tax="300",
    )
    assert row.base == D("5700.00")  # R-DUES-02: 6000 − 300
    assert row.monthly_amount == D("85.50")  # 1.5 %
    assert row.effective_month == MAR
    assert row.items == [
        {"name": "职务工资", "amount": "3200.00"},
        {"name": "级别工资", "amount": "2800.00"},
    ]
    entry = AuditEntry.objects.get(action="dues.base.set")
    assert entry.changes["base"] == "5700.00" and entry.actor == personas.secretary_a


def test_base_set_again_for_the_month_replaces_it_and_recomputes_unpaid_charges(tree):
    member = tree.members_a[2]
    set_base(member)  # 4000 → 40.00 from January
    for month in (JAN, FEB, MAR):
        generate(tree.branch_a, month)
    pay(member, "40", dt.date(2024, 1, 20), months=[JAN])
    pay(member, "10", dt.date(2024, 2, 20), months=[FEB])
    set_base(member, base="6000.00")  # same month: replaces, 90.00
    assert DuesBase.all_objects.filter(member=member).count() == 1
    entry = AuditEntry.objects.get(action="dues.base.replaced")
    assert entry.changes["base"] == ["4000.00", "6000.00"]
    assert entry.changes["monthly_amount"] == ["40.00", "90.00"]
    # paid and partly paid months stay as they were; the wholly unpaid month follows
    assert _charge(member, JAN).amount == D("40.00")
    assert _charge(member, FEB).amount == D("40.00")
    assert _charge(member, MAR).amount == D("90.00")
    assert _charge(member, MAR).standard_amount == D("90.00")
    recomputed = AuditEntry.objects.get(action="dues.charge.recomputed")
    assert recomputed.changes["charges"] == [
        {"month": "2024-03-01", "amount": ["40.00", "90.00"], "status": ["due", "due"]}
    ]


def test_a_new_base_applies_from_its_month_until_the_next_base(tree):
    """R-DUES-11: a base set for February does not override the one already in force from
    April."""
    member = tree.members_a[3]
    set_base(member)
    set_base(member, base="12000", month=APR)  # 240.00 from April
    for month in (JAN, FEB, MAR, APR, MAY):
        generate(tree.branch_a, month)
    set_base(member, base="2000", month=FEB)  # 10.00 for February and March only
    amounts = dict(DuesCharge.all_objects.filter(member=member).values_list("month", "amount"))
    assert amounts == {
        JAN: D("40.00"),
        FEB: D("10.00"),
        MAR: D("10.00"),
        APR: D("240.00"),
        MAY: D("240.00"),
    }


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"base": "-1"}, "base", "不能为负数"),
        ({"base": "1000000.01"}, "base", "超出合理范围"),
        ({"base": "abc"}, "base", "不是有效的数字"),
        ({"base": None}, "base", "请填写"),
        ({"category": "nobody"}, "category", "缴费类别"),
        ({"category": "farmer", "fixed_amount": "1.5", "base": None}, "fixed_amount", "0.2元至1元"),
        (
            {"items": [{"name": "职务工资", "amount": "1000"}], "income_tax": "1200", "base": None},
            "income_tax",
            "个人所得税",
        ),
        ({"items": [{"name": "", "amount": "1000"}], "base": None}, "items", "名称"),
        ({"items": [{"name": "津贴", "amount": "-5"}], "base": None}, "items", "负数"),
        ({"items": [{"name": "津贴", "amount": "1000"}], "base": "999"}, "base", "不符"),
        ({"effective_month": dt.date(2007, 12, 1)}, "effective_month", "2008年4月"),
        ({"effective_month": "2024-13"}, "effective_month", "无效"),
        ({"effective_month": dt.date(2099, 1, 1)}, "effective_month", "下个月"),
        ({"note": "说" * 201}, "note", "200"),
    ],
)
def test_bad_base_input_is_refused_and_nothing_written(tree, kwargs, field, text):
    values = {"category": "in_service", "effective_month": JAN, "base": "4000"}
    values.update(kwargs)
    before = _counts()
    with pytest.raises(AppError) as exc:
        services.base_set(actor=None, member=tree.members_a[0], **values)
    assert exc.value.field == field
    assert text in exc.value.message
    assert _counts() == before


def test_base_before_the_member_owes_dues_is_refused(tree):
    probationary = tree.members_a[4]  # accepted 2023-07-01
    with pytest.raises(AppError) as exc:
        set_base(probationary, month=dt.date(2023, 6, 1))
    assert exc.value.field == "effective_month" and "R-DUES-09" in exc.value.message
    assert set_base(probationary, month=dt.date(2023, 7, 1)).monthly_amount == D("40.00")


def test_base_of_a_member_who_left_is_refused(tree):
    from dangjian.members.services import member_leave

    member = member_leave(
        actor=None, member=tree.members_a[2], on=dt.date(2024, 1, 5), reason="died"
    )
    with pytest.raises(AppError) as exc:
        set_base(member)
    assert exc.value.field == "member"
    assert not DuesBase.all_objects.exists()


@pytest.mark.parametrize("persona", ["secretary_b", "member_a", "auditor", "system_admin"])
def test_base_set_by_an_outsider_is_404(tree, personas, persona):
    with pytest.raises(Http404):
        set_base(tree.members_a[0], actor=personas.by_name(persona))
    assert not DuesBase.all_objects.exists()


# ---------------------------------------------------------------------------------------------
# Payments


def test_partial_payment_leaves_the_last_month_partial(tree, charged, personas):
    member = tree.members_a[1]
    payment = pay(member, "100", dt.date(2024, 3, 10), actor=personas.secretary_a)
    # oldest first: January and February paid, March partly
    assert [(c.month, c.paid_amount, c.status) for c in _open_and_paid(member)][:4] == [
        (JAN, D("40.00"), ChargeStatus.PAID),
        (FEB, D("40.00"), ChargeStatus.PAID),
        (MAR, D("20.00"), ChargeStatus.PARTIAL),
        (APR, D("0.00"), ChargeStatus.DUE),
    ]
    assert _charge(member, JAN).paid_on == dt.date(2024, 3, 10)
    assert _charge(member, MAR).paid_on is None
    assert payment.back_paid_months == 2  # January and February paid in March
    allocations = list(payment.allocations.values_list("charge__month", "amount"))
    assert allocations == [(JAN, D("40.00")), (FEB, D("40.00")), (MAR, D("20.00"))]
    entry = AuditEntry.objects.get(action="dues.payment.recorded")
    assert entry.changes["allocations"] == [
        ["2024-01-01", "40.00"],
        ["2024-02-01", "40.00"],
        ["2024-03-01", "20.00"],
    ]
    # the rest of March, then April
    pay(member, "60", dt.date(2024, 4, 10))
    assert _charge(member, MAR).status == ChargeStatus.PAID
    assert _charge(member, APR).paid_amount == D("40.00")


def _open_and_paid(member):
    return list(DuesCharge.all_objects.filter(member=member).order_by("month"))


def test_payment_of_named_months(tree, charged):
    member = tree.members_a[2]
    payment = pay(member, "80", dt.date(2024, 6, 5), months=[MAY, "2024-06"])
    assert {c.month for c in _open_and_paid(member) if c.status == ChargeStatus.PAID} == {
        MAY,
        JUN,
    }
    assert payment.back_paid_months == 1  # May, paid in June


def test_back_payment_of_six_months_is_allowed_seven_needs_the_exception(tree, charged):
    member = tree.members_a[3]
    pay(member, "40", dt.date(2024, 7, 31), months=[JAN])  # 6 months late: fine
    assert _charge(member, JAN).status == ChargeStatus.PAID
    before = _counts()
    with pytest.raises(AppError) as exc:
        pay(member, "40", dt.date(2024, 9, 1), months=[FEB])  # 7 months late
    assert exc.value.field == "exception_reason"
    assert "R-DUES-13" in exc.value.message and "6个月" in exc.value.message
    assert _counts() == before
    payment = pay(
        member,
        "40",
        dt.date(2024, 9, 1),
        months=[FEB],
        exception_reason="长期驻外执行任务，经支部同意补交",
    )
    assert payment.exception_reason.startswith("长期驻外")
    assert _charge(member, FEB).status == ChargeStatus.PAID


def test_paid_by_another_member_of_the_branch_with_consent(tree, charged):
    member, other = tree.members_a[1], tree.members_a[2]
    payment = pay(
        member,
        "40",
        dt.date(2024, 1, 20),
        months=[JAN],
        paid_by=other,
        consent_note="支部委员会同意由王五代交",
    )
    assert payment.paid_by == other
    assert payment.consent_note == "支部委员会同意由王五代交"


@pytest.mark.parametrize(
    ("who", "consent", "field", "text"),
    [
        ("other", "", "consent_note", "支部同意"),
        ("self", "同意", "paid_by", "本人"),
        ("other_branch", "同意", "paid_by", "同一党支部"),
        ("left", "同意", "paid_by", "在册"),
    ],
)
def test_paid_by_refusals(tree, charged, who, consent, field, text):
    from dangjian.members.services import member_leave

    member = tree.members_a[1]
    paid_by = {
        "other": tree.members_a[2],
        "self": member,
        "other_branch": tree.members_b[0],
        "left": None,
    }[who]
    if who == "left":
        paid_by = member_leave(
            actor=None, member=tree.members_a[3], on=dt.date(2024, 7, 1), reason="died"
        )
    before = _counts()
    with pytest.raises(AppError) as exc:
        pay(member, "40", dt.date(2024, 1, 20), months=[JAN], paid_by=paid_by, consent_note=consent)
    assert (exc.value.field, text in exc.value.message) == (field, True)
    assert _counts() == before


@pytest.mark.parametrize(
    ("amount", "centre"), [("1000", True), ("999.99", False), ("5000.00", True)]
)
def test_voluntary_dues_of_1000_or_more_go_to_the_centre(tree, charged, amount, centre):
    member = tree.members_a[0]
    payment = pay(member, amount, dt.date(2024, 7, 1), kind="voluntary")
    assert payment.to_centre is centre
    assert not payment.allocations.exists()
    assert _charge(member, JAN).status == ChargeStatus.DUE  # voluntary settles nothing


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"amount": "0"}, "amount", "大于0"),
        ({"amount": "-40"}, "amount", "大于0"),
        ({"amount": "1000000.01"}, "amount", "合理范围"),
        ({"amount": "40.001"}, "amount", "分"),
        ({"amount": "abc"}, "amount", "数字"),
        ({"months": [dt.date(2024, 8, 1)]}, "months", "该月无应缴记录"),
        ({"months": [JAN]}, "months", "已缴清"),
        ({"amount": "80", "months": [FEB]}, "amount", "自愿多交"),
        ({"amount": "1000"}, "amount", "共欠缴200.00元"),
        ({"paid_on": dt.date(2999, 1, 1)}, "paid_on", "晚于今天"),
        ({"method": "bitcoin"}, "method", "缴纳方式"),
        ({"kind": "voluntary", "months": [FEB]}, "months", "自愿多交"),
        ({"receipt_no": "x" * 51}, "receipt_no", "50"),
    ],
)
def test_bad_payment_input_is_refused_and_nothing_written(tree, charged, kwargs, field, text):
    member = tree.members_a[1]
    pay(member, "40", dt.date(2024, 1, 20), months=[JAN])
    values = {"amount": "40", "paid_on": dt.date(2024, 2, 20), "method": "cash"}
    values.update(kwargs)
    before = _counts()
    with pytest.raises(AppError) as exc:
        services.payment_record(actor=None, member=member, **values)
    assert exc.value.field == field, exc.value.message
    assert text in exc.value.message
    assert _counts() == before


def test_payment_with_nothing_owed_is_refused(tree, dues_bases):
    with pytest.raises(AppError) as exc:
        pay(tree.members_a[1], "40", dt.date(2024, 2, 1))
    assert "自愿多交" in exc.value.message
    assert not DuesPayment.all_objects.exists()


@pytest.mark.parametrize("persona", ["secretary_b", "member_a", "judge", "auditor"])
def test_payment_by_an_outsider_is_404(tree, charged, personas, persona):
    with pytest.raises(Http404):
        pay(tree.members_a[1], "40", dt.date(2024, 2, 1), actor=personas.by_name(persona))
    assert not DuesPayment.all_objects.exists()


def test_void_reverses_the_payment_and_keeps_the_trail(tree, charged, personas):
    member = tree.members_a[1]
    first = pay(member, "60", dt.date(2024, 2, 1))  # Jan paid, Feb 20
    second = pay(member, "20", dt.date(2024, 2, 25))  # Feb paid
    assert _charge(member, FEB).status == ChargeStatus.PAID
    with pytest.raises(AppError) as exc:
        services.payment_void(actor=personas.secretary_a, payment=first, reason=" ")
    assert exc.value.field == "reason"
    services.payment_void(actor=personas.secretary_a, payment=first, reason="金额录错")
    kept = DuesPayment.all_objects.get(pk=first.pk)  # kept, marked voided
    assert kept.voided_at is not None and kept.voided_by == personas.secretary_a
    assert kept.void_reason == "金额录错"
    with pytest.raises(AppError, match="已作废"):
        services.payment_void(actor=personas.secretary_a, payment=first, reason="再次")
    jan, feb = _charge(member, JAN), _charge(member, FEB)
    assert (jan.paid_amount, jan.status, jan.paid_on) == (D("0.00"), ChargeStatus.DUE, None)
    assert (feb.paid_amount, feb.status) == (D("20.00"), ChargeStatus.PARTIAL)
    entry = AuditEntry.objects.get(action="dues.payment.voided")
    assert entry.changes["reason"] == "金额录错"
    assert entry.changes["amount"] == "60.00"
    assert entry.object_id == str(first.pk)
    assert AuditEntry.objects.filter(action="dues.payment.recorded").count() == 2
    with pytest.raises(Http404):
        services.payment_void(actor=personas.secretary_b, payment=second, reason="错")


# ---------------------------------------------------------------------------------------------
# Reductions


def _request(actor, member, kind="exempt", amount=None, first=APR, last=JUN):
    return services.reduction_request(
        actor=actor,
        member=member,
        kind=kind,
        monthly_amount=amount,
        from_month=first,
        to_month=last,
        reason="患重病，收入锐减",
        branch_discussed_on=dt.date(2024, 3, 28),
    )


def test_reduction_request_notifies_the_committee_above(tree, personas, dues_bases):
    reduction = _request(personas.secretary_a, tree.members_a[2])
    assert reduction.status == "pending"
    # the nearest body above branch A with dues.approve holders is 甲局党组 (unit_admin)
    todos = Notification.objects.filter(kind="dues_reduction")
    assert [n.user for n in todos] == [personas.unit_admin]
    assert todos[0].rule_id == "R-DUES-08" and todos[0].is_todo


def test_a_branch_secretary_cannot_approve_his_branchs_reduction(tree, personas, dues_bases):
    reduction = _request(personas.secretary_a, tree.members_a[2])
    with pytest.raises(AppError) as exc:
        services.reduction_decide(actor=personas.secretary_a, reduction=reduction, approve=True)
    assert "R-DUES-08" in exc.value.message
    with pytest.raises(Http404):
        services.reduction_decide(actor=personas.secretary_b, reduction=reduction, approve=True)
    with pytest.raises(Http404):
        services.reduction_decide(actor=personas.member_a, reduction=reduction, approve=True)
    assert Reduction.all_objects.get(pk=reduction.pk).status == "pending"


def test_a_unit_admin_above_approves_and_unpaid_charges_follow(tree, personas, charged):
    member = tree.members_a[2]
    pay(member, "40", dt.date(2024, 4, 10), months=[APR])
    reduction = _request(personas.secretary_a, member, kind="reduce", amount="5.00", last=MAY)
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    decided = Reduction.all_objects.get(pk=reduction.pk)
    assert decided.status == "approved" and decided.decided_by == personas.unit_admin
    apr, may, jun = _charge(member, APR), _charge(member, MAY), _charge(member, JUN)
    assert (apr.amount, apr.status) == (D("40.00"), ChargeStatus.PAID)  # paid stays
    assert (may.amount, may.standard_amount, may.reduction_id) == (
        D("5.00"),
        D("40.00"),
        reduction.pk,
    )
    assert jun.amount == D("40.00")  # outside the range
    # the next generation applies it too
    DuesCharge.all_objects.filter(member=member, month=MAY).delete()
    generate(tree.branch_a, MAY)
    assert _charge(member, MAY).amount == D("5.00")
    with pytest.raises(AppError):
        services.reduction_decide(actor=personas.unit_admin, reduction=decided, approve=False)


def test_exemption_approved_by_the_committee_admin(tree, personas, charged):
    member = tree.members_b[1]
    reduction = _request(personas.secretary_b, member, first=MAY, last=None)
    services.reduction_decide(actor=personas.committee_admin, reduction=reduction, approve=True)
    assert (_charge(member, MAY).amount, _charge(member, MAY).status) == (
        D("0.00"),
        ChargeStatus.EXEMPT,
    )
    assert _charge(member, JUN).status == ChargeStatus.EXEMPT
    assert _charge(member, APR).status == ChargeStatus.DUE


def test_rejection_needs_a_note(tree, personas, dues_bases):
    reduction = _request(personas.secretary_a, tree.members_a[2])
    with pytest.raises(AppError) as exc:
        services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=False)
    assert exc.value.field == "note"
    services.reduction_decide(
        actor=personas.unit_admin, reduction=reduction, approve=False, note="收入未见明显下降"
    )
    assert Reduction.all_objects.get(pk=reduction.pk).status == "rejected"
    assert AuditEntry.objects.filter(action="dues.reduction.rejected").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "free"}, "kind"),
        ({"kind": "reduce", "monthly_amount": "40.00"}, "monthly_amount"),
        ({"kind": "reduce", "monthly_amount": "-1"}, "monthly_amount"),
        ({"to_month": MAR}, "to_month"),
        ({"reason": ""}, "reason"),
        ({"branch_discussed_on": dt.date(2999, 1, 1)}, "branch_discussed_on"),
        ({"branch_discussed_on": "yesterday"}, "branch_discussed_on"),
    ],
)
def test_bad_reduction_request_is_refused(tree, personas, dues_bases, kwargs, field):
    values = {
        "kind": "exempt",
        "monthly_amount": None,
        "from_month": APR,
        "to_month": JUN,
        "reason": "困难",
        "branch_discussed_on": dt.date(2024, 3, 28),
    }
    values.update(kwargs)
    before = _counts()
    with pytest.raises(AppError) as exc:
        services.reduction_request(actor=personas.secretary_a, member=tree.members_a[2], **values)
    assert exc.value.field == field
    assert _counts() == before


def test_overlapping_reduction_is_refused(tree, personas, dues_bases):
    _request(personas.secretary_a, tree.members_a[2])
    with pytest.raises(AppError) as exc:
        _request(personas.secretary_a, tree.members_a[2], first=JUN, last=None)
    assert exc.value.field == "from_month"
    assert Reduction.all_objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Two payments of the same month at the same moment


def _with_busy_retry(fn, attempts=400):
    """SQLite's in-memory test database (shared cache) answers "database table is locked" at
    once to a second writer, where a file database waits its busy timeout: wait here as the
    busy handler would, retrying the whole transaction. PostgreSQL never raises it: the second
    payment waits on the charge's row lock (select_for_update) and then finds it paid."""
    import time

    from django.db import OperationalError, connection

    for _ in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_settle_a_month_once(tree, dues_bases):
    import threading

    from django.db import connection

    threads_n = 5
    member = tree.members_a[1]
    generate(tree.branch_a, JAN)
    start = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def record():
        try:
            start.wait(timeout=30)
            _with_busy_retry(lambda: pay(member, "40", dt.date(2024, 1, 20), months=[JAN]))
            result = "ok"
        except AppError as exc:
            result = (
                "refused" if ("已缴清" in exc.message or "刚被" in exc.message) else exc.message
            )
        except BaseException as exc:  # reported below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=record) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_n - 1), outcomes
    charge = _charge(member, JAN)
    assert (charge.paid_amount, charge.status) == (D("40.00"), ChargeStatus.PAID)
    assert DuesPayment.all_objects.filter(member=member).count() == 1
    assert PaymentAllocation.objects.filter(charge=charge).count() == 1
    assert AuditEntry.objects.filter(action="dues.payment.recorded").count() == 1
