"""Table-driven tests of dangjian.rules.duties (rules.md R-ORG-12): quarters, when a quarter's
report is expected and due (the last day of a quarter, the 15th day after, 31 December), which
quarters an item owes (none that ended before it was in force), the findings on missing
reports and overdue items, progress and deadline checks."""

import datetime as dt
import subprocess
import sys

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Level
from dangjian.rules.duties import (
    REPORT_GRACE_DAYS,
    ItemState,
    check_deadline,
    check_progress,
    is_overdue,
    last_ended_quarter,
    open_quarter,
    owed_from,
    owes_quarter,
    quarter_end,
    quarter_of,
    quarter_started,
    quarters_due,
    report_due_on,
    report_findings,
    shift_year,
)

D = dt.date


def test_rules_import_without_django():
    code = "import dangjian.rules.duties, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_r_org_12_is_registered_with_its_citation():
    rule = RULES["R-ORG-12"]
    assert "第三十五条" in rule.citation and "主体责任" in rule.title
    assert REPORT_GRACE_DAYS == 15  # the platform's default, documented as such


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (D(2024, 1, 1), 1),
        (D(2024, 3, 31), 1),  # last day of Q1
        (D(2024, 4, 1), 2),
        (D(2024, 6, 30), 2),
        (D(2024, 7, 1), 3),
        (D(2024, 9, 30), 3),
        (D(2024, 10, 1), 4),
        (D(2024, 12, 31), 4),
    ],
)
def test_quarter_of(day, quarter):
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(
    ("quarter", "end", "due"),
    [
        (1, D(2024, 3, 31), D(2024, 4, 15)),
        (2, D(2024, 6, 30), D(2024, 7, 15)),
        (3, D(2024, 9, 30), D(2024, 10, 15)),
        (4, D(2024, 12, 31), D(2025, 1, 15)),  # 31 December: due in the next year
    ],
)
def test_quarter_end_and_report_due(quarter, end, due):
    assert quarter_end(2024, quarter) == end
    assert report_due_on(2024, quarter) == due


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (D(2024, 3, 31), []),  # the last day of Q1: it has not ended yet
        (D(2024, 4, 1), [1]),  # the first day after
        (D(2024, 6, 30), [1]),
        (D(2024, 7, 1), [1, 2]),
        (D(2024, 12, 31), [1, 2, 3]),  # 31 December: Q4 still runs
        (D(2025, 1, 1), [1, 2, 3, 4]),
        (D(2030, 6, 1), [1, 2, 3, 4]),  # a past year: all
        (D(2023, 12, 31), []),  # the year has not started
    ],
)
def test_quarters_due(today, due):
    assert quarters_due(2024, today) == due


@pytest.mark.parametrize(
    ("since", "due"),
    [
        (None, [1, 2, 3, 4]),  # unknown: every ended quarter
        (D(2024, 1, 1), [1, 2, 3, 4]),
        (D(2024, 3, 31), [1, 2, 3, 4]),  # in force on the last day of Q1: owes Q1
        (D(2024, 4, 1), [2, 3, 4]),  # the day after: Q1 is not owed
        (D(2024, 11, 10), [4]),  # added in November: Q4 only
        (D(2024, 12, 31), [4]),  # on 31 December: still owes Q4
        (D(2025, 1, 1), []),  # in force after the year: nothing
        (D(2023, 6, 1), [1, 2, 3, 4]),  # a list carried from before the year
    ],
)
def test_quarters_due_since_the_item_is_in_force(since, due):
    assert quarters_due(2024, D(2025, 2, 1), since) == due
    assert [q for q in (1, 2, 3, 4) if owes_quarter(2024, q, since)] == due


@pytest.mark.parametrize(
    ("confirmed", "created", "since"),
    [
        (D(2024, 1, 20), D(2024, 1, 10), D(2024, 1, 20)),  # added before confirming
        (D(2024, 1, 20), D(2024, 11, 3), D(2024, 11, 3)),  # added after confirming
        (D(2024, 9, 2), D(2024, 1, 10), D(2024, 9, 2)),  # a list confirmed late in the year
        (None, D(2024, 5, 1), D(2024, 5, 1)),
        (None, None, None),
    ],
)
def test_owed_from_is_the_later_day(confirmed, created, since):
    assert owed_from(confirmed, created) == since


@pytest.mark.parametrize(
    ("since", "quarters"),
    [
        (D(2024, 11, 10), [4]),  # an item added in November owes Q4 only (not three errors)
        (D(2024, 9, 30), [3, 4]),  # added on Q3's last day: owes Q3
        (D(2024, 10, 1), [4]),  # added the day after: does not
        (D(2024, 9, 2), [3, 4]),  # a list confirmed in September
    ],
)
def test_findings_ask_only_for_quarters_since_the_item_is_in_force(since, quarters):
    item = ItemState(7, "落实主体责任", None, 0, frozenset(), since)
    found = report_findings([item], 2024, D(2025, 1, 20))
    assert [f.data["quarter"] for f in found] == quarters
    assert {f.level for f in found} == {Level.ERROR}


