"""The study API for plans, sessions, hours, trainings and statistics: the same services and
selectors as the pages; refusals as 400 {"detail", "field"} with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.orglife.models import Meeting
from dangjian.study import services_sessions as services
from dangjian.study.models import PlanItem, StudySession, Training
from tests.study.conftest import YEAR, at, make_session, record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(client, personas):
    client.force_login(personas.secretary_a)
    return client


def _post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_plans_and_items(api, tree):
    response = _post(
        api, "/api/study/plans", {"org_id": tree.branch_a.pk, "year": YEAR, "title": "计划"}
    )
    assert response.status_code == 200, response.content
    plan = response.json()
    assert (plan["year"], plan["can_edit"], plan["items"]) == (YEAR, True, [])
    url = f"/api/study/plans/{plan['id']}/items"
    bad = _post(api, url, {"month": 3, "topic": "学习", "form": "guided", "hours": "0"})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "计划学时应大于0。", "field": "hours"}
    assert PlanItem.all_objects.count() == 0
    ok = _post(api, url, {"month": 3, "topic": "学习", "form": "guided", "hours": "1.5"})
    assert ok.status_code == 201 and ok.json()["hours"] == "1.5"
    detail = api.get(f"/api/study/plans/{plan['id']}").json()
    assert [i["topic"] for i in detail["items"]] == ["学习"]
    listed = api.get(f"/api/study/plans?year={YEAR}").json()
    assert listed["count"] == 1
    assert api.delete(f"{url}/{ok.json()['id']}").status_code == 204
    assert PlanItem.all_objects.count() == 0


def test_create_and_read_a_session(api, tree):
    payload = {
        "org_id": tree.branch_a.pk,
        "form": "report",
        "topic": "报告会",
        "starts_at": "2024-06-01T09:00:00",  # no offset: Beijing time
        "ends_at": "2024-06-01T10:00:00",
        "hours": "1.5",
    }
    bad = _post(api, "/api/study/sessions", payload)
    assert bad.status_code == 400 and bad.json()["field"] == "hours"
    assert Meeting.all_objects.count() == 0
    response = _post(api, "/api/study/sessions", {**payload, "hours": "1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["hours"], body["expected"]) == (
        "study_session",
        "planned",
        "1.0",
        5,
    )
    assert dt.datetime.fromisoformat(body["starts_at"]) == at(6, 1, 9)
    assert (
        api.get(f"/api/study/sessions/{body['id']}").json()["sign_in_code"] == body["sign_in_code"]
    )
    listed = api.get(f"/api/study/sessions?org={tree.branch_a.pk}&year=2024&limit=1").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


def test_session_with_a_plan_item_of_another_org_is_refused(api, tree):
    plan = services.plan_save(actor=None, org=tree.branch_b, year=YEAR, title="二支部")
    item = services.plan_item_add(
        actor=None, plan=plan, month=6, topic="t", form="guided", mode="online", hours="1"
    )
    response = _post(
        api,
        "/api/study/sessions",
        {
            "org_id": tree.branch_a.pk,
            "form": "guided",
            "topic": "导学",
            "starts_at": "2024-06-01T09:00:00+08:00",
            "ends_at": "2024-06-01T10:00:00+08:00",
            "hours": "1",
            "plan_item_id": item.pk,
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "plan_item"
    assert StudySession.all_objects.count() == 0


def test_hours_of_an_org_and_of_oneself(api, client, personas, tree):
    session = make_session(tree.branch_a, at(3, 1), hours="2")
    record(session.meeting, tree.members_a[:2])
    body = api.get(f"/api/study/hours?org={tree.branch_a.pk}&year={YEAR}&limit=2").json()
    assert body["count"] == 5 and len(body["items"]) == 2
    first = body["items"][0]
    assert (first["required"], first["earned"], first["shortfall"], first["met"]) == (
        32,
        "0.0",
        "32.0",
        False,
    )
    short = api.get(f"/api/study/hours?org={tree.branch_a.pk}&year={YEAR}&short=true").json()
    assert short["count"] == 5
    client.force_login(personas.member_a)
    mine = client.get(f"/api/study/hours/me?year={YEAR}").json()
    assert (mine["earned"], mine["required"], len(mine["sessions"])) == ("2.0", 32, 1)
    assert mine["sessions"][0]["meeting_id"] == session.meeting_id


def test_trainings_submitted_and_decided(api, client, personas, tree, media):
    client.force_login(personas.member_a)
    form = {
        "title": "网络培训",
        "provider": "干部网络学院",
        "kind": "online",
        "started_on": "2024-05-01",
        "ended_on": "2024-05-02",
        "hours": "10",
    }
    missing = client.post("/api/study/trainings", form)
    assert missing.status_code == 400 and missing.json()["field"] == "proof"
    response = client.post(
        "/api/study/trainings", {**form, "proof": SimpleUploadedFile("证书.pdf", PDF)}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["has_proof"]) == ("submitted", True)
    # somebody else's training through the API: 404
    other = client.post("/api/study/trainings", {**form, "member_id": tree.members_a[2].pk})
    assert other.status_code == 404
    client.force_login(personas.secretary_a)
    url = f"/api/study/trainings/{body['id']}/decision"
    refused = _post(client, url, {"approve": False})
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    done = _post(client, url, {"approve": True})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    recorded = client.post("/api/study/trainings", {**form, "member_id": tree.members_a[2].pk})
    assert recorded.status_code == 201 and recorded.json()["status"] == "approved"
    too_many = client.post(
        "/api/study/trainings", {**form, "member_id": tree.members_a[2].pk, "hours": "49"}
    )
    assert too_many.status_code == 400 and too_many.json()["field"] == "hours"
    assert Training.all_objects.count() == 2


def test_stats(api, tree):
    session = make_session(tree.branch_a, at(3, 1))
    record(session.meeting, tree.members_a[:4])
    rows = api.get(f"/api/study/stats?org={tree.branch_a.pk}&date_from=2024-01-01").json()
    assert rows == [
        {"unit_id": tree.unit_a.pk, "name": "甲局", "sessions": 1, "person_times": 4},
        {"unit_id": None, "name": "合计", "sessions": 1, "person_times": 4},
    ]
    url = f"/api/study/stats?org={tree.branch_a.pk}"
    bad = api.get(f"{url}&date_from=2024-12-01&date_to=2024-01-01")
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"
    assert api.get("/api/study/stats?date_from=2024-02-30").status_code == 422


def test_the_schema_lists_the_study_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("plans", "sessions", "hours/me", "stats", "trainings"):
        assert f"/api/study/{path}" in paths, path


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_to=9999-12-31", "date_to"),
        ("date_from=0001-01-01", "date_from"),
        ("date_from=1999-12-31&date_to=2024-12-31", "date_from"),
        ("date_from=2024-01-01&date_to=2201-01-01", "date_to"),
    ],
)
def test_stats_dates_are_bounded(api, tree, query, field):
    """Year 1 and 9999 overflowed the day bounds (a 500)."""
    response = api.get(f"/api/study/stats?org={tree.branch_a.pk}&{query}")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and "2000" in response.json()["detail"]


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("9999-12-31T22:00:00", "9999-12-31T23:00:00", "starts_at"),
        ("9999-12-31T22:00:00+00:00", "9999-12-31T23:00:00+00:00", "starts_at"),
        ("0001-01-01T09:00:00", "0001-01-01T10:00:00", "starts_at"),
        ("2024-06-01T09:00:00", "9999-06-01T10:00:00", "ends_at"),
    ],
)
def test_session_years_are_bounded(api, tree, starts_at, ends_at, field):
    payload = {
        "org_id": tree.branch_a.pk,
        "form": "guided",
        "topic": "导学",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "hours": "1",
    }
    response = _post(api, "/api/study/sessions", payload)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert Meeting.all_objects.count() == 0


def test_sessions_of_the_whole_city_are_refused(client, personas, tree):
    client.force_login(personas.committee_admin)
    payload = {
        "org_id": tree.root.pk,
        "form": "report",
        "topic": "报告会",
        "starts_at": "2024-06-01T09:00:00+08:00",
        "ends_at": "2024-06-01T10:00:00+08:00",
        "hours": "1",
    }
    response = _post(client, "/api/study/sessions", payload)
    assert response.status_code == 400 and response.json()["field"] == "org"
    assert Meeting.all_objects.count() == 0


def test_training_year_1_and_duplicates_are_400(api, tree):
    form = {
        "member_id": tree.members_a[2].pk,
        "title": "网络培训",
        "provider": "干部网络学院",
        "kind": "online",
        "started_on": "0001-01-01",
        "ended_on": "0001-01-02",
        "hours": "10",
    }
    old = api.post("/api/study/trainings", form)
    assert old.status_code == 400 and old.json()["field"] == "started_on"
    form.update(started_on="2024-05-01", ended_on="2024-05-02")
    assert api.post("/api/study/trainings", form).status_code == 201
    again = api.post("/api/study/trainings", form)
    assert again.status_code == 400 and again.json()["field"] == "title"
    assert "该培训已登记" in again.json()["detail"]
    assert Training.all_objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("secretary_a", 200),
        ("unit_admin", 200),
        ("committee_admin", 200),
        ("secretary_b", 404),
        ("member_a", 404),  # the member himself: his own training, no study role
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_revoke_training_endpoint(client, personas, tree, persona, status):
    training = services.training_submit(
        actor=None,
        member=personas.member_a.member,
        title="党校轮训",
        provider="市委党校",
        kind="party_school",
        started_on=dt.date(YEAR, 5, 6),
        ended_on=dt.date(YEAR, 5, 6),
        hours="8",
    )
    client.force_login(personas.by_name(persona))
    url = f"/api/study/trainings/{training.pk}/revoke"
    response = _post(client, url, {"reason": "证明材料不实"})
    assert response.status_code == status, response.content
    training.refresh_from_db()
    if status == 200:
        assert response.json()["status"] == "rejected" == training.status
        assert response.json()["reject_reason"] == "证明材料不实"
        again = _post(client, url, {"reason": "再次"})
        assert again.status_code == 400
    else:
        assert training.status == "approved"
