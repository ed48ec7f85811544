"""Member points (党员积分): the ledger derived from the records (attendance recorded through
orglife's meeting_record, nothing typed), the daily and yearly caps across two versions of the
scheme, retired and long-away mobile members left out (R-LOCAL-08), the scheme's versions and
their validation, the rebuild in chunks, and the ranking's ranks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.members.models import Member
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.services import new_sign_in_code
from dangjian.study import selectors_points as sel
from dangjian.study import services_points as svc
from dangjian.study.models import PointEntry, PointScheme, StudySession
from tests.study.conftest import YEAR, at, record

D = Decimal


def held(org, when, present, *, kind="member_assembly", study=False, absent=()):
    """A held meeting with its attendance rows, written directly (the caps tests need many
    meetings; test_derived_from_records goes through orglife's services)."""
    meeting = Meeting.all_objects.create(
        org=org,
        org_path=org.path,
        kind=kind,
        topic=f"会议{when:%m%d%H}",
        starts_at=when,
        ends_at=when + dt.timedelta(hours=2),
        status="held",
        sign_in_code=new_sign_in_code(),
    )
    rows = [Attendance(meeting=meeting, member=m, status="present") for m in present]
    rows += [Attendance(meeting=meeting, member=m, status="absent") for m in absent]
    Attendance.all_objects.bulk_create(rows)
    if study:
        StudySession.all_objects.create(
            meeting=meeting, org_path=org.path, form="concentrated", hours=D("2")
        )
    return meeting


def entries(member, year=YEAR):
    return list(
        PointEntry.all_objects.filter(member=member, year=year).order_by(
            "occurred_on", "action", "source_id"
        )
    )


def rule(action, points, daily=0, yearly=0):
    return {"action": action, "points": points, "daily_cap": daily, "yearly_cap": yearly}


def test_caps_daily_and_yearly_across_two_versions(tree):
    m = tree.members_a[1]
    svc.point_scheme_save(
        actor=None,
        name="第一版",
        effective_from=dt.date(YEAR, 1, 1),
        baseline=70,
        rules=[rule("meeting_attended", "2", daily="3", yearly="7")],
        today=dt.date(YEAR, 1, 1),
    )
    svc.point_scheme_save(
        actor=None,
        name="第二版",
        effective_from=dt.date(YEAR, 7, 1),
        baseline=60,
        rules=[rule("meeting_attended", "4", daily="4", yearly="7")],
        today=dt.date(YEAR, 7, 1),
    )
    held(tree.branch_a, at(3, 1, 9), [m])
    held(tree.branch_a, at(3, 1, 14), [m])  # same day: the daily cap leaves 1 of 2
    held(tree.branch_a, at(4, 1), [m])
    held(tree.branch_a, at(8, 1), [m])  # version 2: 4, but only 2 left of the year's 7
    held(tree.branch_a, at(8, 2), [m])  # nothing left

    written = svc.points_refresh(member_ids=[m.pk], year=YEAR)

    got = entries(m)
    assert written == 5
    assert [e.points for e in got] == [D(2), D(1), D(2), D(2), D(0)]
    assert [e.capped_from for e in got] == [None, D(2), None, D(4), D(4)]
    assert [e.scheme_version for e in got] == [1, 1, 1, 2, 2]
    assert {e.org_path for e in got} == {m.org_path}

    mine = sel.member_points(m, YEAR)
    assert mine.total == D(7)
    assert mine.baseline == 60  # version 2 is in force at the year's end
    assert not mine.met
    cuts = [line.cut for line in reversed(mine.lines)]  # lines are newest first
    assert cuts == [None, "daily", None, "yearly", "yearly"]
    assert reversed(mine.lines).__next__().label == "参加组织生活"
    assert mine.lines[0].cut_label == "已达年度上限"
    assert mine.lines[0].source.startswith("支部党员大会")

    # refreshing again replaces, never adds
    svc.points_refresh(member_ids=[m.pk], year=YEAR)
    assert len(entries(m)) == 5


def test_default_scheme_when_no_version_is_stored(tree):
    m = tree.members_a[2]
    held(tree.branch_a, at(5, 6), [m], study=True)
    held(tree.branch_a, at(5, 7), [m], kind="study_session")
    held(tree.branch_a, at(5, 8), [m])
    svc.points_refresh(member_ids=[m.pk], year=YEAR)
    got = entries(m)
    assert [(e.action, e.points, e.scheme_version) for e in got] == [
        ("study_attended", D(2), 0),
        ("study_attended", D(2), 0),
        ("meeting_attended", D(2), 0),
    ]
    assert sel.member_points(m, YEAR).baseline == 70  # R-LOCAL-08's demo scheme


def test_retired_and_long_away_mobile_members_take_no_part(tree):
    retired, away, lately, plain = tree.members_a[1:5]
    Member.all_objects.filter(pk=retired.pk).update(employment="retired")
    Member.all_objects.filter(pk=away.pk).update(is_mobile=True, mobile_since=dt.date(YEAR, 3, 1))
    Member.all_objects.filter(pk=lately.pk).update(is_mobile=True, mobile_since=dt.date(YEAR, 9, 1))
    ids = [retired.pk, away.pk, lately.pk, plain.pk]
    held(tree.branch_a, at(3, 5), [retired, away, lately, plain])
    PointEntry.all_objects.create(  # a stale entry from before he retired goes
        member=retired,
        org_path=retired.org_path,
        year=YEAR,
        action="quiz_passed",
        source_type="study.quiz_attempt",
        source_id=1,
        occurred_on=dt.date(YEAR, 1, 2),
        points=D(3),
    )

    svc.points_refresh(member_ids=ids, year=YEAR)

    assert entries(retired) == [] and entries(away) == []
    assert len(entries(lately)) == 1 and len(entries(plain)) == 1
    assert sel.member_points(Member.all_objects.get(pk=retired.pk), YEAR).excluded == "retired"
    assert sel.member_points(Member.all_objects.get(pk=away.pk), YEAR).excluded == "mobile"
    # the year before he left he was not away long: he took part
    assert sel.member_points(Member.all_objects.get(pk=away.pk), YEAR - 1).excluded is None

    ranking = sel.ranking(None, tree.branch_a, YEAR)
    names = {m.pk for m in ranking.rows}
    assert retired.pk not in names and away.pk not in names
    assert {lately.pk, plain.pk} <= names
    assert ranking.excluded_count == 2


def test_derived_from_records(tree, django_capture_on_commit_callbacks):
    """Attendance recorded through orglife's services changes the ledger after the commit."""
    from dangjian.orglife.services import meeting_plan

    a = tree.members_a
    meeting = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="member_assembly",
        topic="支部党员大会",
        starts_at=at(3, 12, 14),
        ends_at=at(3, 12, 16),
    )
    with django_capture_on_commit_callbacks(execute=True):
        record(meeting, present=a[:3], absent=a[3:])
    assert [e.action for e in entries(a[0])] == ["meeting_attended"]
    assert entries(a[3]) == []

    study = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="study_session",
        topic="集中学习",
        starts_at=at(4, 2, 9),
        ends_at=at(4, 2, 11),
    )
    StudySession.all_objects.create(
        meeting=study, org_path=study.org_path, form="concentrated", hours=D("2")
    )
    with django_capture_on_commit_callbacks(execute=True):
        record(study, present=a[:1])
    assert [e.action for e in entries(a[0])] == ["meeting_attended", "study_attended"]
    assert [e.action for e in entries(a[1])] == ["meeting_attended"]

    # recorded again (corrected before archiving): a[0] was in fact absent
    with django_capture_on_commit_callbacks(execute=True):
        record(meeting, present=a[1:3], absent=[a[0], *a[3:]])
    assert [e.action for e in entries(a[0])] == ["study_attended"]
    assert sel.member_points(a[0], YEAR).total == D(2)


