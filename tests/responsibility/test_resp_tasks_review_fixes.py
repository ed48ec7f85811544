"""The review's findings on the work points and tasks, each pinned by a test that failed
before its fix:

1. a NUL character in any text is refused at its field by the services (defence in depth
   behind the middleware);
2. the unit's secretary who receives an escalated 督办 opens its link: he reads the task and
   its history (and its files), read-only; another unit's task stays 404 for him;
3. a draft point's task is never overdue nor due soon, on any list, roll-up, page, API or
   export;
4. the escalation goes to the 机关党委 secretary when the 党组 secretary has no account (the
   choice is made by accounts, not seats);
5. the API links a report only to a held (or archived) meeting, as the page does;
6. a 督办 resolved while the daily job runs is not escalated.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.notify.models import Notification
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import ReportFile, Supervision, Task, TaskReport, WorkPoint
from dangjian.responsibility.reminders_tasks import remind_tasks
from tests.responsibility.resp_tasks_support import (
    bearer,
    make_point,
    meeting_of,
    own_task,
    photo,
    secretary_of,
    task_of,
    today,
)

pytestmark = pytest.mark.django_db

API = "/api/responsibility"


def _escalations(user):
    return list(Notification.objects.filter(user=user, kind="task_escalation"))


def _supervise(task, *, days_ago=4, note="进度滞后"):
    """A 督办 sent `days_ago` days ago (past the 3-day delay by default)."""
    sent = timezone.now() - dt.timedelta(days=days_ago)
    return services.supervision_send(
        actor=None,
        task=task,
        note=note,
        respond_by=timezone.localdate(sent) + dt.timedelta(days=1),
        now=sent,
    )


# ---------------------------------------------------------------------------------------------
# 1. NUL in a text


@pytest.fixture
def open_task(tree):
    _, tasks = make_point(tree)
    return task_of(tasks, tree.party_group_a)


def _calls(tree, task, blank):
    """(field, call) of every text a service takes, each with a NUL in it."""
    year = today().year
    dates = {"starts_on": dt.date(year, 1, 1), "due_on": dt.date(year, 12, 31)}
    return {
        "point title": (
            "title",
            lambda: services.work_point_create(
                actor=None, org=tree.root, year=year, title="要点\x00"
            ),
        ),
        "point content": (
            "content",
            lambda: services.work_point_create(
                actor=None, org=tree.root, year=year, title="要点", content="内\x00容"
            ),
        ),
        "point edit": (
            "title",
            lambda: services.work_point_update(actor=None, point=task.point, title="新\x00"),
        ),
        "assigned task": (
            "evidence_asked",
            lambda: services.tasks_assign(
                actor=None,
                point=blank,
                all_units=True,
                title="任务",
                evidence_asked="照片\x00",
                **dates,
            ),
        ),
        "own task": (
            "title",
            lambda: services.task_create(
                actor=None, org=tree.party_group_a, year=year, kind="party", title="\x00", **dates
            ),
        ),
        "report": (
            "text",
            lambda: services.task_report(actor=None, task=task, progress=20, text="已\x00部署"),
        ),
        "supervision": (
            "note",
            lambda: services.supervision_send(
                actor=None, task=task, note="请\x00加快", respond_by=today()
            ),
        ),
        "closing": (
            "note",
            lambda: services.task_close(actor=None, task=task, evaluation="good", note="好\x00"),
        ),
    }


CALLS = [
    "point title",
    "point content",
    "point edit",
    "assigned task",
    "own task",
    "report",
    "supervision",
    "closing",
]


def _counts():
    return (
        WorkPoint.objects.unscoped().count(),
        Task.objects.unscoped().count(),
        TaskReport.objects.count(),
        Supervision.objects.count(),
        Task.objects.unscoped().filter(status="closed").count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("name", CALLS)
def test_a_nul_character_is_refused_at_its_field(tree, open_task, name):
    blank = services.work_point_create(actor=None, org=tree.root, year=today().year, title="b")
    field, call = _calls(tree, open_task, blank)[name]
    before = _counts()
    with pytest.raises(AppError) as caught:
        call()
    assert caught.value.field == field
    assert "无效字符" in caught.value.message
    assert _counts() == before
    open_task.refresh_from_db()
    assert open_task.progress == 0 and open_task.status == "open"
    assert WorkPoint.objects.unscoped().get(pk=open_task.point_id).title == "学习贯彻党的二十大精神"


# ---------------------------------------------------------------------------------------------
# 2. The secretary who receives an escalated 督办 reads the task


@pytest.fixture
def escalated(tree, personas):
    """甲局's task with a 督办 escalated to the 党组 secretary (a member's account, no grant),
    then a report with a photo; 乙局's task with a photo report too."""
    _, tasks = make_point(tree)
    task_a, task_b = task_of(tasks, tree.party_group_a), task_of(tasks, tree.party_group_b)
    secretary = secretary_of(tree.party_group_a, tree.members_a[2], "pg_secretary")
    _supervise(task_a)
    remind_tasks()
    [item] = _escalations(secretary)
    services.task_report(
        actor=None, task=task_b, progress=10, text="乙局进展", files=[photo("乙局.png")]
    )
    services.task_report(
        actor=personas.unit_admin, task=task_a, progress=50, text="甲局进展", files=[photo()]
    )
    return {
        "secretary": secretary,
        "item": item,
        "task_a": task_a,
        "task_b": task_b,
        "file_a": ReportFile.objects.get(task_report__task=task_a).pk,
        "file_b": ReportFile.objects.get(task_report__task=task_b).pk,
    }


