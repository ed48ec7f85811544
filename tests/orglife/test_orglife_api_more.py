"""Orglife API, second part: record a meeting, correct an archived one, the compliance grid;
scoping (404 outside the caller's subtree), refusals (400 with the field, 422) and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.services import api_token_create
from dangjian.core.models import AuditEntry
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting, MeetingCorrection

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)
JSON = "application/json"


def _meeting(tree, org=None, start=START, kind="theme_day"):
    return services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind=kind,
        topic="主题党日",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


def _all_present(tree):
    return [{"member_id": m.pk, "status": "present"} for m in tree.members_a]


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


# --- record ------------------------------------------------------------------------------------


def test_record_through_the_api(client, tree, personas, bearer):
    meeting = _meeting(tree)
    a = tree.members_a
    attendance = _all_present(tree)
    attendance[1] = {"member_id": a[1].pk, "status": "leave", "reason": "出差"}
    attendance[2] = {"member_id": a[2].pk, "status": "absent"}
    payload = {
        "attendance": attendance,
        "minutes": "学习了党章。",
        "chair_id": a[0].pk,
        "recorder_id": a[3].pk,
    }
    url = f"/api/orglife/meetings/{meeting.pk}/record"
    r = client.post(url, payload, content_type=JSON, **bearer("secretary_a"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "held" and body["minutes"] == "学习了党章。"
    assert (body["expected"], body["present"], body["leave"], body["absent"]) == (5, 3, 1, 1)
    assert body["chair_id"] == a[0].pk and body["recorder_id"] == a[3].pk
    leave = next(x for x in body["attendance"] if x["member_id"] == a[1].pk)
    assert leave["status"] == "leave" and leave["reason"] == "出差"
    entry = AuditEntry.objects.get(action="orglife.meeting.recorded")
    assert entry.changes["present"] == 3 and entry.changes["leave"] == 1


def test_record_is_scoped(client, tree, personas, bearer):
    meeting = _meeting(tree)
    payload = {"attendance": _all_present(tree), "minutes": "记录"}
    url = f"/api/orglife/meetings/{meeting.pk}/record"
    for name in ("secretary_b", "member_a"):
        r = client.post(url, payload, content_type=JSON, **bearer(name))
        assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    assert client.post(url, payload, content_type=JSON).status_code == 401
    r = client.post(
        "/api/orglife/meetings/999999/record", payload, content_type=JSON, **bearer("secretary_a")
    )
    assert r.status_code == 404
    assert Meeting.objects.unscoped().get(pk=meeting.pk).status == "planned"
    assert not AuditEntry.objects.filter(action="orglife.meeting.recorded").exists()


def test_record_refusals_name_the_field(client, tree, personas, bearer):
    meeting = _meeting(tree)
    a = tree.members_a
    url = f"/api/orglife/meetings/{meeting.pk}/record"
    headers = bearer("secretary_a")

    def post(payload):
        return client.post(url, payload, content_type=JSON, **headers)

    # leave without a reason
    att = _all_present(tree)
    att[1] = {"member_id": a[1].pk, "status": "leave"}
    r = post({"attendance": att, "minutes": "记录"})
    assert r.status_code == 400
    assert r.json()["field"] == f"reason_{a[1].pk}" and "请假原因" in r.json()["detail"]
    # a roster member left out
    r = post({"attendance": _all_present(tree)[1:], "minutes": "记录"})
    assert r.status_code == 400 and r.json()["field"] == f"status_{a[0].pk}"
    assert "出席情况" in r.json()["detail"]
    # someone not on the roster
    outsider = tree.members_b[0]
    r = post(
        {
            "attendance": [*_all_present(tree), {"member_id": outsider.pk, "status": "present"}],
            "minutes": "记录",
        }
    )
    assert r.status_code == 400 and r.json()["field"] == f"status_{outsider.pk}"
    # the same member twice
    r = post({"attendance": [*_all_present(tree), _all_present(tree)[0]], "minutes": "记录"})
    assert r.status_code == 400 and r.json()["detail"] == "同一人员重复登记。"
    # empty minutes: a rule (400), missing minutes / unknown status: malformed (422)
    r = post({"attendance": _all_present(tree), "minutes": "  "})
    assert r.status_code == 400 and r.json()["field"] == "minutes"
    r = post({"attendance": _all_present(tree)})
    assert r.status_code == 422 and r.json()["detail"] == "请求数据有误"
    assert r.json()["errors"][0]["message"] == "缺少必填字段"
    bad = _all_present(tree)
    bad[0]["status"] = "asleep"
    r = post({"attendance": bad, "minutes": "记录"})
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "取值不在允许范围内"
    # chair not on the roster
    r = post({"attendance": _all_present(tree), "minutes": "记录", "chair_id": a[0].pk + 1000})
    assert r.status_code == 404
    # nothing was written
    assert Meeting.objects.unscoped().get(pk=meeting.pk).status == "planned"
    assert set(
        Attendance.objects.unscoped().filter(meeting=meeting).values_list("status", flat=True)
    ) == {"expected"}
    assert not AuditEntry.objects.filter(action="orglife.meeting.recorded").exists()


def test_record_refuses_a_future_meeting_and_an_archived_one(client, tree, personas, bearer):
    future = _meeting(tree, start=timezone.now() + dt.timedelta(days=2))
    payload = {"attendance": _all_present(tree), "minutes": "记录"}
    r = client.post(
        f"/api/orglife/meetings/{future.pk}/record",
        payload,
        content_type=JSON,
        **bearer("secretary_a"),
    )
    assert r.status_code == 400 and "尚未到" in r.json()["detail"]
    meeting = _meeting(tree)
    url = f"/api/orglife/meetings/{meeting.pk}/record"
    assert client.post(url, payload, content_type=JSON, **bearer("secretary_a")).status_code == 200
    services.meeting_archive(actor=None, meeting=meeting)
    r = client.post(url, payload, content_type=JSON, **bearer("secretary_a"))
    assert r.status_code == 400 and "已归档" in r.json()["detail"]


def test_record_adds_a_member_with_a_reason(client, tree, personas, bearer):
    meeting = _meeting(tree, start=START)
    late = services_member_joined_later(tree)
    url = f"/api/orglife/meetings/{meeting.pk}/record"
    att = [*_all_present(tree), {"member_id": late.pk, "status": "present"}]
    r = client.post(
        url,
        {"attendance": att, "minutes": "记录", "added": [{"member_id": late.pk}]},
        content_type=JSON,
        **bearer("secretary_a"),
    )
    assert r.status_code == 400 and r.json()["field"] == f"reason_{late.pk}"
    r = client.post(
        url,
        {
            "attendance": att,
            "minutes": "记录",
            "added": [{"member_id": late.pk, "reason": "会后转入"}],
        },
        content_type=JSON,
        **bearer("secretary_a"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["expected"] == 6


def services_member_joined_later(tree):
    """A member of branch A not on the roster of the meeting (joined after the day)."""
    from tests.conftest import member_data

    from dangjian.members.services import member_create

    return member_create(
        actor=None,
        branch=tree.branch_a,
        **member_data(name="郑十一", category="probationary", joined_on=dt.date(2025, 6, 1)),
    )


# --- correct (PATCH) -------------------------------------------------------------------------


def _archived(tree):
    meeting = _meeting(tree)
    services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={m.pk: ("present", "") for m in tree.members_a},
        minutes="原记录",
    )
    return services.meeting_archive(actor=None, meeting=meeting)


def test_patch_corrects_an_archived_meeting(client, tree, personas, bearer):
    meeting = _archived(tree)
    url = f"/api/orglife/meetings/{meeting.pk}"
    r = client.patch(
        url,
        {"reason": "笔误", "topic": "主题党日（更正）", "starts_at": "2025-05-10T10:00:00"},
        content_type=JSON,
        **bearer("secretary_a"),
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["topic"] == "主题党日（更正）" and body["status"] == "archived"
    assert timezone.localtime(dt.datetime.fromisoformat(body["starts_at"])).hour == 10
    correction = MeetingCorrection.objects.unscoped().get(meeting=meeting)
    assert correction.reason == "笔误" and set(correction.changes) == {"topic", "starts_at"}
    assert AuditEntry.objects.filter(action="orglife.meeting.corrected").count() == 1


def test_patch_refusals(client, tree, personas, bearer):
    meeting = _archived(tree)
    url = f"/api/orglife/meetings/{meeting.pk}"
    headers = bearer("secretary_a")
    r = client.patch(url, {"topic": "新主题"}, content_type=JSON, **headers)
    assert r.status_code == 400 and r.json()["field"] == "reason"
    assert r.json()["detail"] == "请填写更正原因。"
    r = client.patch(url, {"reason": "x", "topic": ""}, content_type=JSON, **headers)
    assert r.status_code == 400 and r.json()["field"] == "topic"
    r = client.patch(
        url, {"reason": "x", "ends_at": "2025-05-10T08:00:00"}, content_type=JSON, **headers
    )
    assert r.status_code == 400 and r.json()["field"] == "ends_at"
    r = client.patch(url, {"reason": "x", "starts_at": None}, content_type=JSON, **headers)
    assert r.status_code == 400 and r.json()["field"] == "starts_at"
    r = client.patch(url, {"reason": "x", "topic": 5}, content_type=JSON, **headers)
    assert r.status_code == 422
    r = client.patch(
        url, {"reason": "x", "topic": "新"}, content_type=JSON, **bearer("secretary_b")
    )
    assert r.status_code == 404
    r = client.patch(url, {"reason": "x", "topic": "新"}, content_type=JSON, **bearer("member_a"))
    assert r.status_code == 404
    # a planned meeting is simply changed (no correction), and audited
    planned = _meeting(tree)
    r = client.patch(
        f"/api/orglife/meetings/{planned.pk}",
        {"topic": "新主题", "place": "二楼会议室"},
        content_type=JSON,
        **headers,
    )
    assert r.status_code == 200, r.content
    planned.refresh_from_db()
    assert (planned.topic, planned.place) == ("新主题", "二楼会议室")
    entry = AuditEntry.objects.get(action="orglife.meeting.updated")
    assert entry.changes["topic"][1] == "新主题"
    assert not MeetingCorrection.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action="orglife.meeting.corrected").exists()
    assert Meeting.objects.unscoped().get(pk=meeting.pk).topic == "主题党日"


def test_a_held_meeting_is_changed_by_recording_not_by_patch(tree, personas):
    from dangjian.core.errors import AppError
    from dangjian.orglife import services as orglife_services

    planned = _meeting(tree)
    Meeting.objects.unscoped().filter(pk=planned.pk).update(status="held")
    planned.refresh_from_db()
    with pytest.raises(AppError, match="登记召开情况"):
        orglife_services.meeting_update(actor=None, meeting=planned, topic="新")
    with pytest.raises(AppError, match="只有已归档"):
        orglife_services.meeting_correct(actor=None, meeting=planned, reason="x", topic="新")


# --- compliance --------------------------------------------------------------------------------


def test_compliance_per_org_and_period(client, tree, personas, bearer):
    meeting = _meeting(tree)  # 2025-05-10, branch A
    services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={m.pk: ("present", "") for m in tree.members_a},
        minutes="记录",
    )
    r = client.get(
        f"/api/orglife/compliance?org={tree.organ_a.pk}&year=2025", **bearer("unit_admin")
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 2
    rows = {row["org_id"]: row for row in body["items"]}
    assert set(rows) == {tree.branch_a.pk, tree.branch_b.pk}
    a = {k["kind"]: k for k in rows[tree.branch_a.pk]["kinds"]}
    assert a["theme_day"]["kind_label"] == "主题党日"
    may = a["theme_day"]["periods"][4]
    assert may == {"start": "2025-05-01", "end": "2025-05-31", "status": "done"}
    assert len(a["theme_day"]["periods"]) == 12
    b = {k["kind"]: k for k in rows[tree.branch_b.pk]["kinds"]}
    assert b["theme_day"]["periods"][4]["status"] != "done"
    # paginated
    r = client.get(
        f"/api/orglife/compliance?org={tree.organ_a.pk}&year=2025&limit=1",
        **bearer("unit_admin"),
    )
    assert r.json()["count"] == 2 and len(r.json()["items"]) == 1


def test_compliance_is_scoped_and_validated(client, tree, personas, bearer):
    r = client.get(f"/api/orglife/compliance?org={tree.branch_a.pk}", **bearer("secretary_b"))
    assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    r = client.get(f"/api/orglife/compliance?org={tree.branch_b.pk}", **bearer("secretary_b"))
    assert r.status_code == 200
    assert [row["org_id"] for row in r.json()["items"]] == [tree.branch_b.pk]
    assert r.json()["items"][0]["year"] == timezone.localdate().year
    r = client.get(f"/api/orglife/compliance?org={tree.organ_a.pk}", **bearer("secretary_b"))
    assert r.status_code == 404
    r = client.get("/api/orglife/compliance", **bearer("unit_admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "org"
    r = client.get(
        f"/api/orglife/compliance?org={tree.branch_a.pk}&year=1800", **bearer("unit_admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "数值过小"
    assert client.get(f"/api/orglife/compliance?org={tree.branch_a.pk}").status_code == 401