def test_planned_meeting_and_other_years_give_nothing(tree):
    m = tree.members_a[1]
    planned = held(tree.branch_a, at(6, 1), [m])
    Meeting.all_objects.filter(pk=planned.pk).update(status="planned")
    held(tree.branch_a, at(6, 2, year=YEAR - 1), [m])
    assert svc.points_refresh(member_ids=[m.pk], year=YEAR) == 0


def test_refresh_all_in_chunks(tree, monkeypatch):
    monkeypatch.setattr(svc, "CHUNK", 3)
    everyone = [*tree.members_a, *tree.members_b, *tree.members_c]
    held(tree.branch_a, at(2, 1), tree.members_a)
    held(tree.branch_b, at(2, 1), tree.members_b)
    held(tree.branch_c, at(2, 1), tree.members_c)
    gone = tree.members_c[1]
    Member.all_objects.filter(pk=gone.pk).update(left_on=dt.date(YEAR - 1, 12, 1))
    assert svc.points_refresh_all(year=YEAR) == len(everyone) - 1
    assert entries(gone) == []
    assert PointEntry.all_objects.filter(year=YEAR).count() == len(everyone) - 1


def test_refresh_queries_do_not_grow_with_members(tree, django_assert_max_num_queries):
    everyone = [*tree.members_a, *tree.members_b]
    held(tree.branch_a, at(2, 1), tree.members_a)
    held(tree.branch_b, at(2, 2), tree.members_b, study=True)
    # members, 2 for the versions, 5 sources, delete, insert, savepoints
    with django_assert_max_num_queries(14):
        svc.points_refresh(member_ids=[m.pk for m in everyone], year=YEAR)


