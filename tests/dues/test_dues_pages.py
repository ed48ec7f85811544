"""党费 pages: the month list (totals, statuses, search, members without a base, query
count), generating a month with its progress fragment, recording a payment through the form
(htmx and plain), bad input shown at the field with nothing written, the member's ledger and
base form, arrears (query count, worst first), annual totals, publication, reductions and
"我的党费"."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from dangjian.core.models import AuditEntry
from dangjian.dues.models import ChargeRun, DuesBase, DuesCharge, DuesPayment
from tests.conftest import _member
from tests.dues.conftest import MONTHLY, generate, pay, set_base

CHARS = "甲乙丙丁戊己庚辛壬癸"


def _name(prefix: str, i: int) -> str:
    return f"{prefix}{CHARS[i // 10]}{CHARS[i % 10]}"


def _login(client, personas, name="secretary_a"):
    client.force_login(personas.by_name(name))
    return client


def _charge(member, month):
    return DuesCharge.all_objects.get(member=member, month=month)


# ---------------------------------------------------------------------------------------------
# The month list


def test_month_list_shows_who_owes_and_totals(client, tree, personas, charged):
    pay(tree.members_a[1], "40.00", dt.date(2024, 3, 5), months=[dt.date(2024, 3, 1)])
    response = _login(client, personas).get(f"/dues/?org={tree.branch_a.pk}&month=2024-03")
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'data-testid="month-row" data-member="(\d+)" data-status="(\w+)"', html)
    assert len(rows) == len(tree.members_a)
    statuses = {int(m): s for m, s in rows}
    assert statuses[tree.members_a[1].pk] == "paid"
    assert statuses[tree.members_a[2].pk] == "due"
    assert f"{MONTHLY * 5} 元" in html  # total due of 5 members
    assert "40.00 元" in html  # total paid
    assert html.count('data-testid="pay"') == 4  # a 收款 button for each unpaid row
    assert 'href="/dues/reconcile/' in html  # the link to reconciliation
    assert "4000" not in html  # the base stays behind the member page


def test_month_list_search_and_members_without_base(client, tree, personas, charged):
    newcomer = _member(tree.branch_a, "欧阳新")
    response = _login(client, personas).get(f"/dues/?org={tree.branch_a.pk}&month=2024-03")
    html = response.content.decode()
    assert 'data-testid="without-base"' in html
    assert f'href="/dues/members/{newcomer.pk}/#base-form"' in html
    response = client.get(f"/dues/?org={tree.branch_a.pk}&month=2024-03&q=李四")
    rows = re.findall(r'data-testid="month-row" data-member="(\d+)"', response.content.decode())
    assert rows == [str(tree.members_a[1].pk)]


def test_month_list_query_count_does_not_grow(
    client, tree, personas, dues_bases, django_assert_max_num_queries
):
    for i in range(40):
        set_base(_member(tree.branch_a, _name("党员", i)))
    generate(tree.root, dt.date(2024, 3, 1))
    _login(client, personas)
    with django_assert_max_num_queries(16):
        response = client.get(f"/dues/?org={tree.branch_a.pk}&month=2024-03")
    assert response.content.decode().count('data-testid="month-row"') == 45


def test_generate_starts_a_run_and_shows_progress(client, tree, personas, dues_bases):
    _login(client, personas)
    response = client.post(
        "/dues/generate/", {"org": tree.branch_a.pk, "month": "2024-02"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    run = ChargeRun.all_objects.get()
    assert (run.org_id, run.month, run.status) == (tree.branch_a.pk, dt.date(2024, 2, 1), "queued")
    html = response.content.decode()
    assert f'hx-get="/dues/runs/{run.pk}/"' in html and 'hx-trigger="every 1s"' in html
    generate(tree.branch_a, dt.date(2024, 2, 1), run=run)
    done = client.get(f"/dues/runs/{run.pk}/").content.decode()
    assert 'data-status="done"' in done and "every 1s" not in done
    assert "新生成 5 条" in done


def test_generate_too_far_ahead_is_refused(client, tree, personas, dues_bases):
    _login(client, personas)
    response = client.post("/dues/generate/", {"org": tree.branch_a.pk, "month": "2099-01"})
    assert response.status_code == 302  # back with the message
    assert ChargeRun.all_objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Payments through the form


def test_payment_through_htmx_form(client, tree, personas, charged):
    member = tree.members_a[2]
    _login(client, personas)
    form = client.get(f"/dues/members/{member.pk}/pay/?month=2024-03", HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert 'data-testid="pay-form"' in form.content.decode()
    assert "<html" not in form.content.decode()  # a fragment for the modal
    back = f"/dues/?org={tree.branch_a.pk}&month=2024-03"
    response = client.post(
        f"/dues/members/{member.pk}/pay/",
        {
            "months": "2024-03",
            "amount": "40.00",
            "paid_on": "2024-03-10",
            "method": "cash",
            "next": back,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == back
    charge = _charge(member, dt.date(2024, 3, 1))
    assert (charge.status, charge.paid_amount) == ("paid", Decimal("40.00"))
    assert AuditEntry.objects.filter(action="dues.payment.recorded").count() == 1


def _post_pay(client, member, **data):
    payload = {"amount": "40.00", "paid_on": "2024-07-10", "method": "cash", **data}
    return client.post(f"/dues/members/{member.pk}/pay/", payload)


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"months": "2024-09"}, "months", "该月无应缴记录"),
        ({"months": "2024-13"}, "months", "不是有效的月份"),
        ({"amount": "-5"}, "amount", "缴纳金额须大于0"),
        ({"amount": "abc"}, "amount", "请填写金额"),
        ({"amount": "500", "months": "2024-01"}, "amount", "超出"),
        ({"method": ""}, "method", "请选择方式"),
        ({"paid_on": "2099-01-01"}, "paid_on", "不能晚于今天"),
    ],
)
def test_bad_payment_is_shown_at_the_field(client, tree, personas, charged, data, field, text):
    member = tree.members_a[2]
    response = _post_pay(_login(client, personas), member, **data)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'data-testid="error-{field}">([^<]*)<', html)
    assert error and text in error.group(1), html[:2000]
    assert DuesPayment.all_objects.count() == 0
    assert not DuesCharge.all_objects.filter(paid_amount__gt=0).exists()


def test_back_pay_beyond_six_months_needs_a_reason(client, tree, personas, charged):
    """R-DUES-13: January paid in August is seven months late: refused at the reason field
    without one, accepted with it."""
    member = tree.members_a[2]
    _login(client, personas)
    response = _post_pay(client, member, months="2024-01", paid_on="2024-08-15")
    assert response.status_code == 400
    error = re.search(r'data-testid="error-exception_reason">([^<]*)<', response.content.decode())
    assert error and "R-DUES-13" in error.group(1)
    assert DuesPayment.all_objects.count() == 0
    response = _post_pay(
        client, member, months="2024-01", paid_on="2024-08-15", exception_reason="长期出国"
    )
    assert response.status_code == 302
    assert DuesPayment.all_objects.get().exception_reason == "长期出国"


def test_voluntary_payment_of_1000_goes_to_the_centre(client, tree, personas, charged):
    member = tree.members_a[2]
    _login(client, personas)
    page = client.get(f"/dues/members/{member.pk}/pay/?kind=voluntary").content.decode()
    assert "全部上缴中央（R-DUES-12）" in page
    response = _post_pay(client, member, kind="voluntary", amount="1000.00", paid_on="2024-05-01")
    assert response.status_code == 302
    payment = DuesPayment.all_objects.get()
    assert payment.to_centre and payment.kind == "voluntary"
    ledger = client.get(f"/dues/members/{member.pk}/?year=2024").content.decode()
    assert 'data-testid="to-centre"' in ledger


def test_void_needs_a_reason_then_reopens_the_month(client, tree, personas, charged):
    member = tree.members_a[2]
    payment = pay(member, "40.00", dt.date(2024, 3, 5), months=[dt.date(2024, 3, 1)])
    _login(client, personas)
    client.post(f"/dues/payments/{payment.pk}/void/", {"reason": ""})
    assert DuesPayment.all_objects.get().voided_at is None
    client.post(f"/dues/payments/{payment.pk}/void/", {"reason": "重复录入"})
    assert DuesPayment.all_objects.get().voided_at is not None
    assert _charge(member, dt.date(2024, 3, 1)).status == "due"
    # kept on the member's page, struck through, without a void button
    html = client.get(f"/dues/members/{member.pk}/").content.decode()
    assert 'data-voided="1"' in html and "<del>40.00</del>" in html and "重复录入" in html
    assert f"/dues/payments/{payment.pk}/void/" not in html


# ---------------------------------------------------------------------------------------------
# The member's ledger and the base form


def test_ledger_shows_bases_grid_and_payments(client, tree, personas, charged):
    member = tree.members_a[2]
    set_base(
        member,
        base=None,
        month=dt.date(2024, 4, 1),
        items=[{"name": "职务工资", "amount": "3000"}, {"name": "级别工资", "amount": "2600"}],
        income_tax="100",
    )
    pay(member, "40.00", dt.date(2024, 3, 5), months=[dt.date(2024, 1, 1)])
    html = _login(client, personas).get(f"/dues/members/{member.pk}/?year=2024").content.decode()
    assert html.count('data-testid="grid-month"') == 12
    assert html.count('data-testid="base-row"') == 2
    assert "职务工资 3000" in html and "个人所得税 100" in html  # R-DUES-02's derivation
    assert html.count('data-testid="payment-row"') == 1


def test_base_form_from_items(client, tree, personas, charged):
    member = tree.members_a[2]
    _login(client, personas)
    response = client.post(
        f"/dues/members/{member.pk}/base/",
        {
            "category": "in_service",
            "effective_month": "2024-05",
            "item_name": ["职务工资", "津贴补贴", ""],
            "item_amount": ["4000", "2100.50", ""],
            "income_tax": "100.50",
        },
    )
    assert response.status_code == 302
    base = DuesBase.all_objects.get(member=member, effective_month=dt.date(2024, 5, 1))
    assert base.base == Decimal("6000.00")
    assert base.monthly_amount == Decimal("90.00")  # 1.5 % of 6000 (R-DUES-03)
    assert _charge(member, dt.date(2024, 5, 1)).amount == Decimal("90.00")


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"base": "-100"}, "base", "不能为负数"),
        ({"base": "99999999"}, "base", "超出合理范围"),
        ({"category": ""}, "category", "请选择缴费类别"),
        ({"effective_month": "abc"}, "effective_month", "有效的月份"),
        ({"item_name": ["职务工资"], "item_amount": ["abc"], "base": ""}, "items", "请填写金额"),
    ],
)
def test_bad_base_is_shown_at_the_field(client, tree, personas, charged, data, field, text):
    member = tree.members_a[2]
    payload = {"category": "in_service", "effective_month": "2024-05", "base": "5000", **data}
    before = DuesBase.all_objects.count()
    response = _login(client, personas).post(f"/dues/members/{member.pk}/base/", payload)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'data-testid="error-{field}">([^<]*)<', html)
    assert error and text in error.group(1), html[:3000]
    assert DuesBase.all_objects.count() == before


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("category=in_service&base=3000", "15.00"),
        ("category=in_service&base=3000.01", "30.00"),
        ("category=retired&base=5000.01", "50.00"),
        ("category=student", "0.20"),
        ("category=in_service&item_name=职务工资&item_amount=5200&income_tax=200", "50.00"),
    ],
)
def test_base_preview_gives_amount_and_rule(client, personas, tree, query, shown):
    html = _login(client, personas).get(f"/dues/base/preview/?{query}").content.decode()
    assert f'data-testid="preview-amount">{shown}<' in html
    assert re.search(r"R-DUES-0[367]", html)


def test_base_preview_names_the_error(client, personas, tree):
    html = _login(client, personas).get("/dues/base/preview/?category=in_service&base=-1")
    assert "不能为负数" in html.content.decode()


# ---------------------------------------------------------------------------------------------
# Reports


def _arrears_setup(tree):
    """Everyone charged January to June 2024; 李四 pays everything, 王五 pays January only."""
    pay(tree.members_a[1], "240.00", dt.date(2024, 6, 30))
    pay(tree.members_a[2], "40.00", dt.date(2024, 1, 20))


def test_arrears_page_worst_first_with_rule(client, tree, personas, charged, settings):
    _arrears_setup(tree)
    from django.utils import timezone

    today = timezone.localdate()
    response = _login(client, personas).get(f"/dues/arrears/?org={tree.branch_a.pk}")
    html = response.content.decode()
    names = re.findall(r'data-testid="arrears-row"[^>]*>\s*<td><a [^>]*>([^<]+)<', html)
    assert "李四" not in names and len(names) == 4
    assert names[-1] == "王五"  # one month fewer in his run than the others
    assert "R-DUES-14" in html
    chart = json.loads(re.search(r'id="ageing-data"[^>]*>([^<]*)<', html).group(1))
    assert sum(chart["counts"]) == 4 and today.year >= 2024


def test_arrears_query_count_does_not_grow(
    client, tree, personas, dues_bases, django_assert_max_num_queries
):
    for i in range(30):
        set_base(_member(tree.branch_a, _name("欠缴", i)))
    for month in (1, 2, 3):
        generate(tree.root, dt.date(2024, month, 1))
    _login(client, personas)
    with django_assert_max_num_queries(16):
        response = client.get(f"/dues/arrears/?org={tree.branch_a.pk}")
    assert response.content.decode().count('data-testid="arrears-row"') == 35


def test_annual_totals_page(client, tree, personas, charged):
    pay(tree.members_a[1], "240.00", dt.date(2024, 6, 30))
    html = _login(client, personas, "unit_admin").get(
        f"/dues/annual/?org={tree.party_group_a.pk}&year=2024"
    )
    html = html.content.decode()
    assert 'data-level="unit"' in html and html.count('data-level="branch"') == 2
    assert "240.00" in html
    assert "乙局" not in html  # another unit's totals stay out of 甲局's page


def test_publication_page(client, tree, personas, charged):
    pay(tree.members_a[1], "240.00", dt.date(2024, 6, 30))
    html = _login(client, personas).get(f"/dues/publication/?org={tree.branch_a.pk}&year=2024")
    html = html.content.decode()
    assert "第一党支部2024年度党费收缴情况公示" in html
    assert html.count('data-testid="publication-row"') == 5
    assert 'data-testid="publication-paid">240.00<' in html
    assert "4000" not in html  # no base on a public notice


def test_reductions_page_lists_pending_for_the_committee(client, tree, personas, charged):
    from dangjian.dues import services

    services.reduction_request(
        actor=None,
        member=tree.members_a[2],
        kind="reduce",
        monthly_amount="10.00",
        from_month=dt.date(2024, 5, 1),
        to_month=None,
        reason="家庭困难",
        branch_discussed_on=dt.date(2024, 4, 20),
        today=dt.date(2024, 4, 25),
    )
    admin = _login(client, personas, "unit_admin").get("/dues/reductions/").content.decode()
    assert admin.count('data-testid="pending-row"') == 1
    own = _login(client, personas).get("/dues/reductions/").content.decode()
    assert own.count('data-testid="pending-row"') == 0  # the branch does not decide
    assert own.count('data-testid="reduction-row"') == 1


def test_reduction_reject_needs_a_note(client, tree, personas, charged):
    from dangjian.dues import services
    from dangjian.dues.models import Reduction

    r = services.reduction_request(
        actor=None,
        member=tree.members_a[2],
        kind="exempt",
        monthly_amount=None,
        from_month=dt.date(2024, 5, 1),
        to_month=None,
        reason="家庭困难",
        branch_discussed_on=dt.date(2024, 4, 20),
        today=dt.date(2024, 4, 25),
    )
    _login(client, personas, "unit_admin")
    client.post(f"/dues/reductions/{r.pk}/decide/", {"decision": "reject"})
    assert Reduction.all_objects.get().status == "pending"
    client.post(f"/dues/reductions/{r.pk}/decide/", {"decision": "reject", "note": "材料不全"})
    assert Reduction.all_objects.get().status == "rejected"


def test_my_dues_shows_only_own_months(client, tree, personas, dues_bases):
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    generate(tree.root, this_month)
    html = _login(client, personas, "member_a").get("/dues/my/").content.decode()
    assert html.count('data-testid="my-month"') == 12
    assert tree.members_a[1].name in html
    assert tree.members_a[2].name not in html and tree.members_a[0].name not in html
    assert 'data-testid="my-clear"' in html  # the current month is still being paid


def test_my_dues_warns_after_three_unpaid_months(client, tree, personas, dues_bases):
    from django.utils import timezone

    from dangjian.rules.dues import add_month_starts

    this_month = timezone.localdate().replace(day=1)
    for n in (3, 2, 1):
        generate(tree.root, add_month_starts(this_month, -n))
    html = _login(client, personas, "member_a").get("/dues/my/").content.decode()
    assert 'data-testid="my-warning"' in html and "R-DUES-14" in html
    assert f'data-testid="my-outstanding">{MONTHLY * 3}<' in html
