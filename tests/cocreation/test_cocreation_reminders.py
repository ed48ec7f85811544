"""The co-creation reminder: a to-do for the unit's administrators when a problem is due
within 3 days or overdue; one per problem, whatever the number of runs; none for closed
problems or problems due later."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import RoleGrant, User
from dangjian.cocreation import services as s
from dangjian.cocreation.reminders import remind_cocreation
from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification

pytestmark = pytest.mark.django_db


def _items(user):
    return list(Notification.objects.filter(user=user, kind="cocreation_problem"))


def test_due_soon_and_overdue_problems_give_one_todo_each(world, personas, today):
    # the world: one problem 2 days overdue, one due in 2 days (both 甲局's)
    assert remind_cocreation(today=today) == 2
    items = _items(personas.unit_admin)
    assert len(items) == 2 and all(n.is_todo for n in items)
    titles = sorted(n.title for n in items)
    assert titles[0].startswith("群众问题即将到期") and titles[1].startswith("群众问题已逾期")
    assert all(n.link.startswith("/cocreation/visits/") for n in items)
    # the 工委 and other personas get none: it goes to the unit's administrators
    for name in ("committee_admin", "secretary_a", "member_a"):
        assert _items(personas.by_name(name)) == []
    # idempotent
    assert remind_cocreation(today=today) == 0
    assert len(_items(personas.unit_admin)) == 2
    assert AuditEntry.objects.filter(action="cocreation.reminders.created").count() == 1


def test_window_boundaries_and_closed_problems(world, personas, today):
    s.problem_update(
        actor=None, problem=world.problem_overdue, status="resolved", resolution="已修复"
    )
    # 4 days before the second problem's deadline: outside the window
    assert remind_cocreation(today=world.problem_private.due_on - dt.timedelta(days=4)) == 0
    assert remind_cocreation(today=world.problem_private.due_on - dt.timedelta(days=3)) == 1


def test_another_units_admin_is_told_about_his_own_only(world, tree, today):
    admin_b = User.objects.create_user(username="admin_b", password="x", display_name="乙")
    RoleGrant.objects.create(user=admin_b, org=tree.party_group_b, role="unit_admin")
    s.visit_record(
        actor=None,
        pairing=world.pairing_b,
        visited_on=today,
        visitors="乙局干部",
        summary="走访",
        problems=[{"description": "路面破损", "owner_name": "某某", "due_on": today}],
    )
    remind_cocreation(today=today)
    items = _items(admin_b)
    assert [n.body.split("“")[1].split("”")[0] for n in items] == ["路面破损"]