# ---------------------------------------------------------------------------------------------
# The scheme's versions


def test_scheme_versions_and_rebuild(tree, personas, django_capture_on_commit_callbacks):
    m = tree.members_a[1]
    held(tree.branch_a, at(3, 1), [m])
    svc.points_refresh(member_ids=[m.pk], year=YEAR)
    assert entries(m)[0].points == D(2)
    with django_capture_on_commit_callbacks(execute=True):
        first = svc.point_scheme_save(
            actor=personas.committee_admin,
            name="积分方案",
            effective_from=dt.date(YEAR, 1, 1),
            baseline=50,
            rules=[rule("meeting_attended", "5")],
            today=dt.date(YEAR, 12, 1),
        )
    assert first.version == 1
    assert entries(m)[0].points == D(5)  # the year was rebuilt in the background
    second = svc.point_scheme_save(
        actor=personas.committee_admin,
        name="积分方案（修订）",
        effective_from=dt.date(YEAR, 1, 1),  # the same day as the latest: allowed
        baseline=60,
        rules=[rule("meeting_attended", "3"), rule("quiz_passed", "2", daily="2")],
        today=dt.date(YEAR, 12, 1),
    )
    assert second.version == 2
    assert PointScheme.objects.get(version=1).rules.get().points == D(5)  # never edited
    from dangjian.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="study.point_scheme.saved").count() == 2


@pytest.mark.parametrize("who", ["unit_admin", "secretary_a", "member_a", "auditor"])
def test_scheme_only_for_the_committee(tree, personas, who):
    with pytest.raises(Http404):
        svc.point_scheme_save(
            actor=personas.by_name(who),
            name="x",
            effective_from=dt.date(YEAR, 1, 1),
            baseline=70,
            rules=[rule("meeting_attended", "2")],
        )
    assert not PointScheme.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"baseline": 0}, "baseline"),
        ({"baseline": "七十"}, "baseline"),
        ({"effective_from": "2024-13-01"}, "effective_from"),
        ({"rules": []}, "rules"),
        ({"rules": [rule("dancing", "2")]}, "rules"),
        ({"rules": [rule("meeting_attended", "2", daily="1")]}, "daily_cap_meeting_attended"),
        ({"rules": [rule("meeting_attended", "2", 3, 2)]}, "yearly_cap_meeting_attended"),
        ({"rules": [rule("meeting_attended", "-1")]}, "points_meeting_attended"),
        ({"rules": [rule("meeting_attended", "0")]}, "points_meeting_attended"),
        ({"rules": [rule("meeting_attended", "1.25")]}, "points_meeting_attended"),
        ({"rules": [rule("meeting_attended", "x")]}, "points_meeting_attended"),
        (
            {"rules": [rule("meeting_attended", "2"), rule("meeting_attended", "3")]},
            "points_meeting_attended",
        ),
    ],
)
def test_scheme_bad_input(tree, change, field):
    data = {
        "name": "方案",
        "effective_from": dt.date(YEAR, 1, 1),
        "baseline": 70,
        "rules": [rule("meeting_attended", "2")],
        **change,
    }
    with pytest.raises(AppError) as caught:
        svc.point_scheme_save(actor=None, **data)
    assert caught.value.field == field
    assert not PointScheme.objects.exists()


