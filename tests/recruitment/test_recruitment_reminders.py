"""The daily 发展党员 reminders: to-dos for deadlines due within 14 days or overdue (branch
steps to the branch secretary, committee steps to the approvers above), notices for ERROR
findings, deduplicated; the stored next deadline and counts refreshed as the days pass."""

from __future__ import annotations

import datetime as dt

from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification
from dangjian.recruitment import services
from dangjian.recruitment.reminders import remind_recruitment
from dangjian.rules.base import add_months
from tests.recruitment.conftest import START, date_of, today_after


def _items(kind):
    return list(Notification.objects.filter(kind=kind).order_by("id"))


def test_talk_due_goes_to_the_branch_secretary_once(tree, personas, candidate_factory):
    c = candidate_factory(upto="application")
    talk_due = add_months(START, 1)  # R-DEV-03
    assert remind_recruitment(talk_due - dt.timedelta(days=20)) == 0  # not yet within 14 days
    created = remind_recruitment(talk_due - dt.timedelta(days=10))
    items = _items("recruitment_due")
    assert created == len(items) == 1
    item = items[0]
    assert item.user == personas.secretary_a and item.is_todo and item.rule_id == "R-DEV-03"
    assert c.name in item.title and item.org_id == tree.branch_a.pk
    assert item.link.endswith(f"{c.pk}/")
    assert remind_recruitment(talk_due - dt.timedelta(days=9)) == 0  # deduplicated
    # once overdue, one more item
    assert remind_recruitment(talk_due + dt.timedelta(days=1)) >= 1
    assert len(_items("recruitment_due")) == 2
    assert "已过" in _items("recruitment_due")[-1].title
    assert AuditEntry.objects.filter(action="recruitment.reminders.created").count() == 2


def test_committee_steps_go_to_the_approvers_above(tree, personas, candidate_factory):
    c = candidate_factory(upto="acceptance")
    due = add_months(date_of("acceptance"), 3)  # R-DEV-17: approval within three months
    remind_recruitment(due - dt.timedelta(days=5))
    approval = [n for n in _items("recruitment_due") if n.rule_id == "R-DEV-17"]
    assert {n.user for n in approval} == {personas.unit_admin}  # the nearest approver above
    assert c.name in approval[0].title


def test_errors_are_told_once(tree, personas, candidate_factory):
    early = date_of("activist") + dt.timedelta(days=200)  # R-DEV-07: less than a year
    c = candidate_factory(
        upto="prospect", dates={"prospect": early}, skip=("assessment", "prospect_publicity")
    )
    today = early + dt.timedelta(days=1)
    remind_recruitment(today)
    violations = _items("recruitment_violation")
    assert [(n.user, n.rule_id) for n in violations if n.rule_id == "R-DEV-07"] == [
        (personas.secretary_a, "R-DEV-07")
    ]
    assert not violations[0].is_todo and c.name in violations[0].title
    count = len(violations)
    remind_recruitment(today + dt.timedelta(days=1))
    assert len(_items("recruitment_violation")) == count


def test_the_stored_deadline_and_counts_follow_the_days(tree, candidate_factory):
    c = candidate_factory(upto="talk", today=today_after("talk"))
    c.refresh_from_db()
    # after the talk nothing is due by a date until he is made an activist
    assert (c.error_count, c.warning_count, c.next_due_on, c.next_due_label) == (0, 0, None, "")
    later = date_of("talk") + dt.timedelta(days=3 * 365)
    remind_recruitment(later)
    c.refresh_from_db()
    assert c.stage == "applicant" and c.next_due_on is None
    # a closed file is left alone
    services.candidate_withdraw(actor=None, candidate=c, reason="本人撤回")
    before = Notification.objects.count()
    assert remind_recruitment(later + dt.timedelta(days=30)) == 0
    assert Notification.objects.count() == before


def test_overdue_deadlines_are_refreshed(tree, candidate_factory):
    c = candidate_factory(upto="acceptance", today=today_after("acceptance"))
    c.refresh_from_db()
    assert c.error_count == 0
    late = add_months(date_of("acceptance"), 7)  # R-DEV-18: six months without approval
    remind_recruitment(late)
    c.refresh_from_db()
    assert c.error_count >= 1 and c.next_due_on < late


def test_the_six_month_limit_is_not_hidden_behind_the_three_month_one(
    tree, personas, candidate_factory
):
    """R-DEV-17 has two deadlines for the approval (three months, at most six): when the first
    has passed and the second comes near, both are told (not de-duplicated on step and rule)."""
    candidate_factory(upto="acceptance", today=today_after("acceptance"))
    limit = add_months(date_of("acceptance"), 6)
    remind_recruitment(limit - dt.timedelta(days=5))
    approval = [n for n in _items("recruitment_due") if n.rule_id == "R-DEV-17"]
    assert {n.user for n in approval} == {personas.unit_admin}
    assert any("已过" in n.title for n in approval)  # the three-month deadline, overdue
    assert any(f"{limit:%Y-%m-%d}" in n.title and "将到" in n.title for n in approval)
