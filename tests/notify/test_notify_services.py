"""Notifications: the system's write path (deduplicated, links only to this site, email when
configured), the owner's marks (read, done, all read: audited, someone else's item is a 404),
and the notice every expected member with an account gets when a meeting is planned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.notify import selectors, services
from dangjian.notify.models import Notification, NotificationKind
from dangjian.notify.services import Draft

pytestmark = pytest.mark.django_db


def _draft(user, key="k1", topic="t", **kw):
    data = {
        "user_id": user.pk,
        "kind": NotificationKind.ORGLIFE_DUE_SOON,
        "title": "主题党日：11月尚未开展（11月30日截止）",
        "body": "依据：R-ORGLIFE-08",
        "link": "/compliance/cell/?org=1&kind=theme_day&year=2026",
        "topic": topic,
        "dedupe_key": key,
        "is_todo": True,
    }
    data.update(kw)
    return Draft(**data)


def test_create_skips_duplicates_in_the_database_and_in_the_same_call(personas):
    a, b = personas.secretary_a, personas.secretary_b
    first = services.notifications_create([_draft(a), _draft(a), _draft(b)])
    assert (first.created, first.existing, first.todos) == (2, 1, 2)
    again = services.notifications_create([_draft(a), _draft(b), _draft(a, key="k2")])
    assert (again.created, again.existing) == (1, 2)
    assert Notification.objects.filter(user=a).count() == 2
    # items without a key are never deduplicated
    services.notifications_create([_draft(a, key=""), _draft(a, key="")])
    assert Notification.objects.filter(user=a).count() == 4


@pytest.mark.parametrize(
    "link", ["https://example.com/x", "//example.com/x", "javascript:alert(1)", "compliance/"]
)
def test_create_refuses_a_link_off_the_site_and_writes_nothing(personas, link):
    good = _draft(personas.secretary_a, key="ok")
    with pytest.raises(AppError, match="本站路径"):
        services.notifications_create([good, _draft(personas.secretary_b, link=link)])
    assert not Notification.objects.exists()


def test_done_is_the_owners_own_audited_write(personas):
    services.notifications_create([_draft(personas.secretary_a)])
    item = Notification.objects.get()
    with pytest.raises(Http404):
        services.notification_done(actor=personas.secretary_b, item=item)
    with pytest.raises(Http404):
        selectors.access_notification(personas.secretary_b, item.pk)
    item.refresh_from_db()
    assert item.done_at is None
    item = selectors.access_notification(personas.secretary_a, item.pk)
    services.notification_done(actor=personas.secretary_a, item=item)
    item.refresh_from_db()
    assert item.done_at is not None and item.read_at is not None
    entry = AuditEntry.objects.get(action="notify.item.done")
    assert entry.actor == personas.secretary_a and entry.changes["id"] == item.pk


def test_a_notice_is_read_not_done(personas):
    services.notifications_create(
        [_draft(personas.member_a, kind=NotificationKind.MEETING_NOTICE, is_todo=False)]
    )
    item = Notification.objects.get()
    with pytest.raises(AppError, match="不是待办"):
        services.notification_done(actor=personas.member_a, item=item)
    services.notification_read(actor=personas.member_a, item=item)
    item.refresh_from_db()
    assert item.read_at is not None and item.done_at is None
    assert AuditEntry.objects.filter(action="notify.item.read").count() == 1


def test_read_all_marks_only_the_actors_items(personas):
    a, b = personas.secretary_a, personas.secretary_b
    services.notifications_create([_draft(a, key="1"), _draft(a, key="2"), _draft(b, key="1")])
    assert selectors.unread_count(a) == 2
    assert services.notifications_read_all(actor=a) == 2
    assert selectors.unread_count(a) == 0 and selectors.unread_count(b) == 1
    assert AuditEntry.objects.get(action="notify.items.read").changes == {"count": 2}


def test_list_filters(personas):
    a = personas.secretary_a
    services.notifications_create(
        [
            _draft(a, key="todo"),
            _draft(a, key="done"),
            _draft(a, key="notice", kind=NotificationKind.MEETING_NOTICE, is_todo=False),
        ]
    )
    services.notification_done(actor=a, item=Notification.objects.get(user=a, dedupe_key="done"))
    keys = {
        f: sorted(n.dedupe_key for n in selectors.notification_list(a, f))
        for f in ("all", "unread", "todo", "done")
    }
    assert keys == {
        "all": ["done", "notice", "todo"],
        "unread": ["notice", "todo"],
        "todo": ["todo"],
        "done": ["done"],
    }


@override_settings(NOTIFY_EMAIL=True, SITE_URL="https://dj.example.cn")
def test_email_goes_to_users_with_an_address_after_commit(
    personas, django_capture_on_commit_callbacks
):
    personas.secretary_a.email = "a@example.cn"
    personas.secretary_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notifications_create(
            [
                _draft(personas.secretary_a, email="a@example.cn"),
                _draft(personas.secretary_b, email=""),
            ]
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert created.emailed == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.cn"]
    assert message.subject == "【机关党建】主题党日：11月尚未开展（11月30日截止）"
    assert "https://dj.example.cn/compliance/cell/?org=1" in message.body


def test_no_email_unless_configured(personas, django_capture_on_commit_callbacks):
    personas.secretary_a.email = "a@example.cn"
    personas.secretary_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notifications_create(
            [_draft(personas.secretary_a, email="a@example.cn")]
        )
    assert created.emailed == 0 and mail.outbox == []


# ---------------------------------------------------------------------------------------------
# 会议通知 when a meeting is planned


def _plan(tree, actor=None):
    from dangjian.orglife import services as orglife

    start = timezone.make_aware(dt.datetime(2026, 6, 12, 9, 0))
    return orglife.meeting_plan(
        actor=actor,
        org=tree.branch_a,
        kind="theme_day",
        topic="学习党章",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )


def test_planning_notifies_every_expected_member_with_an_account(tree, personas):
    meeting = _plan(tree, actor=personas.secretary_a)
    notices = Notification.objects.filter(kind=NotificationKind.MEETING_NOTICE)
    # branch A's roster has five members; two of them have accounts
    assert sorted(n.user.username for n in notices) == ["member_a", "secretary_a"]
    n = notices.get(user=personas.member_a)
    assert n.title == "会议通知：主题党日“学习党章”（06月12日 09:00）"
    assert "第一党支部定于2026年06月12日 09:00—11:00召开主题党日" in n.body
    assert "地点：三楼会议室" in n.body
    assert (n.org_id, n.topic, n.is_todo) == (tree.branch_a.pk, f"meeting:{meeting.pk}", False)
    assert meeting.sign_in_code not in n.body  # the code is shown at the meeting, not sent


def test_a_refused_plan_notifies_nobody(tree, personas):
    with pytest.raises(Http404):
        _plan(tree, actor=personas.secretary_b)
    assert not Notification.objects.exists()


@override_settings(NOTIFY_EMAIL=True)
def test_meeting_notice_by_email(tree, personas, django_capture_on_commit_callbacks):
    personas.member_a.email = "m@example.cn"
    personas.member_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _plan(tree)
    assert [m.to for m in mail.outbox] == [["m@example.cn"]]
    assert mail.outbox[0].subject.startswith("【机关党建】会议通知：主题党日")
