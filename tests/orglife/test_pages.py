"""Meeting pages: list, plan, detail (QR code), record, archive, correct, make-up study,
resolutions, and the phone sign-in page; who may open which."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)


def _meeting(tree, start=START, org=None, kind="theme_day"):
    return services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind=kind,
        topic="学习二十大精神",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 200),
        ("member_a", 404),
        ("secretary_b", 404),
        ("auditor", 404),
        ("security_admin", 404),
        ("system_admin", 404),
        ("judge", 404),
        ("outsider", 404),
    ],
)
def test_meeting_detail_by_persona(client, tree, personas, persona, status):
    meeting = _meeting(tree)
    assert (
        _as(client, personas, persona).get(f"/orglife/meetings/{meeting.pk}/").status_code == status
    )


@pytest.mark.parametrize(
    ("persona", "list_status", "plan_status"),
    [
        ("secretary_a", 200, 200),
        ("unit_admin", 200, 200),
        ("secretary_b", 200, 404),
        ("member_a", 404, 404),
        ("auditor", 404, 404),
        ("security_admin", 404, 404),
        ("system_admin", 404, 404),
    ],
)
def test_list_and_plan_by_persona(client, tree, personas, persona, list_status, plan_status):
    c = _as(client, personas, persona)
    assert c.get("/orglife/").status_code == list_status
    assert c.get(f"/orglife/orgs/{tree.branch_a.pk}/plan/").status_code == plan_status


def test_secretary_b_sees_only_branch_b_meetings(client, tree, personas):
    _meeting(tree)
    _meeting(tree, org=tree.branch_b)
    response = _as(client, personas, "secretary_b").get("/orglife/")
    assert [m.org for m, _ in response.context["rows"]] == [tree.branch_b]
    assert (
        _as(client, personas, "secretary_b").get(f"/orglife/?org={tree.branch_a.pk}").status_code
        == 404
    )


def test_list_filters_and_counts(client, tree, personas):
    _meeting(tree)
    _meeting(tree, kind="party_lesson", start=START - dt.timedelta(days=400))
    c = _as(client, personas, "secretary_a")
    response = c.get("/orglife/", {"org": tree.branch_a.pk})
    assert response.context["can_plan"] is True
    assert len(response.context["rows"]) == 2
    rows = c.get("/orglife/", {"kind": "party_lesson"}).context["rows"]
    assert [m.kind for m, _ in rows] == ["party_lesson"]
    rows = c.get("/orglife/", {"year": "2025"}).context["rows"]
    assert [m.kind for m, _ in rows] == ["theme_day"]
    assert rows[0][1]["expected"] == 5
    # garbage filters are ignored, never a 500
    assert (
        c.get("/orglife/", {"kind": "x", "status": "y", "year": "abc", "page": "zz"}).status_code
        == 200
    )


def test_list_queries_do_not_grow_with_rows(client, tree, personas):
    c = _as(client, personas, "secretary_a")
    _meeting(tree)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/orglife/").status_code == 200
        return len(ctx)

    small = queries()
    for i in range(6):
        _meeting(tree, start=START - dt.timedelta(days=i + 1))
    assert queries() == small


def test_secretary_plans_through_the_form(client, tree, personas):
    c = _as(client, personas, "secretary_a")
    chair = tree.members_a[0]
    response = c.post(
        f"/orglife/orgs/{tree.branch_a.pk}/plan/",
        {
            "kind": "member_assembly",
            "topic": "接收预备党员",
            "starts_at": "2025-06-01T09:00",
            "ends_at": "2025-06-01T11:00",
            "place": "会议室",
            "chair": str(chair.pk),
        },
    )
    meeting = Meeting.objects.unscoped().get()
    assert response.status_code == 302 and response.url == f"/orglife/meetings/{meeting.pk}/"
    assert meeting.chair == chair and meeting.attendances.count() == 5
    # a refusal lands on the form, nothing written
    response = c.post(
        f"/orglife/orgs/{tree.branch_a.pk}/plan/",
        {
            "kind": "member_assembly",
            "topic": "x",
            "starts_at": "2025-06-01T09:00",
            "ends_at": "2025-06-01T08:00",
        },
    )
    assert response.status_code == 200
    assert "结束时间须晚于开始时间" in response.content.decode()
    assert Meeting.objects.unscoped().count() == 1


def test_detail_shows_roster_counts_code_and_qr(client, tree, personas):
    meeting = _meeting(tree)
    body = (
        _as(client, personas, "secretary_a")
        .get(f"/orglife/meetings/{meeting.pk}/")
        .content.decode()
    )
    assert meeting.sign_in_code in body
    assert "<svg" in body and f"/orglife/sign-in/{meeting.sign_in_code}/" in body
    assert body.count('data-testid="attendance-row"') == 5
    assert "应到" in body and "登记召开情况" in body


def test_record_archive_correct_through_the_pages(client, tree, personas):
    meeting = _meeting(tree)
    c = _as(client, personas, "secretary_a")
    a = tree.members_a
    data = {f"status_{m.pk}": "present" for m in a}
    data |= {f"status_{a[4].pk}": "leave", f"reason_{a[4].pk}": "", "minutes": "学习了报告"}
    response = c.post(f"/orglife/meetings/{meeting.pk}/record/", data)
    assert response.status_code == 200
    assert "请填写请假原因" in response.content.decode()
    data[f"reason_{a[4].pk}"] = "病假"
    data["recorder"] = str(a[1].pk)
    response = c.post(f"/orglife/meetings/{meeting.pk}/record/", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.recorder == a[1]
    assert Attendance.objects.unscoped().get(meeting=meeting, member=a[4]).reason == "病假"

    assert c.post(f"/orglife/meetings/{meeting.pk}/archive/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "archived"
    # the record page now sends to the correction form
    assert (
        c.get(f"/orglife/meetings/{meeting.pk}/record/").url
        == f"/orglife/meetings/{meeting.pk}/correct/"
    )
    assert c.get(f"/orglife/meetings/{meeting.pk}/correct/").status_code == 200
    response = c.post(
        f"/orglife/meetings/{meeting.pk}/correct/",
        {
            "topic": meeting.topic,
            "starts_at": "2025-05-10T09:00",
            "ends_at": "2025-05-10T11:00",
            "place": "三楼会议室",
            "minutes": "学习了报告，并讨论。",
            "recorder": str(a[1].pk),
            "reason": "补充讨论情况",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "学习了报告，并讨论。"
    correction = meeting.corrections.get()
    assert set(correction.changes) == {"minutes"}
    body = c.get(f"/orglife/meetings/{meeting.pk}/").content.decode()
    assert "补充讨论情况" in body


def test_secretary_b_cannot_write_to_branch_a(client, tree, personas):
    meeting = _meeting(tree)
    c = _as(client, personas, "secretary_b")
    for url in ("record/", "archive/", "correct/", "makeups/", "resolutions/"):
        assert c.post(f"/orglife/meetings/{meeting.pk}/{url}", {}).status_code == 404
    assert c.post(f"/orglife/orgs/{tree.branch_a.pk}/plan/", {}).status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="orglife.meeting.recorded").exists()


def test_makeup_and_resolution_forms_on_the_detail_page(client, tree, personas):
    meeting = _meeting(tree)
    a = tree.members_a
    services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={m.pk: ("present", "") for m in a[:4]} | {a[4].pk: ("absent", "")},
        minutes="记录",
    )
    c = _as(client, personas, "secretary_a")
    url = f"/orglife/meetings/{meeting.pk}/"
    body = c.get(url).content.decode()
    assert 'data-testid="makeup-form"' in body and 'data-testid="resolution-form"' in body
    r = c.post(url + "makeups/", {"member": a[4].pk, "due_on": "2025-06-01"})
    assert r.status_code == 302
    makeup = meeting.makeups.get()
    # a refused post answers with a message and a redirect, nothing written
    r = c.post(url + "makeups/", {"member": a[1].pk, "due_on": "2025-06-01"})
    assert r.status_code == 302 and meeting.makeups.count() == 1
    r = c.post(url + "makeups/", {"member": a[4].pk, "due_on": "not a date"})
    assert r.status_code == 302 and meeting.makeups.count() == 1
    assert c.post(url + f"makeups/{makeup.pk}/complete/", {"note": "自学"}).status_code == 302
    makeup.refresh_from_db()
    assert makeup.completed_at is not None
    c.post(url + "resolutions/", {"text": "开展志愿服务", "owner": a[0].pk, "due_on": "2025-07-01"})
    res = meeting.resolutions.get()
    c.post(url + f"resolutions/{res.pk}/progress/", {"note": "已联系社区"})
    c.post(url + f"resolutions/{res.pk}/close/", {"status": "done", "note": ""})
    res.refresh_from_db()
    assert res.status == "done" and res.updates.count() == 1
    assert c.post(url + "resolutions/999999/close/", {"status": "done"}).status_code == 404
    assert c.post(url + "makeups/999999/complete/", {"note": "x"}).status_code == 404


# --- sign-in ----------------------------------------------------------------------------------


def test_member_signs_in_from_the_qr_link(client, tree, personas):
    meeting = _meeting(tree, start=timezone.now() - dt.timedelta(minutes=5))
    c = _as(client, personas, "member_a")
    response = c.get(f"/orglife/sign-in/{meeting.sign_in_code}/")
    assert response.status_code == 200
    assert meeting.topic in response.content.decode()
    response = c.post(f"/orglife/sign-in/{meeting.sign_in_code}/", {"code": meeting.sign_in_code})
    assert response.status_code == 200
    assert 'data-testid="sign-in-done"' in response.content.decode()
    row = Attendance.objects.unscoped().get(meeting=meeting, member=tree.members_a[1])
    assert row.status == "present"
    response = c.post("/orglife/sign-in/", {"code": meeting.sign_in_code})
    assert "您已签到" in response.content.decode()


def test_sign_in_page_refusals(client, tree, personas):
    meeting = _meeting(tree, start=timezone.now() - dt.timedelta(minutes=20))
    c = _as(client, personas, "member_a")
    response = c.post("/orglife/sign-in/", {"code": meeting.sign_in_code})
    assert "请填写迟到原因" in response.content.decode()
    response = c.post("/orglife/sign-in/", {"code": "ZZZZZZ"})
    assert "签到码无效" in response.content.decode()
    # secretary_b is a member of branch B: not on A's roster, and the page names no meeting
    c = _as(client, personas, "secretary_b")
    response = c.get(f"/orglife/sign-in/{meeting.sign_in_code}/")
    assert meeting.topic not in response.content.decode()
    response = c.post("/orglife/sign-in/", {"code": meeting.sign_in_code})
    assert "签到码无效" in response.content.decode()  # no hint that the meeting exists
    assert not Attendance.objects.unscoped().filter(status="present").exists()


@pytest.mark.parametrize("persona", ["auditor", "security_admin", "system_admin", "outsider"])
def test_accounts_without_a_member_get_no_sign_in_page(client, tree, personas, persona):
    assert _as(client, personas, persona).get("/orglife/sign-in/").status_code == 404


def test_sign_in_needs_a_login(client, tree):
    response = client.get("/orglife/sign-in/ABCDEF/")
    assert response.status_code == 302 and "login" in response.url