@pytest.mark.parametrize(
    ("quarter", "today", "started"),
    [
        (1, D(2024, 1, 1), True),
        (2, D(2024, 3, 31), False),  # Q2 starts on 1 April
        (2, D(2024, 4, 1), True),
        (4, D(2024, 9, 30), False),
        (4, D(2024, 10, 1), True),
        (4, D(2030, 1, 1), True),  # a past year's quarter is always open
        (1, D(2023, 12, 31), False),
        (5, D(2030, 1, 1), False),
        (0, D(2030, 1, 1), False),
    ],
)
def test_quarter_started(quarter, today, started):
    assert quarter_started(2024, quarter, today) is started


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 1, 1), (2023, 4)),
        (D(2024, 3, 31), (2023, 4)),
        (D(2024, 4, 1), (2024, 1)),
        (D(2024, 12, 31), (2024, 3)),
    ],
)
def test_last_ended_quarter(today, expected):
    assert last_ended_quarter(today) == expected


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (D(2024, 2, 1), 1),
        (D(2024, 4, 1), 1),  # Q1's report is being written
        (D(2024, 4, 15), 1),  # its last day on time
        (D(2024, 4, 16), 2),
        (D(2025, 1, 5), 4),  # a past year: the fourth
        (D(2023, 12, 31), None),  # the year has not started
    ],
)
def test_open_quarter(today, quarter):
    assert open_quarter(2024, today) == quarter


@pytest.mark.parametrize(
    ("value", "progress", "ok"),
    [
        (0, 0, True),
        (100, 100, True),
        ("55", 55, True),
        (101, None, False),
        (-1, None, False),
        ("abc", None, False),
        (None, None, False),
        (True, None, False),
        (50.5, None, False),
        (10**30, None, False),
    ],
)
def test_check_progress(value, progress, ok):
    number, message = check_progress(value)
    assert number == progress
    assert (message is None) is ok
    if value in (101, -1):
        assert message == "完成进度应在0到100之间。"


@pytest.mark.parametrize(
    ("deadline", "ok"),
    [
        (None, True),
        (D(2024, 1, 1), True),
        (D(2024, 12, 31), True),
        (D(2023, 12, 31), False),
        (D(2025, 1, 1), False),
    ],
)
def test_check_deadline(deadline, ok):
    assert (check_deadline(deadline, 2024) is None) is ok


def _item(reported=(), deadline=None, progress=0):
    return ItemState(
        7, "落实全面从严治党主体责任，定期研究党建工作", deadline, progress, frozenset(reported)
    )


@pytest.mark.parametrize(
    ("today", "levels"),
    [
        (D(2024, 3, 31), []),  # last day of Q1: nothing expected yet
        (D(2024, 4, 1), [Level.WARNING]),  # Q1 ended: its report is expected
        (D(2024, 4, 15), [Level.WARNING]),  # the 15th day after: still in time
        (D(2024, 4, 16), [Level.ERROR]),  # the day after: overdue
        (D(2024, 12, 31), [Level.ERROR, Level.ERROR, Level.ERROR]),
        (D(2025, 1, 15), [Level.ERROR] * 3 + [Level.WARNING]),  # Q4 within its 15 days
        (D(2025, 1, 16), [Level.ERROR] * 4),
    ],
)
def test_missing_reports_warn_then_err(today, levels):
    found = report_findings([_item()], 2024, today)
    assert [f.level for f in found] == levels
    assert all(f.rule_id == "R-ORG-12" and f.rule.citation for f in found)


def test_reported_quarters_give_no_finding():
    found = report_findings([_item(reported={1, 2})], 2024, D(2024, 10, 20))
    assert [(f.data["quarter"], f.level) for f in found] == [(3, Level.ERROR)]
    assert "第三季度进展逾期未报告" in found[0].message
    assert "2024年10月15日" in found[0].message


def test_warning_names_the_due_day():
    (finding,) = report_findings([_item()], 2024, D(2024, 4, 3))
    assert "第一季度进展尚未报告，请于2024年4月15日前报告" in finding.message
    assert finding.data == {"item": 7, "quarter": 1, "kind": "report_due"}


@pytest.mark.parametrize(
    ("deadline", "progress", "today", "overdue"),
    [
        (D(2024, 6, 30), 80, D(2024, 6, 30), False),  # the deadline day is still in time
        (D(2024, 6, 30), 80, D(2024, 7, 1), True),
        (D(2024, 6, 30), 100, D(2024, 7, 1), False),  # done
        (None, 0, D(2025, 1, 1), False),  # no deadline
    ],
)
def test_overdue_items(deadline, progress, today, overdue):
    assert is_overdue(deadline, progress, today) is overdue
    found = [
        f
        for f in report_findings(
            [_item(reported={1, 2, 3, 4}, deadline=deadline, progress=progress)], 2024, today
        )
        if f.data["kind"] == "overdue"
    ]
    assert len(found) == (1 if overdue else 0)
    if overdue:
        assert found[0].level == Level.ERROR
        assert "已过完成时限（2024年6月30日），完成进度80%" in found[0].message


def test_long_contents_are_shortened_in_messages():
    item = ItemState(1, "很长的责任内容" * 10, None, 0, frozenset())
    (finding,) = report_findings([item], 2024, D(2024, 4, 2))
    assert "…" in finding.message and len(finding.message) < 60


@pytest.mark.parametrize(
    ("day", "year", "shifted"),
    [
        (D(2023, 6, 30), 2024, D(2024, 6, 30)),
        (D(2024, 2, 29), 2025, D(2025, 2, 28)),  # no 29 February: the 28th
        (None, 2025, None),
    ],
)
def test_shift_year(day, year, shifted):
    assert shift_year(day, year) == shifted
