"""Legal-aid reminders: to-dos for the unit's legal.manage holders when a review or an
assignment is due soon or overdue, deduplicated, never for other units' admins."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.legal import services_aid as sa
from dangjian.legal.reminders import remind_legal
from dangjian.notify.models import Notification
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw


def test_due_and_overdue_cases_give_todos_once(lw, personas):
    created = remind_legal(lw.today)
    items = Notification.objects.filter(kind="legal_aid_due")
    # the overdue review (applied 10 days ago) and the assignment due (accepted 2 days ago)
    assert created == 2 == items.count()
    assert set(items.values_list("user_id", flat=True)) == {personas.unit_admin.pk}
    titles = sorted(items.values_list("title", flat=True))
    assert any("审查决定已超时限" in t and lw.case_overdue.case_no in t for t in titles)
    assert any("指派律师即将到期" in t for t in titles)
    assert remind_legal(lw.today) == 0  # deduplicated


def test_nothing_due_gives_nothing(lw, personas):
    assert remind_legal(lw.today - dt.timedelta(days=30)) == 0


def test_a_new_stage_gives_a_new_item(lw, personas):
    remind_legal(lw.today)
    sa.aid_case_accept(actor=None, case=lw.case_overdue)
    later = lw.today + dt.timedelta(days=4)
    assert remind_legal(later) >= 1
    assert Notification.objects.filter(
        kind="legal_aid_due", title__contains="指派律师已超时限"
    ).exists()


def test_a_due_soon_item_is_followed_by_one_when_overdue(lw, personas):
    # the accepted case (accepted 2 days ago, 3 days to assign) is due soon today
    remind_legal(lw.today)
    items = Notification.objects.filter(kind="legal_aid_due", title__contains="指派律师")
    assert [t for t in items.values_list("title", flat=True)] == [
        f"法律援助指派律师即将到期：{lw.case_accepted.case_no}"
    ]
    later = lw.today + dt.timedelta(days=2)  # the day after its last day
    remind_legal(later)
    titles = set(items.values_list("title", flat=True))
    assert f"法律援助指派律师已超时限：{lw.case_accepted.case_no}" in titles
    before = items.count()
    remind_legal(later + dt.timedelta(days=1))
    assert items.count() == before  # overdue once, not every day
