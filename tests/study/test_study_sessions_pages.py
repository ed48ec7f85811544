"""The pages and endpoints of plans, sessions, hours, trainings and statistics: who may open
which (one allowed/forbidden table per page and per endpoint: outsiders get 404, never 403,
members without a study role are sent to their own hours), writes refused to outsiders with
nothing written, and the pages' own behaviour (forms, errors at the field, exports,
bounded queries, no inline script or style)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.orglife.models import Meeting
from dangjian.study import services_sessions as services
from dangjian.study.models import PlanItem, StudyExemption, StudyPlan, StudySession, Training
from tests.conftest import PERSONA_NAMES
from tests.study.conftest import YEAR, at, make_session, record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MANAGERS_A = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200}
ALL_MANAGERS = {**MANAGERS_A, "secretary_b": 200}
LINKED = {"secretary_a": 200, "member_a": 200, "secretary_b": 200}
OUTSIDERS = ["member_a", "secretary_b", "judge", "auditor", "system_admin", "outsider"]


@pytest.fixture
def objects(tree, personas, media):
    from dangjian.orglife.services import meeting_plan

    plan_a = services.plan_save(actor=None, org=tree.branch_a, year=YEAR, title="一支部计划")
    item = services.plan_item_add(
        actor=None, plan=plan_a, month=3, topic="学习党章", form="guided", mode="online", hours="2"
    )
    spare = services.plan_item_add(
        actor=None, plan=plan_a, month=4, topic="备用", form="guided", mode="online", hours="1"
    )
    plan_unit = services.plan_save(actor=None, org=tree.party_group_a, year=YEAR, title="局计划")
    plan_c = services.plan_save(actor=None, org=tree.branch_c, year=YEAR, title="乙局计划")
    session_a = make_session(tree.branch_a, at(3, 5), plan_item=item)
    record(session_a.meeting, tree.members_a[:3])
    session_c = make_session(tree.branch_c, at(3, 6))
    lesson = meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="party_lesson",
        topic="党课",
        starts_at=at(4, 1, 14),
        ends_at=at(4, 1, 15, 30),
    )
    record(lesson, tree.members_a)
    training = services.training_submit(
        actor=personas.member_a,
        member=personas.member_a.member,
        title="网络培训",
        provider="学习平台",
        kind="online",
        started_on=dt.date(YEAR, 5, 1),
        ended_on=dt.date(YEAR, 5, 1),
        hours="4",
        proof=SimpleUploadedFile("证书.pdf", PDF),
    )
    exemption = services.exemption_grant(
        actor=None, member=tree.members_a[4], year=YEAR, reason="old"
    )
    return {
        "A": tree.branch_a.pk,
        "C": tree.branch_c.pk,
        "year": YEAR,
        "pa": plan_a.pk,
        "pu": plan_unit.pk,
        "pc": plan_c.pk,
        "item": item.pk,
        "spare": spare.pk,
        "sa": session_a.pk,
        "sc": session_c.pk,
        "lesson": lesson.pk,
        "m": tree.members_a[2].pk,
        "t": training.pk,
        "e": exemption.pk,
    }


# (name, url, {persona: status}); a persona not named answers 404
PAGES = [
    ("plans default", "/study/plans/", {**ALL_MANAGERS, "member_a": 302}),
    ("plans of A", "/study/plans/?org={A}&year={year}", {**MANAGERS_A, "member_a": 302}),
    ("plans of C", "/study/plans/?org={C}", {"committee_admin": 200, "member_a": 302}),
    ("plan of A", "/study/plans/{pa}/", MANAGERS_A),
    ("plan of the unit", "/study/plans/{pu}/", ALL_MANAGERS),  # the branches carry it out
    ("plan of C", "/study/plans/{pc}/", {"committee_admin": 200}),
    ("sessions of A", "/study/sessions/?org={A}&year={year}", {**MANAGERS_A, "member_a": 302}),
    ("new session", "/study/sessions/new/", ALL_MANAGERS),
    ("new session of A", "/study/sessions/new/?org={A}", MANAGERS_A),
    ("session of A", "/study/sessions/{sa}/", MANAGERS_A),
    ("session of C", "/study/sessions/{sc}/", {"committee_admin": 200}),
    ("attach", "/study/sessions/attach/{lesson}/", MANAGERS_A),
    ("hours default", "/study/hours/", {**ALL_MANAGERS, "member_a": 302}),
    ("hours of A", "/study/hours/?org={A}&year={year}&short=1", {**MANAGERS_A, "member_a": 302}),
    ("my hours", "/study/hours/me/?year={year}", LINKED),
    ("member hours", "/study/hours/members/{m}/?year={year}", MANAGERS_A),
    ("training form", "/study/trainings/new/", LINKED),
    ("training form for", "/study/trainings/new/?member={m}", MANAGERS_A),
    ("trainings", "/study/trainings/", ALL_MANAGERS),
    ("proof", "/study/trainings/{t}/proof/", {**MANAGERS_A, "member_a": 200}),
    ("stats of A", "/study/stats/?org={A}", {**MANAGERS_A, "member_a": 302}),
]


def _table(client, personas, objects, rows, call):
    wrong = []
    for name, url, table in rows:
        for persona in PERSONA_NAMES:
            client.force_login(personas.by_name(persona))
            response = call(client, url.format(**objects))
            expected = table.get(persona, 404)
            if response.status_code != expected:
                wrong.append((name, persona, response.status_code, expected))
    assert wrong == []


def test_page_table(client, personas, objects):
    _table(client, personas, objects, PAGES, lambda c, url: c.get(url))


API = [
    ("plans of A", "/api/study/plans?org={A}&year={year}", MANAGERS_A),
    ("plans", "/api/study/plans?year={year}", ALL_MANAGERS),
    ("plan of A", "/api/study/plans/{pa}", MANAGERS_A),
    ("plan of C", "/api/study/plans/{pc}", {"committee_admin": 200}),
    ("sessions of A", "/api/study/sessions?org={A}&year={year}", MANAGERS_A),
    ("session of A", "/api/study/sessions/{sa}", MANAGERS_A),
    ("hours of A", "/api/study/hours?org={A}&year={year}", MANAGERS_A),
    ("my hours", "/api/study/hours/me?year={year}", LINKED),
    ("stats of A", "/api/study/stats?org={A}", MANAGERS_A),
]


def test_api_table(client, personas, objects):
    def call(c, url):
        response = c.get(url)
        if response.status_code == 404:
            assert response.json() == {"detail": "未找到"}
        return response

    _table(client, personas, objects, API, call)


def _counts():
    return (
        StudyPlan.all_objects.count(),
        PlanItem.all_objects.count(),
        Meeting.all_objects.count(),
        StudySession.all_objects.count(),
        Training.all_objects.filter(status="submitted").count(),
        Training.all_objects.count(),
        StudyExemption.all_objects.count(),
        sorted(StudySession.all_objects.values_list("hours", flat=True)),
    )


WRITES = [
    ("plan", "/study/plans/", {"org": "{A}", "year": "2025", "title": "新计划"}),
    ("plan edit", "/study/plans/{pa}/", {"title": "改名"}),
    (
        "item",
        "/study/plans/{pa}/items/",
        {"month": "5", "topic": "t", "form": "guided", "mode": "online", "hours": "1"},
    ),
    ("item delete", "/study/plans/{pa}/items/{spare}/delete/", {}),
    (
        "session",
        "/study/sessions/new/",
        {
            "org": "{A}",
            "topic": "学习",
            "form": "concentrated",
            "mode": "in_person",
            "day": "2024-06-01",
            "start": "09:00",
            "end": "11:00",
            "hours": "2",
        },
    ),
    ("session edit", "/study/sessions/{sa}/", {"form": "guided", "mode": "online", "hours": "1"}),
    (
        "attach",
        "/study/sessions/attach/{lesson}/",
        {"form": "party_lesson", "mode": "in_person", "hours": "1"},
    ),
    ("exempt", "/study/exemptions/", {"member": "{m}", "year": "2024", "reason": "ill"}),
    ("revoke", "/study/exemptions/{e}/revoke/", {}),
    ("decide", "/study/trainings/{t}/decide/", {"decision": "approve"}),
    ("revoke training", "/study/trainings/{t}/decide/", {"decision": "revoke", "reason": "x"}),
    (
        "training for",
        "/study/trainings/new/",
        {
            "member": "{m}",
            "title": "t",
            "provider": "p",
            "kind": "online",
            "started_on": "2024-05-01",
            "ended_on": "2024-05-01",
            "hours": "2",
        },
    ),
    ("export", "/study/reports/export/hours/", {"org": "{A}", "year": "2024"}),
]


def test_writes_are_404_for_outsiders(client, personas, objects):
    before = _counts()
    wrong = []
    for name, url, data in WRITES:
        for persona in OUTSIDERS:
            client.force_login(personas.by_name(persona))
            payload = {k: v.format(**objects) for k, v in data.items()}
            response = client.post(url.format(**objects), payload)
            if response.status_code != 404:
                wrong.append((name, persona, response.status_code))
    assert wrong == []
    assert _counts() == before


def test_api_writes_are_404_for_outsiders(client, personas, objects):
    before = _counts()
    writes = [
        ("/api/study/plans", {"org_id": objects["A"], "year": 2025, "title": "x"}),
        (
            f"/api/study/plans/{objects['pa']}/items",
            {"month": 1, "topic": "t", "form": "guided", "hours": "1"},
        ),
        (
            "/api/study/sessions",
            {
                "org_id": objects["A"],
                "form": "guided",
                "topic": "t",
                "starts_at": "2024-06-01T09:00:00+08:00",
                "ends_at": "2024-06-01T10:00:00+08:00",
                "hours": "1",
            },
        ),
        (f"/api/study/trainings/{objects['t']}/decision", {"approve": True}),
        (f"/api/study/trainings/{objects['t']}/revoke", {"reason": "x"}),
    ]
    for persona in OUTSIDERS:
        client.force_login(personas.by_name(persona))
        for url, payload in writes:
            response = client.post(url, payload, content_type="application/json")
            assert response.status_code == 404, (url, persona)
        response = client.delete(f"/api/study/plans/{objects['pa']}/items/{objects['spare']}")
        assert response.status_code == 404, persona
    assert _counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/study/plans/?org=abc",
        "/study/plans/999999/",
        "/study/sessions/999999/",
        "/study/sessions/attach/999999/",
        "/study/hours/?org=-1",
        "/study/hours/members/999999/",
        "/study/trainings/999999/proof/",
        "/api/study/plans/999999",
        "/api/study/sessions/999999",
    ],
)
def test_bad_ids_are_404(client, personas, url):
    client.force_login(personas.committee_admin)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# The pages at work


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", re.I)


def _clean(response) -> str:
    """The page, checked for what a strict CSP forbids: inline scripts, style attributes and
    event handlers."""
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    return html


def test_every_page_is_csp_clean(client, personas, objects):
    client.force_login(personas.secretary_a)
    for _name, url, table in PAGES:
        if table.get("secretary_a") == 200 and "proof" not in url:
            _clean(client.get(url.format(**objects)))


def test_plan_page_flow(client, personas, objects, tree):
    client.force_login(personas.secretary_a)
    response = client.post(
        "/study/plans/", {"org": tree.branch_a.pk, "year": "2025", "title": "2025计划"}
    )
    plan = StudyPlan.all_objects.get(year=2025)
    assert response.status_code == 302 and response["Location"] == f"/study/plans/{plan.pk}/"
    bad = client.post(
        f"/study/plans/{plan.pk}/items/",
        {"month": "3", "topic": "学", "form": "guided", "mode": "online", "hours": "0"},
    )
    assert bad.status_code == 400 and "学时应大于0" in bad.content.decode()
    ok = client.post(
        f"/study/plans/{plan.pk}/items/",
        {"month": "3", "topic": "学习条例", "form": "guided", "mode": "online", "hours": "1.5"},
    )
    assert ok.status_code == 302
    html = _clean(client.get(f"/study/plans/{objects['pa']}/"))
    assert "学习党章" in html and "已开展" in html
    assert (
        client.post(f"/study/plans/{objects['pa']}/items/{objects['item']}/delete/").status_code
        == 302
    )
    assert PlanItem.all_objects.filter(pk=objects["item"]).exists()  # carried out: kept
    # the unit's plan is read-only for the branch
    html = client.get(f"/study/plans/{objects['pu']}/").content.decode()
    assert 'data-testid="item-form"' not in html
    assert client.post(f"/study/plans/{objects['pu']}/", {"title": "x"}).status_code == 404


def test_session_new_page(client, personas, objects, tree):
    client.force_login(personas.secretary_a)
    form = {
        "org": tree.branch_a.pk,
        "topic": "学习二十大报告",
        "form": "lecture",
        "mode": "in_person",
        "day": "2024-06-01",
        "start": "09:00",
        "end": "10:30",
        "hours": "2",
        "plan_item": objects["item"],
    }
    before = Meeting.all_objects.count()
    response = client.post("/study/sessions/new/", form)
    assert response.status_code == 400
    assert 'data-testid="error-hours"' in response.content.decode()
    assert "1.5" in response.content.decode()
    assert Meeting.all_objects.count() == before
    response = client.post("/study/sessions/new/", {**form, "hours": "1.5"})
    session = StudySession.all_objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/study/sessions/{session.pk}/"
    assert (session.hours, session.plan_item_id, session.meeting.topic) == (
        Decimal("1.5"),
        objects["item"],
        "学习二十大报告",
    )
    html = _clean(client.get(f"/study/sessions/{session.pk}/"))
    assert f"/orglife/meetings/{session.meeting_id}/" in html
    assert "应到 5 人" in html


def test_session_page_update(client, personas, objects):
    client.force_login(personas.secretary_a)
    url = f"/study/sessions/{objects['sa']}/"
    response = client.post(url, {"form": "guided", "mode": "online", "hours": "9"})
    assert response.status_code == 400 and 'data-testid="error-hours"' in response.content.decode()
    response = client.post(url, {"form": "guided", "mode": "online", "hours": "1", "speaker": "王"})
    assert response.status_code == 302
    session = StudySession.all_objects.get(pk=objects["sa"])
    assert (session.form, session.hours, session.speaker, session.plan_item_id) == (
        "guided",
        Decimal("1.0"),
        "王",
        None,
    )


def test_attach_page(client, personas, objects):
    client.force_login(personas.secretary_a)
    url = f"/study/sessions/attach/{objects['lesson']}/"
    html = _clean(client.get(url))
    assert 'value="1.5"' in html  # prefilled with the 党课's length
    response = client.post(url, {"form": "party_lesson", "mode": "in_person", "hours": "1.5"})
    session = StudySession.all_objects.get(meeting_id=objects["lesson"])
    assert response.status_code == 302 and response["Location"] == f"/study/sessions/{session.pk}/"
    assert client.get(url).status_code == 302  # already attached: to the session


def test_sessions_page_lists_and_offers_the_lessons(
    client, personas, objects, django_assert_max_num_queries
):
    client.force_login(personas.secretary_a)
    client.get("/study/sessions/")  # warm the caches of the first request
    with django_assert_max_num_queries(14):
        response = client.get(f"/study/sessions/?org={objects['A']}&year={YEAR}")
    html = _clean(response)
    assert html.count('data-testid="session-row"') == 1
    assert f"/study/sessions/attach/{objects['lesson']}/" in html
    assert "3/5" in html
    filtered = client.get(f"/study/sessions/?org={objects['A']}&year={YEAR}&form=course")
    assert filtered.content.decode().count('data-testid="session-row"') == 0


def test_hours_page(client, personas, objects, tree, django_assert_max_num_queries):
    client.force_login(personas.secretary_a)
    url = f"/study/hours/?org={objects['A']}&year={YEAR}"
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = _clean(response)
    assert html.count('data-testid="hours-row"') == 5
    assert 'id="hours-data"' in html and 'data-chart="hours-data"' in html
    assert 'data-testid="exemption-revoke"' in html
    short = client.get(url + "&short=1").content.decode()
    assert short.count('data-testid="hours-row"') == 4  # the exempt member is not short


def test_exemption_from_the_hours_page(client, personas, objects, tree):
    client.force_login(personas.secretary_a)
    back = f"/study/hours/?org={objects['A']}&year={YEAR}"
    member = tree.members_a[3]
    response = client.post(
        "/study/exemptions/",
        {"member": member.pk, "year": YEAR, "reason": "ill", "note": "长期住院", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    assert StudyExemption.all_objects.filter(member=member, year=YEAR).exists()
    again = client.post(
        "/study/exemptions/", {"member": member.pk, "year": YEAR, "reason": "ill"}, follow=True
    )
    assert "已免除学时要求" in again.content.decode()
    bad = client.post("/study/exemptions/", {"member": member.pk, "year": YEAR, "reason": "x"})
    assert bad.status_code == 302
    response = client.post(f"/study/exemptions/{objects['e']}/revoke/", {"next": back})
    assert response.status_code == 302
    assert not StudyExemption.all_objects.filter(pk=objects["e"]).exists()


def test_hours_export(client, personas, objects):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(personas.secretary_a)
    response = client.post(
        "/study/reports/export/hours/", {"org": objects["A"], "year": YEAR, "short": "1"}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "党支部", "姓名")
    assert len([r for r in rows[1:] if r[0]]) == 4
    response = client.post(
        "/study/reports/export/stats/",
        {"org": objects["A"], "date_from": "2024-01-01", "date_to": "2024-12-31"},
    )
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("单位", "场次", "人次") and rows[1] == ("甲局", 1, 3)
    assert client.post("/study/reports/export/nothing/", {"org": objects["A"]}).status_code == 404
    bad = client.post(
        "/study/reports/export/stats/", {"org": objects["A"], "date_from": "2024-13-01"}
    )
    assert bad.status_code in (302, 400)


def test_my_hours_and_own_training(client, personas, objects, tree):
    client.force_login(personas.member_a)
    html = _clean(client.get(f"/study/hours/me/?year={YEAR}"))
    # 李四: present at the session (2) and at the 党课 without a session (1.5)
    assert 'data-testid="my-earned">3.5<' in html
    assert html.count('data-testid="my-training"') == 1 and "待审核" in html
    form = {
        "title": "党校培训",
        "provider": "市委党校",
        "kind": "party_school",
        "started_on": "2024-06-03",
        "ended_on": "2024-06-04",
        "hours": "16",
        "is_concentrated": "on",
    }
    missing = client.post("/study/trainings/new/", form)
    assert missing.status_code == 400 and 'data-testid="error-proof"' in missing.content.decode()
    form["proof"] = SimpleUploadedFile("结业证书.pdf", PDF, content_type="application/pdf")
    response = client.post("/study/trainings/new/", form)
    assert response.status_code == 302 and response["Location"].startswith("/study/hours/me/")
    training = Training.all_objects.latest("id")
    assert (training.member_id, training.status, training.is_concentrated) == (
        personas.member_a.member_id,
        "submitted",
        True,
    )
    download = client.get(f"/study/trainings/{training.pk}/proof/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_manager_records_a_training_for_a_member(client, personas, objects, tree):
    client.force_login(personas.secretary_a)
    member = tree.members_a[2]
    response = client.post(
        "/study/trainings/new/",
        {
            "member": member.pk,
            "title": "轮训班",
            "provider": "市直机关工委",
            "kind": "rotation",
            "started_on": "2024-06-03",
            "ended_on": "2024-06-03",
            "hours": "30",
        },
    )
    assert response.status_code == 400  # 30 hours in one day
    assert 'data-testid="error-hours"' in response.content.decode()
    response = client.post(
        "/study/trainings/new/",
        {
            "member": member.pk,
            "title": "轮训班",
            "provider": "市直机关工委",
            "kind": "rotation",
            "started_on": "2024-06-03",
            "ended_on": "2024-06-03",
            "hours": "8",
        },
    )
    assert response.status_code == 302
    assert Training.all_objects.filter(member=member, status="approved").count() == 1


def test_trainings_page_and_decision(client, personas, objects):
    client.force_login(personas.secretary_a)
    html = _clean(client.get("/study/trainings/"))
    assert html.count('data-testid="pending-training"') == 1
    response = client.post(f"/study/trainings/{objects['t']}/decide/", {"decision": "reject"})
    assert response.status_code == 302
    assert Training.all_objects.get(pk=objects["t"]).status == "submitted"  # a reason is needed
    response = client.post(f"/study/trainings/{objects['t']}/decide/", {"decision": "approve"})
    assert Training.all_objects.get(pk=objects["t"]).status == "approved"


def test_stats_page(client, personas, objects):
    client.force_login(personas.unit_admin)
    html = _clean(
        client.get(f"/study/stats/?org={objects['A']}&date_from=2024-01-01&date_to=2024-12-31")
    )
    assert "合计 1 场、3 人次" in html
    swapped = client.get(
        f"/study/stats/?org={objects['A']}&date_from=2024-12-31&date_to=2024-01-01"
    )
    assert "合计 1 场、3 人次" in swapped.content.decode()


def test_a_separated_administrator_sees_no_study_data_of_his_own(client, personas, objects, tree):
    """三员分立: an auditor's account linked to a member still sees no study pages."""
    from dangjian.accounts.models import User

    User.objects.filter(pk=personas.auditor.pk).update(member=tree.members_a[2])
    client.force_login(personas.auditor)
    for url in ("/study/hours/me/", "/study/trainings/new/", "/api/study/hours/me"):
        assert client.get(url).status_code == 404, url


