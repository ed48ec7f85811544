"""Observation meeting pages: who sees what (permission table), the planning forms, the
detail page (and its query count), the agenda, QR sign-in, the judge page, the live board
and the Word report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from tests.assessment.helpers_obs import (
    START,
    items_of,
    make_meeting,
    make_sheet,
    make_users,
    score_all,
    stops_of,
)

from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import (
    ObservationJudge,
    ObservationMeeting,
    ObservationTask,
    Participant,
    Stop,
)
from dangjian.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


@pytest.fixture
def meeting(tree, personas):
    """甲局's meeting: two stops (branch A, branch B), the `judge` persona and two more judges,
    member_a on the participants' list; live, judge 1 has submitted the first stop."""
    extra = make_users("j", 2)
    sheet = make_sheet(tree.root)
    m = make_meeting(
        tree,
        owner=tree.party_group_a,
        sheet=sheet,
        stops=[
            (tree.branch_a, "第一党支部展板", "board", 15),
            (tree.branch_b, "第二党支部活动室", "room", 20),
        ],
        judges=[personas.judge, *extra],
    )
    obs.participants_add(actor=None, meeting=m, users=[personas.member_a], names=["王老师"])
    m = obs.observation_start(actor=None, meeting=m)
    score_all(m, extra[0], stops_of(m)[0], ["9", "8", "18"])
    return m


def _url(name, meeting, **extra):
    from django.urls import reverse

    kwargs = {"pk": meeting.pk} | extra
    return reverse(f"observation:{name}", kwargs=kwargs)


MANAGERS = {"committee_admin", "unit_admin"}
OTHERS = {"secretary_a", "secretary_b", "auditor", "security_admin", "system_admin", "outsider"}


def _expected(page: str, persona: str) -> int:
    manage = persona in MANAGERS
    judge = persona == "judge"
    participant = persona == "member_a"
    if page == "detail":
        return 200 if manage else (302 if judge or participant else 404)
    if page == "agenda":
        return 200 if manage or judge or participant else 404
    if page in ("judge", "live", "live_board"):
        return 200 if manage or judge else 404
    return 200 if manage else 404  # edit, qr, report


@pytest.mark.parametrize("persona", sorted(MANAGERS | OTHERS | {"judge", "member_a"}))
@pytest.mark.parametrize(
    "page", ["detail", "edit", "agenda", "qr", "judge", "live", "live_board", "report"]
)
def test_permission_table(client, meeting, personas, page, persona):
    client.force_login(personas.by_name(persona))
    response = client.get(_url(page, meeting))
    assert response.status_code == _expected(page, persona), (page, persona)
    if response.status_code == 404:
        assert meeting.title.encode() not in response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("judge", 200),
        ("member_a", 200),
        ("secretary_a", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_list_permissions(client, meeting, personas, persona, status):
    client.force_login(personas.by_name(persona))
    response = client.get("/observation/")
    assert response.status_code == status
    if status == 200:
        assert meeting.title in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("committee_admin", 200), ("unit_admin", 200), ("judge", 404), ("secretary_a", 404)],
)
def test_create_page_permissions(client, tree, personas, persona, status):
    client.force_login(personas.by_name(persona))
    assert client.get("/observation/new/").status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/observation/999999/",
        "/observation/99999999999999999999/",
        "/observation/tasks/999999/",
        "/observation/999999/judge/",
    ],
)
def test_unknown_ids_are_404(client, personas, url):
    client.force_login(personas.committee_admin)
    assert client.get(url).status_code == 404


def test_manager_posts_to_a_meeting_he_does_not_manage_get_404(client, meeting, personas):
    client.force_login(personas.secretary_a)
    before = Stop.objects.unscoped().count()
    response = client.post(
        _url("stop_add", meeting), {"org": "1", "place": "x", "show_kind": "board"}
    )
    assert response.status_code == 404
    assert client.post(_url("close", meeting)).status_code == 404
    assert Stop.objects.unscoped().count() == before


def test_detail_shows_route_results_and_notes(client, meeting, personas):
    client.force_login(personas.committee_admin)
    body = client.get(_url("detail", meeting)).content.decode()
    assert "第一党支部展板" in body and "09:00—09:15" in body and "09:15—09:35" in body
    assert "已提交 1/3" in body and "点位得分" in body and "35.00" in body
    assert "共 2 人，已签到 0 人" in body
    assert "R-LOCAL-09" in body


