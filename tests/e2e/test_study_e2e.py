"""学习培训 in a real browser, on a phone (issue 8): a member opens the material his branch must
read and marks it read, takes a self-test (answers, hands in) and sees his score, signs in to
the study session about to start, and sees his credit hours and his points change. No CSP
violation, nothing wider than the phone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import login

from dangjian.demo import study_data as data
from dangjian.orglife.models import Attendance
from dangjian.orglife.services import meeting_record
from dangjian.study import services_library as library
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import QuizAttempt, ReadingProgress, Topic
from dangjian.study.services_sessions import session_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _study_year(tree, member):
    """A session he attended earlier today (recorded: 1.5 hours, 2 points), one that began
    five minutes ago, a material his branch must read this week and a test open now."""
    now = timezone.now()
    earlier = session_create(
        actor=None,
        org=tree.organ_a,
        form="concentrated",
        mode="in_person",
        topic="学习《中国共产党章程》",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        hours="1.5",
    )
    roster = Attendance.all_objects.filter(meeting=earlier.meeting).values_list(
        "member_id", flat=True
    )
    meeting_record(
        actor=None,
        meeting=earlier.meeting,
        attendance={pk: ("present", "") for pk in roster},
        minutes="集中学习党章总纲，与会党员结合工作谈了体会。",
    )
    coming = session_create(
        actor=None,
        org=tree.organ_a,
        form="lecture",
        mode="in_person",
        topic="党的二十大精神专题宣讲",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        hours="2",
    )
    topic, _ = Topic.objects.get_or_create(name="二十大精神", defaults={"sort": 1})
    material = library.material_create(
        actor=None,
        org=tree.organ_a,
        topic=topic,
        title="二十大精神专题学习网页",
        description="专题栏目，汇集报告原文和解读。",
        kind="link",
        url="https://www.12371.cn/",
        minutes=15,
    )
    library.material_assign(
        actor=None,
        material=material,
        org=tree.branch_a,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    bank = quizzes.bank_create(actor=None, org=tree.organ_a, title="党内法规知识题库")
    kinds = {"single": 0, "multiple": 0, "judge": 0}
    for q in data.QUESTIONS:  # two of each kind
        if kinds[q.kind] < 2:
            kinds[q.kind] += 1
            quizzes.question_add(
                actor=None,
                bank=bank,
                kind=q.kind,
                text=q.text,
                options=list(q.options),
                answer=list(q.answer),
                explanation=q.explanation,
                rule_ref=q.rule_ref,
            )
    quiz = quizzes.quiz_create(
        actor=None,
        org=tree.organ_a,
        bank=bank,
        title="党内法规知识自测",
        question_count=4,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    return coming, material, quiz


def _number(page: Page, testid: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", page.get_by_test_id(testid).inner_text()))


def test_a_member_reads_takes_a_test_and_sees_hours_and_points_change_on_a_phone(
    browser, live_server, tree, personas
):
    base = live_server.url
    member = tree.members_a[1]  # member_a's own record
    coming, material, quiz = _study_year(tree, member)
    phone = browser.new_page(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_default_timeout(10_000)
    violations = _watch(phone)
    login(phone, base, "member_a")

    # where he stands: the session of earlier today
    phone.goto(base + reverse("study:my_hours"))
    hours_before = _number(phone, "my-earned")
    phone.goto(base + reverse("study:my_points"))
    points_before = _number(phone, "points-total")

    # the material his branch must read: open it, mark it read
    phone.goto(base + reverse("study:library"))
    phone.locator(f'[data-testid="assigned-item"][data-material="{material.pk}"]').click()
    expect(phone.get_by_test_id("material-title")).to_have_text(material.title)
    expect(phone.get_by_test_id("progress-status")).to_have_attribute("data-status", "reading")
    phone.get_by_test_id("mark-done").click()
    expect(phone.get_by_test_id("progress-status")).to_have_attribute("data-status", "done")
    assert ReadingProgress.all_objects.get(material=material, member=member).completed_at

    # the test: start, answer every question right, hand in, see the score
    phone.goto(base + reverse("study:quizzes"))
    phone.locator(f'[data-testid="quiz-row"][data-quiz="{quiz.pk}"]').click()
    phone.get_by_test_id("start").click()
    cards = phone.get_by_test_id("question-card")
    expect(cards).to_have_count(4)
    attempt = QuizAttempt.all_objects.get(quiz=quiz, member=member)
    key = {q.pk: q.answer for q in quiz.bank.questions.all()}
    for qid in attempt.question_ids:
        card = phone.locator(f'[data-testid="question-card"][data-question="{qid}"]')
        for index in key[qid]:
            card.locator(f'input[value="{index}"]').check()
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("score")).to_contain_text("100")
    expect(phone.get_by_test_id("passed")).to_contain_text("及格")
    expect(phone.get_by_test_id("all-right")).to_be_visible()

    # the session going on: he signs in with its code; the branch then records it as held
    phone.goto(f"{base}/orglife/sign-in/{coming.meeting.sign_in_code}/")
    phone.get_by_test_id("sign-in-submit").click()
    expect(phone.get_by_test_id("sign-in-done")).to_contain_text("签到成功")
    signed = Attendance.all_objects.filter(meeting=coming.meeting)
    meeting_record(
        actor=None,
        meeting=coming.meeting,
        attendance={
            a.member_id: ("present", "") if a.status == "present" else ("absent", "")
            for a in signed
        },
        minutes="专题宣讲党的二十大精神，与会党员认真听讲。",
    )

    # his hours and points follow the records: the session's 2 hours; a finished reading
    # (1 point), a passed test (3) and a study session attended (2)
    phone.goto(base + reverse("study:my_hours"))
    assert _number(phone, "my-earned") - hours_before == Decimal("2.0")
    expect(
        phone.locator('[data-testid="my-session"]', has_text="党的二十大精神专题宣讲")
    ).to_be_visible()
    phone.goto(base + reverse("study:my_points"))
    assert _number(phone, "points-total") - points_before == Decimal("6.0")
    expect(phone.locator('[data-testid="points-line"][data-action="quiz_passed"]')).to_have_count(1)
    expect(
        phone.locator('[data-testid="points-line"][data-action="reading_completed"]')
    ).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    assert violations == []
    phone.close()
