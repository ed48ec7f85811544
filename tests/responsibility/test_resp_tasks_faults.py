"""A dropped database connection in the middle of the tasks' multi-row writes (the assignment
of a point to every unit; a report with its files and the task's new progress) leaves nothing
behind, no stored file either, and the same write succeeds afterwards."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError

from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import ReportFile, Task, TaskReport
from tests.faults import drop_connection_after
from tests.responsibility.resp_tasks_support import make_point, photo, span, task_of, today

pytestmark = pytest.mark.django_db(transaction=True)

DB_ERRORS = (DatabaseError, sqlite3.Error)


def _stored() -> set[str]:
    if not default_storage.exists("responsibility"):
        return set()
    return set(default_storage.listdir("responsibility")[1])


def test_a_drop_during_assignment_leaves_no_task(tree):
    import datetime as dt

    point = services.work_point_create(
        actor=None, org=tree.root, year=today().year, title="学习贯彻党的二十大精神"
    )
    services.work_point_publish(actor=None, point=point)
    dates = span(dt.date(today().year, 12, 31))
    call = {
        "actor": None,
        "point": point,
        "all_units": True,
        "title": "开展专题学习",
        "starts_on": dates["starts_on"],
        "due_on": dates["due_on"],
    }
    # the tasks are written; the audit entry meets the dropped connection
    with (
        drop_connection_after(0, match='INSERT INTO "core_auditentry"') as fault,
        pytest.raises(DB_ERRORS),
    ):
        services.tasks_assign(**call)
    assert fault.dropped
    assert any(s.startswith('INSERT INTO "responsibility_task"') for s in fault.statements)
    assert not Task.objects.unscoped().filter(point=point).exists()
    assert len(services.tasks_assign(**call)) == 2


def test_a_drop_during_a_report_leaves_no_report_and_no_file(tree):
    _, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    before = _stored()
    call = {"actor": None, "task": task, "progress": 60, "text": "已部署"}
    with (
        drop_connection_after(0, match='UPDATE "responsibility_task"') as fault,
        pytest.raises(DB_ERRORS),
    ):
        services.task_report(**call, files=[photo(), photo("b.png")])
    assert fault.dropped
    assert any(s.startswith('INSERT INTO "responsibility_reportfile"') for s in fault.statements)
    assert not TaskReport.objects.exists() and not ReportFile.objects.exists()
    assert _stored() == before
    task.refresh_from_db()
    assert task.progress == 0
    services.task_report(**call, files=[photo()])
    task.refresh_from_db()
    assert task.progress == 60 and ReportFile.objects.count() == 1
