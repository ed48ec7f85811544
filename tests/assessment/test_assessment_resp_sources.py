"""The responsibility module's auto data sources: `duty_reports` (share of the subtree's duty
items reported for each ended quarter, R-ORG-12) and `task_completion` (share of the tasks
due in the year closed on time with an evaluation other than 不合格), against known records;
points as a ratio and per occurrence, the detail's wording, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from tests.responsibility.resp_duties_support import (
    add_item,
    at,
    confirmed_list,
    make_list,
    report,
)

from dangjian.assessment.sources import SOURCES, SourceCache, compute

YEAR = 2024
AFTER = dt.date(2025, 1, 20)
TZ = timezone.get_current_timezone()


def ind(max_points, per=None):
    return SimpleNamespace(
        max_points=Decimal(max_points), deduction_per=Decimal(per) if per else None
    )


def run(code, org, indicator, today=AFTER):
    return compute(code, org, YEAR, indicator, SourceCache(today))


def test_both_sources_are_registered_and_available():
    duty, tasks = SOURCES["duty_reports"], SOURCES["task_completion"]
    assert duty.available and duty.rule_ids == "R-ORG-12" and duty.suggested == "ratio"
    assert tasks.available and "任务" in tasks.label


# ---------------------------------------------------------------------------------------------
# duty_reports


def test_duty_reports_count_item_quarters(tree):
    _main, (a, b) = confirmed_list(tree.party_group_a, year=YEAR)
    for quarter in (1, 2, 3, 4):
        report(a, quarter=quarter, progress=25 * quarter)
    report(b, quarter=1)
    draft = make_list(tree.party_group_a, year=YEAR, kind="dual", holder_name="李四")
    add_item(draft)  # a draft list is not counted
    result = run("duty_reports", tree.party_group_a, ind("10"))
    # 2 items × 4 ended quarters = 8 due, 5 reported
    assert result.points == Decimal("6.25")
    assert "应报告进展8次，已报告5次，未报告3次" in result.detail
    assert "未确认发布的清单1份未计入" in result.detail and "R-ORG-12" in result.detail
    per_miss = run("duty_reports", tree.party_group_a, ind("10", "1"))
    assert (per_miss.points, per_miss.occurrences) == (Decimal("7.00"), 3)


def test_duty_reports_in_the_running_year_count_ended_quarters_only(tree):
    _main, (a, _b) = confirmed_list(tree.party_group_a, year=YEAR)
    report(a, quarter=1, today=dt.date(YEAR, 4, 3))
    result = run("duty_reports", tree.party_group_a, ind("10"), today=dt.date(YEAR, 5, 1))
    assert "应报告进展2次，已报告1次" in result.detail  # only Q1 has ended
    assert result.points == Decimal("5.00")


def test_duty_reports_owe_only_quarters_since_the_item_is_in_force(tree):
    main, (a, _b) = confirmed_list(tree.party_group_a, year=YEAR)
    late = add_item(main, content="十一月增补", now=at(dt.date(YEAR, 11, 10)))
    for quarter in (1, 2, 3, 4):
        report(a, quarter=quarter)
    report(late, quarter=3)  # reported anyway: not owed, not counted
    report(late, quarter=4)
    # a list confirmed on 2 September owes Q3 and Q4 only
    _dual, (d,) = confirmed_list(
        tree.party_group_a, year=YEAR, kind="dual", holder_name="李四", items=1,
        confirmed_on=dt.date(YEAR, 9, 2),
    )  # fmt: skip
    report(d, quarter=1)  # not owed
    result = run("duty_reports", tree.party_group_a, ind("10"))
    # a 4 + b 4 + late 1 (Q4) + d 2 (Q3, Q4) = 11 due; a 4 + late 1 = 5 reported
    assert "应报告进展11次，已报告5次，未报告6次" in result.detail
    assert result.points == Decimal("4.55")


def test_duty_reports_without_lists_score_nothing(tree):
    result = run("duty_reports", tree.party_group_b, ind("10"))
    assert result.points == Decimal("0.00")
    assert "未建立（或未确认发布）责任清单" in result.detail


def test_duty_reports_over_the_root_sum_the_units(tree, django_assert_max_num_queries):
    _a, (a1, _a2) = confirmed_list(tree.party_group_a, year=YEAR)
    _b, (b1,) = confirmed_list(tree.party_group_b, year=YEAR, items=1)
    for quarter in (1, 2, 3, 4):
        report(a1, quarter=quarter)
        report(b1, quarter=quarter)
    with django_assert_max_num_queries(3):
        result = run("duty_reports", tree.root, ind("12"))
    assert "责任事项3项" in result.detail and "已报告8次" in result.detail
    assert result.points == Decimal("8.00")  # 8 of 12
    # a branch's subtree holds no list
    assert run("duty_reports", tree.branch_a, ind("12")).points == Decimal("0.00")


# ---------------------------------------------------------------------------------------------
# task_completion (the tasks' services are another part's: rows made directly, paths filled)


def _task(org, due_on, *, status="open", closed_on=None, evaluation="", point=None, **kw):
    from dangjian.responsibility.models import Task

    closed_at = dt.datetime.combine(closed_on, dt.time(17, 0), tzinfo=TZ) if closed_on else None
    return Task.objects.create(
        org=org,
        org_path=org.path,
        year=due_on.year,
        title=kw.pop("title", "学习贯彻党的二十大精神"),
        starts_on=dt.date(due_on.year, 1, 1),
        due_on=due_on,
        status=status,
        closed_at=closed_at,
        evaluation=evaluation,
        point=point,
        **kw,
    )


def _point(root, published=True):
    from dangjian.responsibility.models import WorkPoint

    return WorkPoint.objects.create(
        org=root,
        org_path=root.path,
        year=YEAR,
        title="深化清廉机关建设",
        published_at=timezone.now() if published else None,
    )


@pytest.fixture
def tasks(tree):
    pg = tree.party_group_a
    _task(
        pg, dt.date(YEAR, 6, 30), status="closed", closed_on=dt.date(YEAR, 6, 30), evaluation="good"
    )  # on the due day: on time
    _task(
        pg,
        dt.date(YEAR, 6, 30),
        status="closed",
        closed_on=dt.date(YEAR, 7, 1),
        evaluation="excellent",
    )  # a day late
    _task(
        pg, dt.date(YEAR, 9, 30), status="closed", closed_on=dt.date(YEAR, 9, 1), evaluation="fail"
    )  # 不合格
    _task(pg, dt.date(YEAR, 10, 31))  # still open past its deadline
    _task(pg, dt.date(YEAR, 11, 30), status="closed", closed_on=dt.date(YEAR, 11, 2))  # own task
    _task(pg, dt.date(YEAR + 1, 3, 31))  # due next year: not counted
    _task(pg, dt.date(YEAR, 8, 31), point=_point(tree.root, published=False))  # unpublished
    _task(tree.party_group_b, dt.date(YEAR, 5, 31), status="closed",
          closed_on=dt.date(YEAR, 5, 20), evaluation="pass")  # fmt: skip
    return pg


def test_task_completion_counts_on_time_and_passing(tree, tasks):
    result = run("task_completion", tree.party_group_a, ind("10"))
    # due: 5 tasks of 甲局; done: the on-time 良好 and the own task closed without evaluation
    assert result.points == Decimal("4.00")
    assert "已到期（或已办结）的任务5项" in result.detail
    assert "按期办结且评价合格以上2项，逾期办结1项，评价不合格1项，逾期未办结1项" in result.detail
    per = run("task_completion", tree.party_group_a, ind("10", "2"))
    assert (per.points, per.occurrences) == (Decimal("4.00"), 3)


def test_task_completion_in_the_running_year_ignores_tasks_not_yet_due(tree, tasks):
    result = run("task_completion", tree.party_group_a, ind("10"), today=dt.date(YEAR, 7, 15))
    # due by 15 July: the two of 30 June, plus the 不合格 and the own task already closed
    assert "已到期（或已办结）的任务4项" in result.detail


def test_task_completion_over_the_root(tree, tasks, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        result = run("task_completion", tree.root, ind("6"))
    assert "任务6项" in result.detail and result.points == Decimal("3.00")


def test_task_completion_without_tasks_scores_full(tree):
    result = run("task_completion", tree.party_group_b, ind("5"))
    assert result.points == Decimal("5.00") and "任务0项" in result.detail
