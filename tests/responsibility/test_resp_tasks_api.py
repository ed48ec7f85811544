"""API of the work points and tasks: who reads what (every persona), filters, one task with
its reports and 督办, a JSON report (bad progress, a closed task, a foreign meeting) and a
督办 (the publisher only; a past respond-by date)."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import Supervision, TaskReport
from tests.conftest import PERSONA_NAMES
from tests.responsibility.resp_tasks_support import (
    bearer,
    make_point,
    own_task,
    photo,
    task_of,
    today,
)

pytestmark = pytest.mark.django_db

API = "/api/responsibility"


@pytest.fixture
def data(tree):
    point, tasks = make_point(tree, due=today() - dt.timedelta(days=1), title="逾期要点")
    draft, draft_tasks = make_point(tree, publish=False, title="草稿要点")
    task_a = task_of(tasks, tree.party_group_a)
    services.task_report(actor=None, task=task_a, progress=40, text="已部署", files=[photo()])
    services.supervision_send(
        actor=None, task=task_a, note="请加快", respond_by=today() + dt.timedelta(days=2)
    )
    return {
        "point": point,
        "draft": draft,
        "task_a": task_a,
        "task_b": task_of(tasks, tree.party_group_b),
        "draft_a": task_of(draft_tasks, tree.party_group_a),
        "own_a": own_task(tree),
    }


BOTH = {"committee_admin": 200, "unit_admin": 200}
COMMITTEE = {"committee_admin": 200}
READS = [
    ("points", "/points?year={year}", BOTH),
    ("tasks", "/tasks", BOTH),
    ("task of A", "/tasks/{task_a}", BOTH),
    ("task of B", "/tasks/{task_b}", COMMITTEE),
    ("a draft's task", "/tasks/{draft_a}", COMMITTEE),
    ("own task", "/tasks/{own_a}", BOTH),
    ("unknown task", "/tasks/999999", {}),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "table"), READS, ids=[r[0] for r in READS])
def test_permission_table(client, personas, data, persona, name, url, table):
    ids = {k: v.pk for k, v in data.items()}
    url = API + url.format(year=data["point"].year, **ids)
    status = client.get(url, **bearer(personas.by_name(persona))).status_code
    assert status == table.get(persona, 404), f"{name} as {persona}"


def test_unauthenticated_is_401(client):
    assert client.get(f"{API}/tasks").status_code == 401
    assert client.post(f"{API}/tasks/1/reports", {}, "application/json").status_code == 401


def test_points_carry_their_completion(client, personas, data):
    year = data["point"].year
    body = client.get(f"{API}/points?year={year}", **bearer(personas.committee_admin)).json()
    titles = {p["title"]: p for p in body}
    assert titles["逾期要点"]["tasks"] == 2 and titles["逾期要点"]["overdue"] == 2
    assert titles["逾期要点"]["average_progress"] == 20.0
    # the unit sees the published point only, with its own task
    body = client.get(f"{API}/points?year={year}", **bearer(personas.unit_admin)).json()
    assert [p["title"] for p in body] == ["逾期要点"] and body[0]["tasks"] == 1


def test_tasks_are_scoped_and_filtered(client, tree, personas, data):
    auth = bearer(personas.unit_admin)
    body = client.get(f"{API}/tasks", **auth).json()
    assert body["count"] == 2
    assert {i["title"] for i in body["items"]} == {"开展专题学习", "完成年度业务目标"}
    body = client.get(f"{API}/tasks?state=overdue", **auth).json()
    [item] = body["items"]
    assert item["state"] == "overdue" and item["state_label"] == "已逾期"
    assert item["open_supervisions"] == 1 and item["progress"] == 40
    body = client.get(f"{API}/tasks?point={data['point'].pk}", **bearer(personas.committee_admin))
    assert body.json()["count"] == 2
    assert client.get(f"{API}/tasks?org={tree.branch_c.pk}", **auth).status_code == 404
    assert client.get(f"{API}/tasks?point={data['draft'].pk}", **auth).status_code == 404
    assert client.get(f"{API}/tasks?state=nonsense", **auth).status_code == 422


def test_one_task_with_its_reports_and_supervisions(client, personas, data):
    body = client.get(f"{API}/tasks/{data['task_a'].pk}", **bearer(personas.unit_admin)).json()
    assert body["title"] == "开展专题学习" and body["point_title"] == "逾期要点"
    [report] = body["reports"]
    assert report["progress"] == 40 and report["files"][0]["content_type"] == "image/png"
    [sup] = body["supervisions"]
    assert sup["note"] == "请加快" and sup["resolved_at"] is None


def test_a_json_report_moves_the_task_and_resolves_the_supervision(client, personas, data):
    task = data["task_a"]
    response = client.post(
        f"{API}/tasks/{task.pk}/reports",
        {"progress": 70, "text": "已完成专题学习"},
        "application/json",
        **bearer(personas.unit_admin),
    )
    assert response.status_code == 201, response.content
    assert response.json()["progress"] == 70
    task.refresh_from_db()
    assert task.progress == 70
    assert Supervision.objects.get(task=task).resolved_at is not None


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"progress": 101, "text": "x"}, 400, "progress"),
        ({"progress": -1, "text": "x"}, 400, "progress"),
        ({"progress": 50, "text": ""}, 400, "text"),
        ({"progress": 50, "text": "x", "meeting_id": 999999}, 400, "meeting_id"),
        ({"progress": "many", "text": "x"}, 422, None),
        ({"text": "x"}, 422, None),
    ],
)
def test_a_bad_json_report_is_refused(client, personas, data, payload, status, field):
    response = client.post(
        f"{API}/tasks/{data['task_a'].pk}/reports",
        payload,
        "application/json",
        **bearer(personas.unit_admin),
    )
    assert response.status_code == status
    if field:
        assert response.json()["field"] == field
    assert TaskReport.objects.count() == 1  # the fixture's


def test_a_report_on_another_unit_s_or_a_closed_task(client, personas, data):
    auth = bearer(personas.unit_admin)
    body = {"progress": 50, "text": "x"}
    url = f"{API}/tasks/{data['task_b'].pk}/reports"
    assert client.post(url, body, "application/json", **auth).status_code == 404
    services.task_close(actor=None, task=data["task_a"], evaluation="good")
    response = client.post(
        f"{API}/tasks/{data['task_a'].pk}/reports", body, "application/json", **auth
    )
    assert response.status_code == 400 and "已办结" in response.json()["detail"]


def test_supervision_is_the_publisher_s(client, personas, data):
    task = data["task_b"]
    body = {"note": "请尽快报告进展", "respond_by": f"{today() + dt.timedelta(days=3)}"}
    url = f"{API}/tasks/{task.pk}/supervisions"
    for persona in ("unit_admin", "secretary_a", "outsider"):
        assert (
            client.post(url, body, "application/json", **bearer(personas.by_name(persona)))
        ).status_code == 404
    response = client.post(url, body, "application/json", **bearer(personas.committee_admin))
    assert response.status_code == 201
    assert response.json()["escalate_after_days"] == 3
    past = {"note": "x", "respond_by": f"{today() - dt.timedelta(days=1)}"}
    response = client.post(url, past, "application/json", **bearer(personas.committee_admin))
    assert response.status_code == 400 and response.json()["field"] == "respond_by"
    assert Supervision.objects.filter(task=task).count() == 1
