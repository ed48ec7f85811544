"""The veterans reminders: an overdue call or visit gives the paired cadre a to-do; an open
request due soon or overdue gives the office's unit administrators one; past due + the
escalation days it is escalated once. Each deduplicated: a second run creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.veterans.vet_people_world import vet_people_world  # noqa: F401

from dangjian.core.audit import AuditEntry
from dangjian.notify.models import Notification
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import Request
from dangjian.veterans.reminders import remind_veterans

pytestmark = pytest.mark.django_db
D = dt.timedelta


def _items(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk"))


def test_overdue_contact_gives_the_cadre_a_todo(world, personas):
    # 100 days since the pairing began: the call (1 month) and the visit (3 months) are late
    assert remind_veterans(today=world.today) == 2
    items = _items(personas.member_a, "veterans_contact")
    assert len(items) == 2 and all(n.is_todo and n.link == "/veterans/mine/" for n in items)
    assert remind_veterans(today=world.today) == 0
    for name in ("unit_admin", "secretary_a", "committee_admin"):
        assert _items(personas.by_name(name), "veterans_contact") == []
    # a visit today clears both (a visit counts as a call)
    sp.contact_record(
        actor=None, pairing=world.pairing, kind="visit", contacted_on=world.today, living="好"
    )
    assert remind_veterans(today=world.today) == 0


def test_request_due_soon_overdue_and_escalated(world, personas, settings):
    settings.VETERANS_REQUEST_DAYS = 15
    settings.VETERANS_REQUEST_ESCALATE_DAYS = 5
    sp.contact_record(
        actor=None, pairing=world.pairing, kind="visit", contacted_on=world.today, living="好"
    )
    req = sr.request_record(
        actor=None,
        retiree=world.retiree,
        kind="need",
        content="需要上门体检",
        office=world.office,
        raised_on=world.today,
    )
    due = req.due_on
    assert remind_veterans(today=due - D(days=4)) == 0
    assert remind_veterans(today=due - D(days=3)) == 1
    (item,) = _items(personas.unit_admin, "veterans_request")
    assert item.title.startswith("老干部诉求即将到期") and item.link.endswith(f"/{req.pk}/")
    assert _items(personas.committee_admin, "veterans_request") == []
    assert remind_veterans(today=due + D(days=5)) == 0  # overdue, already told
    assert Request.all_objects.get(pk=req.pk).escalated_at is None
    # due + 6: escalated once, the unit and the 工委 told
    assert remind_veterans(today=due + D(days=6)) == 2
    assert Request.all_objects.get(pk=req.pk).escalated_at is not None
    assert _items(personas.committee_admin, "veterans_request")[0].title.startswith(
        "老干部诉求逾期升级督办"
    )
    assert remind_veterans(today=due + D(days=7)) == 0
    assert AuditEntry.objects.filter(action="veterans.request.escalated").count() == 1
    # an answered request is no longer reminded
    sr.request_answer(
        actor=None,
        request=req,
        answer="已安排体检",
        answered_on=due + D(days=7),
        today=due + D(days=7),
    )
    Notification.objects.all().delete()
    assert remind_veterans(today=due + D(days=8)) == 0
