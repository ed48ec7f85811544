"""The overview in a real browser on a phone: the 工委 admin goes from the hub to the overview,
picks last year, and the four charts draw (ECharts fed through json_script), with no CSP
violation and nothing wider than the phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

# the browser fixtures of tests/e2e (Debian's Chromium)
from tests.e2e.conftest import browser_context_args, browser_type_launch_args, login  # noqa: F401
from tests.responsibility.resp_overview_data import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    """CSP violations and script errors (a missing favicon is neither)."""
    problems: list[str] = []

    def seen(msg) -> None:
        csp = "Content Security Policy" in msg.text
        error = msg.type == "error" and "Failed to load resource" not in msg.text
        if csp or error:
            problems.append(msg.text)

    page.on("console", seen)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_committee_admin_reads_the_overview_on_a_phone(page: Page, live_server, tree, personas):
    data = build(tree, timezone.localdate())
    page.set_viewport_size(PHONE)
    problems = _watch(page)
    login(page, live_server.url, "committee_admin")
    page.goto(live_server.url + "/responsibility/")
    expect(page.get_by_test_id("count-overdue")).to_have_text("4")
    page.get_by_test_id("hub-overview").click()
    expect(page.get_by_test_id("overview-title")).to_contain_text("责任落实总览")
    page.locator("#f-year").select_option(str(data.year))
    page.get_by_test_id("year-picker").get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("overview-title")).to_contain_text(f"{data.year}年")
    expect(page.get_by_test_id("stat-overdue")).to_have_text("3")
    expect(page.get_by_test_id("unit-name")).to_have_text(["甲局", "乙局"])
    for kind in ("points", "units", "projects", "metrics"):
        chart = page.get_by_test_id(f"chart-{kind}")
        chart.scroll_into_view_if_needed()
        expect(chart.locator("canvas")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.get_by_test_id("unit-name").filter(has_text="乙局").get_by_role("link").click()
    expect(page.get_by_test_id("overview-title")).to_contain_text("乙局")
    expect(page.get_by_test_id("unit-name")).to_have_text(["乙局"])
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_a_metric_name_is_text_in_the_charts_tooltip(page: Page, live_server, tree, personas):
    # metric names are typed by the units' admins: the custom tooltip must not make HTML of them
    from dangjian.cocreation.models import ProjectMetric

    data = build(tree, timezone.localdate())
    ProjectMetric.objects.filter(name="路灯").update(name='<img src=x data-testid="xss">路灯')
    problems = _watch(page)
    login(page, live_server.url, "committee_admin")
    page.goto(f"{live_server.url}/responsibility/overview/?year={data.year}")
    chart = page.get_by_test_id("chart-metrics")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas")).to_have_count(1)
    page.evaluate(
        """() => {
          const el = document.querySelector('[data-overview-chart="metrics"]');
          const data = JSON.parse(document.getElementById(el.dataset.source).textContent);
          const index = data.metrics.labels.findIndex((label) => label.includes("路灯"));
          echarts.getInstanceByDom(el).dispatchAction(
            {type: "showTip", seriesIndex: 0, dataIndex: index});
        }"""
    )
    expect(chart).to_contain_text('<img src=x data-testid="xss">路灯（盏）')
    expect(chart).to_contain_text("目标 100")
    assert page.locator('[data-testid="xss"]').count() == 0
    assert problems == []