def test_scheme_not_before_the_latest(tree):
    svc.point_scheme_save(
        actor=None,
        name="方案",
        effective_from=dt.date(YEAR, 6, 1),
        baseline=70,
        rules=[rule("meeting_attended", "2")],
    )
    with pytest.raises(AppError) as caught:
        svc.point_scheme_save(
            actor=None,
            name="方案",
            effective_from=dt.date(YEAR, 5, 31),
            baseline=70,
            rules=[rule("meeting_attended", "2")],
        )
    assert caught.value.field == "effective_from"
    assert PointScheme.objects.count() == 1


def test_several_row_errors_at_once(tree):
    with pytest.raises(AppError) as caught:
        svc.point_scheme_save(
            actor=None,
            name="方案",
            effective_from=dt.date(YEAR, 1, 1),
            baseline=70,
            rules=[rule("meeting_attended", "2", daily="1"), rule("quiz_passed", "-3")],
        )
    fields = {f for f, _ in caught.value.errors}
    assert fields == {"daily_cap_meeting_attended", "points_quiz_passed"}


# ---------------------------------------------------------------------------------------------
# Ranking


def test_ranking_ranks_ties_and_met_filter(tree):
    a = tree.members_a  # five members
    svc.point_scheme_save(
        actor=None,
        name="方案",
        effective_from=dt.date(YEAR, 1, 1),
        baseline=4,
        rules=[rule("meeting_attended", "2")],
    )
    held(tree.branch_a, at(1, 10), a[:3])
    held(tree.branch_a, at(1, 11), a[:2])
    held(tree.branch_a, at(1, 12), a[:1])
    svc.points_refresh(member_ids=[m.pk for m in a], year=YEAR)
    # totals: a0 6, a1 4, a2 2, a3 0, a4 0
    ranking = sel.ranking(None, tree.branch_a, YEAR)
    rows = [(m.pk, m.total, m.rank) for m in ranking.rows]
    assert rows[:3] == [(a[0].pk, D(6), 1), (a[1].pk, D(4), 2), (a[2].pk, D(2), 3)]
    assert [r[2] for r in rows[3:]] == [4, 4]
    assert (ranking.taking_part, ranking.met_count, ranking.baseline) == (5, 2, 4)
    short = sel.ranking(None, tree.branch_a, YEAR, met=False).rows
    assert next((m.pk, m.rank) for m in short) == (a[2].pk, 3)  # the rank of the whole list
    assert sel.ranking(None, tree.branch_a, YEAR, met=False).rows.count() == 3
    met = sel.ranking(None, tree.branch_a, YEAR, met=True).rows
    assert [m.pk for m in met] == [a[0].pk, a[1].pk]
    assert sel.top(ranking.all_rows, 2) == {
        "names": [a[0].name, a[1].name],
        "totals": [6.0, 4.0],
    }
    # the unit above sees branch A's and B's members; B's have nothing
    unit = sel.ranking(None, tree.party_group_a, YEAR)
    assert unit.taking_part == len(a) + len(tree.members_b)


# ---------------------------------------------------------------------------------------------
# The pure parts added to rules.study


