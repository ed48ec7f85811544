"""`dangjian remind` (the daily job) runs the responsibility and co-creation reminders too:
the quarterly reports of the lists (R-ORG-12), the tasks' deadlines and the 督办 escalation,
and the co-creation problems due — each counted on the log line, none sent twice."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from dangjian.cocreation import services as co
from dangjian.notify.models import Notification, NotificationKind
from dangjian.responsibility import services_tasks
from tests.responsibility.resp_duties_support import confirmed_list
from tests.responsibility.resp_tasks_support import make_point, task_of

DAY = dt.date(2026, 11, 25)


def _remind() -> str:
    out = io.StringIO()
    call_command("remind", "--date", DAY.isoformat(), stdout=out)
    return out.getvalue()


def test_the_daily_job_sends_the_responsibility_and_cocreation_todos(tree, personas):
    # a confirmed 2026 list with no report for the third quarter (ended 30 September)
    confirmed_list(tree.party_group_a, year=2026, items=1)
    # an overdue task of 甲局 (due a week before) and a 督办 sent on it 4 days before
    _point, tasks = make_point(tree, due=DAY - dt.timedelta(days=7), units=[tree.party_group_a])
    task = task_of(tasks, tree.party_group_a)
    sent = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    services_tasks.supervision_send(
        actor=None, task=task, note="请抓紧推进", respond_by=DAY, now=sent
    )
    # a problem found on a visit, overdue
    place = co.community_create(
        actor=None, name="龙泉村", kind="village", district="郧阳区", township="谭家湾镇"
    )
    pairing = co.pairing_create(
        actor=None, org=tree.party_group_a, community=place, started_on=dt.date(2026, 1, 1)
    )
    co.visit_record(
        actor=None,
        pairing=pairing,
        visited_on=dt.date(2026, 11, 1),
        visitors="张三丰",
        summary="走访农户",
        problems=[{"description": "路灯损坏", "owner_name": "张三丰", "due_on": DAY}],
    )

    text = _remind()

    assert "责任清单进展提醒 1 条" in text
    assert "群众问题办理提醒 1 条" in text
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        NotificationKind.DUTY_REPORT,
        NotificationKind.TASK_DUE,
        NotificationKind.COCREATION_PROBLEM,
    } <= kinds
    # a 督办 4 days old with the default 3-day delay has escalated, once
    assert task.supervisions.get().escalated_at is not None
    # the second run of the day sends nothing new
    again = _remind()
    assert "责任清单进展提醒 0 条" in again
    assert "任务提醒与督办升级 0 条" in again
    assert "群众问题办理提醒 0 条" in again