def test_the_secretary_opens_the_escalated_supervision_read_only(client, tree, escalated):
    secretary, task = escalated["secretary"], escalated["task_a"]
    assert escalated["item"].link == f"/responsibility/tasks/{task.pk}/"
    client.force_login(secretary)
    response = client.get(escalated["item"].link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "开展专题学习" in page and "甲局党组" in page
    assert 'data-testid="secretary-read-only"' in page
    assert 'data-testid="history-supervision"' in page and "进度滞后" in page
    assert 'data-testid="history-report"' in page and "甲局进展" in page
    # no form of any kind: he reads
    for form in ("report-form", "close-form", "task-supervise-form"):
        assert f'data-testid="{form}"' not in page
    # the report's photo downloads
    response = client.get(f"/responsibility/task-files/{escalated['file_a']}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # and the API reads the task too
    response = client.get(f"{API}/tasks/{task.pk}", **bearer(secretary))
    assert response.status_code == 200 and response.json()["supervisions"][0]["escalated_at"]


def test_the_secretary_sees_nothing_of_another_unit_and_writes_nothing(client, tree, escalated):
    secretary, task = escalated["secretary"], escalated["task_a"]
    client.force_login(secretary)
    other = escalated["task_b"]
    assert client.get(f"/responsibility/tasks/{other.pk}/").status_code == 404
    assert client.get(f"/responsibility/task-files/{escalated['file_b']}/").status_code == 404
    assert client.get(f"{API}/tasks/{other.pk}", **bearer(secretary)).status_code == 404
    # a draft's task of his own unit is not shown either
    _, drafts = make_point(tree, publish=False, units=[tree.party_group_a], title="草稿")
    assert client.get(f"/responsibility/tasks/{drafts[0].pk}/").status_code == 404
    # read-only: reporting, closing and 督办 are 404 and write nothing
    reports = TaskReport.objects.count()
    posts = [
        (f"/responsibility/tasks/{task.pk}/report/", {"progress": "90", "text": "x"}),
        (f"/responsibility/tasks/{task.pk}/close/", {"evaluation": "good"}),
        (f"/responsibility/tasks/{task.pk}/supervise/", {"note": "x", "respond_by": today()}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    response = client.post(
        f"{API}/tasks/{task.pk}/reports",
        {"progress": 90, "text": "x"},
        "application/json",
        **bearer(secretary),
    )
    assert response.status_code == 404
    assert TaskReport.objects.count() == reports
    task.refresh_from_db()
    assert task.status == "open" and task.progress == 50
    # the lists are not his: he holds no grant
    assert client.get("/responsibility/tasks/").status_code == 404


def test_the_secretary_s_access_ends_with_his_seat(client, tree, escalated):
    from dangjian.orgs.models import CommitteeSeat

    CommitteeSeat.all_objects.filter(org=tree.party_group_a).update(ended_on=today())
    client.force_login(escalated["secretary"])
    assert client.get(escalated["item"].link).status_code == 404


def test_a_secretary_who_also_manages_the_unit_gets_the_report_form(client, tree, personas):
    """The unit's administrator seated as its secretary keeps his rights."""
    _, tasks = make_point(tree)
    admin = personas.unit_admin
    admin.member = tree.members_a[2]
    admin.save(update_fields=["member"])
    secretary_of(tree.party_group_a, tree.members_a[2], "", account=False)
    client.force_login(admin)
    page = client.get(f"/responsibility/tasks/{task_of(tasks, tree.party_group_a).pk}/")
    assert 'data-testid="report-form"' in page.content.decode()
    assert 'data-testid="secretary-read-only"' not in page.content.decode()


# ---------------------------------------------------------------------------------------------
# 3. A draft point's task is never overdue nor due soon


@pytest.fixture
def late(tree):
    """Due yesterday: a published point's task and a draft's (both 甲局's); due today: a
    second draft's task."""
    yesterday = today() - dt.timedelta(days=1)
    unit = [tree.party_group_a]
    published, [pub] = make_point(
        tree, due=yesterday, units=unit, title="已发布要点", task_title="已发布逾期任务"
    )
    draft, [draft_task] = make_point(
        tree,
        due=yesterday,
        units=unit,
        publish=False,
        title="草稿要点",
        task_title="草稿逾期任务",
    )
    soon, [soon_task] = make_point(
        tree, due=today(), units=unit, publish=False, title="草稿要点二", task_title="草稿临期任务"
    )
    return {
        "published": published,
        "pub": pub,
        "draft": draft,
        "draft_task": draft_task,
        "soon": soon,
        "soon_task": soon_task,
        "year": yesterday.year,
    }


def _titles(rows):
    return {t.title for t in rows}


def test_drafts_are_neither_overdue_nor_due_soon_in_the_selectors(personas, late):
    user = personas.committee_admin
    assert _titles(sel.task_list(user, state="overdue")) == {"已发布逾期任务"}
    assert "草稿临期任务" not in _titles(sel.task_list(user, state="due_soon"))
    assert _titles(sel.overdue_list(user)) == {"已发布逾期任务"}
    # SQL and Python agree: the drafts' tasks are under way
    on_track = sel.with_states(sel.task_list(user, state="on_track"))
    assert {"草稿逾期任务", "草稿临期任务"} <= _titles(on_track)
    assert {t.state for t in on_track} == {"on_track"}
    points = [late["published"], late["draft"], late["soon"]]
    completions = sel.completion_by_point(user, points)
    assert completions[late["published"].pk].overdue == 1
    assert completions[late["draft"].pk].overdue == 0
    assert completions[late["soon"].pk].overdue == 0
    grid = sel.matrix(user, late["year"])
    rows = {r.point.pk: r for r in grid.rows}
    assert rows[late["draft"].pk].completion.overdue == 0
    assert rows[late["published"].pk].completion.overdue == 1
    [draft_cell] = [c for c in rows[late["draft"].pk].cells if c is not None]
    assert draft_cell.state == "on_track"
    [column] = grid.columns
    assert column.completion.overdue == 1 and grid.total.overdue == 1
    [task] = sel.with_states([sel.access_task(user, late["draft_task"].pk)])
    assert task.state == "on_track"


def test_drafts_are_neither_overdue_nor_due_soon_on_the_pages(client, tree, personas, late):
    client.force_login(personas.committee_admin)
    page = client.get(f"/responsibility/points/{late['draft'].pk}/").content.decode()
    assert 'data-testid="completion-overdue">0<' in page
    assert 'data-state="overdue"' not in page and "草稿逾期任务" in page
    page = client.get(f"/responsibility/points/{late['published'].pk}/").content.decode()
    assert 'data-testid="completion-overdue">1<' in page  # the contrast
    page = client.get(f"/responsibility/tasks/{late['draft_task'].pk}/").content.decode()
    assert 'data-state="on_track"' in page
    page = client.get(f"/responsibility/tasks/{late['soon_task'].pk}/").content.decode()
    assert 'data-state="due_soon"' not in page
    page = client.get("/responsibility/overdue/").content.decode()
    assert "已发布逾期任务" in page and "草稿逾期任务" not in page
    page = client.get("/responsibility/tasks/?state=overdue").content.decode()
    assert "已发布逾期任务" in page and "草稿逾期任务" not in page
    page = client.get("/responsibility/tasks/?state=due_soon").content.decode()
    assert "草稿临期任务" not in page
    page = client.get(f"/responsibility/matrix/?year={late['year']}").content.decode()
    assert page.count('data-state="overdue"') == 1
    plan = f"/responsibility/plan/?org={tree.party_group_a.pk}&year={late['year']}"
    page = client.get(plan).content.decode()
    assert page.count('data-state="overdue"') == 1 and "草稿逾期任务" in page


def test_drafts_are_neither_overdue_nor_due_soon_in_the_api(client, personas, late):
    auth = bearer(personas.committee_admin)
    body = client.get(f"{API}/points?year={late['year']}", **auth).json()
    overdue = {p["title"]: p["overdue"] for p in body}
    assert overdue["已发布要点"] == 1 and overdue["草稿要点"] == 0
    body = client.get(f"{API}/tasks?state=overdue", **auth).json()
    assert {i["title"] for i in body["items"]} == {"已发布逾期任务"}
    body = client.get(f"{API}/tasks?state=due_soon", **auth).json()
    assert "草稿临期任务" not in {i["title"] for i in body["items"]}
    body = client.get(f"{API}/tasks/{late['draft_task'].pk}", **auth).json()
    assert body["state"] == "on_track"


def _sheet(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.content[:300]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_drafts_are_neither_overdue_nor_due_soon_in_the_exports(client, personas, late):
    client.force_login(personas.committee_admin)
    rows = _sheet(client.post("/responsibility/tasks/export/overdue/", {}))
    assert [r[4] for r in rows[1:]] == ["已发布逾期任务"]
    rows = _sheet(client.post("/responsibility/tasks/export/point/", {"point": late["draft"].pk}))
    assert [(r[4], r[7]) for r in rows[1:]] == [("草稿逾期任务", "推进中")]


def test_a_published_draft_s_task_becomes_overdue(personas, late):
    """Publishing brings the deadline back: the same task is overdue at once."""
    services.work_point_publish(actor=None, point=late["draft"])
    user = personas.committee_admin
    assert _titles(sel.task_list(user, state="overdue")) == {"已发布逾期任务", "草稿逾期任务"}


# ---------------------------------------------------------------------------------------------
# 4. The secretary is chosen by accounts


def test_a_party_group_secretary_without_an_account_yields_the_organ_s(client, tree, personas):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    secretary_of(tree.party_group_a, tree.members_a[2], "", account=False)
    organ = secretary_of(tree.organ_a, tree.members_a[3], "organ_secretary")
    assert sel.unit_secretaries([tree.party_group_a.pk]) == {
        tree.party_group_a.pk: [(organ.pk, organ.email or "")]
    }
    _supervise(task)
    remind_tasks()
    [item] = _escalations(organ)
    assert not _escalations(personas.unit_admin)
    # and he, the one told, reads the task
    client.force_login(organ)
    assert client.get(item.link).status_code == 200


def test_an_inactive_account_counts_as_none(tree, personas):
    _, tasks = make_point(tree)
    own = secretary_of(tree.party_group_a, tree.members_a[2], "pg_secretary")
    own.is_active = False
    own.save(update_fields=["is_active"])
    organ = secretary_of(tree.organ_a, tree.members_a[3], "organ_secretary")
    _supervise(task_of(tasks, tree.party_group_a))
    remind_tasks()
    assert len(_escalations(organ)) == 1 and not _escalations(own)


def test_without_any_secretary_account_the_admins_are_told(tree, personas):
    _, tasks = make_point(tree)
    secretary_of(tree.party_group_a, tree.members_a[2], "", account=False)
    secretary_of(tree.organ_a, tree.members_a[3], "", account=False)
    assert sel.unit_secretaries([tree.party_group_a.pk]) == {}
    sup = _supervise(task_of(tasks, tree.party_group_a))
    remind_tasks()
    assert len(_escalations(personas.unit_admin)) == 1
    sup.refresh_from_db()
    assert sup.escalated_at is not None


# ---------------------------------------------------------------------------------------------
# 5. The API links a held meeting only


def test_the_api_links_a_held_meeting_of_the_unit_only(client, tree, personas, open_task):
    planned = meeting_of(tree.branch_a, held=False)
    held = meeting_of(tree.branch_a)
    assert sel.meeting_of_unit(open_task, planned.pk) is None
    assert sel.meeting_of_unit(open_task, held.pk) == held
    url = f"{API}/tasks/{open_task.pk}/reports"
    auth = bearer(personas.unit_admin)
    body = {"progress": 30, "text": "学习", "meeting_id": planned.pk}
    response = client.post(url, body, "application/json", **auth)
    assert response.status_code == 400
    assert response.json()["field"] == "meeting_id"
    assert "已召开" in response.json()["detail"]
    assert not TaskReport.objects.exists()
    body["meeting_id"] = held.pk
    response = client.post(url, body, "application/json", **auth)
    assert response.status_code == 201 and response.json()["meeting_id"] == held.pk


# ---------------------------------------------------------------------------------------------
# 6. A 督办 resolved while the job runs is not escalated


def test_a_supervision_resolved_while_the_job_runs_is_never_escalated(tree, personas):
    """The unit's report lands between the job's choice of the due 督办 and its update: the
    督办 stays resolved, unescalated, and nobody is told."""
    _, tasks = make_point(tree)
    secretary = secretary_of(tree.party_group_a, tree.members_a[2], "pg_secretary")
    sup = _supervise(task_of(tasks, tree.party_group_a))
    resolved_at = timezone.now()
    state = {"chosen": False, "resolved": False}

    def a_report_lands_after_the_choice(execute, sql, params, many, context):
        if state["chosen"] and not state["resolved"]:
            state["resolved"] = True
            Supervision.objects.filter(pk=sup.pk).update(resolved_at=resolved_at)
        result = execute(sql, params, many, context)
        if (
            not state["chosen"]
            and sql.lstrip().upper().startswith("SELECT")
            and '"responsibility_supervision"."escalated_at"' in sql
        ):
            state["chosen"] = True
        return result

    with connection.execute_wrapper(a_report_lands_after_the_choice):
        remind_tasks()
    assert state["resolved"]
    sup.refresh_from_db()
    assert sup.resolved_at == resolved_at and sup.escalated_at is None
    assert not _escalations(secretary) and not _escalations(personas.unit_admin)
    assert not AuditEntry.objects.filter(action="responsibility.supervision.escalated").exists()


def test_resolved_and_closed_supervisions_are_never_escalated(tree, personas):
    _, tasks = make_point(tree)
    secretary = secretary_of(tree.party_group_a, tree.members_a[2], "pg_secretary")
    reported = _supervise(task_of(tasks, tree.party_group_a))
    services.task_report(actor=None, task=reported.task, progress=10, text="已部署")
    closed = _supervise(own_task(tree))
    services.task_close(actor=None, task=closed.task, evaluation="")
    for _ in range(2):
        remind_tasks(now=timezone.now() + dt.timedelta(days=10))
    assert not Supervision.objects.filter(escalated_at__isnull=False).exists()
    assert not _escalations(secretary)
