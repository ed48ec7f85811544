"""Table tests of dangjian.rules.cocreation: metric achievement and percentage (not capped),
project states around their dates, problems overdue and due soon (the reminder's window),
problem status moves, the satisfaction summary and the validation helpers."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal as D

import pytest

from dangjian.rules import cocreation as r

TODAY = dt.date(2026, 6, 15)


def test_rules_import_without_django():
    code = "import dangjian.rules.cocreation, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([], D(0)),
        ([None], D(0)),
        ([D("4.5"), D("5")], D("9.5")),
        ([1, None, D("0.25")], D("1.25")),
    ],
)
def test_achieved_is_the_sum_of_done_amounts(amounts, expected):
    assert r.achieved(amounts) == expected


@pytest.mark.parametrize(
    ("target", "amounts", "percent", "bar", "exceeded"),
    [
        ("12", [], D("0.0"), 0, False),
        ("12", [D("4.5")], D("37.5"), 38, False),  # half up
        ("3", [D("1")], D("33.3"), 33, False),
        ("300", [300], D("100.0"), 100, False),  # reached, not exceeded
        ("80", [D("96")], D("120.0"), 100, True),  # shown as 120 %, the bar is full
    ],
)
def test_metric_progress(target, amounts, percent, bar, exceeded):
    progress = r.metric_progress(D(target), amounts)
    assert progress.percent == percent
    assert progress.bar == bar
    assert progress.exceeded is exceeded
    assert progress.reached is (percent >= 100)


@pytest.mark.parametrize("target", [0, D("-1"), None, "x"])
def test_percentage_without_a_positive_target_is_none(target):
    assert r.percentage(5, target) is None


@pytest.mark.parametrize(
    ("status", "starts", "due", "late", "state"),
    [
        ("done", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), 3, "done"),
        ("suspended", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), 0, "suspended"),
        # the due day itself is not overdue; the day after is
        ("ongoing", TODAY - dt.timedelta(days=90), TODAY, 0, "on_track"),
        ("ongoing", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), 0, "overdue"),
        ("planned", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), 0, "overdue"),
        # a late milestone makes the project overdue
        ("ongoing", TODAY - dt.timedelta(days=90), None, 1, "overdue"),
        ("ongoing", TODAY - dt.timedelta(days=90), None, 0, "on_track"),
        ("planned", TODAY - dt.timedelta(days=90), None, 0, "planned"),
        # an ongoing project whose start lies ahead is still planned
        ("ongoing", TODAY + dt.timedelta(days=1), None, 0, "planned"),
        ("ongoing", TODAY, None, 0, "on_track"),
    ],
)
def test_project_state(status, starts, due, late, state):
    got = r.project_state(
        status=status, starts_on=starts, due_on=due, today=TODAY, late_milestones=late
    )
    assert got == state
    assert r.STATE_LABELS[got]


@pytest.mark.parametrize(
    ("due", "done", "late"),
    [
        (TODAY, None, False),
        (TODAY - dt.timedelta(days=1), None, True),
        (TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=3), False),
    ],
)
def test_milestone_late(due, done, late):
    assert r.milestone_late(due_on=due, done_on=done, today=TODAY) is late


@pytest.mark.parametrize(
    ("status", "days", "overdue", "due_soon"),
    [
        ("open", 4, False, False),  # 4 days ahead: outside the 3-day window
        ("open", 3, False, True),  # the window's first day
        ("in_progress", 0, False, True),  # due today: not overdue yet
        ("open", -1, True, True),
        ("resolved", -10, False, False),
        ("explained", 1, False, False),
    ],
)
def test_problem_overdue_and_due_soon(status, days, overdue, due_soon):
    due = TODAY + dt.timedelta(days=days)
    assert r.problem_overdue(status=status, due_on=due, today=TODAY) is overdue
    assert r.problem_due_soon(status=status, due_on=due, today=TODAY) is due_soon


VISITED = TODAY - dt.timedelta(days=10)


@pytest.mark.parametrize(
    ("current", "new", "resolution", "resolved_on", "field"),
    [
        ("open", "in_progress", "", None, None),
        ("open", "resolved", "已修好", TODAY, None),
        ("in_progress", "explained", "已向群众解释", VISITED, None),  # the visit day is fine
        ("resolved", "in_progress", "", None, None),  # reopened
        ("open", "open", "", None, "status"),
        ("in_progress", "open", "", None, "status"),
        ("resolved", "explained", "x", TODAY, "status"),
        ("open", "bogus", "", None, "status"),
        ("open", "resolved", "  ", TODAY, "resolution"),
        ("open", "resolved", "已修好", None, "resolved_on"),
        ("open", "resolved", "已修好", TODAY + dt.timedelta(days=1), "resolved_on"),
        ("open", "resolved", "已修好", VISITED - dt.timedelta(days=1), "resolved_on"),
    ],
)
def test_problem_change(current, new, resolution, resolved_on, field):
    errors = r.check_problem_change(
        current=current,
        new=new,
        resolution=resolution,
        resolved_on=resolved_on,
        visited_on=VISITED,
        today=TODAY,
    )
    assert (errors[0][0] if errors else None) == field


@pytest.mark.parametrize(
    ("counts", "total", "rate"),
    [
        ({}, 0, None),
        ({"satisfied": 2, "basic": 1, "unsatisfied": 1}, 4, D("75.0")),
        ({"satisfied": 1, "unsatisfied": 2}, 3, D("33.3")),
        ({"satisfied": 3, "bogus": 9}, 3, D("100.0")),
    ],
)
def test_satisfaction_summary(counts, total, rate):
    summary = r.satisfaction_summary(counts)
    assert summary.total == total
    assert summary.rate == rate


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12", None),
        (D("0.01"), None),
        (0, "目标值应大于0。"),
        ("-3", "目标值应大于0。"),
        (None, "请填写目标值。"),
        ("", "请填写目标值。"),
        ("abc", "目标值须为数字。"),
        ("NaN", "目标值须为数字。"),
        ("1.234", "目标值最多保留两位小数。"),
        ("99999999999", "目标值过大。"),
    ],
)
def test_check_target(value, message):
    errors = r.check_target(value)
    assert (errors[0] if errors else None) == (("target", message) if message else None)


@pytest.mark.parametrize(
    ("value", "required", "message"),
    [
        (None, False, None),
        ("", False, None),
        (None, True, "请填写计划资金。"),
        ("0", False, None),
        ("120.5", False, None),
        ("-0.01", False, "计划资金不能为负数。"),
        ("1e3", False, None),
        ("abc", False, "计划资金须为数字。"),
        (True, False, "计划资金须为数字。"),
        ("Infinity", False, "计划资金须为数字。"),
        ("1.005", False, "计划资金最多保留两位小数。"),
        ("10000000000", False, "计划资金过大。"),
    ],
)
def test_check_amount(value, required, message):
    errors = r.check_amount(value, field="funds_planned", label="计划资金", required=required)
    assert (errors[0][1] if errors else None) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, None),
        (0, None),
        ("25", None),
        (-1, "户数不能为负数。"),
        ("1.5", "户数须为整数。"),
        (2.5, "户数须为整数。"),
        (True, "户数须为整数。"),
        (r.COUNT_MAX, None),
        (r.COUNT_MAX + 1, f"户数不能超过{r.COUNT_MAX}。"),
    ],
)
def test_check_count(value, message):
    errors = r.check_count(value, field="households", label="户数")
    assert (errors[0][1] if errors else None) == message


@pytest.mark.parametrize(
    ("value", "required", "not_future", "message"),
    [
        (TODAY, True, True, None),
        (None, True, False, "请填写日期。"),
        (None, False, False, None),
        (TODAY + dt.timedelta(days=1), True, True, "日期不能晚于今天。"),
        (TODAY + dt.timedelta(days=1), True, False, None),
        (dt.date(1999, 12, 31), True, False, "日期不能早于2000年。"),
        (dt.date(TODAY.year + 11, 1, 1), True, False, f"日期不能晚于{TODAY.year + 10}年。"),
        ("2026-01-01", True, False, "日期无效，应为 YYYY-MM-DD。"),
    ],
)
def test_check_date(value, required, not_future, message):
    errors = r.check_date(
        value, field="d", label="日期", today=TODAY, required=required, not_future=not_future
    )
    assert (errors[0][1] if errors else None) == message


def test_check_order_and_text():
    assert r.check_order(TODAY, TODAY, field="due_on", message="m") == []
    assert r.check_order(TODAY, TODAY - dt.timedelta(days=1), field="due_on", message="m") == [
        ("due_on", "m")
    ]
    assert r.check_order(None, TODAY, field="due_on", message="m") == []
    assert r.check_text("  ", field="t", label="名称", limit=5) == [("t", "请填写名称。")]
    assert r.check_text("一二三四五六", field="t", label="名称", limit=5) == [
        ("t", "名称不能超过5字。")
    ]
    assert r.check_text("a\x00b", field="t", label="名称", limit=5) == [("t", "名称含有无效字符。")]
    assert r.check_text("", field="t", label="名称", limit=5, required=False) == []
    assert r.check_text(5, field="t", label="名称", limit=5) == [("t", "名称格式有误。")]


@pytest.mark.parametrize(
    ("value", "text"), [(D("4.50"), "4.5"), (D("12.00"), "12"), (D("1E+3"), "1000"), (None, "")]
)
def test_plain(value, text):
    assert r.plain(value) == text
