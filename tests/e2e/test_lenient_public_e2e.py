"""The public 四张清单 search in a real browser, on a phone (issue 10): a visitor without an
account follows the link on the sign-in page, searches, filters by domain and kind and sees the
item as a card; an unpublished list is never shown. No CSP violation, nothing wider than the
phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.legal import services_lists as s

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
BASIS = "《中华人民共和国行政处罚法》第三十三条第一款"


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _lists(tree):
    start = timezone.localdate() - dt.timedelta(days=30)
    market = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="市场监管",
        kind="no_penalty",
        issued_by="十堰市市场监督管理局",
        effective_from=start,
    )
    s.item_create(
        actor=None,
        lenient_list=market,
        conduct="未按规定公示营业执照",
        legal_basis=BASIS,
        conditions="首次违法且危害后果轻微并及时改正",
        measure="责令改正，不予行政处罚",
    )
    s.list_publish(actor=None, lenient_list=market)
    city = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="城市管理",
        kind="no_coercion",
        effective_from=start,
    )
    s.item_create(
        actor=None,
        lenient_list=city,
        conduct="店外临时摆放商品占用人行道",
        legal_basis="《中华人民共和国行政强制法》第十六条第二款",
        conditions="情节显著轻微，及时清理",
    )
    s.list_publish(actor=None, lenient_list=city)
    draft = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="市场监管",
        kind="reduced_penalty",
        effective_from=start,
    )
    s.item_create(
        actor=None,
        lenient_list=draft,
        conduct="未公示营业执照（草稿）",
        legal_basis=BASIS,
        conditions="草稿",
    )


def test_a_visitor_searches_the_lists_on_a_phone(browser, live_server, tree):
    _lists(tree)
    base = live_server.url
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)

    phone.goto(base + "/login/")
    phone.get_by_test_id("lenient-public-link").click()
    expect(phone.get_by_test_id("lenient-count")).to_contain_text("共找到 2 项")
    expect(phone.get_by_test_id("lenient-item")).to_have_count(2)

    phone.get_by_test_id("lenient-q").fill("营业执照")
    phone.get_by_test_id("lenient-domain").select_option("市场监管")
    phone.get_by_test_id("lenient-kind").select_option("no_penalty")
    phone.get_by_test_id("lenient-submit").click()
    expect(phone.get_by_test_id("lenient-count")).to_contain_text("共找到 1 项")
    card = phone.get_by_test_id("lenient-item")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("lenient-conduct")).to_have_text("未按规定公示营业执照")
    expect(card).to_contain_text("免于处罚")
    expect(card).to_contain_text(BASIS)
    expect(phone.get_by_text("未公示营业执照（草稿）")).to_have_count(0)

    # another kind: nothing published there
    phone.get_by_test_id("lenient-kind").select_option("reduced_penalty")
    phone.get_by_test_id("lenient-submit").click()
    expect(phone.get_by_test_id("lenient-empty")).to_be_visible()

    # an oversized query is told in Chinese
    phone.get_by_test_id("lenient-q").fill("长" * 60)
    phone.get_by_test_id("lenient-submit").click()
    expect(phone.get_by_test_id("lenient-error")).to_contain_text("查询内容过长")

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert violations == []
    # the visitor never signed in
    expect(phone.get_by_test_id("whoami")).to_have_count(0)
