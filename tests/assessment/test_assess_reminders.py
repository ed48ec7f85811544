"""Deadline reminders: self-assessment due within 7 days → to-do for the org's ASSESS_SUBMIT
holders (nearest level below the owner); review due within 7 days → to-do for the owner's
ASSESS_MANAGE holders; a daily run never repeats an item."""

from __future__ import annotations

import datetime as dt

from tests.assessment.helpers_assess import published, score_of

from dangjian.assessment import services_assess as sa
from dangjian.assessment.reminders_assessment import remind_assessments
from dangjian.notify.models import Notification

SELF_DUE = dt.date(2026, 3, 10)


def _items(kind):
    return sorted(
        (n.user.username, n.is_todo)
        for n in Notification.objects.filter(kind=kind).select_related("user")
    )


def test_self_assessment_due(tree, personas):
    _scheme, a = published(tree, self_due=SELF_DUE)
    assert remind_assessments(SELF_DUE - dt.timedelta(days=8)) == 0
    created = remind_assessments(SELF_DUE - dt.timedelta(days=7))
    # branch A → secretary_a, branch B → secretary_b; branch C has no secretary: its
    # nearest holder below the 工委 is nobody (乙局 has no unit admin in the fixture)
    assert created == 2
    assert _items("assessment_due") == [("secretary_a", True), ("secretary_b", True)]
    item = Notification.objects.get(user=personas.secretary_a, kind="assessment_due")
    assert item.link == f"/assessment/a/{a.pk}/"
    assert "7天后" in item.title and "2026年03月10日" in item.body
    # the next day's run repeats nothing
    assert remind_assessments(SELF_DUE - dt.timedelta(days=6)) == 0
    assert Notification.objects.filter(kind="assessment_due").count() == 2


def test_nothing_once_submitted_or_past_the_deadline(tree, personas):
    _scheme, a = published(tree, self_due=SELF_DUE)
    for title, kwargs in (
        ("人工项", {"points": "1"}),
        ("扣分项", {"occurrences": 0}),
        ("党员大会", {"points": "1"}),
        ("主题党日", {"points": "1"}),
        ("表彰", {"points": "1"}),
    ):
        sa.score_self_set(actor=None, score=score_of(a, title), **kwargs)
    sa.assessment_submit(actor=None, assessment=a)
    remind_assessments(SELF_DUE)
    assert _items("assessment_due") == [("secretary_b", True)]
    assert remind_assessments(SELF_DUE + dt.timedelta(days=1)) == 0


def test_review_due_goes_to_the_owners_managers(tree, personas):
    scheme, a = published(tree, self_due=SELF_DUE)  # review due 15 days later
    for title, kwargs in (
        ("人工项", {"points": "1"}),
        ("扣分项", {"occurrences": 0}),
        ("党员大会", {"points": "1"}),
        ("主题党日", {"points": "1"}),
        ("表彰", {"points": "1"}),
    ):
        sa.score_self_set(actor=None, score=score_of(a, title), **kwargs)
    sa.assessment_submit(actor=None, assessment=a)
    review_due = scheme.review_due
    assert remind_assessments(review_due - dt.timedelta(days=3)) == 1
    assert _items("assessment_review") == [("committee_admin", True)]
    item = Notification.objects.get(kind="assessment_review")
    assert item.link == f"/assessment/a/{a.pk}/review/"
    assert remind_assessments(review_due - dt.timedelta(days=2)) == 0
