"""老干部结对联系 in a real browser, on a phone (issue 10): a serving cadre paired with a retired
cadre opens 我的结对, logs a visit and records a request; the unit's administrator (the
responsible office's manager) answers it; the cadre sees the answer and records the feedback
with the retiree's satisfaction. No CSP violation, nothing wider than the phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.conftest import PASSWORD, _member
from tests.e2e.conftest import login

from dangjian.accounts.models import RoleGrant, User
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans.models import Contact, Request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_cadre_logs_a_visit_and_a_request_the_office_answers(browser, live_server, tree, personas):
    base = live_server.url
    today = timezone.localdate()
    cadre_member = _member(tree.branch_a, "周结对")
    cadre = User.objects.create_user(
        username="cadre_zhou", password=PASSWORD, display_name="cadre_zhou", member=cadre_member
    )
    RoleGrant.objects.create(user=cadre, org=tree.branch_a, role="member")
    retirees = s.retiree_create(
        actor=None,
        org=tree.branch_b,
        name="李军",
        phone="13912345678",
        health_note="高血压",
        living_alone=True,
    )
    sp.office_create(actor=None, org=tree.party_group_a, name="离休干部处")
    sp.pairing_create(
        actor=None, retiree=retirees, cadre=cadre_member, started_on=today - dt.timedelta(days=60)
    )

    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)
    login(phone, base, "cadre_zhou")

    # 我的结对: the pairing with what is owed next (the monthly call is overdue)
    phone.goto(base + reverse("veterans:mine"))
    card = phone.get_by_test_id("my-pairing")
    expect(card).to_contain_text("李军")
    expect(card.get_by_test_id("state-overdue")).to_be_visible()
    _fits(phone)

    # log a visit
    card.get_by_test_id("contact-new").click()
    form = phone.get_by_test_id("contact-form")
    form.get_by_text("上门走访").click()
    form.locator("textarea[name=thoughts]").fill("思想稳定，关心社区建设。")
    form.locator("textarea[name=living]").fill("独居，身体尚好，家中水管老化。")
    _fits(phone)
    phone.get_by_test_id("contact-submit").click()
    expect(phone.get_by_test_id("my-pairing")).to_contain_text(
        "上门走访：最近 " + f"{today:%Y-%m-%d}"
    )
    contact = Contact.objects.unscoped().get()
    assert contact.kind == "visit" and contact.recorded_by == cadre

    # record a request
    phone.get_by_test_id("request-new").click()
    form = phone.get_by_test_id("request-form")
    form.locator("select[name=kind]").select_option("need")
    form.locator("select[name=source]").select_option("cadre")
    form.locator("textarea[name=content]").fill("希望协助更换家中老化水管。")
    form.locator("select[name=office]").select_option(label="离休干部处")
    _fits(phone)
    phone.get_by_test_id("request-submit").click()
    expect(phone.get_by_test_id("my-requests")).to_contain_text("希望协助更换家中老化水管")
    req = Request.objects.unscoped().get()
    assert req.pairing.cadre_id == cadre_member.pk and req.status == "open"
    phone.context.clear_cookies()

    # the unit's administrator answers from the request list
    login(phone, base, "unit_admin")
    phone.goto(base + reverse("veterans:requests") + "?state=open")
    row = phone.get_by_test_id("request-row").filter(has_text="老化水管")
    row.get_by_role("link").click()
    answer = phone.get_by_test_id("answer-form")
    answer.locator("textarea[name=answer]").fill("已联系物业，本周内上门更换水管。")
    phone.get_by_test_id("answer-submit").click()
    expect(phone.get_by_test_id("request-answer")).to_contain_text("本周内上门更换水管")
    _fits(phone)
    phone.context.clear_cookies()

    # the cadre sees the answer and records the feedback with the retiree's satisfaction
    login(phone, base, "cadre_zhou")
    phone.goto(base + reverse("veterans:mine"))
    expect(phone.get_by_test_id("my-request-answer")).to_contain_text("本周内上门更换水管")
    phone.get_by_test_id("my-requests").get_by_role("link").first.click()
    feedback = phone.get_by_test_id("feedback-form")
    feedback.locator("select[name=satisfaction]").select_option("satisfied")
    phone.get_by_test_id("feedback-submit").click()
    expect(phone.get_by_test_id("request-satisfaction")).to_contain_text("满意")
    req.refresh_from_db()
    assert req.status == "fed_back" and req.satisfaction == "satisfied"
    _fits(phone)
    assert violations == []
    phone.close()
