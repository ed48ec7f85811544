"""Reminders of observation tasks: open tasks due within 7 days or overdue give a to-do item
(`assessment_task`) to every ASSESS_SUBMIT holder of the responsible unit, once per stage."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.assessment.helpers_obs import make_meeting

from dangjian.assessment import services_observation as obs
from dangjian.assessment.reminders_observation import remind_observation_tasks
from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 11, 20)


def _items():
    return list(
        Notification.objects.filter(kind="assessment_task")
        .order_by("user__username", "title")
        .values_list("user__username", "title", "is_todo", "link")
    )


def test_due_soon_and_overdue_tasks_reach_the_unit_once(tree, personas):
    meeting = make_meeting(tree)
    soon = obs.task_add(
        actor=None,
        meeting=meeting,
        org=tree.branch_a,
        title="完善台账",
        due_on=TODAY + dt.timedelta(days=3),
    )
    late = obs.task_add(
        actor=None,
        meeting=meeting,
        org=tree.branch_c,
        title="阵地建设",
        due_on=dt.date(2022, 11, 10),
    )
    far = obs.task_add(
        actor=None, meeting=meeting, org=tree.branch_b, title="远期", due_on=dt.date(2022, 12, 31)
    )
    done = obs.task_add(actor=None, meeting=meeting, org=tree.branch_b, title="已办", due_on=TODAY)
    obs.task_done(actor=None, task=done, note="完成", done_on=dt.date(2022, 11, 15))

    created = remind_observation_tasks(TODAY)
    items = _items()
    # branch A's task: its secretary, the unit admin above, the committee admin at the root;
    # branch C's (overdue): the committee admin only (乙局 has no admin or secretary here)
    assert created == 4 == len(items)
    assert items == [
        ("committee_admin", "观摩会任务即将到期：完善台账", True, f"/observation/tasks/{soon.pk}/"),
        ("committee_admin", "观摩会任务已逾期：阵地建设", True, f"/observation/tasks/{late.pk}/"),
        ("secretary_a", "观摩会任务即将到期：完善台账", True, f"/observation/tasks/{soon.pk}/"),
        ("unit_admin", "观摩会任务即将到期：完善台账", True, f"/observation/tasks/{soon.pk}/"),
    ]
    assert not Notification.objects.filter(link=f"/observation/tasks/{far.pk}/").exists()
    assert AuditEntry.objects.filter(action="assessment.task.reminded").count() == 1

    # the next day: nothing new
    assert remind_observation_tasks(TODAY + dt.timedelta(days=1)) == 0
    assert remind_observation_tasks(TODAY + dt.timedelta(days=3)) == 0  # due today
    # once the first task is overdue, its people are told again (once)
    assert remind_observation_tasks(TODAY + dt.timedelta(days=4)) == 3
    assert remind_observation_tasks(TODAY + dt.timedelta(days=5)) == 0
    member_items = Notification.objects.filter(user=personas.member_a).count()
    assert member_items == 0  # a member holds no ASSESS_SUBMIT


def test_nothing_due_creates_nothing(tree, personas):
    meeting = make_meeting(tree)
    obs.task_add(
        actor=None, meeting=meeting, org=tree.branch_a, title="远期", due_on=dt.date(2023, 6, 1)
    )
    assert remind_observation_tasks(TODAY) == 0
    assert _items() == []
    assert not AuditEntry.objects.filter(action="assessment.task.reminded").exists()
