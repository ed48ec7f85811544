"""Issue #7 in a real browser: a branch secretary registers an application (dates in the
past) and records the steps one by one on the candidate page (each 登记 opens the step's own
form with htmx); making him a 发展对象 half a year after the activist day shows the R-DEV-07
error on the page; the unit admin takes the committee's steps up to the approval; the
secretary records the conversion, the unit admin approves it, and the page shows 正式党员.
The candidate page and the board fit a phone's width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect
from tests.conftest import id_number_for
from tests.e2e.conftest import login
from tests.recruitment.conftest import assembly

from dangjian.members.models import Member
from dangjian.orglife.services_votes import voting_counts
from dangjian.recruitment.models import Candidate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BIRTH = dt.date(1996, 5, 4)
D = dt.date
ACCEPTANCE = D(2022, 12, 5)
CONVERSION_MEETING = D(2023, 12, 6)


def record(page: Page, code: str, on: dt.date, **fields) -> None:
    """Open the step's form on the candidate page, fill it and submit; the page reloads with
    the step done. `fields`: id → value (str: fill, ("select", v), ("check", [labels]))."""
    page.get_by_test_id(f"record-{code}").click()
    form = page.get_by_test_id("step-form")
    expect(form).to_be_visible()
    form.locator("#id_on").fill(on.isoformat())
    for name, value in fields.items():
        if isinstance(value, tuple) and value[0] == "select":
            form.locator(f"#id_{name}").select_option(value[1])
        elif isinstance(value, tuple) and value[0] == "check":
            for label in value[1]:
                form.get_by_label(label).check()
        else:
            form.locator(f"#id_{name}").fill(str(value))
    form.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id(f"state-{code}")).to_have_text("已完成")


def switch(page: Page, base: str, username: str, url: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)
    page.goto(url)


def test_application_to_conversion_with_a_violated_time_rule(
    page: Page, browser, live_server, tree, personas
):
    base = live_server.url
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    acceptance_meeting = assembly(tree.branch_a, ACCEPTANCE)
    conversion_meeting = assembly(tree.branch_a, CONVERSION_MEETING)

    # the secretary registers the application
    login(page, base, "secretary_a")
    page.goto(f"{base}/recruitment/")
    page.get_by_test_id("candidate-new").click()
    page.locator("#id_name").fill("陈小明")
    page.locator("#id_sex").select_option("1")
    page.locator("#id_birth_date").fill(BIRTH.isoformat())
    page.locator("#id_application_on").fill("2022-03-01")
    page.locator("#id_education").select_option("21")
    page.locator("#id_unit_post").fill("甲局办公室科员")
    page.get_by_test_id("candidate-submit").click()
    expect(page.get_by_test_id("candidate-stage")).to_have_text("入党申请人")
    candidate = Candidate.objects.unscoped().get(name="陈小明")
    url = page.url
    assert re.search(rf"/recruitment/{candidate.pk}/$", url)

    # the branch's steps, one by one
    record(page, "talk", D(2022, 3, 10), people=("check", ["张三丰"]))
    record(page, "activist", D(2022, 5, 1))
    expect(page.get_by_test_id("candidate-stage")).to_have_text("入党积极分子")
    record(page, "contacts", D(2022, 5, 5), people=("check", ["李四"]))
    record(page, "assessment", D(2022, 10, 30))
    # made a 发展对象 half a year after the activist day: R-DEV-07 is broken, and shown
    record(page, "prospect", D(2022, 11, 1))
    error = page.locator('[data-testid=finding-error][data-rule="R-DEV-07"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("不满一年")
    expect(error).to_contain_text("中国共产党发展党员工作细则")
    record(page, "introducers", D(2022, 11, 5), people=("check", ["李四", "王五"]))
    record(page, "political_review", D(2022, 11, 10), passed=("select", "yes"))
    record(page, "committee_review", D(2022, 11, 20))
    # the secretary has no 登记 for the committee's pre-review
    expect(page.get_by_test_id("record-pre_review")).to_have_count(0)

    # the unit admin (above the branch) trains and pre-reviews
    switch(page, base, "unit_admin", url)
    record(page, "training", D(2022, 11, 14), end_on=D(2022, 11, 16).isoformat(), days=3, hours=24)
    record(page, "pre_review", D(2022, 11, 25), passed=("select", "yes"))

    # the secretary: 志愿书 and the 支部大会 that accepts him
    switch(page, base, "secretary_a", url)
    record(page, "volunteer_form", D(2022, 11, 28))
    _, present = voting_counts(acceptance_meeting)
    record(
        page,
        "acceptance",
        ACCEPTANCE,
        meeting=("select", str(acceptance_meeting.pk)),
        yes=present,
        no=0,
        abstain=0,
    )

    # the unit admin: the talk, the 党组's review (R-ORG-14), the approval
    switch(page, base, "unit_admin", url)
    record(page, "approval_talk", D(2022, 12, 10), people_text="机关党委组织员")
    record(page, "party_group_review", D(2022, 12, 15))
    record(
        page,
        "approval",
        D(2022, 12, 20),
        passed=("select", "yes"),
        id_number=id_number_for(BIRTH, "male"),
        phone="13900139000",
        address="湖北省十堰市张湾区车城路2号",
        post=("select", "0110"),
    )
    expect(page.get_by_test_id("candidate-stage")).to_have_text("预备党员")
    member = Member.objects.unscoped().get(name="陈小明")
    assert member.category == "probationary" and member.joined_on == ACCEPTANCE

    # the secretary: oath, application and the 支部大会 on conversion
    switch(page, base, "secretary_a", url)
    record(page, "oath", D(2023, 1, 10))
    record(page, "conversion_application", D(2023, 11, 20))
    _, present = voting_counts(conversion_meeting)
    record(
        page,
        "conversion_meeting",
        CONVERSION_MEETING,
        meeting=("select", str(conversion_meeting.pk)),
        yes=present,
        no=0,
        abstain=0,
    )

    # the unit admin approves the conversion: 正式党员
    switch(page, base, "unit_admin", url)
    record(page, "conversion_approval", D(2023, 12, 20), passed=("select", "yes"))
    expect(page.get_by_test_id("candidate-stage")).to_have_text("正式党员")
    expect(page.get_by_test_id("candidate-status")).to_have_text("已转正")
    member.refresh_from_db()
    assert member.category == "full" and member.converted_on == D(2023, 12, 5)
    # the R-DEV-07 error stays on the record
    expect(page.locator('[data-testid=finding-error][data-rule="R-DEV-07"]')).to_be_visible()

    assert violations == []  # the htmx forms and recruitment.js run under the strict CSP

    # the candidate page and the board fit a phone
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    mobile = phone.new_page()
    login(mobile, base, "secretary_a")
    for target in (url, f"{base}/recruitment/"):
        mobile.goto(target)
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, target
    phone.close()
