# ruff: noqa: F811  (fixtures imported from test_vet_act_fixtures and tests/e2e/conftest)
"""银龄志愿服务队 in a real browser, on a phone (issue 10): the 老干部局's administrator opens
the overview (charts drawn), goes to a team, records an activity with two members (a refusal
of 30 hours first, shown at the field), and sees the hours grow; the 工委 sees one row per
unit. No CSP violation, nothing wider than the phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from test_vet_act_fixtures import act_today, act_world  # noqa: F401
from tests.e2e.conftest import (  # noqa: F401  (the browser's launch settings)
    browser_context_args,
    browser_type_launch_args,
    login,
)

from dangjian.veterans.models import VolunteerActivity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_unit_admin_records_a_team_activity_on_a_phone(browser, live_server, act_world, personas):
    base = live_server.url
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)
    login(phone, base, "unit_admin")

    phone.goto(base + reverse("veterans:home"))
    expect(phone.get_by_test_id("total-teams")).to_have_text("1")
    expect(phone.get_by_test_id("total-hours")).to_have_text("5")
    expect(phone.get_by_test_id("chart-months").locator("canvas")).to_have_count(1)
    phone.get_by_test_id("total-teams").click()

    phone.get_by_role("link", name="茅箭区银龄志愿服务队").click()
    expect(phone.get_by_test_id("team-name")).to_contain_text("茅箭区银龄志愿服务队")
    form = phone.get_by_test_id("activity-form")
    form.locator("input[name=title]").fill("义务理发进社区")
    form.locator("input[name=hours]").fill("30")
    form.get_by_label("李军").check()
    form.get_by_label("程培长").check()
    form.locator("input[name=beneficiaries]").fill("15")
    phone.get_by_test_id("activity-submit").click()
    expect(phone.get_by_test_id("error-hours")).to_contain_text("不能超过24小时")
    assert VolunteerActivity.objects.unscoped().filter(title="义务理发进社区").count() == 0

    phone.locator("input[name=hours]").fill("2")
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("activity-list")).to_contain_text("义务理发进社区")
    expect(phone.get_by_test_id("team-figures")).to_contain_text("服务时长 9 小时")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.context.clear_cookies()

    login(phone, base, "committee_admin")
    phone.goto(base + reverse("veterans:home"))
    expect(phone.get_by_test_id("unit-row")).to_have_count(2)
    expect(phone.get_by_test_id("total-teams")).to_have_text("2")
    assert violations == []
    phone.close()
