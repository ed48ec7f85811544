"""The calendar of organisational life (issue #5 item 5): a month of planned and held meetings
of an org's subtree, "my calendar" (the meetings where the signed-in member is on the roster),
and the same as iCalendar feeds for calendar apps.

A calendar app cannot send the session cookie, so a feed URL carries a per-user token: a value
signed with the site's secret (django.core.signing) holding the user's id and the *generation*
of the user's feed links — the id of the user's latest `orglife.calendar.feed_reset` audit
entry (0 before the first). Resetting the link writes that entry, so every earlier token stops
working at once; nothing secret is stored, and the audit log, which is never edited or
deleted, keeps the history. A feed answers only for an active user and shows only what that
user may see when the calendar app asks (member.view on the org, or the user's own roster
rows). See docs/orglife-ledgers.md."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re
from dataclasses import dataclass, field

from django.core import signing
from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.models import AuditEntry
from dangjian.orglife import selectors
from dangjian.orglife.models import Attendance, Meeting, MeetingStatus
from dangjian.orgs.models import Org

FEED_SALT = "dangjian.orglife.calendar-feed"
FEED_RESET_ACTION = "orglife.calendar.feed_reset"
#: a feed holds the meetings from this many days back to this many days ahead
FEED_DAYS_BACK = 400
FEED_DAYS_AHEAD = 400
FEED_MAX_EVENTS = 2000
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# ---------------------------------------------------------------------------------------------
# The month page


def parse_month(value: str, today: dt.date) -> tuple[dt.date, str]:
    """The first day of the month asked for ("2025-05"), or this month with a notice."""
    value = (value or "").strip()
    if not value:
        return today.replace(day=1), ""
    m = _MONTH.match(value)
    if m and 1 <= int(m[2]) <= 12 and 2000 <= int(m[1]) <= today.year + 5:
        return dt.date(int(m[1]), int(m[2]), 1), ""
    return today.replace(day=1), f"月份“{value[:10]}”无效，已显示本月。"


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def org_meetings(user, org: Org, start: dt.datetime, end: dt.datetime):
    """Meetings of the org's subtree the user may see (member.view), planned and held."""
    return (
        selectors.meeting_list(user, org=org)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("org")
        .order_by("starts_at", "id")
    )


def my_meetings(user, start: dt.datetime, end: dt.datetime):
    """Meetings where the user's member is on the roster (none for an account without one)."""
    if not getattr(user, "member_id", None):
        return Meeting.objects.none()
    ids = Attendance.objects.unscoped().filter(member_id=user.member_id).values("meeting_id")
    return (
        Meeting.objects.unscoped()
        .filter(pk__in=ids, starts_at__gte=start, starts_at__lt=end)
        .select_related("org")
        .order_by("starts_at", "id")
    )


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    meetings: list = field(default_factory=list)


def month_grid(first: dt.date, meetings, today: dt.date) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each day with its meetings in time order."""
    by_day: dict[dt.date, list] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [
        [Day(d, d.month == first.month, d == today, by_day.get(d, [])) for d in week]
        for week in weeks
    ]


# ---------------------------------------------------------------------------------------------
# Feed tokens


def _generation(user) -> int:
    """The id of the user's latest feed reset (0 before the first)."""
    return (
        AuditEntry.objects.filter(
            action=FEED_RESET_ACTION,
            object_type=f"{user._meta.app_label}.{user._meta.model_name}",
            object_id=str(user.pk),
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def feed_token(user) -> str:
    """The user's current feed token (the same until the user resets it)."""
    return signing.dumps({"u": user.pk, "g": _generation(user)}, salt=FEED_SALT)


def feed_user(token: str):
    """The active user a token belongs to, or None (bad signature, reset, inactive)."""
    from dangjian.accounts.models import User

    try:
        data = signing.loads(token or "", salt=FEED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or data.get("g") != _generation(user):
        return None
    return user


def feed_reset(*, actor) -> str:
    """Revoke the user's feed links and return the new token (audited)."""
    with transaction.atomic():
        audit(actor, FEED_RESET_ACTION, actor, org_path="", changes={"reset": True})
    return feed_token(actor)


# ---------------------------------------------------------------------------------------------
# iCalendar


def feed_window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=FEED_DAYS_BACK), now + dt.timedelta(days=FEED_DAYS_AHEAD)


def event_uid(meeting: Meeting) -> str:
    """Stable per meeting: a calendar app updates the event when the meeting changes."""
    return f"orglife-meeting-{meeting.pk}@dangjian"


def ical(meetings, name: str) -> bytes:
    """An RFC 5545 calendar of the meetings: times in Asia/Shanghai (TZID, with its
    VTIMEZONE), SUMMARY kind + topic, LOCATION the place, STATUS TENTATIVE while planned,
    CONFIRMED once held. No minutes or names: a feed URL travels."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//dangjian//orglife calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    for meeting in meetings[:FEED_MAX_EVENTS]:
        event = Event()
        event.add("uid", event_uid(meeting))
        event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
        event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
        event.add("dtstart", timezone.localtime(meeting.starts_at))
        event.add("dtend", timezone.localtime(meeting.ends_at))
        event.add("summary", f"{meeting.get_kind_display()}：{meeting.topic}")
        if meeting.place:
            event.add("location", meeting.place)
        event.add("description", f"{meeting.org.name}（{meeting.get_status_display()}）")
        event.add("status", "TENTATIVE" if meeting.status == MeetingStatus.PLANNED else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
