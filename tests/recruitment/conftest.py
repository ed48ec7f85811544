"""Fixtures of the recruitment tests: `candidate_factory` walks a candidate through the flow
with the real services (a clean, rule-abiding history on fixed dates, up to a chosen step),
and `assembly` holds a 支部党员大会 of a branch on a day, for the vote steps.

The default history starts on START (2022-03-01) and ends with the conversion approval in
August 2024; `schedule(start)` gives the dates, `TODAY_AFTER[step]` a "today" right after a
step, so the engine sees no overdue deadline when a test wants a clean file.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.rules.base import add_months
from tests.conftest import id_number_for

START = dt.date(2022, 3, 1)
BIRTH = dt.date(1996, 5, 4)

#: (months, days) after the application, in flow order: a clean history (R-DEV-03 talk within a
#: month, assessments every six months, prospect a year after the activist day and after a
#: 公示 of ≥ 5 working days, approval within three months, conversion a year after acceptance)
OFFSETS: tuple[tuple[str, int, int], ...] = (
    ("application", 0, 0),
    ("talk", 0, 20),
    ("activist", 2, 0),
    ("activist_filing", 2, 5),
    ("contacts", 2, 5),
    ("assessment", 8, 0),
    ("assessment", 14, 0),
    ("prospect_publicity", 14, 1),
    ("prospect", 14, 20),
    ("prospect_filing", 14, 22),
    ("introducers", 14, 22),
    ("political_review", 15, 0),
    ("training", 15, 2),
    ("committee_review", 15, 10),
    ("pre_review", 15, 15),
    ("volunteer_form", 15, 20),
    ("acceptance", 16, 0),
    ("approval_talk", 16, 10),
    ("party_group_review", 16, 20),
    ("approval", 17, 0),
    ("approval_filing", 17, 5),
    ("placement", 17, 5),
    ("oath", 17, 10),
    ("probation_assessment", 22, 0),
    ("conversion_application", 27, 20),
    ("conversion_meeting", 28, 5),
    ("party_group_review", 28, 15),
    ("conversion_approval", 29, 0),
    ("archive", 29, 10),
)
STEP_ORDER = [code for code, _, _ in OFFSETS]


def schedule(start: dt.date = START) -> list[tuple[str, dt.date]]:
    return [(code, add_months(start, m) + dt.timedelta(days=d)) for code, m, d in OFFSETS]


def date_of(step: str, start: dt.date = START) -> dt.date:
    return next(on for code, on in schedule(start) if code == step)


def today_after(step: str, start: dt.date = START) -> dt.date:
    """A "today" one day after `step` in the default history (before the next deadline)."""
    return date_of(step, start) + dt.timedelta(days=1)


def assembly(branch, on: dt.date, present=None):
    """A held 支部党员大会 of `branch` on `on` (09:00), everyone on the roster present unless
    `present` (member ids) says who."""
    from dangjian.orglife import services
    from dangjian.orglife.models import Attendance

    tz = timezone.get_current_timezone()
    start = dt.datetime(on.year, on.month, on.day, 9, 0, tzinfo=tz)
    meeting = services.meeting_plan(
        actor=None,
        org=branch,
        kind="member_assembly",
        topic="支部党员大会",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    rows = Attendance.objects.unscoped().filter(meeting=meeting)
    attendance = {
        r.member_id: ("present" if present is None or r.member_id in present else "absent", "")
        for r in rows
    }
    services.meeting_record(
        actor=None, meeting=meeting, attendance=attendance, minutes="讨论发展党员事项。"
    )
    meeting.refresh_from_db()
    return meeting


def full_members(branch):
    from dangjian.recruitment.models import Candidate
    from dangjian.recruitment.selectors import people_choices

    return list(people_choices(Candidate(branch=branch, branch_id=branch.pk)))


def step_kwargs(candidate, step: str, on: dt.date) -> dict:
    """What each step needs besides its date, for a clean record."""
    from dangjian.orglife.services_votes import voting_counts

    kwargs: dict = {}
    if step == "prospect_publicity":
        kwargs["end_on"] = on + dt.timedelta(days=13)
    elif step == "training":
        kwargs.update(days=3, hours=24, end_on=on + dt.timedelta(days=2))
    elif step in (
        "political_review",
        "pre_review",
        "approval",
        "conversion_approval",
        "extension_approval",
        "cancellation_approval",
    ):
        kwargs["passed"] = True
    elif step == "contacts":
        kwargs["people"] = full_members(candidate.branch)[:1]
    elif step == "introducers":
        kwargs["people"] = full_members(candidate.branch)[:2]
    elif step in ("acceptance", "conversion_meeting", "extension", "cancellation"):
        meeting = assembly(candidate.branch, on)
        _, present = voting_counts(meeting)
        kwargs.update(meeting=meeting, vote_counts=(present, 0, 0))
        if step == "extension":
            kwargs["months"] = 6
    if step == "approval":
        kwargs["member_fields"] = member_fields(candidate)
    return kwargs


def member_fields(candidate) -> dict:
    sex = "male" if candidate.sex == "1" else "female"
    return {
        "id_number": id_number_for(candidate.birth_date, sex),
        "phone": "13900139000",
        "address": "湖北省十堰市张湾区车城路2号",
        "post": "0110",
        "education": candidate.education or "21",
    }


def make_candidate(
    branch,
    *,
    upto: str = "application",
    start: dt.date = START,
    name: str = "陈小明",
    birth_date: dt.date = BIRTH,
    sex: str = "1",
    skip: tuple[str, ...] = (),
    dates: dict | None = None,
    extra: dict | None = None,
    actor=None,
    today: dt.date | None = None,
):
    """A candidate of `branch` whose steps up to the first `upto` (inclusive, in flow order) are
    recorded by the services, on the default dates (`dates` replaces some: step → date;
    `skip` leaves steps out; `extra` adds keyword arguments per step). The 党组's review is
    recorded only for branches inside a 机关 (R-ORG-14)."""
    from dangjian.recruitment import selectors as sel
    from dangjian.recruitment import services

    dates = dates or {}
    extra = extra or {}
    plan = schedule(start)
    stop = next(i for i, (code, _) in enumerate(plan) if code == upto)
    organ = sel.organ_fact(sel.ancestor_kinds([branch.path])[branch.path])
    candidate = services.candidate_create(
        actor=actor,
        branch=branch,
        name=name,
        sex=sex,
        birth_date=birth_date,
        application_on=dates.get("application", plan[0][1]),
        education="21",
        today=today,
    )
    seen: set[str] = set()
    for code, on in plan[1 : stop + 1]:
        if code in skip or (code == "party_group_review" and organ is None):
            continue
        if code not in seen and code in dates:
            on = dates[code]
        seen.add(code)
        kwargs = {**step_kwargs(candidate, code, on), **extra.get(code, {})}
        services.step_record(
            actor=actor, candidate=candidate, step=code, on=on, today=today, **kwargs
        )
        candidate.refresh_from_db()
    return candidate


@pytest.fixture
def candidate_factory(tree):
    """`candidate_factory(upto="acceptance", branch=None, …)`: see `make_candidate`; the
    branch defaults to branch A."""

    def make(upto: str = "application", branch=None, **kwargs):
        return make_candidate(branch or tree.branch_a, upto=upto, **kwargs)

    return make
