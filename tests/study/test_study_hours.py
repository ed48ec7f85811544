"""Credit hours derived from the records: sessions attended (present only), 党课 without a
session by their length (at most 4), approved trainings by the year they started; the
minimums at the thresholds (31.9/32, 55.9/56), committee seats on any day of the year,
exemptions out of the denominators, the concentrated training of R-EDU-02; the org list
(shortfall first, only the short, summary and distribution) in a bounded number of queries,
the same figures as one member's breakdown; the per-unit statistics; the October to-dos."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from dangjian.study import selectors_sessions as sel
from dangjian.study import services_sessions as services
from tests.study.conftest import YEAR, at, make_session, record, seat

_TITLES = itertools.count(1)


def _approved(member, hours, *, year=YEAR, concentrated=False, days=3, status="approved"):
    """A training recorded by the system (approved at once) worth `hours` (each its own
    title: the same training is not entered twice)."""
    started = dt.date(year, 5, 1)
    training = services.training_submit(
        actor=None,
        member=member,
        title=f"网络培训{next(_TITLES)}",
        provider="干部网络学院",
        kind="online",
        started_on=started,
        ended_on=started + dt.timedelta(days=days - 1),
        hours=str(hours),
        is_concentrated=concentrated,
    )
    if status != "approved":
        type(training).all_objects.filter(pk=training.pk).update(status=status)
    return training


def _rows(user, org, year=YEAR, **kw) -> dict:
    return {r.member.pk: r for r in sel.org_hours(user, org, year, **kw)}


def _lesson(org, starts_at, minutes, present, *, status="held"):
    from dangjian.orglife.services import meeting_plan

    meeting = meeting_plan(
        actor=None,
        org=org,
        kind="party_lesson",
        topic="党课",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
    )
    if status == "held":
        record(meeting, present)
    return meeting


# ---------------------------------------------------------------------------------------------
# What counts


def test_hours_from_sessions_lessons_and_trainings(tree, personas):
    a = tree.members_a
    s1 = make_session(tree.branch_a, at(3, 1), hours="1.5")
    record(s1.meeting, a[:3], absent=a[3:4])  # a[4] on leave
    s2 = make_session(tree.organ_a, at(4, 1), length_minutes=300, hours="4.5", form="course")
    record(s2.meeting, [a[0], tree.members_b[0]])
    _lesson(tree.branch_a, at(5, 1, 14), 150, a[:2])  # 2.5 h, no session: its length
    _lesson(tree.branch_a, at(6, 1, 9), 330, a[:1])  # 5.5 h: at most 4
    _approved(a[1], "8")
    _approved(a[1], "5", status="submitted")  # not yet approved: nothing
    _approved(a[2], "3", status="rejected")
    _approved(a[0], "20", year=YEAR - 1)  # last year's
    last_year = make_session(tree.branch_a, at(12, 30, year=YEAR - 1))
    record(last_year.meeting, a)
    rows = _rows(personas.unit_admin, tree.party_group_a)
    earned = {pk: r.standing.earned for pk, r in rows.items()}
    assert earned[a[0].pk] == Decimal("12.5")  # 1.5 + 4.5 + 2.5 + 4
    assert earned[a[1].pk] == Decimal("12.0")  # 1.5 + 2.5 + 8
    assert earned[a[2].pk] == Decimal("1.5")
    assert earned[a[3].pk] == earned[a[4].pk] == Decimal("0.0")
    assert earned[tree.members_b[0].pk] == Decimal("4.5")


def test_a_session_or_lesson_never_recorded_as_held_credits_nothing(tree, personas):
    """Sign-in alone does not credit: the meeting must be recorded as held (or archived), as
    for 党课, the statistics and points; a planned course does not count as R-EDU-02's
    concentrated training either."""
    from dangjian.orglife.models import Attendance

    me = tree.members_a[0]
    seat(me, tree.branch_a)
    session = make_session(tree.branch_a, at(3, 1), hours="2", form="course")
    lesson = _lesson(tree.branch_a, at(3, 2), 60, [], status="planned")
    for meeting in (session.meeting, lesson):
        Attendance.all_objects.filter(meeting=meeting, member=me).update(status="present")
    row = _rows(personas.secretary_a, tree.branch_a)[me.pk]
    mine = sel.member_hours(me, YEAR)
    assert row.standing.earned == mine.standing.earned == Decimal("0.0")
    assert row.standing.needs_concentrated and mine.standing.needs_concentrated
    assert mine.sessions == [] and mine.lessons == []
    record(session.meeting, [me])
    row = _rows(personas.secretary_a, tree.branch_a)[me.pk]
    mine = sel.member_hours(me, YEAR)
    assert row.standing.earned == mine.standing.earned == Decimal("2.0")
    assert not row.standing.needs_concentrated and not mine.standing.needs_concentrated
    assert row.standing == mine.standing


def test_an_attached_lesson_credits_its_study_hours_instead_of_its_length(tree):
    lesson = _lesson(tree.branch_a, at(5, 1, 14), 120, tree.members_a[:1])
    assert sel.member_hours(tree.members_a[0], YEAR).standing.earned == Decimal("2.0")
    services.session_attach(
        actor=None, meeting=lesson, form="party_lesson", mode="in_person", hours="1.5"
    )
    mine = sel.member_hours(tree.members_a[0], YEAR)
    assert mine.standing.earned == Decimal("1.5")
    assert (len(mine.sessions), len(mine.lessons)) == (1, 0)


# ---------------------------------------------------------------------------------------------
# The minimums at the thresholds


@pytest.mark.parametrize(
    ("hours", "committee", "short", "shortfall"),
    [
        ("31.9", False, True, "0.1"),
        ("32", False, False, "0.0"),
        ("55.9", True, True, "0.1"),
        ("56", True, False, "0.0"),
    ],
)
def test_thresholds(tree, personas, hours, committee, short, shortfall):
    member = tree.members_a[2]
    if committee:
        seat(member, tree.branch_a, role="organization")
    _approved(member, hours, concentrated=True)
    row = _rows(personas.secretary_a, tree.branch_a)[member.pk]
    assert (row.short, row.standing.shortfall, row.committee) == (
        short,
        Decimal(shortfall),
        committee,
    )
    assert row.standing.required == (56 if committee else 32)
    short_ids = set(_rows(personas.secretary_a, tree.branch_a, only_short=True))
    assert (member.pk in short_ids) is short


def test_the_committee_figure_is_a_setting(tree, personas, settings):
    settings.STUDY_COMMITTEE_HOURS = 40
    member = tree.members_a[2]
    seat(member, tree.branch_a, role="publicity")
    _approved(member, "40", concentrated=True)
    row = _rows(personas.secretary_a, tree.branch_a)[member.pk]
    assert (row.standing.required, row.short) == (40, False)


def test_exempt_members_leave_the_denominators(tree, personas):
    member = tree.members_a[3]
    seat(member, tree.branch_a)
    services.exemption_grant(actor=None, member=member, year=YEAR, reason="ill")
    row = _rows(personas.secretary_a, tree.branch_a)[member.pk]
    assert (row.exempt, row.short, row.standing.required, row.exemption_id is not None) == (
        True,
        False,
        0,
        True,
    )
    assert member.pk not in _rows(personas.secretary_a, tree.branch_a, only_short=True)
    summary = sel.hours_summary(personas.secretary_a, tree.branch_a, YEAR)
    assert (summary.members, summary.exempt, summary.short, summary.met) == (5, 1, 4, 0)
    # the exemption is for that year only
    assert not _rows(personas.secretary_a, tree.branch_a, YEAR + 1)[member.pk].exempt


@pytest.mark.parametrize(
    ("kwargs", "committee"),
    [
        ({}, True),
        ({"role": "deputy_secretary"}, True),
        ({"role": "group_leader"}, False),  # a group leader is no committee member
        ({"ended_on": dt.date(YEAR - 1, 12, 31)}, False),  # left before the year
        ({"ended_on": dt.date(YEAR, 1, 1)}, True),  # sat on one day of it
        ({"started_on": dt.date(YEAR, 12, 31)}, True),
        ({"started_on": dt.date(YEAR + 1, 1, 1)}, False),
    ],
)
def test_committee_seat_on_any_day_of_the_year(tree, personas, kwargs, committee):
    member = tree.members_a[1]
    seat(member, tree.discipline_a, **kwargs)  # a seat on any org counts
    assert _rows(personas.unit_admin, tree.party_group_a)[member.pk].committee is committee
    assert sel.member_hours(member, YEAR).committee is committee


def test_a_committee_member_needs_a_concentrated_training(tree, personas):
    a, b, c = tree.members_a[1], tree.members_a[2], tree.members_a[3]
    for m in (a, b, c):
        seat(m, tree.branch_a, role="member")
        _approved(m, "60")
    _approved(b, "1", concentrated=True)
    course = make_session(tree.branch_a, at(3, 1), form="course")
    record(course.meeting, [c])
    rows = _rows(personas.secretary_a, tree.branch_a)
    assert rows[a.pk].standing.needs_concentrated and rows[a.pk].short
    assert rows[a.pk].standing.shortfall == 0
    assert not rows[b.pk].short and not rows[c.pk].short
    assert sel.member_hours(a, YEAR).standing.needs_concentrated


def test_who_is_on_the_list(tree, personas):
    from dangjian.members.models import Member

    left, suspended, late = tree.members_a[2], tree.members_a[3], tree.members_a[4]
    Member.all_objects.filter(pk=left.pk).update(left_on=dt.date(YEAR, 6, 1))
    Member.all_objects.filter(pk=suspended.pk).update(standing="suspended")
    Member.all_objects.filter(pk=late.pk).update(joined_on=dt.date(YEAR + 1, 1, 5))
    ids = set(_rows(personas.secretary_a, tree.branch_a))
    assert ids == {tree.members_a[0].pk, tree.members_a[1].pk}
    # a member who left after the year's end is still on that year's list
    Member.all_objects.filter(pk=left.pk).update(left_on=dt.date(YEAR + 1, 2, 1))
    assert left.pk in _rows(personas.secretary_a, tree.branch_a)


# ---------------------------------------------------------------------------------------------
# The list: order, summary, the same figures as one member's page, bounded queries


def test_order_summary_and_consistency(tree, personas, django_assert_max_num_queries):
    a = tree.members_a
    seat(a[0], tree.branch_a)
    session = make_session(tree.branch_a, at(3, 1), length_minutes=240, hours="4", form="course")
    record(session.meeting, a[:4])
    _approved(a[1], "30")  # 34: met
    _approved(a[2], "10")  # 14
    _lesson(tree.branch_a, at(9, 1, 14), 75, a[2:3])  # +1.3
    services.exemption_grant(actor=None, member=a[4], year=YEAR, reason="old")
    with django_assert_max_num_queries(3):  # the count, the page, its exemptions
        page = list(sel.org_hours(personas.secretary_a, tree.branch_a, YEAR)[0:50])
    names = [r.member.name for r in page]
    # shortfall first: 张三丰 (56 - 4), 赵六 (32 - 4), 王五 (32 - 15.3), then the rest by name
    assert names[:3] == [a[0].name, a[3].name, a[2].name]
    assert {r.member.pk for r in page[3:]} == {a[1].pk, a[4].pk}
    for r in page:
        mine = sel.member_hours(r.member, YEAR)
        assert mine.standing == r.standing, r.member.name
        assert (mine.committee, mine.exemption is not None) == (r.committee, r.exempt)
    with django_assert_max_num_queries(1):
        summary = sel.hours_summary(personas.secretary_a, tree.branch_a, YEAR)
    assert (summary.members, summary.short, summary.exempt, summary.committee) == (5, 3, 1, 1)
    # 0: the exempt 钱七; 0-8: 张三丰, 赵六; 8-16: 王五; 32-56: 李四
    assert summary.buckets == [1, 2, 1, 0, 0, 1, 0]
    with django_assert_max_num_queries(6):
        sel.member_hours(a[2], YEAR)


def test_org_list_grows_by_rows_not_queries(tree, personas, django_assert_max_num_queries):
    for i, org in enumerate((tree.branch_a, tree.branch_b, tree.organ_a)):
        s = make_session(org, at(3, 1 + i))
        record(s.meeting, [*tree.members_a, *tree.members_b])
    with django_assert_max_num_queries(3):
        rows = list(sel.org_hours(personas.unit_admin, tree.party_group_a, YEAR)[0:50])
    assert len(rows) == 8


def test_hours_of_an_org_outside_is_404(tree, personas):
    from django.http import Http404

    with pytest.raises(Http404):
        sel.org_hours(personas.secretary_a, tree.branch_b, YEAR)
    with pytest.raises(Http404):
        sel.hours_summary(personas.member_a, tree.branch_a, YEAR)


# ---------------------------------------------------------------------------------------------
# Person-times per unit


def test_stats_per_unit_and_period(tree, personas, django_assert_max_num_queries):
    a, b, c = tree.members_a, tree.members_b, tree.members_c
    s1 = make_session(tree.branch_a, at(3, 1))
    record(s1.meeting, a[:4])
    s2 = make_session(tree.organ_a, at(6, 1))
    record(s2.meeting, [*a, *b[:2]])
    s3 = make_session(tree.branch_c, at(7, 1))
    record(s3.meeting, c)
    make_session(tree.branch_a, at(8, 1))  # planned, not held: not counted
    lesson = _lesson(tree.branch_a, at(9, 1, 14), 90, a)  # a 党课 not attached: not counted
    s_late = make_session(tree.branch_b, at(11, 1))
    record(s_late.meeting, b)
    first, october = dt.date(YEAR, 1, 1), dt.date(YEAR, 10, 31)
    with django_assert_max_num_queries(4):  # the user's grants, sessions, attendances, units
        rows = sel.study_stats(personas.committee_admin, tree.root, first, october)
    assert [(r.name, r.sessions, r.person_times) for r in rows] == [
        ("甲局", 2, 11),
        ("乙局", 1, 2),
        ("合计", 3, 13),
    ]
    services.session_attach(
        actor=None, meeting=lesson, form="party_lesson", mode="in_person", hours="1.5"
    )
    rows = sel.study_stats(personas.unit_admin, tree.party_group_a, first, dt.date(YEAR, 12, 31))
    assert [(r.name, r.sessions, r.person_times) for r in rows] == [
        ("甲局", 4, 19),
        ("合计", 4, 19),
    ]
    only_march = sel.study_stats(
        personas.secretary_a, tree.branch_a, dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 1)
    )
    assert [(r.sessions, r.person_times) for r in only_march] == [(1, 4), (1, 4)]


# ---------------------------------------------------------------------------------------------
# The October to-dos


def test_reminders_from_october(tree, personas):
    from dangjian.notify.models import Notification
    from dangjian.study.reminders import remind_study

    a = tree.members_a
    seat(a[0], tree.branch_a)  # 张三丰, secretary_a's member: 56 hours
    _approved(a[1], "40", year=YEAR)  # 李四, member_a: met
    services.exemption_grant(actor=None, member=a[3], year=YEAR, reason="old")
    assert remind_study(dt.date(YEAR, 9, 30)) == 0
    created = remind_study(dt.date(YEAR, 10, 1))
    items = {
        (n.user.username, n.dedupe_key.split(":")[1]): n
        for n in Notification.objects.select_related("user")
    }
    # the secretary as a member (short) and as the keeper of branch A; secretary_b for B;
    # member_a is not short; nobody else has an account
    assert set(items) == {
        ("secretary_a", "member"),
        ("secretary_a", "branch"),
        ("secretary_b", "member"),
        ("secretary_b", "branch"),
    }
    assert created == 4
    mine = items[("secretary_a", "member")]
    assert mine.is_todo and mine.rule_id == "R-EDU-02" and "56" in mine.body
    branch = items[("secretary_a", "branch")]
    assert branch.rule_id == "R-EDU-01" and "张三丰" in branch.body and "王五" in branch.body
    assert "李四" not in branch.body and "赵六" not in branch.body  # met, exempt
    assert branch.link.endswith("short=1")
    assert remind_study(dt.date(YEAR, 10, 2)) == 0  # one a year
    assert remind_study(dt.date(YEAR, 12, 31)) == 0


def test_no_reminders_when_nobody_is_short(tree, personas):
    from dangjian.study.reminders import remind_study

    for m in [*tree.members_a, *tree.members_b, *tree.members_c]:
        _approved(m, "60", concentrated=True)
    assert remind_study(dt.date(YEAR, 11, 1)) == 0


def test_a_committee_figure_of_32_still_cites_r_edu_02(tree, personas, settings):
    """The rule was picked by `required > 32`: a deployment setting R-EDU-02's figure to 32
    made a secretary's warning cite R-EDU-01."""
    from dangjian.notify.models import Notification
    from dangjian.study.reminders import remind_study

    settings.STUDY_COMMITTEE_HOURS = 32
    a = tree.members_a
    seat(a[0], tree.branch_a)  # 张三丰, secretary_a's member
    _approved(a[0], "20", concentrated=True)
    mine = sel.member_hours(a[0], YEAR)
    assert mine.standing.required == 32
    assert [f.rule_id for f in mine.findings(dt.date(YEAR, 11, 1))] == ["R-EDU-02"]
    assert [f.rule_id for f in sel.member_hours(a[2], YEAR).findings(dt.date(YEAR, 11, 1))] == [
        "R-EDU-01"
    ]
    remind_study(dt.date(YEAR, 10, 1))
    item = Notification.objects.get(user=personas.secretary_a, dedupe_key__contains=":member:")
    assert item.rule_id == "R-EDU-02"
    # the chart: 32 and over is the last bar
    summary = sel.hours_summary(personas.secretary_a, tree.branch_a, YEAR)
    assert summary.chart()["units"][-1] == "32及以上" and len(summary.buckets) == 6
