"""共同缔造 in a real browser, on a phone (issue 9): the unit's administrator opens the hub, goes
to 龙泉村's pairing and the 户户通 project, marks a milestone done and sees the metric's
percentage move, uploads a photo and resolves a residents' problem; then a member of another
branch opens 龙泉村's page and sees what the unit made public — and no resident's name. No CSP
violation, nothing wider than the phone."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login

from dangjian.cocreation import services as s
from dangjian.cocreation.models import Pairing, Photo, Problem

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes((200, 30, 30)) * 8 for _ in range(6))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _longquan(tree):
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    village = s.community_create(
        actor=None, name="龙泉村", kind="village", district="郧阳区", township="谭家湾镇"
    )
    pairing = s.pairing_create(
        actor=None, org=tree.party_group_a, community=village, started_on=start, is_pilot=True
    )
    project = s.project_create(
        actor=None,
        pairing=pairing,
        title="户户通：硬化通村入户道路",
        category="roads",
        goal="硬化通村入户道路，确保户户通。",
        starts_on=start,
        status="ongoing",
        funds_raised="80",
        beneficiary_households=300,
    )
    road = s.metric_add(actor=None, project=project, name="硬化道路", unit="公里", target=12)
    s.milestone_add(
        actor=None,
        project=project,
        title="一组道路硬化",
        due_on=start + dt.timedelta(days=30),
        metric=road,
        amount="4.5",
        done_on=start + dt.timedelta(days=28),
    )
    s.milestone_add(
        actor=None,
        project=project,
        title="二组道路硬化",
        due_on=today + dt.timedelta(days=20),
        metric=road,
        amount="6",
    )
    s.feedback_add(
        actor=None,
        project=project,
        received_on=today,
        satisfaction="satisfied",
        content="路修好了，出门不再一脚泥。",
        resident_name="王大爷",
        is_public=True,
    )
    s.visit_record(
        actor=None,
        pairing=pairing,
        visited_on=today - dt.timedelta(days=5),
        visitors="张三丰、李四",
        summary="走访农户，听取意见。",
        households=20,
        is_public=True,
        problems=[
            {
                "description": "村口路灯不亮",
                "owner_name": "李四",
                "due_on": today - dt.timedelta(days=1),
                "raised_by": "赵大爷",
            }
        ],
    )
    return village


def test_the_unit_records_progress_and_a_reader_sees_the_public_page_on_a_phone(
    browser, live_server, tree, personas, tmp_path
):
    base = live_server.url
    village = _longquan(tree)
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)
    login(phone, base, "unit_admin")

    # the hub: the pairing, a pilot, with the project's progress; one problem overdue
    phone.goto(base + reverse("cocreation:home"))
    expect(phone.get_by_test_id("total-pilots")).to_have_text("1")
    expect(phone.get_by_test_id("total-overdue")).to_contain_text("1")
    card = phone.get_by_test_id("pairing-card")
    expect(card).to_contain_text("龙泉村")
    expect(card.get_by_test_id("metric-percent")).to_have_text("37.5%")
    card.get_by_role("link", name="户户通：硬化通村入户道路").click()

    # the project: mark the second milestone done, 6 km more → 10.5 of 12 km
    expect(phone.get_by_test_id("project-title")).to_have_text("户户通：硬化通村入户道路")
    row = phone.get_by_test_id("milestone").filter(has_text="二组道路硬化")
    row.get_by_test_id("milestone-done").click()
    expect(phone.get_by_test_id("metrics").get_by_test_id("metric-percent")).to_have_text("87.5%")
    # a photo of the new road
    photo = tmp_path / "村道.png"
    photo.write_bytes(_png())
    phone.locator('[data-testid="photo-form"] input[type="file"]').set_input_files(str(photo))
    phone.locator('[data-testid="photo-form"] input[name="caption"]').fill("硬化后的二组村道")
    phone.get_by_test_id("photo-submit").click()
    expect(phone.get_by_test_id("gallery").locator("img")).to_have_count(1)
    assert Photo.objects.get().caption == "硬化后的二组村道"

    # the overdue problem: resolved from the ledger's overdue view through the visit page
    phone.goto(base + reverse("cocreation:problems") + "?overdue=1")
    expect(phone.get_by_test_id("problem-row")).to_have_count(1)
    phone.get_by_role("link", name="走访记录").click()
    item = phone.get_by_test_id("problem").filter(has_text="村口路灯不亮")
    item.locator("summary").click()
    item.locator("select[name=status]").select_option("resolved")
    item.locator("textarea[name=resolution]").fill("已协调供电所更换灯具。")
    item.get_by_test_id("problem-save").click()
    expect(phone.get_by_test_id("problem-status")).to_have_text("已解决")
    assert Problem.objects.unscoped().get().status == "resolved"
    phone.goto(base + reverse("cocreation:problems") + "?overdue=1")
    expect(phone.get_by_test_id("problem-row")).to_have_count(0)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.context.clear_cookies()

    # a member of the tree sees the public page: progress, photo, feedback — no names
    login(phone, base, "member_a")
    phone.goto(base + reverse("cocreation:community", args=[village.pk]))
    expect(phone.get_by_test_id("public-notice")).to_be_visible()
    expect(phone.get_by_test_id("community-project")).to_contain_text("87.5%")
    expect(phone.get_by_test_id("community-feedback")).to_contain_text("路修好了")
    expect(phone.get_by_test_id("gallery").locator("img")).to_have_count(1)
    content = phone.content()
    assert "王大爷" not in content and "赵大爷" not in content
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert violations == []
    phone.close()


def test_chart_tooltips_show_metric_names_as_text(browser, live_server, tree, personas):
    """A metric's name and unit are typed by unit administrators: the hub's chart tooltip shows
    them as text, never as markup."""
    base = live_server.url
    _longquan(tree)
    project = s.project_create(
        actor=None,
        pairing=Pairing.objects.unscoped().get(),
        title="户户亮",
        category="lighting",
        goal="安装路灯。",
        starts_on=timezone.localdate() - dt.timedelta(days=10),
    )
    s.metric_add(
        actor=None,
        project=project,
        name='<b data-testid="injected">路灯</b>',
        unit="<i>盏</i>",
        target=5,
    )
    page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    page.set_default_timeout(10_000)
    violations = _watch(page)
    login(page, base, "unit_admin")
    page.goto(base + reverse("cocreation:home"))
    chart = page.get_by_test_id("chart-metrics")
    expect(chart.locator("canvas")).to_have_count(1)
    names = page.evaluate("JSON.parse(document.getElementById('chart-metrics').textContent).names")
    index = next(i for i, n in enumerate(names) if "路灯" in n)
    page.evaluate(
        """(i) => echarts.getInstanceByDom(document.querySelector('[data-testid=chart-metrics]'))
             .dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i})""",
        index,
    )
    tip = chart.locator("div").filter(has_text="目标 5")
    expect(tip.last).to_be_visible()
    expect(tip.last).to_contain_text('<b data-testid="injected">路灯</b>（<i>盏</i>）')
    expect(page.get_by_test_id("injected")).to_have_count(0)
    assert chart.locator("i").count() == 0
    assert violations == []
    page.close()
