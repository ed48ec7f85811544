"""The daily reminder of missing quarterly reports (R-ORG-12): from the first day after a
quarter ends, one to-do per confirmed list and quarter to the unit's administrators, never
twice, never for drafts or complete lists."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification
from dangjian.responsibility.reminders_duties import remind_duties
from tests.conftest import PASSWORD
from tests.responsibility.resp_duties_support import (
    add_item,
    at,
    confirmed_list,
    make_list,
    report,
)

D = dt.date


def _user(username, role, org):
    from dangjian.accounts.models import RoleGrant, User

    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleGrant.objects.create(user=user, org=org, role=role)
    return user


def _todos(user=None):
    qs = Notification.objects.filter(kind="duty_report")
    if user is not None:
        qs = qs.filter(user=user)
    return list(qs.order_by("id"))


def test_the_fourth_quarter_is_reminded_in_january(tree, personas):
    duty_list, (item, _second) = confirmed_list(tree.party_group_a, year=2024)
    report(item, quarter=4, today=D(2025, 1, 3))
    assert remind_duties(D(2025, 1, 1)) == 1
    (todo,) = _todos()
    assert todo.user_id == personas.unit_admin.pk  # not the 工委
    assert todo.is_todo and todo.rule_id == "R-ORG-12"
    assert todo.link == f"/responsibility/duties/{duty_list.pk}/"
    assert "第四季度" in todo.title and "有1项责任" in todo.body
    assert "2025年1月15日前" in todo.body
    assert todo.org_path == tree.party_group_a.path
    entry = AuditEntry.objects.get(action="responsibility.duty_reminders.created")
    assert entry.changes["quarter"] == 4 and entry.changes["created"] == 1


def test_once_per_list_and_quarter(tree, personas):
    confirmed_list(tree.party_group_a, year=2024)
    assert remind_duties(D(2025, 1, 2)) == 1
    assert remind_duties(D(2025, 1, 20)) == 0  # the daily job runs again: nothing new
    assert len(_todos()) == 1


@pytest.mark.parametrize(
    ("today", "created"),
    [
        (D(2025, 6, 30), 0),  # the last day of Q2: Q1 is the last ended, and it is reported
        (D(2025, 7, 1), 1),  # the first day after Q2: Q2's report is missing
    ],
)
def test_from_the_first_day_after_the_quarter(tree, personas, today, created):
    _list, items = confirmed_list(tree.party_group_a, year=2025, items=1)
    report(items[0], quarter=1, today=D(2025, 4, 2))
    assert remind_duties(today) == created


def test_drafts_and_complete_lists_are_not_reminded(tree, personas):
    make_list(tree.party_group_a, year=2024)  # a draft with no items
    _list, items = confirmed_list(tree.party_group_a, year=2024, kind="first", holder_name="张")
    for item in items:
        report(item, quarter=4, today=D(2025, 1, 2))
    assert remind_duties(D(2025, 1, 5)) == 0
    assert not AuditEntry.objects.filter(action="responsibility.duty_reminders.created").exists()


def test_recipients_are_the_units_own_administrators(tree, personas):
    admin_b = _user("admin_b", "unit_admin", tree.party_group_b)
    below = _user("organ_admin", "unit_admin", tree.organ_a)  # below the unit's top org
    _user("secretary_c", "branch_secretary", tree.branch_c)
    confirmed_list(tree.party_group_a, year=2024)
    confirmed_list(tree.party_group_b, year=2024)
    assert remind_duties(D(2025, 2, 1)) == 2
    assert [t.org_path for t in _todos(personas.unit_admin)] == [tree.party_group_a.path]
    assert [t.org_path for t in _todos(admin_b)] == [tree.party_group_b.path]
    assert not _todos(below) and not _todos(personas.committee_admin)


def test_a_revoked_grant_gets_nothing(tree, personas):
    from django.utils import timezone

    from dangjian.accounts.models import RoleGrant

    RoleGrant.objects.filter(user=personas.unit_admin).update(revoked_at=timezone.now())
    confirmed_list(tree.party_group_a, year=2024)
    assert remind_duties(D(2025, 2, 1)) == 0


def test_items_added_after_the_quarter_are_not_reminded(tree, personas):
    duty_list, (item,) = confirmed_list(tree.party_group_a, year=2025, items=1)
    report(item, quarter=1, today=D(2025, 4, 2))
    add_item(duty_list, content="四月一日增补", now=at(D(2025, 4, 1), 0))
    assert remind_duties(D(2025, 4, 3)) == 0  # added the day after Q1: owes nothing of it
    add_item(duty_list, content="三月底增补", now=at(D(2025, 3, 31), 23))
    assert remind_duties(D(2025, 4, 4)) == 1  # added on Q1's last day: owes Q1
    (todo,) = _todos(personas.unit_admin)
    assert "有1项责任" in todo.body


def test_a_list_confirmed_after_the_quarter_is_not_reminded_of_it(tree, personas):
    confirmed_list(tree.party_group_a, year=2025, items=2, confirmed_on=D(2025, 4, 2))
    assert remind_duties(D(2025, 4, 5)) == 0
    assert remind_duties(D(2025, 7, 1)) == 1  # Q2 is owed
