"""法律服务 rules: coverage percentages and the legal-aid time limits at their boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dangjian.rules import legal as rules

D0 = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("covered", "total", "expected"),
    [
        (0, 0, None),
        (0, 5, D("0.0")),
        (5, 5, D("100.0")),
        (1, 3, D("33.3")),
        (2, 3, D("66.7")),
        (1, 8, D("12.5")),  # half up
        (37, 40, D("92.5")),
    ],
)
def test_coverage(covered, total, expected):
    assert rules.coverage(covered, total) == expected


def test_coverage_text_shows_a_dash_without_places():
    assert rules.coverage_text(rules.coverage(0, 0)) == "—"
    assert rules.coverage_text(rules.coverage(1, 2)) == "50.0%"


@pytest.mark.parametrize(("covered", "total"), [(-1, 3), (4, 3), (0, -1)])
def test_coverage_refuses_impossible_counts(covered, total):
    with pytest.raises(ValueError):
        rules.coverage(covered, total)


def test_deadlines_follow_the_law_by_default():
    limits = rules.aid_deadlines(D0, None)
    assert limits.review_due == D0 + dt.timedelta(days=7)  # 第四十三条
    assert limits.assign_due is None
    limits = rules.aid_deadlines(D0, D0 + dt.timedelta(days=2))
    assert limits.assign_due == D0 + dt.timedelta(days=5)  # 第四十四条: 3 days after


def test_deadlines_are_configurable():
    limits = rules.aid_deadlines(D0, D0, review_days=5, assign_days=1)
    assert limits.review_due == D0 + dt.timedelta(days=5)
    assert limits.assign_due == D0 + dt.timedelta(days=1)
    with pytest.raises(ValueError):
        rules.aid_deadlines(D0, None, review_days=0)


@pytest.mark.parametrize(
    ("days_after", "state"),
    [
        (0, rules.ON_TIME),
        (4, rules.ON_TIME),
        (5, rules.DUE_SOON),  # 2 days left
        (7, rules.DUE_SOON),  # the last day is in time
        (8, rules.OVERDUE),
    ],
)
def test_review_state_boundaries(days_after, state):
    got = rules.aid_state(
        status="applied",
        applied_on=D0,
        accepted_on=None,
        assigned_on=None,
        today=D0 + dt.timedelta(days=days_after),
    )
    assert got.stage == "review" and got.state == state
    assert got.due_on == D0 + dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("days_after", "state"),
    [(0, rules.ON_TIME), (1, rules.DUE_SOON), (3, rules.DUE_SOON), (4, rules.OVERDUE)],
)
def test_assignment_state_boundaries(days_after, state):
    accepted = D0 + dt.timedelta(days=1)
    got = rules.aid_state(
        status="accepted",
        applied_on=D0,
        accepted_on=accepted,
        assigned_on=None,
        today=accepted + dt.timedelta(days=days_after),
    )
    assert got.stage == "assign" and got.state == state
    assert got.label.startswith("指派律师")


@pytest.mark.parametrize(
    ("accepted", "assigned", "review_late", "assign_late"),
    [(7, 10, False, False), (8, 10, True, False), (7, 11, False, True)],
)
def test_finished_cases_say_whether_a_step_was_late(accepted, assigned, review_late, assign_late):
    got = rules.aid_state(
        status="assigned",
        applied_on=D0,
        accepted_on=D0 + dt.timedelta(days=accepted),
        assigned_on=D0 + dt.timedelta(days=assigned),
        today=D0 + dt.timedelta(days=40),
    )
    assert got.stage is None and got.state == rules.DONE and got.label == "已办结"
    assert (got.review_late, got.assign_late) == (review_late, assign_late)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("14201202010123456", True),
        ("1420120201012345", False),
        ("142012020101234567", False),
        ("1420120201012345X", False),
        ("１４２０１２０２０１０１２３４５６", False),  # full-width digits
        (None, False),
    ],
)
def test_licence_numbers(value, ok):
    assert rules.licence_ok(value) is ok