# ---------------------------------------------------------------------------------------------
# Review fixes


@pytest.mark.parametrize(("day", "status"), [("0001-06-01", 400), ("9999-06-01", 400)])
def test_session_form_bounds_the_day(client, personas, objects, tree, day, status):
    client.force_login(personas.secretary_a)
    before = Meeting.all_objects.count()
    form = {
        "org": tree.branch_a.pk,
        "topic": "学习",
        "form": "concentrated",
        "mode": "in_person",
        "day": day,
        "start": "09:00",
        "end": "11:00",
        "hours": "2",
    }
    response = client.post("/study/sessions/new/", form)
    html = response.content.decode()
    assert response.status_code == status
    assert 'data-testid="error-day"' in html and "2000年至2200年" in html
    assert Meeting.all_objects.count() == before


@pytest.mark.parametrize(
    ("started_on", "ended_on", "field", "message"),
    [
        ("0001-01-01", "2024-05-01", "started_on", "应在2000年以后"),
        ("2024-05-01", "9999-12-31", "ended_on", "培训尚未结束"),
        ("9999-01-01", "9999-01-02", "started_on", "不能晚于今天"),
    ],
)
def test_training_form_bounds_the_dates(
    client, personas, objects, tree, started_on, ended_on, field, message
):
    client.force_login(personas.secretary_a)
    before = Training.all_objects.count()
    response = client.post(
        "/study/trainings/new/",
        {
            "member": tree.members_a[2].pk,
            "title": "轮训班",
            "provider": "市直机关工委",
            "kind": "rotation",
            "started_on": started_on,
            "ended_on": ended_on,
            "hours": "8",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in html and message in html
    assert Training.all_objects.count() == before


def test_revoke_from_the_trainings_page(client, personas, objects):
    client.force_login(personas.secretary_a)
    url = f"/study/trainings/{objects['t']}/decide/"
    assert 'data-testid="revoke"' not in _clean(client.get("/study/trainings/"))
    client.post(url, {"decision": "approve"})
    html = _clean(client.get("/study/trainings/"))
    assert html.count('data-testid="revoke"') == 1
    refused = client.post(url, {"decision": "revoke"}, follow=True)
    assert "请填写撤销原因" in refused.content.decode()
    assert Training.all_objects.get(pk=objects["t"]).status == "approved"
    response = client.post(url, {"decision": "revoke", "reason": "证明材料不实"})
    assert response.status_code == 302
    training = Training.all_objects.get(pk=objects["t"])
    assert (training.status, training.reject_reason) == ("rejected", "证明材料不实")
    assert 'data-testid="revoke"' not in client.get("/study/trainings/").content.decode()
    # the member's own: no button for him (he is no manager) nor for a secretary on his own
    client.force_login(personas.member_a)
    assert client.post(url, {"decision": "revoke", "reason": "x"}).status_code == 404


def test_session_page_says_sign_in_alone_does_not_count(client, personas, objects):
    client.force_login(
        personas.secretary_c if hasattr(personas, "secretary_c") else personas.committee_admin
    )
    html = _clean(client.get(f"/study/sessions/{objects['sc']}/"))  # planned, not held
    assert "签到或登记为“实到”即计入" not in html
    assert "会议未登记召开情况前不计学时" in html and "尚未登记召开情况" in html
    held = _clean(client.get(f"/study/sessions/{objects['sa']}/"))
    assert "本次学习尚未登记召开情况" not in held


def test_the_hours_chart_follows_the_committee_setting(client, personas, objects, settings):
    import json

    settings.STUDY_COMMITTEE_HOURS = 40
    client.force_login(personas.secretary_a)
    html = client.get(f"/study/hours/?org={objects['A']}&year={YEAR}").content.decode()
    data = json.loads(re.search(r'id="hours-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["units"][-2:] == ["32-40", "40及以上"]
    assert len(data["counts"]) == len(data["units"]) and sum(data["counts"]) == 5


def test_the_hours_export_reads_the_list_in_one_pass(personas, objects, tree, monkeypatch):
    """Walking LazyRows re-ran the query with a growing OFFSET per chunk (quadratic)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.study import selectors_sessions as sel
    from dangjian.study.exporters import HoursExporter

    monkeypatch.setattr(HoursExporter, "CHUNK", 2)
    exporter = HoursExporter(personas.unit_admin, {"org": tree.party_group_a.pk, "year": YEAR})
    with CaptureQueriesContext(connection) as ctx:
        rows = list(exporter.rows())
    expected = [r.member.name for r in sel.org_hours(personas.unit_admin, tree.party_group_a, YEAR)]
    assert [r[2] for r in rows] == expected and len(rows) == 8
    assert [r[0] for r in rows] == list(range(1, 9))
    assert not any("OFFSET" in q["sql"].upper() for q in ctx.captured_queries)
    # one list query, then one exemptions query per chunk that holds an exempt member at most
    assert len(ctx.captured_queries) <= 1 + 4
