"""Organisational life and the study kind 学习培训: orglife's planning form and API do not offer
it (sessions are planned on the study pages); a meeting credited as a study session cannot be
made shorter than its hours, and moving its time rebuilds the points of those present for
the old and the new year; the meeting years are bounded; attendance is counted in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.study.conftest import at, make_session, record

from dangjian.core.errors import AppError
from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.study.models import StudySession


@pytest.fixture
def points(monkeypatch):
    """(member ids, year) of each points_changed call."""
    from dangjian.study import points_hooks

    calls = []

    def changed(ids, day):
        moment = timezone.localtime(day) if isinstance(day, dt.datetime) else day
        calls.append((sorted(ids), moment.year))

    monkeypatch.setattr(points_hooks, "points_changed", changed)
    return calls


# ---------------------------------------------------------------------------------------------
# Not planned from orglife


def test_the_planning_form_does_not_offer_a_study_session(client, tree, personas):
    client.force_login(personas.secretary_a)
    url = f"/orglife/orgs/{tree.branch_a.pk}/plan/"
    html = client.get(url).content.decode()
    assert 'value="party_lesson"' in html and 'value="study_session"' not in html
    response = client.post(
        url,
        {
            "kind": "study_session",
            "topic": "集中学习",
            "starts_at": "2025-06-01T09:00",
            "ends_at": "2025-06-01T11:00",
        },
    )
    assert response.status_code == 200 and Meeting.all_objects.count() == 0


def test_the_api_does_not_plan_a_study_session(client, tree, personas):
    client.force_login(personas.secretary_a)
    payload = {
        "org_id": tree.branch_a.pk,
        "kind": "study_session",
        "topic": "集中学习",
        "starts_at": "2025-06-01T09:00:00+08:00",
        "ends_at": "2025-06-01T11:00:00+08:00",
    }
    response = client.post("/api/orglife/meetings", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert Meeting.all_objects.count() == 0


def test_a_legacy_held_study_meeting_without_its_row_is_offered_for_attaching(tree, personas):
    """Planned through orglife before it stopped offering the kind: it credits nothing until
    attached, so the sessions page lists it with the unattached 党课."""
    from dangjian.study import selectors_sessions as study

    legacy = services.meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="study_session",
        topic="集中学习（旧）",
        starts_at=at(3, 1),
        ends_at=at(3, 1, 11),
    )
    record(legacy, tree.members_a[:2])
    planned = services.meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="study_session",
        topic="未召开",
        starts_at=at(3, 2),
        ends_at=at(3, 2, 11),
    )
    credited = make_session(tree.branch_a, at(3, 3))
    record(credited.meeting, tree.members_a[:2])
    found = study.lessons_without_session(personas.secretary_a, tree.branch_a, 2024)
    assert [m.pk for m in found] == [legacy.pk]
    assert planned.pk not in [m.pk for m in found]


# ---------------------------------------------------------------------------------------------
# Years


@pytest.mark.parametrize(
    ("starts_at", "field"),
    [
        (dt.datetime(9999, 12, 31, 20, tzinfo=dt.UTC), "starts_at"),
        (dt.datetime(1, 1, 1, 9, tzinfo=dt.UTC), "starts_at"),
        (at(12, 31, 23, 30, year=2200), "ends_at"),
    ],
)
def test_meeting_times_are_bounded_to_sensible_years(tree, starts_at, field):
    with pytest.raises(AppError) as exc:
        services.meeting_plan(
            actor=None,
            org=tree.branch_a,
            kind="theme_day",
            topic="主题党日",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
        )
    assert exc.value.field == field and "2200" in exc.value.message
    assert Meeting.all_objects.count() == 0


def test_the_api_answers_a_year_9999_with_400(client, tree, personas):
    client.force_login(personas.secretary_a)
    payload = {
        "org_id": tree.branch_a.pk,
        "kind": "theme_day",
        "topic": "主题党日",
        "starts_at": "9999-12-31T20:00:00+00:00",
        "ends_at": "9999-12-31T21:00:00+00:00",
    }
    response = client.post("/api/orglife/meetings", payload, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "starts_at"


# ---------------------------------------------------------------------------------------------
# A study session's time changed in orglife


def test_update_refuses_a_length_below_the_credited_hours(tree, points):
    session = make_session(tree.branch_a, at(3, 1), length_minutes=120, hours="2")
    meeting = session.meeting
    with pytest.raises(AppError) as exc:
        services.meeting_update(actor=None, meeting=meeting, ends_at=at(3, 1, 10, 30))
    assert exc.value.field == "ends_at" and "2.0学时" in exc.value.message
    with pytest.raises(AppError) as exc:
        services.meeting_update(actor=None, meeting=meeting, starts_at=at(3, 1, 10))
    assert exc.value.field == "starts_at"
    meeting.refresh_from_db()
    assert meeting.ends_at == at(3, 1, 11) and points == []
    # as long as the hours, or longer, is fine; a meeting without a session is not held to it
    services.meeting_update(actor=None, meeting=meeting, starts_at=at(3, 1, 8, 30))
    other = services.meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="theme_day",
        topic="主题党日",
        starts_at=at(3, 2),
        ends_at=at(3, 2, 11),
    )
    services.meeting_update(actor=None, meeting=other, ends_at=at(3, 2, 9, 10))


def test_moving_a_planned_session_rebuilds_the_points_of_the_old_and_new_year(tree, points):
    me = tree.members_a[0]
    session = make_session(tree.branch_a, at(12, 31, 9), hours="2")
    Attendance.all_objects.filter(meeting=session.meeting, member=me).update(status="present")
    services.meeting_update(
        actor=None,
        meeting=session.meeting,
        starts_at=at(1, 2, 9, year=2025),
        ends_at=at(1, 2, 11, year=2025),
    )
    assert points == [([me.pk], 2024), ([me.pk], 2025)]
    points.clear()
    services.meeting_update(actor=None, meeting=session.meeting, topic="改题目")
    assert points == []


def test_correcting_an_archived_session_checks_the_hours_and_rebuilds_points(tree, points):
    a = tree.members_a
    session = make_session(tree.branch_a, at(3, 1), length_minutes=180, hours="3")
    record(session.meeting, a[:2])
    meeting = services.meeting_archive(actor=None, meeting=session.meeting)
    points.clear()
    with pytest.raises(AppError) as exc:
        services.meeting_correct(
            actor=None, meeting=meeting, reason="时间登记错误", ends_at=at(3, 1, 11)
        )
    assert exc.value.field == "ends_at" and "3.0学时" in exc.value.message
    assert meeting.corrections.count() == 0
    correction = services.meeting_correct(
        actor=None,
        meeting=meeting,
        reason="日期登记错误",
        starts_at=at(3, 8, 9),
        ends_at=at(3, 8, 12),
    )
    assert correction is not None and points == [([a[0].pk, a[1].pk], 2024)]
    assert StudySession.all_objects.get(pk=session.pk).hours == 3


# ---------------------------------------------------------------------------------------------
# Counting


def test_attendance_counts_are_counted_in_sql(tree):
    a = tree.members_a
    first = make_session(tree.party_group_a, at(3, 1))  # 8 expected
    record(first.meeting, a[:3], absent=a[3:4])
    second = make_session(tree.branch_c, at(3, 2))
    with CaptureQueriesContext(connection) as ctx:
        counts = selectors.attendance_counts([first.meeting, second.meeting])
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" in sql and "GROUP BY" in sql
    assert counts[first.meeting.pk] == {"expected": 8, "present": 3, "leave": 4, "absent": 1}
    assert counts[second.meeting.pk] == {"expected": 2, "present": 0, "leave": 0, "absent": 0}
    assert selectors.attendance_counts([]) == {}
