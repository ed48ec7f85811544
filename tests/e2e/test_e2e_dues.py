"""党费 in a real browser: the branch secretary opens the month list, generates this month's
charges (the progress bar finishes), records a payment for one member in the 收款 dialog and
sees his status turn 已缴; the member then sees his own dues on a phone. No CSP violation."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.dues.conftest import set_base
from tests.e2e.conftest import login

from dangjian.dues.models import DuesCharge, DuesPayment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_generate_pay_and_member_sees_it_on_a_phone(
    page: Page, browser, live_server, tree, personas
):
    base = live_server.url
    for member in tree.members_a:
        set_base(member)
    li = tree.members_a[1]  # member_a's own record
    month = timezone.localdate().replace(day=1)
    violations = _watch(page)

    login(page, base, "secretary_a")
    page.goto(f"{base}/dues/?org={tree.branch_a.pk}")
    rows = page.get_by_test_id("month-row")
    expect(rows).to_have_count(5)
    expect(page.locator('[data-testid="month-row"][data-status="no_charge"]')).to_have_count(5)

    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("run-progress")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("run-done")).to_contain_text("新生成 5 条")
    page.get_by_test_id("run-reload").click()
    expect(page.locator('[data-testid="month-row"][data-status="due"]')).to_have_count(5)
    assert DuesCharge.all_objects.filter(month=month).count() == 5

    row = page.locator(f'[data-testid="month-row"][data-member="{li.pk}"]')
    row.get_by_test_id("pay").click()
    form = page.get_by_test_id("pay-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("pay-member")).to_have_text(li.name)
    form.locator("#id_amount").fill("40.00")
    form.locator("#id_method").select_option("cash")
    page.get_by_test_id("pay-submit").click()
    expect(row).to_have_attribute("data-status", "paid")
    expect(row.get_by_test_id("status-badge")).to_have_text("已缴")
    assert DuesPayment.all_objects.get().member_id == li.pk
    assert violations == []

    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone_violations = _watch(phone)
    login(phone, base, "member_a")
    phone.goto(f"{base}/dues/my/")
    expect(phone.get_by_test_id("my-month")).to_have_count(12)
    current = phone.locator('[data-testid="my-month"]').nth(month.month - 1)
    expect(current).to_have_attribute("data-status", "paid")
    expect(phone.get_by_test_id("my-clear")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    assert phone_violations == []
    phone.close()
