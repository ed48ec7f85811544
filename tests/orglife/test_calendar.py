"""The calendar: the month grid of an org, "my calendar", and the iCalendar feeds reached with
a per-user token (revocable), scoped like the pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from dangjian.core.models import AuditEntry
from dangjian.orglife import calendar as cal
from dangjian.orglife import services

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)
PAGE = "/orglife/docs/calendar/"


def _plan(tree, start=START, org=None, topic="学习二十大精神", kind="theme_day"):
    return services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind=kind,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )


def _feed_path(token, org=None):
    if org is None:
        return f"/public/orglife/calendar/{token}/mine.ics"
    return f"/public/orglife/calendar/{token}/orgs/{org.pk}.ics"


def _events(response):
    parsed = Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}, parsed


# ---------------------------------------------------------------------------------------------
# pages


def test_month_grid_shows_the_subtrees_meetings(client, tree, personas):
    _plan(tree)
    _plan(tree, dt.datetime(2025, 5, 20, 14, 0, tzinfo=TZ), org=tree.branch_b, topic="乙支部会议")
    _plan(tree, dt.datetime(2025, 6, 2, 9, 0, tzinfo=TZ), topic="六月的会议")
    client.force_login(personas.unit_admin)
    response = client.get(f"{PAGE}?org={tree.organ_a.pk}&month=2025-05")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2025年5月" in page
    assert "主题党日：学习二十大精神" in page and "乙支部会议" in page
    assert "六月的会议" not in page
    assert page.count('data-testid="calendar-event"') == 2
    assert 'data-testid="calendar-list"' in page  # the phone list
    assert "month=2025-04" in page and "month=2025-06" in page


def test_calendar_is_scoped(client, tree, personas):
    _plan(tree)
    _plan(tree, dt.datetime(2025, 5, 20, 14, 0, tzinfo=TZ), org=tree.branch_b, topic="乙支部会议")
    client.force_login(personas.secretary_b)
    assert client.get(f"{PAGE}?org={tree.branch_a.pk}&month=2025-05").status_code == 404
    page = client.get(f"{PAGE}?month=2025-05").content.decode()  # defaults to the own branch
    assert "乙支部会议" in page and "学习二十大精神" not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 200),
        ("secretary_b", 404),
        ("member_a", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_org_calendar_by_persona(client, tree, personas, persona, status):
    client.force_login(personas.by_name(persona))
    assert client.get(f"{PAGE}?org={tree.branch_a.pk}").status_code == status


def test_bad_month_shows_this_month_with_a_notice(client, tree, personas):
    client.force_login(personas.secretary_a)
    page = client.get(f"{PAGE}?month=2025-13").content.decode()
    assert "月份“2025-13”无效，已显示本月。" in page


def test_my_calendar_shows_meetings_where_i_am_on_the_roster(client, tree, personas):
    _plan(tree)
    _plan(tree, dt.datetime(2025, 5, 20, 14, 0, tzinfo=TZ), org=tree.branch_b, topic="乙支部会议")
    client.force_login(personas.member_a)  # no member.view, but on branch A's roster
    response = client.get(f"{PAGE}mine/?month=2025-05")
    assert response.status_code == 200
    page = response.content.decode()
    assert "学习二十大精神" in page and "乙支部会议" not in page
    assert 'data-testid="calendar-feed-url"' in page
    assert "/public/orglife/calendar/" in page and "mine.ics" in page


def test_my_calendar_needs_a_member(client, tree, personas):
    client.force_login(personas.unit_admin)
    assert client.get(f"{PAGE}mine/").status_code == 404
    client.logout()
    assert client.get(f"{PAGE}mine/").status_code == 302  # to the sign-in page


# ---------------------------------------------------------------------------------------------
# feeds


def test_org_feed_parses_back_with_the_right_events(client, tree, personas):
    planned = _plan(tree, timezone.now().replace(microsecond=0) + dt.timedelta(days=3))
    held = _plan(
        tree, timezone.now().replace(microsecond=0) - dt.timedelta(days=3), topic="已开的会"
    )
    services.meeting_record(
        actor=None,
        meeting=held,
        attendance={m.pk: ("present", "") for m in tree.members_a},
        minutes="会议记录",
    )
    _plan(tree, timezone.now() + dt.timedelta(days=4), org=tree.branch_b, topic="乙支部会议")
    token = cal.feed_token(personas.secretary_a)
    response = client.get(_feed_path(token, tree.branch_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events, parsed = _events(response)
    assert set(events) == {"主题党日：学习二十大精神", "主题党日：已开的会"}
    event = events["主题党日：学习二十大精神"]
    assert str(event["UID"]) == f"orglife-meeting-{planned.pk}@dangjian"
    assert str(event["LOCATION"]) == "三楼会议室"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(events["主题党日：已开的会"]["STATUS"]) == "CONFIRMED"
    start = event.decoded("DTSTART")
    assert start == planned.starts_at
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start.utcoffset() == zoneinfo.ZoneInfo("Asia/Shanghai").utcoffset(start)
    assert event.decoded("DTEND") == planned.ends_at
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    # the minutes never travel in a feed
    assert "会议记录" not in response.content.decode()


def test_uid_is_stable(client, tree, personas):
    meeting = _plan(tree, timezone.now() + dt.timedelta(days=3))
    token = cal.feed_token(personas.secretary_a)
    first = _events(client.get(_feed_path(token, tree.branch_a)))[0]
    second = _events(client.get(_feed_path(token, tree.branch_a)))[0]
    assert first.keys() == second.keys()
    assert [str(e["UID"]) for e in first.values()] == [f"orglife-meeting-{meeting.pk}@dangjian"]


def test_my_feed(client, tree, personas):
    _plan(tree, timezone.now() + dt.timedelta(days=3))
    _plan(tree, timezone.now() + dt.timedelta(days=4), org=tree.branch_b, topic="乙支部会议")
    response = client.get(_feed_path(cal.feed_token(personas.member_a)))
    assert response.status_code == 200
    assert set(_events(response)[0]) == {"主题党日：学习二十大精神"}
    # an account without a member has no "mine" feed
    assert client.get(_feed_path(cal.feed_token(personas.unit_admin))).status_code == 404


def test_feed_needs_a_valid_token(client, tree, personas):
    _plan(tree, timezone.now() + dt.timedelta(days=3))
    token = cal.feed_token(personas.secretary_a)
    assert client.get(f"/public/orglife/calendar/orgs/{tree.branch_a.pk}.ics").status_code == 404
    assert client.get(_feed_path("abc", tree.branch_a)).status_code == 404
    assert client.get(_feed_path(token[:-2] + "xx", tree.branch_a)).status_code == 404
    assert client.get(_feed_path(token + "x")).status_code == 404
    # a token signed for another purpose is refused
    from django.core import signing

    forged = signing.dumps({"u": personas.secretary_a.pk, "g": 0})
    assert client.get(_feed_path(forged, tree.branch_a)).status_code == 404


def test_feed_shows_only_what_the_user_may_see(client, tree, personas):
    token = cal.feed_token(personas.secretary_b)
    assert client.get(_feed_path(token, tree.branch_a)).status_code == 404
    assert client.get(_feed_path(token, tree.branch_b)).status_code == 200
    # rights taken away: the same link stops showing the org
    from dangjian.accounts.models import RoleGrant

    RoleGrant.objects.filter(user=personas.secretary_b).delete()
    from django.core.cache import cache

    cache.clear()
    assert client.get(_feed_path(token, tree.branch_b)).status_code == 404


def test_feed_reset_revokes_the_old_link(client, tree, personas):
    old = cal.feed_token(personas.secretary_a)
    assert client.get(_feed_path(old, tree.branch_a)).status_code == 200
    client.force_login(personas.secretary_a)
    response = client.post(f"{PAGE}feed-reset/", {"next": f"{PAGE}?org={tree.branch_a.pk}"})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?org={tree.branch_a.pk}"
    client.logout()
    new = cal.feed_token(personas.secretary_a)
    assert new != old
    assert client.get(_feed_path(old, tree.branch_a)).status_code == 404
    assert client.get(_feed_path(new, tree.branch_a)).status_code == 200
    entry = AuditEntry.objects.get(action="orglife.calendar.feed_reset")
    assert entry.actor == personas.secretary_a


def test_inactive_user_feed_is_gone(client, tree, personas):
    token = cal.feed_token(personas.secretary_a)
    personas.secretary_a.is_active = False
    personas.secretary_a.save(update_fields=["is_active"])
    assert client.get(_feed_path(token, tree.branch_a)).status_code == 404


def test_feed_reset_redirect_stays_on_site(client, tree, personas):
    client.force_login(personas.secretary_a)
    response = client.post(f"{PAGE}feed-reset/", {"next": "//evil.example/"})
    assert response["Location"] == PAGE


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example/"])
def test_the_feed_reset_does_not_redirect_off_site(client, personas, target):
    client.force_login(personas.secretary_a)
    response = client.post("/orglife/docs/calendar/feed-reset/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/orglife/docs/calendar/"
