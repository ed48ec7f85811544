"""事前提醒 (`dangjian remind`): due_soon periods give the branch secretary a to-do citing the
rule, a period that went missing gives the unit admins above a to-do and the secretary a
notice; a second run sends nothing twice; the cost is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.notify.models import Notification, NotificationKind
from dangjian.orglife.models import Meeting
from dangjian.orglife.reminders import period_label, remind
from dangjian.orgs import services as org_services
from dangjian.rules import orglife as rules

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # November ends in 5 days: 主题党日 is due soon
_codes = iter(range(100000, 999999))


def _held(org, kind, day):
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    return Meeting.objects.create(
        org=org,
        org_path=org.path,
        kind=kind,
        topic=rules.KIND_LABELS[kind],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status="held",
        sign_in_code=str(next(_codes)),
    )


def _items(user, **kw):
    return list(Notification.objects.filter(user=user, **kw).order_by("title"))


def test_due_soon_gives_the_secretary_a_todo_citing_the_rule(tree, personas):
    _held(tree.branch_b, "theme_day", dt.date(2026, 11, 3))  # branch B is done for November
    result = remind(TODAY)
    due = _items(personas.secretary_a, kind=NotificationKind.ORGLIFE_DUE_SOON)
    assert len(due) == 1
    item = due[0]
    assert item.is_todo and item.rule_id == "R-ORGLIFE-08"
    assert item.title == "第一党支部 主题党日：11月尚未开展（11月30日截止）"
    assert "5天后截止" in item.body
    assert "R-ORGLIFE-08" in item.body and "《中国共产党党员教育管理工作条例》第十六条" in item.body
    assert item.link == f"/compliance/cell/?org={tree.branch_a.pk}&kind=theme_day&year=2026"
    assert item.topic == "orglife:theme_day:2026-11-01" and item.org_id == tree.branch_a.pk
    # branch B held its theme day: its secretary has nothing due soon
    assert not _items(personas.secretary_b, kind=NotificationKind.ORGLIFE_DUE_SOON)
    # A and C are due soon (C: no secretary, so its admins get it)
    assert result.due_soon == 2


def test_missing_gives_the_unit_admin_a_todo_and_the_secretary_a_notice(tree, personas):
    _held(tree.branch_a, "theme_day", dt.date(2026, 10, 20))
    _held(tree.branch_a, "member_assembly", dt.date(2026, 8, 20))
    remind(TODAY)
    admin = _items(personas.unit_admin, kind=NotificationKind.ORGLIFE_MISSING)
    titles = [n.title for n in admin]
    # the latest ended period of each kind: October (monthly), the third quarter
    assert titles == sorted(
        [
            "第一党支部 党课：第三季度应开未开（9月30日已截止）",
            "第二党支部 主题党日：10月应开未开（10月31日已截止）",
            "第二党支部 支部党员大会：第三季度应开未开（9月30日已截止）",
            "第二党支部 党课：第三季度应开未开（9月30日已截止）",
        ]
    )
    assert all(n.is_todo for n in admin)
    lesson = next(n for n in admin if "党课" in n.title and "第一" in n.title)
    assert lesson.rule_id == "R-ORGLIFE-07" and "R-ORGLIFE-07" in lesson.body
    notices = _items(personas.secretary_a, kind=NotificationKind.ORGLIFE_MISSING)
    assert [n.title for n in notices] == ["第一党支部 党课：第三季度应开未开（9月30日已截止）"]
    assert not notices[0].is_todo
    # branch C is in the other unit, which has no unit admin: the committee admin is told
    c = _items(personas.committee_admin, kind=NotificationKind.ORGLIFE_MISSING)
    assert {n.org_id for n in c} == {tree.branch_c.pk}
    assert not _items(personas.unit_admin, org=tree.branch_c)


def test_running_twice_sends_nothing_twice(tree, personas):
    first = remind(TODAY)
    count = Notification.objects.count()
    assert first.created == count > 0 and first.existing == 0
    second = remind(TODAY)
    assert (second.created, second.existing) == (0, count)
    assert Notification.objects.count() == count
    # the next day finds the same periods: still nothing new
    assert remind(TODAY + dt.timedelta(days=1)).created == 0


def test_a_group_reminds_its_branch_secretary(tree, personas):
    group = org_services.org_create(
        actor=None, parent=tree.branch_a, name="第一党小组", kind="group"
    )
    remind(TODAY)
    due = _items(personas.secretary_a, kind=NotificationKind.ORGLIFE_DUE_SOON, org=group)
    assert [n.title for n in due] == ["第一党小组 党小组会：11月尚未开展（11月30日截止）"]
    assert due[0].rule_id == "R-ORGLIFE-05"


def test_in_january_the_previous_years_last_periods_are_checked(tree, personas):
    result = remind(dt.date(2027, 1, 5))
    assert result.years == [2026, 2027] and result.due_soon == 0
    titles = {n.title for n in _items(personas.unit_admin, org=tree.branch_a)}
    assert titles == {
        "第一党支部 主题党日：2026年12月应开未开（12月31日已截止）",
        "第一党支部 支部党员大会：2026年第四季度应开未开（12月31日已截止）",
        "第一党支部 党课：2026年第四季度应开未开（12月31日已截止）",
        "第一党支部 组织生活会：2026年度应开未开（12月31日已截止）",
        "第一党支部 民主评议党员：2026年度应开未开（12月31日已截止）",
    }


def test_a_revoked_or_inactive_recipient_is_not_told(tree, personas):
    RoleGrant.objects.filter(user=personas.secretary_a).update(revoked_at=timezone.now())
    User.objects.filter(pk=personas.unit_admin.pk).update(is_active=False)
    remind(TODAY)
    assert not _items(personas.secretary_a) and not _items(personas.unit_admin)
    # branch A's due-soon to-do went to the committee admin instead
    assert _items(personas.committee_admin, org=tree.branch_a, is_todo=True)


def test_the_command_prints_the_counts_in_chinese(tree, personas):
    out = io.StringIO()
    call_command("remind", "--date", "2026-11-25", stdout=out)
    text = out.getvalue()
    assert text.startswith("事前提醒（2026-11-25，核查2026年）：即将到期 3 项")
    # the study hours' to-dos (from October) are counted on their own line
    todos = Notification.objects.filter(is_todo=True).exclude(kind="study_hours").count()
    assert f"新建待办 {todos} 条" in text
    out = io.StringIO()
    call_command("remind", "--date", "2026-11-25", stdout=out)
    assert "新建待办 0 条、通知 0 条" in out.getvalue()
    with pytest.raises(CommandError, match="日期“2026-13-01”无效"):
        call_command("remind", "--date", "2026-13-01")


def test_the_task_runs_the_job(tree, personas):
    from dangjian.orglife.tasks import remind_task

    result = remind_task.enqueue("2026-11-25")
    assert result.return_value.startswith("事前提醒（2026-11-25")
    assert Notification.objects.filter(kind=NotificationKind.ORGLIFE_DUE_SOON).exists()


def _more_branches(tree, n):
    for i in range(n):
        branch = org_services.org_create(
            actor=None, parent=tree.organ_a, name=f"加开党支部{i}", kind="branch"
        )
        user = User.objects.create_user(username=f"sec{i}", password="x")
        RoleGrant.objects.create(user=user, org=branch, role="branch_secretary")


def _queries(day):
    with CaptureQueriesContext(connection) as ctx:
        result = remind(day)
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "notify_')]
    return len(ctx) - len(inserts), result


def test_a_fixed_number_of_queries_whatever_the_number_of_branches(tree, personas):
    small, first = _queries(TODAY)
    assert first.created > 0
    _more_branches(tree, 6)
    large, second = _queries(TODAY + dt.timedelta(days=31))  # December: new periods
    assert second.created > first.created
    assert large == small
    # roots, grants, the grid's three, the duplicate check, the audit entry's three, and the
    # savepoints of the two atomic blocks inside the test's transaction
    assert small <= 15


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "11月"),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31), "第四季度"),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年度"),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31), "2025年12月"),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30), "2025年第二季度"),
    ],
)
def test_period_labels(start, end, label):
    assert period_label(start, end, 2026) == label