def test_detail_query_count_does_not_grow_with_the_meeting(
    client, tree, personas, django_assert_max_num_queries
):
    small = make_meeting(tree, sheet=make_sheet(tree.root), judges=make_users("a", 2))
    users = make_users("b", 6)
    big = make_meeting(
        tree,
        sheet=small.sheet,
        judges=users,
        stops=[(tree.party_group_a, f"点位{i}", "board", 10) for i in range(8)],
    )
    obs.participants_add(actor=None, meeting=big, names=[f"参会{i}" for i in range(30)])
    big = obs.observation_start(actor=None, meeting=big)
    for stop in stops_of(big)[:3]:
        for user in users:
            score_all(big, user, stop, ["8", "8", "16"])
    obs.speech_add(actor=None, meeting=big, speaker="张局长")
    obs.task_add(
        actor=None, meeting=big, org=tree.branch_a, title="整改", due_on=dt.date(2022, 12, 1)
    )
    client.force_login(personas.committee_admin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("detail", small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("detail", big)).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(30):
        client.get(_url("detail", big))


def test_list_query_count(client, tree, personas, django_assert_max_num_queries):
    for i in range(12):
        make_meeting(tree, title=f"观摩会{i}", judges=make_users(f"u{i}-", 2))
    client.force_login(personas.committee_admin)
    with django_assert_max_num_queries(12):
        response = client.get("/observation/")
    assert response.content.decode().count('data-testid="observation-row"') == 12


def test_plan_through_the_pages(client, tree, personas):
    sheet = make_sheet(tree.root)
    client.force_login(personas.committee_admin)
    response = client.post(
        "/observation/new/",
        {
            "owner": tree.root.pk,
            "title": "2022年第三次现场观摩会",
            "theme": "赛党建、创清廉、推进共同缔造",
            "starts_at": "2022-11-01T09:00",
            "place": "市老年大学",
            "sheet": sheet.pk,
            "contest": "",
            "trim_min_judges": "5",
            "outlier_points": "10",
        },
    )
    meeting = ObservationMeeting.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == _url("detail", meeting)
    assert meeting.sheet == sheet and meeting.starts_at == START
    client.post(
        _url("stop_add", meeting),
        {
            "org": tree.party_group_b.pk,
            "place": "市老年大学门口",
            "show_kind": "board",
            "planned_minutes": "10",
        },
    )
    client.post(
        _url("stop_add", meeting),
        {
            "org": tree.party_group_a.pk,
            "place": "三楼书法室",
            "show_kind": "room",
            "planned_minutes": "20",
        },
    )
    stops = stops_of(meeting)
    assert [s.place for s in stops] == ["市老年大学门口", "三楼书法室"]
    client.post(_url("stop_move", meeting, stop_id=stops[1].pk), {"direction": "up"})
    assert [s.place for s in stops_of(meeting)] == ["三楼书法室", "市老年大学门口"]
    client.post(_url("judge_add", meeting), {"username": "judge", "affiliation": "工委"})
    judge = ObservationJudge.objects.unscoped().get(meeting=meeting)
    assert judge.user == personas.judge and judge.stops.count() == 2
    client.post(
        _url("participants_add", meeting),
        {"usernames": "member_a\nsecretary_a", "names": "王老师 市老年大学\n李主任"},
    )
    rows = Participant.objects.unscoped().filter(meeting=meeting)
    assert sorted(rows.values_list("name", flat=True)) == sorted(
        ["member_a", "secretary_a", "王老师", "李主任"]
    )
    assert rows.get(name="王老师").affiliation == "市老年大学"
    client.post(_url("start", meeting))
    meeting.refresh_from_db()
    assert meeting.status == "live"


def test_bad_posts_show_a_message_and_write_nothing(client, meeting, personas):
    client.force_login(personas.committee_admin)
    before = Stop.objects.unscoped().count()
    response = client.post(
        _url("stop_add", meeting),
        {"org": meeting.owner.pk, "place": "x", "show_kind": "board", "planned_minutes": "0"},
        HTTP_REFERER=_url("detail", meeting),
        follow=True,
    )
    assert "计划时长" in response.content.decode()
    assert Stop.objects.unscoped().count() == before
    response = client.post(
        _url("judge_add", meeting),
        {"username": "nobody"},
        HTTP_REFERER=_url("detail", meeting),
        follow=True,
    )
    assert "没有该账号" in response.content.decode()
    response = client.post(
        _url("participants_add", meeting),
        {"usernames": "ghost"},
        HTTP_REFERER=_url("detail", meeting),
        follow=True,
    )
    assert "没有这些账号：ghost" in response.content.decode()


def test_edit_page_shows_errors_at_the_field(client, meeting, personas):
    client.force_login(personas.committee_admin)
    response = client.post(
        _url("edit", meeting),
        {
            "title": "改名",
            "starts_at": "2022-11-01T09:00",
            "trim_min_judges": "5",
            "outlier_points": "10",
            "sheet": "",
        },
    )
    # the sheet cannot change once scores exist: said at the field, nothing saved
    assert response.status_code == 200
    assert "不能更换评分表" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "2022年第三次现场观摩会" and meeting.sheet_id is not None


def test_qr_page_and_sign_in_by_url(client, meeting, personas):
    client.force_login(personas.committee_admin)
    body = client.get(_url("qr", meeting)).content.decode()
    assert "<svg" in body and f"/observation/sign-in/{meeting.sign_in_code}/" in body
    assert "style=" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "确认签到" in body  # the QR page tells what to do once scanned
    client.force_login(personas.member_a)
    url = f"/observation/sign-in/{meeting.sign_in_code}/"
    # opening the URL shows the meeting and the button; only the button's POST signs in
    response = client.get(url)
    assert (
        response.status_code == 200 and 'data-testid="sign-in-confirm"' in response.content.decode()
    )
    row = Participant.objects.unscoped().get(meeting=meeting, user=personas.member_a)
    assert row.signed_in_at is None
    response = client.post(url)
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    row.refresh_from_db()
    assert row.signed_in_at is not None
    client.force_login(personas.secretary_a)
    response = client.post(url)
    assert response.status_code == 400
    assert "不在本次观摩会的参会人员名单中" in response.content.decode()
    client.logout()
    response = client.get(f"/observation/sign-in/{meeting.sign_in_code}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_judge_page_shows_his_stops_and_items(client, meeting, personas):
    client.force_login(personas.judge)
    body = client.get(_url("judge", meeting)).content.decode()
    assert body.count('data-testid="judge-card"') == 2
    assert body.count('data-testid="judge-item"') == 6
    assert "展板内容" in body and 'data-max="20.00"' in body
    assert "assessment/judge.js" in body and 'data-csrf="' in body
    # only his assigned stops
    judge = ObservationJudge.objects.unscoped().get(meeting=meeting, user=personas.judge)
    obs.judge_assign(actor=None, judge=judge, stops=[stops_of(meeting)[1]])
    body = client.get(_url("judge", meeting)).content.decode()
    assert body.count('data-testid="judge-card"') == 1 and "第二党支部活动室" in body


def test_live_board_ranks_units(client, meeting, personas):
    client.force_login(personas.judge)
    body = client.get(_url("live", meeting)).content.decode()
    assert 'hx-trigger="every 5s"' in body and _url("live_board", meeting) in body
    board = client.get(_url("live_board", meeting)).content.decode()
    assert "<html" not in board
    assert "第一党支部" in board and "87.50" in board  # 35 of 40 points
    assert "1/3" in board


def test_report_downloads_a_word_document_and_is_audited(client, meeting, personas):
    obs.speech_add(actor=None, meeting=meeting, speaker="张局长", title="老干部工作经验")
    obs.conclusions_set(actor=None, meeting=meeting, conclusions="推进书记赛党建")
    obs.task_add(
        actor=None,
        meeting=meeting,
        org=meeting.owner,
        title="完善标准化台账",
        due_on=dt.date(2022, 12, 31),
    )
    client.force_login(personas.unit_admin)
    response = client.get(_url("report", meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for expected in [
        "2022年第三次现场观摩会",
        "赛党建、创清廉、推进共同缔造",
        "第一党支部展板",
        "第二党支部活动室",
        "点位得分：35.00",
        "评委j1",
        "87.50",
        "张局长",
        "推进书记赛党建",
        "完善标准化台账",
        "参会人员 2 人，已签到 0 人",
    ]:
        assert expected in text, expected
    entry = AuditEntry.objects.get(action="assessment.observation_report.exported")
    assert entry.actor == personas.unit_admin and entry.changes["meeting"] == meeting.pk
    assert entry.org_path == meeting.owner_path


def test_task_page_for_the_responsible_unit(client, meeting, personas):
    task = obs.task_add(
        actor=None, meeting=meeting, org=meeting.owner, title="整改", due_on=dt.date(2022, 12, 1)
    )
    branch_task = ObservationTask.all_objects.create(
        meeting=meeting, org=stops_of(meeting)[0].org, title="支部任务", due_on=dt.date(2022, 12, 1)
    )
    url = f"/observation/tasks/{branch_task.pk}/"
    client.force_login(personas.secretary_b)
    assert client.get(url).status_code == 404
    client.force_login(personas.secretary_a)
    assert client.get(url).status_code == 200
    assert client.get(f"/observation/tasks/{task.pk}/").status_code == 404  # 甲局党组's
    response = client.post(url, {"note": "已完善", "done_on": "2022-11-20"})
    assert response.status_code == 302
    branch_task.refresh_from_db()
    assert branch_task.status == "done" and branch_task.done_on == dt.date(2022, 11, 20)


def test_close_then_detail_says_unsent_sheets_do_not_count(client, meeting, personas):
    judge_user = ObservationJudge.objects.unscoped().filter(meeting=meeting).last().user
    indicator = items_of(meeting.sheet)[0]
    obs.score_item_save(
        actor=judge_user, stop=stops_of(meeting)[1], indicator=indicator, points=Decimal("5")
    )
    client.force_login(personas.committee_admin)
    client.post(_url("close", meeting))
    body = client.get(_url("detail", meeting)).content.decode()
    assert "有 1 份评分表在结束时未提交，不计入结果" in body
