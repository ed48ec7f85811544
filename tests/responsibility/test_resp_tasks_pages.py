"""Pages of the work points and tasks: who may open which (one table, every persona), the
query counts of the lists, the forms through the Django client (refusals at the field,
nothing written), the report with a photo and its download, and bad input."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEntry
from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import ReportFile, Supervision, Task, TaskReport, WorkPoint
from tests.conftest import PERSONA_NAMES
from tests.responsibility.resp_tasks_support import (
    EXE,
    make_point,
    own_task,
    photo,
    task_of,
    today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


@pytest.fixture
def objects(tree, personas):
    point, tasks = make_point(tree)
    draft, draft_tasks = make_point(tree, publish=False, title="草稿要点")
    task_a = task_of(tasks, tree.party_group_a)
    report = services.task_report(
        actor=None, task=task_a, progress=40, text="已部署", files=[photo()]
    )
    return {
        "point": point.pk,
        "draft": draft.pk,
        "task_a": task_a.pk,
        "task_b": task_of(tasks, tree.party_group_b).pk,
        "draft_a": task_of(draft_tasks, tree.party_group_a).pk,
        "own_a": own_task(tree).pk,
        "file": ReportFile.objects.get(task_report=report).pk,
        "A": tree.party_group_a.pk,
        "B": tree.party_group_b.pk,
    }


BOTH = {"committee_admin": 200, "unit_admin": 200}
COMMITTEE = {"committee_admin": 200}

# (name, url, {persona: status}); every persona not named answers 404
PAGES = [
    ("points", "/responsibility/points/", BOTH),
    ("new point", "/responsibility/points/new/", COMMITTEE),
    ("published point", "/responsibility/points/{point}/", BOTH),
    ("draft point", "/responsibility/points/{draft}/", COMMITTEE),
    ("edit point", "/responsibility/points/{point}/edit/", COMMITTEE),
    ("assign", "/responsibility/points/{point}/assign/", COMMITTEE),
    ("matrix", "/responsibility/matrix/", BOTH),
    ("overdue", "/responsibility/overdue/", BOTH),
    ("task list", "/responsibility/tasks/", BOTH),
    ("new own task", "/responsibility/tasks/new/", BOTH),
    ("plan", "/responsibility/plan/", BOTH),
    ("plan of A", "/responsibility/plan/?org={A}", BOTH),
    ("plan of B", "/responsibility/plan/?org={B}", COMMITTEE),
    ("own unit's task", "/responsibility/tasks/{task_a}/", BOTH),
    ("other unit's task", "/responsibility/tasks/{task_b}/", COMMITTEE),
    ("a draft's task", "/responsibility/tasks/{draft_a}/", COMMITTEE),
    ("own task", "/responsibility/tasks/{own_a}/", BOTH),
    ("supervise", "/responsibility/tasks/{task_a}/supervise/", COMMITTEE),
    ("supervise own task", "/responsibility/tasks/{own_a}/supervise/", COMMITTEE),
    ("report file", "/responsibility/task-files/{file}/", BOTH),
    ("unknown task", "/responsibility/tasks/999999/", {}),
    ("unknown point", "/responsibility/points/999999/", {}),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "table"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_table(client, personas, objects, persona, name, url, table):
    client.force_login(personas.by_name(persona))
    status = client.get(url.format(**objects)).status_code
    assert status == table.get(persona, 404), f"{name} as {persona}"


def test_anonymous_is_sent_to_sign_in(client, objects):
    response = client.get(f"/responsibility/tasks/{objects['task_a']}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/responsibility/points/{point}/publish/",
        "/responsibility/tasks/{task_a}/report/",
        "/responsibility/tasks/{task_a}/close/",
        "/responsibility/tasks/export/point/",
    ],
)
def test_get_never_writes(client, personas, objects, url):
    client.force_login(personas.committee_admin)
    assert client.get(url.format(**objects)).status_code == 405


# ---------------------------------------------------------------------------------------------
# Query counts


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


_SEQ = itertools.count()


def _more(tree, n):
    """n more units with a task each on a new point, some overdue and reported."""
    from dangjian.orgs.models import Unit
    from dangjian.orgs.services import org_create

    units = []
    for _ in range(n):
        i = next(_SEQ)
        unit = Unit.objects.create(name=f"丙{i}局", short_name=f"丙{i}局", sort=10 + i)
        units.append(
            org_create(
                actor=None, parent=tree.root, name=f"丙{i}局党组", kind="party_group", unit=unit
            )
        )
    due = today() - dt.timedelta(days=1)
    point, tasks = make_point(tree, due=due, units=units, title=f"要点{n}")
    for task in tasks[::2]:
        services.task_report(actor=None, task=task, progress=30, text="推进中", files=[photo()])
        services.supervision_send(
            actor=None, task=task, note="请加快", respond_by=today() + dt.timedelta(days=2)
        )
    return point


def _dump(client, url):
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return "\n".join(q["sql"][:200] for q in ctx.captured_queries)


LISTS = [
    "/responsibility/points/?year={year}",
    "/responsibility/matrix/?year={year}",
    "/responsibility/overdue/",
    "/responsibility/tasks/",
    "/responsibility/tasks/?state=overdue",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_pages_cost_a_fixed_number_of_queries(client, tree, personas, url):
    client.force_login(personas.committee_admin)
    year = (today() - dt.timedelta(days=1)).year
    _more(tree, 2)
    small = _queries(client, url.format(year=year))
    _more(tree, 6)
    assert _queries(client, url.format(year=year)) == small
    assert small <= 20


def test_point_page_and_task_page_do_not_grow_with_rows(client, tree, personas):
    client.force_login(personas.committee_admin)
    point = _more(tree, 2)
    small = _queries(client, f"/responsibility/points/{point.pk}/")
    services.tasks_assign(
        actor=None,
        point=point,
        units=[tree.party_group_a, tree.party_group_b],
        title="补充",
        starts_on=point.tasks.first().starts_on,
        due_on=point.tasks.first().due_on,
    )
    assert _queries(client, f"/responsibility/points/{point.pk}/") == small

    task = point.tasks.order_by("id").first()
    services.task_report(actor=None, task=task, progress=35, text="首次", files=[photo()])
    url = f"/responsibility/tasks/{task.pk}/"
    before = _queries(client, url)
    for n in range(3):
        services.task_report(
            actor=None, task=task, progress=40 + n, text=f"第{n}次", files=[photo(), photo()]
        )
    assert _queries(client, url) == before, _dump(client, url)


def test_the_plan_costs_a_fixed_number_of_queries(client, tree, personas):
    client.force_login(personas.unit_admin)
    own_task(tree, kind="party", title="党建一")
    small = _queries(client, "/responsibility/plan/")
    for n in range(5):
        own_task(tree, kind="business", title=f"业务{n}")
    make_point(tree)
    assert _queries(client, "/responsibility/plan/") == small


# ---------------------------------------------------------------------------------------------
# Forms


def test_the_committee_writes_assigns_and_publishes_through_the_pages(client, tree, personas):
    client.force_login(personas.committee_admin)
    year = today().year
    response = client.post(
        "/responsibility/points/new/",
        {"year": year, "seq": "", "title": "推进清廉机关建设", "content": "开展廉洁教育"},
    )
    point = WorkPoint.objects.unscoped().get(title="推进清廉机关建设")
    assert response.status_code == 302 and response["Location"].endswith(f"/points/{point.pk}/")

    url = f"/responsibility/points/{point.pk}/assign/"
    bad = client.post(
        url,
        {
            "units": [tree.party_group_a.pk],
            "title": "开展警示教育",
            "starts_on": f"{year}-05-02",
            "due_on": f"{year}-05-01",
        },
    )
    assert bad.status_code == 400
    assert "完成时限不能早于开始日期。" in bad.content.decode()
    assert not Task.objects.unscoped().exists()

    ok = client.post(
        url,
        {
            "all_units": "on",
            "title": "开展警示教育",
            "starts_on": f"{year}-01-01",
            "due_on": f"{year}-12-31",
            "evidence_asked": "照片",
        },
    )
    assert ok.status_code == 302
    assert Task.objects.unscoped().filter(point=point).count() == 2
    client.post(f"/responsibility/points/{point.pk}/publish/")
    point.refresh_from_db()
    assert point.published_at is not None
    page = client.get(f"/responsibility/points/{point.pk}/").content.decode()
    assert page.count('data-testid="task-row"') == 2 and "已发布" in page


def test_assigning_to_an_org_that_is_not_offered_is_refused(client, tree, personas):
    point, _ = make_point(tree, units=[tree.party_group_a], publish=False)
    client.force_login(personas.committee_admin)
    response = client.post(
        f"/responsibility/points/{point.pk}/assign/",
        {
            "units": [tree.organ_a.pk],
            "title": "任务",
            "starts_on": f"{point.year}-01-01",
            "due_on": f"{point.year}-12-31",
        },
    )
    assert response.status_code == 400
    assert "所选单位不是本级以下的单位" in response.content.decode()
    assert Task.objects.unscoped().count() == 1


def test_the_unit_reports_with_a_photo_and_downloads_it(client, tree, personas):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.unit_admin)
    response = client.post(
        f"/responsibility/tasks/{task.pk}/report/",
        {"progress": "80", "text": "组织专题学习4次", "files": [photo()]},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.progress == 80
    file = ReportFile.objects.get(task_report__task=task)
    page = client.get(f"/responsibility/tasks/{task.pk}/").content.decode()
    assert "组织专题学习4次" in page and f"/responsibility/task-files/{file.pk}/" in page
    download = client.get(f"/responsibility/task-files/{file.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    client.force_login(personas.secretary_a)
    assert client.get(f"/responsibility/task-files/{file.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"progress": "150", "text": "x"}, "完成进度不能超过100%。"),
        ({"progress": "-5", "text": "x"}, "完成进度不能为负数。"),
        ({"progress": "abc", "text": "x"}, "完成进度须为0至100的整数。"),
        ({"progress": "50", "text": ""}, "请填写进展情况。"),
        ({"progress": "50", "text": "x", "meeting": "999999"}, "请选择本单位或下级组织的会议记录"),
        (
            {"progress": "50", "text": "x", "files": "exe"},
            "只能上传照片（JPG、PNG、WebP）或文档",
        ),
    ],
)
def test_a_bad_report_shows_the_message_and_writes_nothing(client, tree, personas, data, message):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.unit_admin)
    if data.get("files") == "exe":
        data = {**data, "files": [photo("a.png", EXE)]}
    response = client.post(f"/responsibility/tasks/{task.pk}/report/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TaskReport.objects.exists() and not ReportFile.objects.exists()


def test_a_closed_task_offers_no_report_and_refuses_one(client, tree, personas):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    services.task_close(actor=None, task=task, evaluation="good")
    client.force_login(personas.unit_admin)
    page = client.get(f"/responsibility/tasks/{task.pk}/").content.decode()
    assert 'data-testid="report-form"' not in page and "不再接受进展报告" in page
    response = client.post(
        f"/responsibility/tasks/{task.pk}/report/", {"progress": "100", "text": "完成"}
    )
    assert response.status_code == 302
    assert not TaskReport.objects.exists()


def test_supervising_from_the_overdue_row(client, tree, personas):
    _, tasks = make_point(tree, due=today() - dt.timedelta(days=1))
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.committee_admin)
    page = client.get("/responsibility/overdue/").content.decode()
    assert f"/responsibility/tasks/{task.pk}/supervise/?next=overdue" in page
    url = f"/responsibility/tasks/{task.pk}/supervise/"
    bad = client.post(
        url,
        {
            "note": "请加快",
            "respond_by": f"{today() - dt.timedelta(days=1):%Y-%m-%d}",
            "next": "overdue",
        },
    )
    assert bad.status_code == 400 and "限期反馈日期不能早于今天。" in bad.content.decode()
    ok = client.post(
        url, {"note": "请加快", "respond_by": f"{today():%Y-%m-%d}", "next": "overdue"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/responsibility/overdue/"
    assert Supervision.objects.filter(task=task).count() == 1
    # an unknown "next" never becomes a redirect target
    again = client.post(
        url, {"note": "再督办", "respond_by": f"{today():%Y-%m-%d}", "next": "https://evil.example"}
    )
    assert again["Location"] == f"/responsibility/tasks/{task.pk}/"


def test_the_unit_cannot_supervise_or_close_a_point_s_task(client, tree, personas):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.unit_admin)
    page = client.get(f"/responsibility/tasks/{task.pk}/").content.decode()
    assert 'data-testid="close-form"' not in page and "task-supervise-form" not in page
    assert (
        client.post(f"/responsibility/tasks/{task.pk}/close/", {"evaluation": "excellent"})
    ).status_code == 404
    assert (
        client.post(
            f"/responsibility/tasks/{task.pk}/supervise/",
            {"note": "x", "respond_by": f"{today():%Y-%m-%d}"},
        )
    ).status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_closing_needs_an_evaluation_for_a_point_s_task(client, tree, personas):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.committee_admin)
    bad = client.post(f"/responsibility/tasks/{task.pk}/close/", {"evaluation": ""})
    assert bad.status_code == 400 and "请选择评价" in bad.content.decode()
    ok = client.post(
        f"/responsibility/tasks/{task.pk}/close/", {"evaluation": "pass", "note": "基本完成"}
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.evaluation == "pass" and task.status == "closed"


def test_a_unit_adds_its_own_task_and_sees_it_on_its_plan(client, tree, personas):
    client.force_login(personas.unit_admin)
    year = today().year
    bad = client.post(
        "/responsibility/tasks/new/",
        {
            "org": tree.party_group_a.pk,
            "year": year,
            "kind": "business",
            "title": "完成行政复议案件办理",
            "starts_on": f"{year}-03-01",
            "due_on": f"{year + 1}-01-10",
        },
    )
    assert bad.status_code == 400 and f"完成时限须在{year}年内。" in bad.content.decode()
    ok = client.post(
        "/responsibility/tasks/new/",
        {
            "org": tree.party_group_a.pk,
            "year": year,
            "kind": "business",
            "title": "完成行政复议案件办理",
            "starts_on": f"{year}-03-01",
            "due_on": f"{year}-03-31",
        },
    )
    assert ok.status_code == 302
    own_task(tree, kind="party", due=dt.date(year, 3, 20), title="召开党组理论学习中心组学习")
    plan = client.get("/responsibility/plan/").content.decode()
    start = plan.index('data-month="3"')
    end = plan.find('data-testid="plan-month"', start)
    march = plan[start : end if end != -1 else None]
    assert march.index("召开党组理论学习中心组学习") < march.index('data-testid="plan-business"')
    assert march.index("完成行政复议案件办理") > march.index('data-testid="plan-business"')
    # the other unit is not offered, and posting it is refused
    other = client.post(
        "/responsibility/tasks/new/",
        {"org": tree.party_group_b.pk, "year": year, "kind": "party", "title": "x"},
    )
    assert other.status_code == 400 and "请选择有效的单位" in other.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?year=abc&state=nonsense&kind=x&unit=abc&point=-1&page=zzz",
        "?year=99999999999999999999&unit=999999999999999999999999&q=" + "长" * 300,
        "?point=999999&unit=999999&state=overdue&page=9999",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/responsibility/points/",
        "/responsibility/tasks/",
        "/responsibility/overdue/",
        "/responsibility/matrix/",
    ],
)
def test_junk_query_strings_get_a_page(client, personas, objects, path, query):
    client.force_login(personas.committee_admin)
    assert client.get(path + query).status_code == 200


@pytest.mark.parametrize("org", ["abc", "999999", "-1"])
def test_a_plan_of_an_unknown_org_is_404(client, personas, objects, org):
    client.force_login(personas.committee_admin)
    assert client.get(f"/responsibility/plan/?org={org}").status_code == 404


def test_a_plan_of_an_org_that_is_not_a_unit_is_404(client, tree, personas):
    client.force_login(personas.committee_admin)
    assert client.get(f"/responsibility/plan/?org={tree.organ_a.pk}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Exports


def _sheet(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.content[:300]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_export_a_point_s_tasks(client, tree, personas, objects):
    client.force_login(personas.committee_admin)
    rows = _sheet(client.post("/responsibility/tasks/export/point/", {"point": objects["point"]}))
    assert rows[0][:3] == ["序号", "责任单位", "工作要点"]
    assert sorted(r[1] for r in rows[1:]) == ["乙局党组", "甲局党组"]
    assert AuditEntry.objects.filter(action="responsibility.point_tasks.exported").exists()
    # the unit's admin exports only his own unit's row
    client.force_login(personas.unit_admin)
    rows = _sheet(client.post("/responsibility/tasks/export/point/", {"point": objects["point"]}))
    assert [r[1] for r in rows[1:]] == ["甲局党组"]
    # a draft's tasks are not his
    response = client.post("/responsibility/tasks/export/point/", {"point": objects["draft"]})
    assert response.status_code == 404


def test_export_overdue_tasks_and_a_unit_plan(client, tree, personas):
    make_point(tree, due=today() - dt.timedelta(days=1), title="逾期要点")
    make_point(tree, title="未逾期要点")
    own_task(tree)
    client.force_login(personas.committee_admin)
    rows = _sheet(client.post("/responsibility/tasks/export/overdue/", {}))
    assert len(rows) == 3 and all(r[7] == "已逾期" for r in rows[1:])
    rows = _sheet(
        client.post("/responsibility/tasks/export/overdue/", {"unit": tree.party_group_b.pk})
    )
    assert [r[1] for r in rows[1:]] == ["乙局党组"]
    rows = _sheet(
        client.post(
            "/responsibility/tasks/export/plan/",
            {"org": tree.party_group_a.pk, "year": today().year},
        )
    )
    titles = {r[4] for r in rows[1:]}
    assert "完成年度业务目标" in titles and "开展专题学习" in titles


@pytest.mark.parametrize(
    ("kind", "data", "status"),
    [
        ("nonsense", {}, 404),
        ("point", {}, 302),  # 请选择工作要点: a message and back
        ("point", {"point": "abc"}, 404),
        ("plan", {"org": "999999"}, 404),
        ("plan", {"org": "{A}", "year": "abc"}, 302),
    ],
)
def test_bad_export_requests(client, tree, personas, objects, kind, data, status):
    client.force_login(personas.committee_admin)
    data = {k: v.format(**objects) for k, v in data.items()}
    response = client.post(f"/responsibility/tasks/export/{kind}/", data)
    assert response.status_code == status


def test_the_history_is_one_timeline_with_the_escalation(client, tree, personas):
    from django.utils import timezone

    from dangjian.responsibility.reminders_tasks import remind_tasks

    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    start = timezone.now() - dt.timedelta(days=10)
    services.task_report(actor=None, task=task, progress=20, text="第一次报告", now=start)
    sup = services.supervision_send(
        actor=None,
        task=task,
        note="进度滞后请加快",
        respond_by=timezone.localdate(start) + dt.timedelta(days=1),
        now=start + dt.timedelta(days=1),
    )
    remind_tasks(now=start + dt.timedelta(days=5))
    services.task_report(
        actor=None, task=task, progress=50, text="第二次报告", now=start + dt.timedelta(days=6)
    )
    client.force_login(personas.unit_admin)
    page = client.get(f"/responsibility/tasks/{task.pk}/").content.decode()
    order = [page.index(t) for t in ("第二次报告", "进度滞后请加快", "第一次报告")]
    assert order == sorted(order)
    sup.refresh_from_db()
    assert sup.escalated_at is not None and sup.resolved_at is not None
    assert "已解除" in page and "升级至单位书记" in page
