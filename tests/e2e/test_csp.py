"""The strict Content-Security-Policy holds in a real browser: the pages with charts, the
org tree (htmx), the audit log and the API docs (Swagger) run without one violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    return violations


def test_no_csp_violation_on_the_main_pages(page: Page, live_server, tree, personas):
    violations = _watch(page)
    base = live_server.url
    login(page, base, "committee_admin")
    # the home chart draws (ECharts on canvas)
    expect(page.locator(".chart canvas").first).to_be_visible()
    # the org tree loads through htmx
    expect(page.locator("#org-tree a").first).to_be_visible()
    for url in [
        f"/orgs/{tree.branch_a.pk}/",
        "/members/",
        f"/members/{tree.members_a[0].pk}/",
        "/members/statistics/",
        "/members/export/",
        "/api/docs",
    ]:
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    assert violations == []


def test_no_csp_violation_for_the_auditor(page: Page, live_server, tree, personas):
    violations = _watch(page)
    base = live_server.url
    login(page, base, "auditor")
    page.goto(base + "/audit/?verify=1")
    expect(page.get_by_test_id("audit-chain")).to_be_visible()
    assert violations == []
