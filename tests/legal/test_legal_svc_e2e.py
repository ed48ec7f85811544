"""Legal services in a real browser, on a phone (issue 10): the 司法局's administrator opens the
overview (coverage figures and charts), puts a lawyer in the uncovered village and sees the
coverage reach 100 %, then closes a legal-aid case — refused without an outcome, closed with
one. No CSP violation, nothing wider than the phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dangjian.legal.models import LegalAidCase, VillageLawyer
from tests.e2e import conftest as e2e
from tests.legal import legal_svc_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
lw = legal_svc_world.lw
browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_the_bureau_covers_a_village_and_closes_a_case_on_a_phone(
    browser, live_server, lw, personas
):
    base = live_server.url
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)
    e2e.login(phone, base, "unit_admin")

    phone.goto(base + reverse("legal:home"))
    expect(phone.get_by_test_id("village-coverage")).to_have_text("66.7%")
    expect(phone.get_by_test_id("total-lawyers")).to_have_text("3")
    expect(phone.get_by_test_id("chart-coverage").locator("canvas")).to_have_count(1)

    phone.get_by_test_id("village-uncovered").click()
    expect(phone.get_by_test_id("village-row")).to_have_count(1)
    expect(phone.get_by_test_id("village-row")).to_contain_text("凤凰村")
    phone.get_by_test_id("assign-toggle").click()
    form = phone.get_by_test_id("assign-form")
    form.locator("select[name=community]").select_option(label="郧阳区谭家湾镇凤凰村")
    form.locator("select[name=lawyer]").select_option(label="郑磊（武当律师事务所）")
    form.get_by_role("button", name="指派").click()
    expect(phone.get_by_test_id("assignment-lawyer")).to_have_text("郑磊")
    assert VillageLawyer.all_objects.filter(community=lw.villages[1]).exists()
    phone.goto(base + reverse("legal:villages"))
    expect(phone.get_by_test_id("coverage-percent")).to_have_text("100.0%")

    phone.goto(base + reverse("legal:case", args=[lw.case_assigned.pk]))
    phone.get_by_test_id("close").click()
    expect(phone.get_by_test_id("error-outcome")).to_contain_text("请选择结果")
    assert LegalAidCase.all_objects.get(pk=lw.case_assigned.pk).status == "assigned"
    phone.locator("select[name=outcome]").select_option("settled")
    phone.get_by_test_id("close").click()
    expect(phone.get_by_test_id("case-status")).to_have_text("已结案")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert violations == []
    phone.close()
