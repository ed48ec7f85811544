"""清廉机关 in a real browser: a member signs this year's commitment on a phone with one
button, and the overview, register and branch pages run without one CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login
from tests.integrity.conftest import make_risk, sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_member_signs_on_a_phone(page: Page, live_server, tree, personas, year):
    from dangjian.integrity.models import Commitment

    sign(tree.members_a[1], year - 1)
    page.set_viewport_size(PHONE)
    violations = _watch(page)
    login(page, live_server.url, "member_a")
    page.goto(live_server.url + "/integrity/my/")
    button = page.get_by_test_id("my-sign")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 48  # a large touch target
    expect(page.get_by_test_id("my-past")).to_contain_text(f"{year - 1}年度廉洁承诺")
    button.click()
    expect(page.get_by_test_id("my-signed")).to_be_visible()
    expect(page.get_by_test_id("my-sign")).to_have_count(0)
    assert Commitment.all_objects.filter(member=tree.members_a[1], year=year).count() == 1
    assert violations == []


def test_manager_pages_run_without_csp_violations(page: Page, live_server, tree, personas, year):
    make_risk(tree.branch_a, year)
    sign(tree.members_a[0], year)
    violations = _watch(page)
    login(page, live_server.url, "secretary_a")
    page.goto(live_server.url + "/integrity/")
    expect(page.get_by_test_id("total-rate")).to_have_text("20.0%")
    page.goto(live_server.url + "/integrity/risks/")
    expect(page.get_by_test_id("risk-row")).to_have_count(1)
    page.goto(live_server.url + f"/integrity/orgs/{tree.branch_a.pk}/commitments/")
    page.locator(f'input[name="members"][value="{tree.members_a[2].pk}"]').check()
    page.get_by_test_id("bulk-submit").click()
    expect(page.locator('[data-signed="1"]')).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert violations == []
