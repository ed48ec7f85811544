"""Daily reminders of 述职评议: a to-do for each voter who has not voted in an open review;
a to-do for a rectification due within 7 days and another once overdue, to those who fill
the report's org; never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.assessment import helpers_contest as h

from dangjian.assessment import services_review as services
from dangjian.assessment.reminders_review import remind_reviews
from dangjian.notify.models import Notification

pytestmark = pytest.mark.django_db


def _items(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("user__username", "dedupe_key")
    )


def test_vote_reminders_to_those_who_have_not_voted(tree, personas):
    admin = personas.committee_admin
    voters = h.voters(2, prefix="v")
    review = h.review(admin, tree.root, [tree.branch_a], [*voters, personas.member_a])
    h.review(admin, tree.root, [tree.branch_a], [personas.secretary_b], open_=False)  # a draft
    report = review.reports.get()
    services.ballot_cast(actor=voters[0], review=review, grades={report.pk: "good"})
    today = timezone.localdate()
    assert remind_reviews(today) == 2
    items = _items("review_vote")
    assert items == sorted(
        [
            (voters[1].username, f"review_vote:{review.pk}"),
            ("member_a", f"review_vote:{review.pk}"),
        ]
    )
    item = Notification.objects.filter(kind="review_vote").first()
    assert item.is_todo and item.link == f"/reviews/{review.pk}/ballot/"
    assert "投票匿名" in item.body and "good" not in item.body
    assert remind_reviews(today) == 0  # deduplicated
    services.review_close(actor=admin, review=review)
    assert remind_reviews(today) == 0


def test_no_vote_reminder_past_the_closing_time(tree, personas):
    admin = personas.committee_admin
    closes = timezone.now() + dt.timedelta(minutes=5)
    review = h.review(admin, tree.root, [tree.branch_a], h.voters(1), closes_at=closes)
    from dangjian.assessment.models import SecretaryReview

    SecretaryReview.objects.unscoped().filter(pk=review.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert remind_reviews(timezone.localdate()) == 0


def test_rectification_reminders_due_soon_then_overdue(tree, personas):
    admin = personas.committee_admin
    review = h.review(admin, tree.root, [tree.branch_a, tree.branch_c], h.voters(1))
    a, c = review.reports.order_by("order")
    a.review = review
    c.review = review
    today = dt.date(2026, 3, 1)
    soon = services.rectification_add(
        actor=admin, report=a, problem="党课不足", due_on=today + dt.timedelta(days=7)
    )
    services.rectification_add(
        actor=admin, report=a, problem="later", due_on=today + dt.timedelta(days=8)
    )
    # 乙局党支部 has no secretary account: its nearest body above with one — the 工委's admin
    far = services.rectification_add(
        actor=admin, report=c, problem="材料不全", due_on=today - dt.timedelta(days=1)
    )
    Notification.objects.filter(kind="review_vote").delete()
    remind_reviews(today)
    assert _items("rectification_due") == sorted(
        [
            ("secretary_a", f"rectification_due:{soon.pk}:due_soon"),
            ("committee_admin", f"rectification_due:{far.pk}:overdue"),
        ]
    )
    overdue_title = Notification.objects.get(dedupe_key__endswith=f"{far.pk}:overdue").title
    assert "已逾期" in overdue_title
    assert remind_reviews(today) == 0
    # a week later the first is overdue: one more item, to the same secretary
    remind_reviews(today + dt.timedelta(days=8))
    assert ("secretary_a", f"rectification_due:{soon.pk}:overdue") in _items("rectification_due")
    # done items are no longer reminded
    soon.report.review = review
    services.rectification_done(actor=admin, rectification=soon, note="已完成")
    before = Notification.objects.count()
    remind_reviews(today + dt.timedelta(days=20))
    new = Notification.objects.filter(dedupe_key__contains=f":{soon.pk}:")
    assert new.count() == 2 and Notification.objects.count() >= before
