"""Reads of the dues ledger: access (404 to outsiders, a member reads his own), the month
list, a member's year, arrears and their ageing (R-DUES-14), annual totals, the publication
(nothing private), the hub counts; each in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.core.permissions import Cap
from dangjian.dues import selectors, services
from dangjian.dues.models import DuesCharge
from tests.conftest import _member
from tests.dues.conftest import CHARGED_MONTHS, generate, pay, set_base

D = Decimal
JAN, FEB, MAR, APR, MAY, JUN = CHARGED_MONTHS
TODAY = dt.date(2024, 7, 15)  # June is over, July is still being paid

# persona → can read branch A's dues (dues.manage on branch A)
MANAGE_A = {
    "committee_admin": True,
    "unit_admin": True,
    "secretary_a": True,
    "member_a": False,
    "secretary_b": False,
    "auditor": False,
    "security_admin": False,
    "system_admin": False,
    "judge": False,
    "outsider": False,
}


@pytest.mark.parametrize(("persona", "allowed"), MANAGE_A.items())
def test_access_member_dues_table(tree, personas, persona, allowed):
    user = personas.by_name(persona)
    target = tree.members_a[2]
    if allowed:
        assert selectors.access_member_dues(user, target.pk) == target
    else:
        with pytest.raises(Http404):
            selectors.access_member_dues(user, target.pk)


def test_a_member_reads_his_own_dues_only(tree, personas):
    own = tree.members_a[1]  # member_a's record
    assert selectors.access_member_dues(personas.member_a, own.pk, need=None) == own
    with pytest.raises(Http404):
        selectors.access_member_dues(personas.member_a, tree.members_a[2].pk, need=None)
    with pytest.raises(Http404):
        selectors.access_member_dues(personas.member_a, own.pk)  # the manager's view
    for bad in ("x", None, -1, 10**20):
        with pytest.raises(Http404):
            selectors.access_member_dues(personas.committee_admin, bad)


def test_access_payment_run_and_reduction(tree, personas, charged):
    payment = pay(tree.members_a[1], "40", dt.date(2024, 2, 1))
    run = generate(tree.branch_a, JUN)
    reduction = services.reduction_request(
        actor=None,
        member=tree.members_a[2],
        kind="exempt",
        monthly_amount=None,
        from_month=MAY,
        to_month=None,
        reason="困难",
        branch_discussed_on=dt.date(2024, 5, 2),
    )
    assert selectors.access_payment(personas.secretary_a, payment.pk) == payment
    assert selectors.access_run(personas.secretary_a, run.pk) == run
    assert selectors.access_reduction(personas.secretary_a, reduction.pk) == reduction
    decide = Cap.DUES_APPROVE
    assert selectors.access_reduction(personas.unit_admin, reduction.pk, need=decide)
    for user in (personas.secretary_b, personas.member_a, personas.auditor):
        for fn, pk in ((selectors.access_payment, payment.pk), (selectors.access_run, run.pk)):
            with pytest.raises(Http404):
                fn(user, pk)
    with pytest.raises(Http404):  # the branch reads it but never decides it (R-DUES-08)
        selectors.access_reduction(personas.secretary_a, reduction.pk, need=decide)


def test_dues_org_defaults_to_the_users_top_node(tree, personas):
    assert selectors.dues_org(personas.secretary_a) == tree.branch_a
    assert selectors.dues_org(personas.unit_admin) == tree.party_group_a
    assert selectors.dues_org(personas.unit_admin, str(tree.branch_b.pk)) == tree.branch_b
    with pytest.raises(Http404):
        selectors.dues_org(personas.secretary_a, tree.branch_b.pk)
    with pytest.raises(Http404):
        selectors.dues_org(personas.member_a)


# ---------------------------------------------------------------------------------------------
# The month list


def test_month_list_rows_and_totals(tree, personas, dues_bases):
    newcomer = _member(tree.branch_a, "林新", category="probationary", joined_on=MAR)
    generate(tree.branch_a, MAR)  # newcomer has no base yet
    a = tree.members_a
    pay(a[0], "40", dt.date(2024, 3, 5), months=[MAR])
    pay(a[1], "15", dt.date(2024, 3, 5), months=[MAR])
    ml = selectors.month_list(personas.secretary_a, tree.branch_a, dt.date(2024, 3, 20))
    by_member = {r.member.pk: r for r in ml.rows}
    assert set(by_member) == {m.pk for m in a} | {newcomer.pk}
    assert by_member[a[0].pk].status == "paid" and by_member[a[0].pk].status_label == "已缴"
    assert (by_member[a[1].pk].paid, by_member[a[1].pk].outstanding) == (D("15"), D("25.00"))
    assert by_member[a[2].pk].status == "due"
    assert by_member[newcomer.pk].status == "no_base"
    assert by_member[newcomer.pk].status_label == "缺缴纳基数"
    assert by_member[a[2].pk].base.base == D("4000.00")
    assert by_member[a[2].pk].category_label == "在职党员"
    assert (ml.total_due, ml.total_paid, ml.total_outstanding) == (
        D("200.00"),
        D("55.00"),
        D("145.00"),
    )
    assert ml.counts == {"paid": 1, "partial": 1, "due": 3, "no_base": 1}
    assert ml.without_base == [newcomer]
    assert ml.paid_rate == 20
    # a base set after the run: the member shows as "未生成", to be generated
    set_base(newcomer, month=MAR)
    ml = selectors.month_list(personas.secretary_a, tree.branch_a, MAR)
    assert [m.pk for m in ml.without_charge] == [newcomer.pk]
    assert ml.without_base == []
    found = selectors.month_list(personas.secretary_a, tree.branch_a, MAR, search="林")
    assert [r.member.pk for r in found.rows] == [newcomer.pk]


@pytest.mark.parametrize("persona", ["member_a", "secretary_b", "judge", "auditor"])
def test_month_list_refuses_outsiders(tree, personas, persona):
    with pytest.raises(Http404):
        selectors.month_list(personas.by_name(persona), tree.branch_a, MAR)


def _crowd(tree, n):
    """n more members of branch A with a base and the months charged."""
    extra = [_member(tree.branch_a, f"成员{'甲乙丙丁戊己庚辛壬癸子丑寅卯'[i]}") for i in range(n)]
    for m in extra:
        set_base(m)
    return extra


def test_month_list_queries_do_not_grow_with_members(
    tree, personas, dues_bases, django_assert_max_num_queries
):
    _crowd(tree, 12)
    generate(tree.root, MAR)
    user = personas.secretary_a
    selectors.month_list(user, tree.branch_a, MAR)  # grants cached on the user
    with django_assert_max_num_queries(4):  # totals, counts, two "without" lists at most
        ml = selectors.month_list(user, tree.branch_a, MAR)
    with django_assert_max_num_queries(4):  # a page: count, members, charges, bases
        rows = ml.rows[:50]
        assert len(ml.rows) == 17
        assert [r.member.branch.name for r in rows][:1] == ["第一党支部"]
    assert len(rows) == 17


def test_member_ledger_twelve_months(tree, personas, charged, django_assert_max_num_queries):
    member = tree.members_a[2]
    pay(member, "60", dt.date(2024, 2, 10))
    with django_assert_max_num_queries(2):
        months = selectors.member_ledger(personas.secretary_a, member, 2024)
        assert [len(m.allocations) for m in months[:3]] == [1, 1, 0]
    assert [m.month for m in months] == [dt.date(2024, i, 1) for i in range(1, 13)]
    assert [m.status for m in months[:7]] == [
        "paid",
        "partial",
        "due",
        "due",
        "due",
        "due",
        "no_charge",
    ]
    assert months[1].allocations[0].payment.paid_on == dt.date(2024, 2, 10)
    assert months[1].outstanding == D("20.00")
    earlier = selectors.member_ledger(personas.secretary_a, tree.members_a[4], 2023)
    assert [m.status for m in earlier[5:7]] == ["nothing", "no_charge"]  # accepted 2023-07


# ---------------------------------------------------------------------------------------------
# Arrears


@pytest.fixture
def arrears_case(tree, charged):
    """Branch A on 15 July 2024, charges January to June (40.00 each):
    a0 paid nothing (6 in a row), a1 paid to March (3), a2 paid January (5),
    a3 paid to April (2), a4 paid everything but half of June (owed, never unpaid)."""
    a = tree.members_a
    pay(a[1], "120", dt.date(2024, 3, 20))
    pay(a[2], "40", dt.date(2024, 1, 20))
    pay(a[3], "160", dt.date(2024, 4, 20))
    pay(a[4], "220", dt.date(2024, 6, 20))
    return a


def test_arrears_runs_and_findings(personas, tree, arrears_case, django_assert_max_num_queries):
    a = arrears_case
    user = personas.secretary_a
    selectors.arrears(user, tree.branch_a, TODAY)
    with django_assert_max_num_queries(3):  # a page: the groups, their members, their months
        rows = selectors.arrears(user, tree.branch_a, TODAY)[:50]
        assert rows[0].member.branch.name == "第一党支部"
    got = {r.member.pk: (r.consecutive, r.months_owed, r.outstanding, r.bucket) for r in rows}
    assert got == {
        a[0].pk: (6, 6, D("240.00"), "6+"),
        a[2].pk: (5, 5, D("200.00"), "3-5"),
        a[1].pk: (3, 3, D("120.00"), "3-5"),
        a[3].pk: (2, 2, D("80.00"), "1-2"),
        a[4].pk: (0, 1, D("20.00"), "1-2"),
    }
    assert [r.member.pk for r in rows] == [a[0].pk, a[2].pk, a[1].pk, a[3].pk, a[4].pk]
    levels = {r.member.pk: [(f.rule_id, f.level) for f in r.findings] for r in rows}
    assert levels[a[0].pk] == [("R-DUES-14", "error")]
    assert "自行脱党" in rows[0].findings[0].message
    assert levels[a[2].pk] == [("R-DUES-14", "warning")]
    assert levels[a[1].pk] == [("R-DUES-14", "warning")]
    assert levels[a[3].pk] == [] and levels[a[4].pk] == []
    assert rows[0].since == JAN and rows[0].oldest == JAN
    assert selectors.arrears_ageing(user, tree.branch_a, TODAY) == {"1-2": 2, "3-5": 2, "6+": 1}


def test_the_current_month_is_not_yet_overdue(personas, tree, arrears_case):
    """On 15 June, June is still being paid: a1 (paid to March) owes April and May, two."""
    rows = selectors.arrears(personas.secretary_a, tree.branch_a, dt.date(2024, 6, 15))
    got = {r.member.pk: r.consecutive for r in rows}
    assert got[arrears_case[1].pk] == 2 and arrears_case[4].pk not in got


def test_arrears_queries_on_a_year_of_charges(
    tree, personas, dues_bases, django_assert_max_num_queries
):
    _crowd(tree, 10)
    for m in range(1, 13):
        generate(tree.branch_a, dt.date(2024, m, 1))
    user = personas.secretary_a
    selectors.arrears(user, tree.branch_a, dt.date(2025, 1, 10))
    with django_assert_max_num_queries(3):
        rows = selectors.arrears(user, tree.branch_a, dt.date(2025, 1, 10))[:50]
    assert len(rows) == 15 and {r.consecutive for r in rows} == {12}


@pytest.mark.parametrize("persona", ["member_a", "secretary_b", "judge", "system_admin"])
def test_arrears_refuses_outsiders(tree, personas, persona):
    with pytest.raises(Http404):
        selectors.arrears(personas.by_name(persona), tree.branch_a, TODAY)


# ---------------------------------------------------------------------------------------------
# Totals, publication, overview


def test_annual_totals_per_branch_unit_and_total(tree, personas, charged):
    pay(tree.members_a[0], "240", dt.date(2024, 6, 30))
    pay(tree.members_a[1], "1000", dt.date(2024, 7, 1), kind="voluntary")
    pay(tree.members_b[0], "50", dt.date(2024, 7, 1), kind="voluntary")
    pay(tree.members_c[0], "40", dt.date(2024, 2, 1))
    rows = selectors.annual_totals(personas.committee_admin, tree.root, 2024)
    table = [
        (r.level, r.name, r.members, r.due, r.paid, r.outstanding, r.voluntary, r.to_centre)
        for r in rows
    ]
    assert table == [
        ("unit", "甲局", 8, D("1920"), D("240"), D("1680"), D("1050"), D("1000")),
        ("branch", "第一党支部", 5, D("1200"), D("240"), D("960"), D("1000"), D("1000")),
        ("branch", "第二党支部", 3, D("720"), D("0"), D("720"), D("50"), D("0")),
        ("unit", "乙局", 2, D("480"), D("40"), D("440"), D("0"), D("0")),
        ("branch", "乙局党支部", 2, D("480"), D("40"), D("440"), D("0"), D("0")),
        ("total", "合计", 10, D("2400"), D("280"), D("2120"), D("1050"), D("1000")),
    ]
    unit_rows = selectors.annual_totals(personas.unit_admin, tree.party_group_a, 2024)
    assert [r.name for r in unit_rows] == ["甲局", "第一党支部", "第二党支部", "合计"]
    with pytest.raises(Http404):
        selectors.annual_totals(personas.unit_admin, tree.root, 2024)


def test_publication_shows_payments_not_bases(tree, personas, charged):
    pay(tree.members_a[0], "240", dt.date(2024, 6, 30))
    pay(tree.members_a[1], "100", dt.date(2024, 3, 1))
    pay(tree.members_a[1], "1200", dt.date(2024, 3, 1), kind="voluntary")
    for user in (personas.secretary_a, personas.member_a):  # member_a: his own branch
        pub = selectors.publication(user, tree.branch_a, 2024)
        rows = {r.name: r for r in pub.rows}
        assert rows["张三丰"].months_paid == [1, 2, 3, 4, 5, 6]
        assert (rows["李四"].months_paid, rows["李四"].months_owed) == ([1, 2], [3, 4, 5, 6])
        assert (rows["李四"].paid, rows["李四"].voluntary) == (D("100"), D("1200"))
        assert (pub.members, pub.paid, pub.voluntary, pub.to_centre) == (
            5,
            D("340"),
            D("1200"),
            D("1200"),
        )
    fields = set(vars(pub.rows[0]))
    assert not fields & {"base", "items", "income_tax", "due", "amount", "standard_amount"}
    for user in (personas.secretary_b, personas.judge, personas.auditor):
        with pytest.raises(Http404):
            selectors.publication(user, tree.branch_a, 2024)


def test_reductions_pending_for_the_committee_above(tree, personas, dues_bases):
    for member in (tree.members_a[2], tree.members_c[0]):
        services.reduction_request(
            actor=None,
            member=member,
            kind="exempt",
            monthly_amount=None,
            from_month=MAY,
            to_month=None,
            reason="困难",
            branch_discussed_on=dt.date(2024, 5, 2),
        )
    names = lambda user: [r.member.name for r in selectors.reductions_pending_for(user)]  # noqa: E731
    assert names(personas.unit_admin) == ["王五"]
    assert names(personas.committee_admin) == ["王五", "郑一"]
    assert names(personas.secretary_a) == [] and names(personas.member_a) == []
    listed = selectors.reduction_list(personas.secretary_a)
    assert [r.member.name for r in listed] == ["王五"]
    assert selectors.reduction_list(personas.secretary_b) == []


def test_my_dues(tree, personas, charged):
    pay(tree.members_a[1], "80", dt.date(2024, 2, 1))
    mine = selectors.my_dues(personas.member_a, TODAY)
    assert mine.member == tree.members_a[1]
    assert (mine.outstanding, mine.months_owed, mine.consecutive, mine.since) == (
        D("160.00"),
        4,
        4,
        MAR,
    )
    assert [f.rule_id for f in mine.findings] == ["R-DUES-14"]
    assert [m.status for m in mine.months[:3]] == ["paid", "paid", "due"]
    assert selectors.my_dues(personas.outsider, TODAY) is None
    assert selectors.my_dues(personas.auditor, TODAY) is None


def test_dues_overview(tree, personas, charged, django_assert_max_num_queries):
    generate(tree.root, dt.date(2024, 7, 1))
    pay(tree.members_a[0], "280", dt.date(2024, 7, 10))  # everything, July included
    pay(tree.members_a[1], "160", dt.date(2024, 7, 10))  # January to April
    user = personas.committee_admin
    selectors.dues_overview(user, TODAY)
    with django_assert_max_num_queries(5):
        o = selectors.dues_overview(user, TODAY)
    assert (o.charged, o.settled, o.paid_rate) == (10, 1, 10)
    assert (o.warned, o.alerted, o.pending_reductions) == (8, 8, 0)
    mine = selectors.dues_overview(personas.secretary_a, TODAY)
    assert (mine.charged, mine.warned, mine.alerted) == (5, 3, 3)
    assert selectors.dues_overview(personas.auditor, TODAY) is None
    assert selectors.dues_overview(personas.member_a, TODAY) is None


def test_runs_for(tree, personas, dues_bases):
    generate(tree.branch_a, MAR)
    generate(tree.branch_b, MAR)
    assert [r.org for r in selectors.runs_for(personas.secretary_a, tree.branch_a)] == [
        tree.branch_a
    ]
    assert len(selectors.runs_for(personas.unit_admin, tree.party_group_a)) == 2
    assert selectors.runs_for(personas.secretary_b, tree.branch_a) == []


def test_no_charges_means_no_arrears(tree, personas, dues_bases):
    assert list(selectors.arrears(personas.secretary_a, tree.branch_a, TODAY)) == []
    assert not DuesCharge.all_objects.exists()