@pytest.mark.parametrize(
    ("retired", "mobile", "since", "expected"),
    [
        (True, False, None, "retired"),
        (False, True, dt.date(YEAR, 6, 29), "mobile"),
        (False, True, dt.date(YEAR, 6, 30), None),  # exactly six months: takes part
        (False, True, dt.date(YEAR - 1, 12, 1), "mobile"),
        (False, True, None, None),  # departure unknown
        (False, False, dt.date(YEAR, 1, 1), None),
    ],
)
def test_points_exclusion(retired, mobile, since, expected):
    from dangjian.rules.study import points_exclusion

    got = points_exclusion(retired=retired, is_mobile=mobile, mobile_since=since, year=YEAR)
    assert got == expected


def test_cap_reasons_replays_award_points():
    from dangjian.rules import study as r

    scheme = r.PointSchemeData(
        "s", 1, dt.date(YEAR, 1, 1), 70, (r.PointRuleData("quiz_passed", D(3), D(4), D(5)),)
    )
    day = dt.date(YEAR, 3, 1)
    events = [r.PointEvent("quiz_passed", "t", i, day) for i in range(3)]
    events.append(r.PointEvent("quiz_passed", "t", 9, dt.date(YEAR, 3, 2)))
    awards = r.award_points(events, [scheme])
    assert [a.points for a in awards] == [D(3), D(1), D(0), D(1)]
    # day 1: the daily cap (4) cuts the 2nd and the 3rd (1 of the year's 5 is still left);
    # day 2: the yearly cap cuts
    assert r.cap_reasons(awards, [scheme]) == [None, "daily", "daily", "yearly"]
    assert r.percent_of(D(35), 70) == 50 and r.percent_of(D(99), 70) == 100


# ---------------------------------------------------------------------------------------------
# Found in review: a source that moves across New Year, locks, suspended members, bad years


def test_meeting_moved_across_new_year_rebuilds(tree):
    """A meeting corrected from December into January: the old year's entry would break the
    unique key (member, action, source) on the new year's rebuild; it goes instead."""
    m, other = tree.members_a[1], tree.members_a[2]
    meeting = held(tree.branch_a, at(12, 30, year=YEAR - 1), [m])
    kept = held(tree.branch_a, at(12, 1, year=YEAR - 1), [m, other])
    svc.points_refresh(member_ids=[m.pk, other.pk], year=YEAR - 1)
    assert len(entries(m, YEAR - 1)) == 2
    Meeting.all_objects.filter(pk=meeting.pk).update(
        starts_at=at(1, 2), ends_at=at(1, 2) + dt.timedelta(hours=2)
    )

    assert svc.points_refresh(member_ids=[m.pk, other.pk], year=YEAR) == 1

    assert [e.source_id for e in entries(m)] == [meeting.pk]
    assert [e.source_id for e in entries(m, YEAR - 1)] == [kept.pk]  # the rest stays
    assert len(entries(other, YEAR - 1)) == 1
    # and the old year's rebuild leaves the moved meeting in the new year
    svc.points_refresh(member_ids=[m.pk], year=YEAR - 1)
    assert [e.source_id for e in entries(m)] == [meeting.pk]
    assert [e.source_id for e in entries(m, YEAR - 1)] == [kept.pk]


def test_stale_entries_of_many_sources_in_bounded_queries(tree, monkeypatch):
    m = tree.members_a[1]
    meetings = [held(tree.branch_a, at(12, d, year=YEAR - 1), [m]) for d in (1, 2, 3)]
    svc.points_refresh(member_ids=[m.pk], year=YEAR - 1)
    Meeting.all_objects.filter(pk__in=[x.pk for x in meetings]).update(starts_at=at(2, 1))
    monkeypatch.setattr(svc, "STALE_IDS_PER_QUERY", 2)  # three ids: two queries
    assert svc.points_refresh(member_ids=[m.pk], year=YEAR) == 3
    assert entries(m, YEAR - 1) == []


