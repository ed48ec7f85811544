"""The daily job of the tasks (reminders_tasks.remind_tasks): due-soon and overdue to-dos for
the unit's administrators on the right days, 督办 escalating to the unit's secretary at exactly
the configured delay (or to the 机关党委's secretary, or the administrators), once; nothing
twice however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification
from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import Supervision
from dangjian.responsibility.reminders_tasks import remind_tasks
from tests.responsibility.resp_tasks_support import make_point, own_task, task_of, today

pytestmark = pytest.mark.django_db


def _year():
    return today().year


def _due():
    return dt.date(_year(), 6, 30)


def _items(user, kind="task_due"):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("id"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ((6, 22), []),  # 8 days before the deadline: nothing yet
        ((6, 23), ["任务即将到期"]),  # 7 days before: the window opens
        ((6, 29), ["任务即将到期"]),  # the day before
        ((6, 30), ["任务即将到期"]),  # the due day
        ((7, 1), ["任务已逾期"]),  # the day after
    ],
)
def test_due_soon_and_overdue_to_dos_for_the_unit_admins(tree, personas, day, expected):
    own_task(tree, due=_due())
    created = remind_tasks(today=dt.date(_year(), *day))
    items = _items(personas.unit_admin)
    assert [i.title.split("：")[0] for i in items] == expected
    assert created == len(expected)
    assert all(i.is_todo and "/responsibility/tasks/" in i.link for i in items)
    # the 工委 above is not the unit's administrator
    assert not _items(personas.committee_admin)


def test_each_reminder_is_sent_once_however_often_the_job_runs(tree, personas):
    own_task(tree, due=_due())
    assert remind_tasks(today=dt.date(_year(), 6, 23)) == 1
    assert remind_tasks(today=dt.date(_year(), 6, 23)) == 0
    assert remind_tasks(today=dt.date(_year(), 6, 29)) == 0
    assert remind_tasks(today=dt.date(_year(), 7, 1)) == 1
    assert remind_tasks(today=dt.date(_year(), 7, 5)) == 0
    assert len(_items(personas.unit_admin)) == 2
    assert AuditEntry.objects.filter(action="responsibility.reminders.created").count() == 2


def test_no_reminder_for_a_complete_closed_or_unpublished_task(tree, personas):
    done = own_task(tree, due=_due(), title="已完成")
    services.task_report(actor=None, task=done, progress=100, text="已完成")
    closed = own_task(tree, due=_due(), title="已办结")
    services.task_close(actor=None, task=closed, evaluation="")
    make_point(tree, due=_due(), publish=False)
    assert remind_tasks(today=dt.date(_year(), 7, 1)) == 0
    assert not Notification.objects.exists()


def test_a_published_point_s_task_is_reminded_to_its_own_unit_only(tree, personas):
    make_point(tree, due=_due(), units=[tree.party_group_a])
    remind_tasks(today=dt.date(_year(), 6, 25))
    soon = [i for i in _items(personas.unit_admin) if i.is_todo]
    assert len(soon) == 1 and "甲局党组" in soon[0].body


# ---------------------------------------------------------------------------------------------
# Escalation


@pytest.fixture
def supervised(tree, personas):
    """A 督办 sent on March 1 at 09:30 on 甲局's task, escalating after 3 days."""
    _, tasks = make_point(tree, due=dt.date(_year(), 12, 31))
    task = task_of(tasks, tree.party_group_a)
    sent = timezone.make_aware(dt.datetime(_year(), 3, 1, 9, 30))
    sup = services.supervision_send(
        actor=None, task=task, note="进度滞后", respond_by=dt.date(_year(), 3, 3), now=sent
    )
    assert sup.escalate_after_days == 3
    return sup


def _secretary(tree, org, member, username="pg_secretary"):
    from dangjian.accounts.models import User
    from dangjian.orgs.services import seat_assign

    seat_assign(
        actor=None, org=org, member=member, role="secretary", started_on=dt.date(2020, 1, 1)
    )
    return User.objects.create_user(username=username, password="x", member=member)


def test_the_supervision_escalates_to_the_secretary_at_exactly_the_delay(
    tree, personas, supervised
):
    secretary = _secretary(tree, tree.party_group_a, tree.members_a[2])
    at = supervised.sent_at + dt.timedelta(days=3)
    remind_tasks(now=at - dt.timedelta(seconds=1))
    supervised.refresh_from_db()
    assert supervised.escalated_at is None
    assert not _items(secretary, "task_escalation")

    remind_tasks(now=at)
    supervised.refresh_from_db()
    assert supervised.escalated_at == at
    [item] = _items(secretary, "task_escalation")
    assert item.is_todo and "督办升级" in item.title and "进度滞后" in item.body
    # not to the administrators when a secretary answers
    assert not _items(personas.unit_admin, "task_escalation")
    entry = AuditEntry.objects.get(action="responsibility.supervision.escalated")
    assert entry.changes["supervision"] == supervised.pk

    # once only
    assert remind_tasks(now=at + dt.timedelta(days=2)) == 0
    supervised.refresh_from_db()
    assert supervised.escalated_at == at
    assert len(_items(secretary, "task_escalation")) == 1


def test_without_a_party_group_secretary_the_organ_committee_s_is_told(tree, personas, supervised):
    other = _secretary(tree, tree.organ_a, tree.members_a[3], "organ_secretary")
    remind_tasks(now=supervised.sent_at + dt.timedelta(days=4))
    assert len(_items(other, "task_escalation")) == 1


def test_an_ended_seat_does_not_count_and_the_admins_are_told_instead(tree, personas, supervised):
    from dangjian.orgs.models import CommitteeSeat

    secretary = _secretary(tree, tree.party_group_a, tree.members_a[2])
    CommitteeSeat.all_objects.filter(org=tree.party_group_a).update(ended_on=dt.date(2021, 1, 1))
    remind_tasks(now=supervised.sent_at + dt.timedelta(days=4))
    assert not _items(secretary, "task_escalation")
    assert len(_items(personas.unit_admin, "task_escalation")) == 1
    supervised.refresh_from_db()
    assert supervised.escalated_at is not None


def test_a_report_in_time_stops_the_escalation(tree, personas, supervised):
    secretary = _secretary(tree, tree.party_group_a, tree.members_a[2])
    services.task_report(
        actor=None,
        task=supervised.task,
        progress=30,
        text="已部署",
        now=supervised.sent_at + dt.timedelta(days=2),
    )
    remind_tasks(now=supervised.sent_at + dt.timedelta(days=5))
    supervised.refresh_from_db()
    assert supervised.resolved_at is not None and supervised.escalated_at is None
    assert not _items(secretary, "task_escalation")


def test_the_delay_is_the_one_copied_when_sent(tree, personas, settings):
    settings.RESPONSIBILITY_ESCALATE_DAYS = 5
    _, tasks = make_point(tree, due=dt.date(_year(), 12, 31))
    sent = timezone.make_aware(dt.datetime(_year(), 3, 1, 9, 30))
    sup = services.supervision_send(
        actor=None,
        task=task_of(tasks, tree.party_group_a),
        note="请加快",
        respond_by=dt.date(_year(), 3, 2),
        now=sent,
    )
    settings.RESPONSIBILITY_ESCALATE_DAYS = 1  # changed later: the 督办 keeps its 5 days
    remind_tasks(now=sent + dt.timedelta(days=4))
    sup.refresh_from_db()
    assert sup.escalated_at is None
    remind_tasks(now=sent + dt.timedelta(days=5))
    sup.refresh_from_db()
    assert sup.escalated_at is not None
    assert Supervision.objects.filter(escalated_at__isnull=False).count() == 1
