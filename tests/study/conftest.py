"""Shared fixtures of the study tests (helpers B and C read this file; keep it small and
stable).

- `YEAR` (2024, a past year: meetings can be recorded, trainings have ended);
- `at(month, day, hour=9, minute=0, year=YEAR)`: an aware local datetime;
- `make_session(org, starts_at, length_minutes=120, hours="2", form="concentrated", …)`: a
  study session planned through `session_create` as the system (`actor=None`);
- `record(meeting, present, absent=())`: the meeting recorded as held through orglife's
  `meeting_record` (members in `present` present, in `absent` absent, the rest on leave);
- `seat(member, org, role="secretary", started_on=…)`: a committee seat (R-EDU-02's 56 hours);
- fixture `media`: uploads go to a temporary folder.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

YEAR = 2024


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def make_session(
    org,
    starts_at: dt.datetime,
    *,
    length_minutes: int = 120,
    hours="2",
    form: str = "concentrated",
    mode: str = "in_person",
    topic: str = "学习党的二十大报告",
    actor=None,
    **kwargs,
):
    from dangjian.study.services_sessions import session_create

    return session_create(
        actor=actor,
        org=org,
        form=form,
        mode=mode,
        topic=topic,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=length_minutes),
        hours=hours,
        **kwargs,
    )


def record(meeting, present, absent=()):
    """Record the meeting as held: `present` and `absent` are members (or ids); everyone else
    on the roster is on leave."""
    from dangjian.orglife.models import Attendance
    from dangjian.orglife.services import meeting_record

    present_ids = {getattr(m, "pk", m) for m in present}
    absent_ids = {getattr(m, "pk", m) for m in absent}
    roster = Attendance.all_objects.filter(meeting=meeting).values_list("member_id", flat=True)
    attendance = {}
    for member_id in roster:
        if member_id in present_ids:
            attendance[member_id] = ("present", "")
        elif member_id in absent_ids:
            attendance[member_id] = ("absent", "")
        else:
            attendance[member_id] = ("leave", "出差")
    return meeting_record(
        actor=None,
        meeting=meeting,
        attendance=attendance,
        minutes="会议集中学习了有关内容，大家结合工作谈了体会。",
        now=meeting.ends_at + dt.timedelta(hours=1),
    )


def seat(member, org, role: str = "secretary", started_on=dt.date(2020, 1, 1), ended_on=None):
    from dangjian.orgs.models import CommitteeSeat

    return CommitteeSeat.all_objects.create(
        org=org, member=member, role=role, started_on=started_on, ended_on=ended_on
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