@pytest.fixture
def row_locks(monkeypatch):
    """SQLite takes no row locks: let Django write them, record the statements, and strip
    the lock clause before SQLite sees it."""
    from django.db import connection

    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    monkeypatch.setattr(connection.features, "has_select_for_no_key_update", True)
    seen: list[str] = []

    def strip(execute, sql, params, many, context):
        seen.append(sql)
        bare = sql.replace(" FOR NO KEY UPDATE", "").replace(" FOR UPDATE", "")
        return execute(bare, params, many, context)

    with connection.execute_wrapper(strip):
        yield seen


def test_rebuild_locks_the_members_before_deleting(tree, row_locks):
    m = tree.members_a[1]
    held(tree.branch_a, at(3, 1), [m])
    svc.points_refresh(member_ids=[m.pk, tree.members_a[2].pk], year=YEAR)
    lock = next(
        i
        for i, sql in enumerate(row_locks)
        if '"members_member"' in sql and "FOR NO KEY UPDATE" in sql
    )
    assert "ORDER BY 1 ASC" in row_locks[lock]  # the primary key first: no deadlock
    first_delete = next(i for i, sql in enumerate(row_locks) if sql.startswith("DELETE"))
    assert lock < first_delete


def test_scheme_save_locks_a_row_that_always_exists(tree, row_locks):
    svc.point_scheme_save(
        actor=None,
        name="方案",
        effective_from=dt.date(YEAR, 1, 1),
        baseline=70,
        rules=[rule("meeting_attended", "2")],
        today=dt.date(YEAR, 1, 1),
    )
    lock = next(i for i, sql in enumerate(row_locks) if "FOR NO KEY UPDATE" in sql)
    assert '"orgs_org"' in row_locks[lock]
    insert = next(i for i, sql in enumerate(row_locks) if 'INSERT INTO "study_pointscheme"' in sql)
    assert lock < insert


def test_scheme_version_taken_meanwhile(tree, monkeypatch):
    """Two first versions saved at once both read "no version yet": the second one's insert
    hits the unique version; it is tried once more, and then refused in Chinese."""
    data = {
        "actor": None,
        "name": "方案",
        "effective_from": dt.date(YEAR, 1, 1),
        "baseline": 70,
        "rules": [rule("meeting_attended", "2")],
        "today": dt.date(YEAR, 1, 1),
    }
    svc.point_scheme_save(**data)
    real = svc._next_version
    answers = iter([1])  # stale once, then the real next version
    monkeypatch.setattr(svc, "_next_version", lambda: next(answers, None) or real())
    assert svc.point_scheme_save(**data).version == 2

    monkeypatch.setattr(svc, "_next_version", lambda: 1)  # stale every time
    with pytest.raises(AppError) as caught:
        svc.point_scheme_save(**data)
    assert "请刷新后重试" in caught.value.message
    assert sorted(PointScheme.objects.values_list("version", flat=True)) == [1, 2]
    assert PointScheme.objects.get(version=2).rules.count() == 1


def test_suspended_members_are_not_ranked(tree):
    a = tree.members_a
    held(tree.branch_a, at(3, 1), a[:3])
    svc.points_refresh(member_ids=[m.pk for m in a], year=YEAR)
    Member.all_objects.filter(pk=a[1].pk).update(standing="suspended")
    ranking = sel.ranking(None, tree.branch_a, YEAR)
    assert a[1].pk not in {m.pk for m in ranking.rows}
    assert (ranking.taking_part, ranking.excluded_count) == (len(a) - 1, 1)
    mine = sel.member_points(Member.all_objects.get(pk=a[1].pk), YEAR)
    assert mine.excluded == "suspended" and "停止党籍" in mine.excluded_label
    assert not mine.met


@pytest.mark.parametrize("year", ["abc", None, 1999, 2201])
def test_refresh_refuses_a_bad_year(tree, year):
    with pytest.raises(AppError) as caught:
        svc.points_refresh(member_ids=[tree.members_a[1].pk], year=year)
    assert caught.value.field == "year"
    with pytest.raises(AppError):
        svc.points_refresh_all(year=year)
