"""Table-driven tests of dangjian.rules.responsibility: a task's state on the days around its
deadline, the 督办 escalation at exactly N days, the task date checks, the progress figure
and the completion roll-up."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

from dangjian.rules import responsibility as r
from dangjian.rules.responsibility import TaskFacts, TaskState

D = dt.date
DUE = D(2024, 6, 30)
START = D(2024, 3, 1)


def test_rules_import_without_django():
    code = "import dangjian.rules.responsibility, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("status", "progress", "starts", "today", "closed_on", "expected"),
    [
        # 8 days before the deadline: outside the 7-day window
        ("open", 50, START, D(2024, 6, 22), None, TaskState.ON_TRACK),
        # 7 days before: the first day of the window ("7天内" includes the 7th day)
        ("open", 50, START, D(2024, 6, 23), None, TaskState.DUE_SOON),
        # the day before the deadline
        ("open", 50, START, D(2024, 6, 29), None, TaskState.DUE_SOON),
        # the due day itself is not overdue yet
        ("open", 50, START, DUE, None, TaskState.DUE_SOON),
        # the day after the deadline
        ("open", 50, START, D(2024, 7, 1), None, TaskState.OVERDUE),
        # reported complete but not closed: waits for its closing, not "due soon"…
        ("open", 100, START, D(2024, 6, 29), None, TaskState.ON_TRACK),
        # …yet still overdue once the deadline has passed (open past due_on)
        ("open", 100, START, D(2024, 7, 1), None, TaskState.OVERDUE),
        # before its start, nothing reported
        ("open", 0, D(2024, 6, 1), D(2024, 5, 1), None, TaskState.NOT_STARTED),
        # on its first day it has started
        ("open", 0, D(2024, 5, 1), D(2024, 5, 1), None, TaskState.ON_TRACK),
        # reported before its start: under way
        ("open", 10, D(2024, 6, 1), D(2024, 5, 1), None, TaskState.ON_TRACK),
        # a task starting in the window is due soon rather than not started
        ("open", 0, D(2024, 6, 28), D(2024, 6, 27), None, TaskState.DUE_SOON),
        # closed on the due day: on time; the day after: late
        ("closed", 100, START, D(2024, 8, 1), DUE, TaskState.CLOSED),
        ("closed", 100, START, D(2024, 8, 1), D(2024, 7, 1), TaskState.CLOSED_LATE),
        ("closed", 60, START, D(2024, 8, 1), None, TaskState.CLOSED),
    ],
)
def test_task_state(status, progress, starts, today, closed_on, expected):
    assert r.task_state(status, progress, starts, DUE, today, closed_on=closed_on) == expected


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        (3, D(2024, 6, 26), TaskState.ON_TRACK),  # 4 days before, window of 3
        (3, D(2024, 6, 27), TaskState.DUE_SOON),  # 3 days before
        (30, D(2024, 6, 1), TaskState.DUE_SOON),  # 29 days before, window of 30
    ],
)
def test_task_state_window_is_a_parameter(days, today, expected):
    assert r.task_state("open", 20, START, DUE, today, due_soon_days=days) == expected


@pytest.mark.parametrize(
    ("progress", "starts", "today", "draft", "published"),
    [
        # the day after the deadline: a draft's task is not overdue
        (50, START, D(2024, 7, 1), TaskState.ON_TRACK, TaskState.OVERDUE),
        # the due day: nor due soon
        (50, START, DUE, TaskState.ON_TRACK, TaskState.DUE_SOON),
        # starting in the window, nothing reported: not started rather than due soon
        (0, D(2024, 6, 28), D(2024, 6, 27), TaskState.NOT_STARTED, TaskState.DUE_SOON),
        # long before its start: not started either way
        (0, D(2024, 6, 1), D(2024, 5, 1), TaskState.NOT_STARTED, TaskState.NOT_STARTED),
    ],
)
def test_a_draft_point_s_task_is_never_overdue_nor_due_soon(
    progress, starts, today, draft, published
):
    assert r.task_state("open", progress, starts, DUE, today, published=False) == draft
    assert r.task_state("open", progress, starts, DUE, today) == published


def test_every_state_has_a_chinese_label():
    assert set(r.STATE_LABELS) == set(TaskState)


SENT = dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "resolved", "escalated", "expected"),
    [
        # one second short of three full days: not yet
        (SENT + dt.timedelta(days=3, seconds=-1), None, None, False),
        # exactly three days after it was sent: escalates
        (SENT + dt.timedelta(days=3), None, None, True),
        (SENT + dt.timedelta(days=10), None, None, True),
        # answered by a report (or the task closed): never
        (SENT + dt.timedelta(days=10), SENT + dt.timedelta(days=1), None, False),
        # escalated already: once only
        (SENT + dt.timedelta(days=10), None, SENT + dt.timedelta(days=3), False),
    ],
)
def test_escalation_due(now, resolved, escalated, expected):
    assert r.escalation_due(SENT, 3, resolved, escalated, now) is expected


def test_escalates_at():
    assert r.escalates_at(SENT, 5) == SENT + dt.timedelta(days=5)


@pytest.mark.parametrize(
    ("starts", "due", "expected"),
    [
        (D(2024, 1, 1), D(2024, 12, 31), []),
        # a one-day task
        (D(2024, 5, 1), D(2024, 5, 1), []),
        # the deadline one day before the start
        (D(2024, 5, 2), D(2024, 5, 1), [("due_on", "完成时限不能早于开始日期。")]),
        # outside the year on either side
        (D(2023, 12, 31), D(2024, 3, 1), [("starts_on", "开始日期须在2024年内。")]),
        (D(2024, 3, 1), D(2025, 1, 1), [("due_on", "完成时限须在2024年内。")]),
        (None, None, [("starts_on", "请填写开始日期。"), ("due_on", "请填写完成时限。")]),
    ],
)
def test_validate_task_dates(starts, due, expected):
    assert r.validate_task_dates(starts, due, 2024) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (100, 100), ("80", 80), (" 75 ", 75), ("60%", 60), (50.0, 50)],
)
def test_validate_progress_accepts(value, expected):
    assert r.validate_progress(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (101, "完成进度不能超过100%。"),
        ("101", "完成进度不能超过100%。"),
        (-1, "完成进度不能为负数。"),
        ("-1", "完成进度不能为负数。"),
        ("9" * 5000, "完成进度不能超过100%。"),
        ("--5", "完成进度须为0至100的整数。"),
        ("五十", "完成进度须为0至100的整数。"),
        (50.5, "完成进度须为0至100的整数。"),
        (True, "请填写完成进度（0至100的整数）。"),
        (None, "请填写完成进度（0至100的整数）。"),
        ("", "请填写完成进度（0至100的整数）。"),
        ([50], "完成进度须为0至100的整数。"),
    ],
)
def test_validate_progress_refuses(value, message):
    with pytest.raises(ValueError) as caught:
        r.validate_progress(value)
    assert str(caught.value) == message


def test_completion_rolls_up_closed_on_time_overdue_and_progress():
    rows = [
        TaskFacts("closed", 100, DUE, DUE),  # on time (the due day)
        TaskFacts("closed", 90, DUE, D(2024, 7, 1)),  # late
        TaskFacts("open", 40, D(2024, 6, 30)),  # overdue on July 1
        TaskFacts("open", 10, D(2024, 7, 1)),  # due that day: not overdue
    ]
    c = r.completion(rows, today=D(2024, 7, 1))
    assert (c.total, c.closed, c.on_time, c.overdue) == (4, 2, 1, 1)
    assert c.closed_share == Decimal("50.0")
    assert c.on_time_share == Decimal("25.0")
    assert c.average_progress == Decimal("60.0")
    assert (c.closed_value, c.progress_value) == (50, 60)


def test_completion_counts_no_overdue_for_a_draft_point_s_task():
    rows = [
        TaskFacts("open", 40, D(2024, 6, 30), published=False),  # a draft's, past due
        TaskFacts("open", 40, D(2024, 6, 30)),  # the same, published: overdue
    ]
    c = r.completion(rows, today=D(2024, 7, 1))
    assert (c.total, c.overdue) == (2, 1)


def test_completion_of_nothing_has_no_shares():
    c = r.completion([])
    assert c.total == 0
    assert c.closed_share is None and c.on_time_share is None and c.average_progress is None
    assert c.closed_value == 0 and c.progress_value == 0


def test_completion_without_today_counts_no_overdue_and_rounds_half_up():
    rows = [TaskFacts("closed", 100, DUE, DUE), *[TaskFacts("open", 0, D(2020, 1, 1))] * 2]
    c = r.completion(rows)
    assert c.overdue == 0
    assert c.closed_share == Decimal("33.3")
    assert c.average_progress == Decimal("33.3")
