"""The dues part of the daily 事前提醒: arrears to-dos at 3 and 6 consecutive unpaid months
(R-DUES-14) to the branch secretary (else the 组织委员), pending reductions to the committee
above (R-DUES-08); nothing sent twice."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEntry
from dangjian.dues import services
from dangjian.dues.reminders import remind_dues
from dangjian.notify.models import Notification
from tests.dues.conftest import generate, pay

TODAY = dt.date(2024, 7, 15)


def _todos(kind="dues_arrears"):
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("id")
        .values_list("user__username", "title", "rule_id", "is_todo")
    )


@pytest.fixture
def runs(tree, charged):
    """Branch A, charges January to June 2024: a0 nothing paid (6 months in a row), a1 paid
    to March (3), a2 paid January (5), a3 paid to April (2), a4 paid everything."""
    a = tree.members_a
    pay(a[1], "120", dt.date(2024, 3, 20))
    pay(a[2], "40", dt.date(2024, 1, 20))
    pay(a[3], "160", dt.date(2024, 4, 20))
    pay(a[4], "240", dt.date(2024, 6, 20))
    return a


def test_arrears_at_three_and_six_months_go_to_the_secretary(tree, personas, runs):
    created = remind_dues(TODAY)
    todos = [t for t in _todos() if t[0] == "secretary_a"]
    titles = sorted(t[1] for t in todos)
    assert titles == sorted(
        [
            "党费欠缴提醒：张三丰已连续6个月未交纳党费",
            "【自行脱党预警】张三丰已连续6个月未交纳党费",
            "党费欠缴提醒：王五已连续5个月未交纳党费",
            "党费欠缴提醒：李四已连续3个月未交纳党费",
        ]
    )  # 赵六 (2 months) and 钱七 (paid) are not told
    assert all(t[2] == "R-DUES-14" and t[3] for t in todos)
    alert = Notification.objects.get(title__startswith="【自行脱党预警】张三丰")
    assert "自行脱党" in alert.body and "R-DUES-14" in alert.body
    assert alert.link == f"/dues/members/{runs[0].pk}/"
    # branch B: 3 members with 6 months, secretary_b told twice each; branch C has nobody
    assert sum(1 for t in _todos() if t[0] == "secretary_b") == 6
    assert created == 4 + 6
    assert AuditEntry.objects.filter(action="dues.reminders.created").count() == 1


def test_daily_runs_send_nothing_twice(tree, personas, runs):
    first = remind_dues(TODAY)
    assert first > 0
    assert remind_dues(TODAY) == 0
    assert remind_dues(TODAY + dt.timedelta(days=1)) == 0
    assert AuditEntry.objects.filter(action="dues.reminders.created").count() == 1


def test_a_new_run_of_arrears_is_told_again(tree, personas, runs):
    remind_dues(TODAY)
    member = runs[1]  # 李四: April to June unpaid
    pay(member, "120", dt.date(2024, 7, 20))  # settles them
    for month in (7, 8, 9):
        generate(tree.branch_a, dt.date(2024, month, 1))
    assert remind_dues(dt.date(2024, 10, 15)) >= 1
    titles = [t[1] for t in _todos() if "李四" in t[1]]
    assert titles == ["党费欠缴提醒：李四已连续3个月未交纳党费"] * 2


def test_two_months_is_not_yet_a_warning(tree, personas, runs):
    remind_dues(TODAY)
    assert not [t for t in _todos() if "赵六" in t[1]]


def test_the_organizer_is_told_when_the_branch_has_no_secretary(tree, personas, charged):
    from dangjian.accounts.models import RoleGrant, User

    organizer = User.objects.create_user(username="organizer_c", password="Passw0rd2022")
    RoleGrant.objects.create(user=organizer, org=tree.branch_c, role="branch_organizer")
    remind_dues(TODAY)
    told = {t[0] for t in _todos() if "郑一" in t[1]}
    assert told == {"organizer_c"}


def test_thresholds_come_from_settings(tree, personas, runs, settings):
    settings.DUES_ARREARS_WARN_MONTHS = 2
    settings.DUES_ARREARS_ALERT_MONTHS = 5
    remind_dues(TODAY)
    titles = [t[1] for t in _todos() if t[0] == "secretary_a"]
    assert "党费欠缴提醒：赵六已连续2个月未交纳党费" in titles
    assert "【自行脱党预警】王五已连续5个月未交纳党费" in titles


def test_pending_reductions_are_told_to_the_approvers_once(tree, personas, dues_bases):
    reduction = services.reduction_request(
        actor=personas.secretary_a,
        member=tree.members_a[2],
        kind="exempt",
        monthly_amount=None,
        from_month=dt.date(2024, 5, 1),
        to_month=None,
        reason="困难",
        branch_discussed_on=dt.date(2024, 5, 2),
    )
    assert [t[0] for t in _todos("dues_reduction")] == ["unit_admin"]
    assert remind_dues(TODAY) == 0  # already told when it was requested
    Notification.objects.filter(kind="dues_reduction").delete()
    assert remind_dues(TODAY) == 1
    services.reduction_decide(actor=personas.unit_admin, reduction=reduction, approve=True)
    Notification.objects.filter(kind="dues_reduction").delete()
    assert remind_dues(TODAY) == 0  # decided: nobody is asked any more


def test_the_task_runs_the_reminders(tree, personas, runs):
    from dangjian.dues.tasks import remind_dues_task

    assert remind_dues_task.call(TODAY.isoformat()) == 10
    assert remind_dues_task.call(TODAY.isoformat()) == 0
