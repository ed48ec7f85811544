"""工作要点与督办 in a real browser (issue 9): the 工委 admin writes a work point, assigns a task
to 甲局 and publishes it; 甲局's admin, on a phone, reports progress on a task due yesterday
with a photo; the 工委's overdue view shows the new progress, and once the 工委 closes the
task with an evaluation it leaves the overdue list. No CSP violation, nothing wider than the
phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login
from tests.responsibility.resp_tasks_support import PNG

from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import ReportFile, Task, WorkPoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _overdue_task(tree) -> Task:
    """A published point whose task for 甲局 was due yesterday (nothing reported)."""
    due = timezone.localdate() - dt.timedelta(days=1)
    point = services.work_point_create(
        actor=None, org=tree.root, year=due.year, title="深化模范机关创建"
    )
    [task] = services.tasks_assign(
        actor=None,
        point=point,
        units=[tree.party_group_a],
        title="报送模范机关创建工作台账",
        starts_on=dt.date(due.year, 1, 1),
        due_on=due,
        evidence_asked="台账照片",
    )
    services.work_point_publish(actor=None, point=point)
    return task


def test_publish_report_with_a_photo_on_a_phone_and_the_overdue_view_follows(
    browser, live_server, tree, personas, tmp_path
):
    base = live_server.url
    overdue = _overdue_task(tree)
    year = timezone.localdate().year

    # --- the 工委 admin writes a point, assigns it to 甲局 and publishes it -------------------
    desk = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    desk.set_default_timeout(10_000)
    desk_violations = _watch(desk)
    desk.on("dialog", lambda dialog: dialog.accept())
    login(desk, base, "committee_admin")
    desk.goto(base + "/responsibility/points/")
    desk.get_by_test_id("new-point").click()
    desk.get_by_label("要点").fill("推进党建与业务深度融合")
    desk.get_by_label("主要内容").fill("党建与业务同谋划、同部署、同推进、同考核。")
    desk.get_by_test_id("save-point").click()
    expect(desk.get_by_test_id("point-status")).to_have_text("草稿")
    desk.get_by_test_id("assign").click()
    desk.get_by_label("甲局党组").check()
    desk.locator("#id_title").fill("制定党建与业务融合清单")
    desk.get_by_label("开始日期").fill(f"{year}-01-01")
    desk.get_by_label("完成时限").fill(f"{year}-12-31")
    desk.get_by_test_id("save-assign").click()
    expect(desk.get_by_test_id("task-row")).to_have_count(1)
    desk.get_by_test_id("publish").click()
    expect(desk.get_by_test_id("point-status")).to_have_text("已发布")
    point = WorkPoint.all_objects.get(title="推进党建与业务深度融合")
    assert point.published_at is not None
    assert Task.all_objects.filter(point=point, org=tree.party_group_a).count() == 1

    # the overdue view lists yesterday's task with nothing reported
    desk.goto(base + "/responsibility/overdue/")
    row = desk.locator(f'[data-testid="overdue-row"][data-task="{overdue.pk}"]')
    expect(row).to_be_visible()
    expect(row.get_by_test_id("progress-value")).to_have_text("0%")
    expect(row.get_by_test_id("days-overdue")).to_have_text("1天")

    # --- 甲局's admin reports on a phone, with a photo ---------------------------------------
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    phone_violations = _watch(phone)
    login(phone, base, "unit_admin")
    phone.goto(base + "/responsibility/tasks/")
    phone.locator(f'[data-testid="task-list-row"][data-task="{overdue.pk}"] a').first.click()
    expect(phone.get_by_test_id("task-state")).to_have_attribute("data-state", "overdue")
    submit = phone.get_by_test_id("submit-report")
    expect(submit).to_be_visible()
    assert submit.bounding_box()["height"] >= 44  # a touch target
    photo = tmp_path / "台账.png"
    photo.write_bytes(PNG)
    phone.get_by_label("完成进度（%）").fill("60")
    phone.get_by_label("进展情况").fill("已完成上半年台账整理，正在补充佐证照片。")
    phone.get_by_label("照片或文档").set_input_files(str(photo))
    submit.click()
    expect(phone.get_by_text("进展已报告：完成60%。")).to_be_visible()
    expect(phone.get_by_test_id("history-report")).to_have_count(1)
    expect(phone.get_by_test_id("report-file")).to_have_count(1)
    assert ReportFile.objects.get(task_report__task=overdue).original_name == "台账.png"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone

    # --- the overdue view follows: the new progress, then gone once closed -----------------
    desk.goto(base + "/responsibility/overdue/")
    expect(row.get_by_test_id("progress-value")).to_have_text("60%")
    row.locator("a").first.click()
    desk.locator("#id_evaluation").select_option("good")
    desk.get_by_label("评价意见").fill("台账规范，照片齐全。")
    desk.get_by_test_id("close-task").click()
    expect(desk.get_by_test_id("evaluation")).to_have_text("良好")
    desk.goto(base + "/responsibility/overdue/")
    expect(desk.locator(f'[data-testid="overdue-row"][data-task="{overdue.pk}"]')).to_have_count(0)
    expect(desk.get_by_test_id("no-overdue")).to_be_visible()

    # the unit can no longer report on it
    phone.reload()
    expect(phone.get_by_test_id("submit-report")).to_have_count(0)
    expect(phone.get_by_test_id("closed-note")).to_be_visible()
    desk.wait_for_load_state("networkidle")
    assert desk_violations == [] and phone_violations == []
    desk.close()
    phone.close()
