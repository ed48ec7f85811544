"""Orglife API: meetings list and detail (scoped), plan, sign-in; error shapes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.services import api_token_create
from dangjian.core.models import AuditEntry
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)


def _meeting(tree, org=None, start=START):
    return services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind="theme_day",
        topic="主题党日",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


def test_list_is_scoped_and_paginated(client, tree, personas, bearer):
    _meeting(tree)
    _meeting(tree, org=tree.branch_b)
    body = client.get("/api/orglife/meetings", **bearer("unit_admin")).json()
    assert body["count"] == 2
    body = client.get("/api/orglife/meetings", **bearer("secretary_b")).json()
    assert [m["org_id"] for m in body["items"]] == [tree.branch_b.pk]
    body = client.get("/api/orglife/meetings?limit=1", **bearer("unit_admin")).json()
    assert len(body["items"]) == 1 and body["count"] == 2
    assert client.get("/api/orglife/meetings", **bearer("member_a")).status_code == 404
    assert client.get("/api/orglife/meetings", **bearer("auditor")).status_code == 404
    assert client.get("/api/orglife/meetings").status_code == 401
    r = client.get(f"/api/orglife/meetings?org={tree.branch_a.pk}", **bearer("secretary_b"))
    assert r.status_code == 404
    r = client.get("/api/orglife/meetings?kind=picnic", **bearer("unit_admin"))
    assert r.status_code == 422 and r.json()["detail"] == "请求数据有误"


def test_detail_with_attendance(client, tree, personas, bearer):
    meeting = _meeting(tree)
    r = client.get(f"/api/orglife/meetings/{meeting.pk}", **bearer("secretary_a"))
    assert r.status_code == 200
    body = r.json()
    assert body["expected"] == 5 and body["present"] == 0
    assert {a["member_name"] for a in body["attendance"]} == {m.name for m in tree.members_a}
    assert body["kind_label"] == "主题党日" and body["sign_in_code"] == meeting.sign_in_code
    r = client.get(f"/api/orglife/meetings/{meeting.pk}", **bearer("secretary_b"))
    assert r.status_code == 404 and r.json() == {"detail": "未找到"}


def test_plan_through_the_api(client, tree, personas, bearer):
    payload = {
        "org_id": tree.branch_a.pk,
        "kind": "party_lesson",
        "topic": "党课：党的历史",
        "starts_at": "2025-06-01T09:00:00",
        "ends_at": "2025-06-01T11:00:00",
        "chair_id": tree.members_a[0].pk,
    }
    r = client.post(
        "/api/orglife/meetings", payload, content_type="application/json", **bearer("secretary_a")
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["expected"] == 5 and body["chair_id"] == tree.members_a[0].pk
    meeting = Meeting.objects.unscoped().get(pk=body["id"])
    assert timezone.localtime(meeting.starts_at).hour == 9  # naive input read as Beijing time
    assert AuditEntry.objects.filter(action="orglife.meeting.planned").count() == 1
    # refusals: outsider 404, rule 400 with the field, bad input 422
    r = client.post(
        "/api/orglife/meetings", payload, content_type="application/json", **bearer("secretary_b")
    )
    assert r.status_code == 404
    bad = payload | {"ends_at": "2025-06-01T08:00:00"}
    r = client.post(
        "/api/orglife/meetings", bad, content_type="application/json", **bearer("secretary_a")
    )
    assert r.status_code == 400 and r.json()["field"] == "ends_at"
    r = client.post(
        "/api/orglife/meetings",
        payload | {"topic": ""},
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 422
    assert Meeting.objects.unscoped().count() == 1


def test_sign_in_through_the_api(client, tree, personas, bearer):
    meeting = _meeting(tree, start=timezone.now() - dt.timedelta(minutes=1))
    r = client.post(
        "/api/orglife/sign-in",
        {"code": meeting.sign_in_code},
        content_type="application/json",
        **bearer("member_a"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["meeting_id"] == meeting.pk
    assert Attendance.objects.unscoped().get(meeting=meeting, member=tree.members_a[1]).status == (
        "present"
    )
    r = client.post(
        "/api/orglife/sign-in",
        {"code": meeting.sign_in_code},
        content_type="application/json",
        **bearer("member_a"),
    )
    assert r.status_code == 400 and r.json()["detail"] == "您已签到。"
    r = client.post(
        "/api/orglife/sign-in",
        {"code": meeting.sign_in_code},
        content_type="application/json",
        **bearer("secretary_b"),
    )
    assert r.status_code == 400 and "签到码无效" in r.json()["detail"]
    r = client.post("/api/orglife/sign-in", {"code": "X"}, content_type="application/json")
    assert r.status_code == 401
