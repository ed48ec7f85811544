"""In a real browser on a phone-sized screen: a branch secretary fills indicators one at a time
(htmx saves each and the total follows), sees a refusal at the indicator, submits; the
indicator editor shows only the fields the chosen method needs. No CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.assessment.helpers_assess import published, score_of
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def _watch(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: found.append(str(exc)))
    return found


def _ids(assessment) -> dict[str, int]:
    """Indicator ids by title, read before the browser starts: a query from the test thread
    while the live server writes finds the shared in-memory SQLite table locked."""
    titles = ("人工项", "扣分项", "党员大会", "主题党日", "表彰")
    return {t: score_of(assessment, t).indicator_id for t in titles}


def _row(page: Page, ids: dict[str, int], title):
    return page.locator(f"#ind-{ids[title]}")


def test_secretary_fills_the_sheet_on_a_phone(page: Page, live_server, tree, personas):
    _scheme, assessment = published(tree)
    a = _ids(assessment)
    problems = _watch(page)
    page.set_viewport_size(PHONE)
    base = live_server.url
    login(page, base, "secretary_a")
    page.goto(f"{base}/assessment/mine/")
    page.get_by_test_id("my-assessment").first.click()
    expect(page.get_by_test_id("score-row")).to_have_count(5)

    manual = _row(page, a, "人工项")
    manual.locator("input[name=points]").fill("25")
    manual.get_by_test_id("score-save").click()
    # the browser refuses a value above the maximum before sending (the server checks too)
    expect(manual.locator("input[name=points]:invalid")).to_have_count(1)
    expect(page.get_by_test_id("self-total")).to_have_text("—")

    manual = _row(page, a, "人工项")
    manual.locator("input[name=points]").fill("18")
    manual.get_by_test_id("score-save").click()
    expect(_row(page, a, "人工项").get_by_test_id("score-saved")).to_be_visible()
    expect(page.get_by_test_id("self-total")).to_have_text("18.00")

    deduction = _row(page, a, "扣分项")
    deduction.locator("input[name=occurrences]").fill("1")
    deduction.get_by_test_id("score-save").click()
    expect(_row(page, a, "扣分项").get_by_test_id("self-points")).to_have_text("6.00")
    expect(page.get_by_test_id("self-total")).to_have_text("24.00")

    for title, value in (("党员大会", "10"), ("主题党日", "20"), ("表彰", "5")):
        row = _row(page, a, title)
        row.locator("input[name=points]").fill(value)
        row.get_by_test_id("score-save").click()
        expect(_row(page, a, title).get_by_test_id("score-saved")).to_be_visible()
    expect(page.get_by_test_id("self-total")).to_have_text("59.00")
    # the save button is a big touch target on a phone
    box = _row(page, a, "表彰").get_by_test_id("score-save").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("assessment-submit").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("已提交待复核")
    assert problems == []


def test_the_indicator_form_shows_the_fields_of_its_method(page: Page, live_server, tree, personas):
    from tests.assessment.helpers_assess import small_scheme

    scheme = small_scheme(tree.root)
    problems = _watch(page)
    base = live_server.url
    login(page, base, "committee_admin")
    page.goto(f"{base}/assessment/schemes/{scheme.pk}/indicators/new/")
    per = page.locator('[data-field="deduction_per"]')
    source = page.locator('[data-field="auto_source"]')
    expect(per).to_be_hidden()  # manual by default
    page.locator("#id_method").select_option("deduction")
    expect(per).to_be_visible()
    expect(source).to_be_hidden()
    page.locator("#id_method").select_option("auto")
    expect(source).to_be_visible()
    page.locator("#id_is_category").check()
    expect(page.locator('[data-field="method"]')).to_be_hidden()
    assert problems == []
