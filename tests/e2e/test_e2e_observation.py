"""Issue #6 in a real browser: a judge scores several stops of a live observation meeting on a
phone-sized page while the big screen's live ranking updates by itself; a refused score shows
the server's message at the item; with the phone offline the scores wait (待发送) and reach
the server once it is back online. A participant who scans the QR code confirms his sign-in
with a button (opening the URL alone writes nothing)."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from tests.assessment.helpers_obs import make_meeting, make_sheet, make_users, stops_of
from tests.e2e.conftest import login

from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import Participant, ScoreItem, ScoreSheet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
POLL = 15_000  # the live board polls every 5 s


def _watch_csp(page: Page, violations: list[str]) -> list[str]:
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _items(stop):
    return dict(
        ScoreItem.objects.unscoped()
        .filter(sheet__stop=stop)
        .values_list("indicator__title", "points")
    )


def test_judge_scores_on_a_phone_while_the_live_ranking_updates(
    page: Page, browser, live_server, tree, personas
):
    base = live_server.url
    meeting = make_meeting(
        tree,
        sheet=make_sheet(tree.root),
        stops=[
            (tree.party_group_b, "市老年大学门口展板", "board", 10),
            (tree.party_group_a, "三楼书法室", "room", 20),
        ],
        judges=[personas.judge],
        live=True,
    )
    first, second = stops_of(meeting)

    # the big screen
    violations = _watch_csp(page, [])
    login(page, base, "committee_admin")
    page.goto(f"{base}/observation/{meeting.pk}/live/")
    expect(page.get_by_test_id("live-ranking")).to_contain_text("暂无已提交的评分")

    # the judge's phone
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    mobile = phone.new_page()
    mobile.set_default_timeout(10_000)
    _watch_csp(mobile, violations)
    login(mobile, base, "judge")
    mobile.goto(f"{base}/observation/{meeting.pk}/judge/")
    cards = mobile.get_by_test_id("judge-card")
    expect(cards).to_have_count(2)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    card = cards.nth(0)
    items = card.get_by_test_id("judge-item")
    items.nth(0).get_by_role("button", name="满分").click()
    expect(items.nth(0).locator("[data-state]")).to_have_text("已保存")
    # a score above the item's maximum: the server's message at the item, nothing written
    items.nth(1).locator("input").fill("99")
    items.nth(1).locator("input").press("Tab")
    expect(items.nth(1).locator("[data-state]")).to_have_text(
        "错误：得分不能超过该项分值 10.00 分。"
    )
    assert "现场讲解" not in _items(first)
    items.nth(1).locator("input").fill("8.5")
    items.nth(1).locator("input").press("Tab")
    expect(items.nth(1).locator("[data-state]")).to_have_text("已保存")
    items.nth(2).get_by_role("button", name="满分").click()
    items.nth(2).get_by_role("button", name="减分").click()  # 20 → 19.5 (0.5 steps up to 20)
    expect(items.nth(2).locator("[data-state]")).to_have_text("已保存")
    expect(card.get_by_test_id("card-total")).to_have_text("38.00")
    assert _items(first) == {
        "展板内容": Decimal("10"),
        "现场讲解": Decimal("8.5"),
        "特色亮点": Decimal("19.5"),
    }
    card.get_by_test_id("card-submit").click()
    expect(card.get_by_test_id("card-submit")).to_have_text("已提交")
    expect(items.nth(0).locator("input")).to_be_disabled()

    # the big screen picks it up by itself: 38 of 40 = 95.00 on a 100-point scale
    rows = page.get_by_test_id("live-rank-row")
    expect(rows).to_have_count(1, timeout=POLL)
    expect(rows.nth(0)).to_contain_text("乙局党组")
    expect(rows.nth(0)).to_contain_text("95.00")

    # the second stop, scored with the phone offline: the scores wait on the phone
    card = cards.nth(1)
    items = card.get_by_test_id("judge-item")
    phone.set_offline(True)
    for i in range(3):
        items.nth(i).get_by_role("button", name="满分").click()
        expect(items.nth(i).locator("[data-state]")).to_have_text("待发送")
    expect(mobile.get_by_test_id("judge-net")).to_contain_text("待发送 3 项")
    time.sleep(1)
    assert not ScoreSheet.objects.unscoped().filter(stop=second).exists()
    # they survive a look at the queue in localStorage
    stored = mobile.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('dangjian-observation-queue'))"
        ".map(k => Object.keys(JSON.parse(localStorage.getItem(k))).length)"
    )
    assert stored == [3]

    # back online: they are resent and arrive server-side
    phone.set_offline(False)
    for i in range(3):
        expect(items.nth(i).locator("[data-state]")).to_have_text("已保存", timeout=POLL)
    assert _wait_for(lambda: len(_items(second)) == 3)
    assert _items(second) == {
        "展板内容": Decimal("10"),
        "现场讲解": Decimal("10"),
        "特色亮点": Decimal("20"),
    }
    expect(mobile.get_by_test_id("judge-net")).to_have_text(re.compile(r"^在线$"))
    card.get_by_test_id("card-submit").click()
    expect(card.get_by_test_id("card-submit")).to_have_text("已提交")
    phone.close()

    # both units on the big screen now, 甲局 (40/40) first
    expect(rows).to_have_count(2, timeout=POLL)
    expect(rows.nth(0)).to_contain_text("甲局党组")
    expect(rows.nth(0)).to_contain_text("100.00")
    expect(rows.nth(1)).to_contain_text("乙局党组")
    expect(page.get_by_test_id("live-stop").nth(1)).to_contain_text("1/1")
    assert violations == []


def test_participant_confirms_the_sign_in_on_a_phone(browser, live_server, tree, personas):
    base = live_server.url
    meeting = make_meeting(tree, judges=make_users("j", 1), live=True)
    obs.participants_add(actor=None, meeting=meeting, users=[personas.member_a])
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    mobile = phone.new_page()
    mobile.set_default_timeout(10_000)
    violations = _watch_csp(mobile, [])
    login(mobile, base, "member_a")
    mobile.goto(f"{base}/observation/sign-in/{meeting.sign_in_code}/")
    expect(mobile.get_by_test_id("sign-in-meeting")).to_contain_text(meeting.title)
    button = mobile.get_by_test_id("sign-in-confirm")
    expect(button).to_have_text(re.compile("确认签到"))
    assert button.bounding_box()["height"] >= 44  # a big touch target
    row = Participant.objects.unscoped().get(meeting=meeting, user=personas.member_a)
    assert row.signed_in_at is None  # opening the page wrote nothing
    button.click()
    expect(mobile.get_by_test_id("sign-in-done")).to_contain_text("签到成功")
    row.refresh_from_db()
    assert row.signed_in_at is not None
    phone.close()
    assert violations == []
