"""Shared set-up of the votes/attachments/appraisal/talks tests: a held meeting of branch A."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.orglife import services
from dangjian.orglife.models import Attendance
from dangjian.orgs.models import CommitteeSeat

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)


def held(tree, kind="member_assembly", present=None, org=None, minutes="会议学习了党章。"):
    """A meeting of `kind`, recorded as held with `present` (members; default: all) present
    and the others absent."""
    meeting = services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind=kind,
        topic="支部党员大会",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
    )
    rows = Attendance.objects.unscoped().filter(meeting=meeting)
    here = {m.pk for m in present} if present is not None else None
    attendance = {
        r.member_id: ("present" if here is None or r.member_id in here else "absent", "")
        for r in rows
    }
    services.meeting_record(actor=None, meeting=meeting, attendance=attendance, minutes=minutes)
    meeting.refresh_from_db()
    return meeting


def seat(org, member, role, started=dt.date(2024, 1, 1), ended=None):
    return CommitteeSeat.all_objects.create(
        org=org, member=member, role=role, started_on=started, ended_on=ended
    )
