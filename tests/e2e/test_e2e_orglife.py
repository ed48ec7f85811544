"""Issue #5 in a real browser: the secretary plans a 主题党日, a member signs in on a
phone-sized page with the meeting's code, the secretary records attendance and minutes, and
the branch's compliance cell for this month turns 已开展 (done), and the month's ledger
downloads with what was recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect
from tests.conftest import PASSWORD
from tests.e2e.conftest import login

from dangjian.orglife.models import Attendance, Meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORMAT = "%Y-%m-%dT%H:%M"


def test_plan_sign_in_on_a_phone_record_and_the_cell_turns_done(
    page: Page, browser, live_server, tree, personas, tmp_path
):
    base = live_server.url
    now = timezone.localtime()
    login(page, base, "secretary_a")
    page.goto(f"{base}/orglife/?org={tree.branch_a.pk}")
    page.get_by_test_id("meeting-plan").click()
    page.locator("#id_kind").select_option("theme_day")
    page.locator("#id_topic").fill("重温入党誓词")
    page.locator("#id_starts_at").fill((now - dt.timedelta(minutes=5)).strftime(FORMAT))
    page.locator("#id_ends_at").fill((now + dt.timedelta(hours=1)).strftime(FORMAT))
    page.locator("#id_place").fill("党员活动室")
    page.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("计划召开")
    code = page.get_by_test_id("sign-in-code").inner_text().strip()
    meeting = Meeting.objects.unscoped().get(sign_in_code=code)

    # a member signs in on a phone
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    mobile = phone.new_page()
    mobile.goto(f"{base}/login/")
    mobile.locator("#id_username").fill("member_a")
    mobile.locator("#id_password").fill(PASSWORD)
    mobile.get_by_role("button", name="登录").click()
    mobile.goto(f"{base}/orglife/sign-in/{code}/")
    mobile.get_by_test_id("sign-in-submit").click()
    expect(mobile.get_by_test_id("sign-in-done")).to_contain_text("签到成功")
    # the page fits the phone: nothing wider than the screen
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
    signed = Attendance.objects.unscoped().get(meeting=meeting, member=tree.members_a[1])
    assert signed.status == "present" and signed.signed_in_at is not None

    # the secretary records who came and the minutes
    page.reload()
    page.get_by_test_id("meeting-record").click()
    selects = page.locator("select[name^=status_]")
    for i in range(selects.count()):
        selects.nth(i).select_option("present")
    selects.nth(selects.count() - 1).select_option("leave")
    page.locator("input[name^=reason_]").nth(selects.count() - 1).fill("外出公务")
    page.locator("#id_minutes").fill("会议由书记主持，全体党员重温入党誓词，交流了学习体会。")
    page.get_by_test_id("record-submit").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")
    expect(page.get_by_test_id("meeting-minutes")).to_contain_text("重温入党誓词")

    # this month's theme day is done on the compliance page
    held = now - dt.timedelta(minutes=5)
    page.goto(f"{base}/compliance/cell/?org={tree.branch_a.pk}&kind=theme_day&year={held.year}")
    month = page.get_by_test_id("compliance-period").nth(held.month - 1)
    expect(month).to_have_attribute("data-status", "done")
    expect(month).to_contain_text("重温入党誓词")

    # the month's ledger downloads as a Word document, from the records
    page.goto(f"{base}/orglife/docs/ledger/?org={tree.branch_a.pk}")
    page.locator("#id_period").select_option(f"{held:%Y-%m}")
    with page.expect_download() as download:
        page.get_by_test_id("ledger-docx").click()
    path = tmp_path / "ledger.docx"
    download.value.save_as(path)
    document = Document(path)
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "重温入党誓词" in text and "外出公务" in text
