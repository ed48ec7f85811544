"""Fixtures of the 清廉机关 tests: a held meeting of branch A this year (3 present, 1 on
leave, 1 absent), small builders for risk points, sessions and commitments, and the browser
fixtures of tests/e2e."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

# the browser fixtures of tests/e2e (Debian's Chromium), for test_integrity_e2e.py
from tests.e2e.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    page,
)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def year(today) -> int:
    return today.year


def plan_meeting(org, start: dt.datetime, topic="观看警示教育片《零容忍》", kind="theme_day"):
    from dangjian.orglife import services

    return services.meeting_plan(
        actor=None,
        org=org,
        kind=kind,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )


def record_meeting(meeting, statuses: list[str]):
    """Record the meeting with these statuses for its roster in order (leave gets a reason)."""
    from dangjian.orglife import services
    from dangjian.orglife.models import Attendance

    rows = list(Attendance.objects.unscoped().filter(meeting=meeting).order_by("member_id"))
    attendance = {
        r.member_id: (s, "出差" if s == "leave" else "")
        for r, s in zip(rows, statuses, strict=True)
    }
    return services.meeting_record(
        actor=None, meeting=meeting, attendance=attendance, minutes="观看警示教育片，交流体会。"
    )


@pytest.fixture
def meeting_start(year, today):
    tz = timezone.get_current_timezone()
    day = min(dt.date(year, 3, 10), today - dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)


@pytest.fixture
def held_meeting(tree, meeting_start):
    meeting = plan_meeting(tree.branch_a, meeting_start)
    return record_meeting(meeting, ["present", "present", "present", "leave", "absent"])


def make_risk(org, year, post="财务审核岗", level="high", **kw):
    from dangjian.integrity import services

    values = {
        "risk": "审核把关不严，违规报销",
        "measures": "双人复核；每季度抽查",
        "owner_name": "张科长",
    }
    values.update(kw)
    return services.risk_point_create(
        actor=None, org=org, year=year, post=post, level=level, **values
    )


def make_session(org, held_on, attendees=10, title="案例通报会", form="case"):
    from dangjian.integrity import services

    return services.warning_session_create(
        actor=None, org=org, form=form, title=title, held_on=held_on, attendees=attendees
    )


def sign(member, year, signed_on=None):
    from dangjian.integrity import services

    signed_on = signed_on or min(dt.date(year, 1, 10), timezone.localdate())
    return services.commitment_sign(actor=None, member=member, year=year, signed_on=signed_on)
