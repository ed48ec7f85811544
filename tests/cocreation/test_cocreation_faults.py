"""A dropped database connection in the middle of a visit's record (the visit, its problems,
the audit entry) leaves nothing; the same record succeeds afterwards."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DatabaseError

from dangjian.cocreation import services as s
from dangjian.cocreation.models import Problem, Visit
from dangjian.core.models import AuditEntry
from tests.faults import drop_connection_after

DB_ERRORS = (DatabaseError, sqlite3.Error)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_leaves_no_half_visit(world, today):
    before = (
        Visit.objects.unscoped().count(),
        Problem.objects.unscoped().count(),
        AuditEntry.objects.filter(action="cocreation.visit.recorded").count(),
    )
    problems = [
        {"description": "路灯不亮", "owner_name": "李四", "due_on": today},
        {"description": "水渠堵塞", "owner_name": "王五", "due_on": today},
    ]

    def record():
        return s.visit_record(
            actor=None,
            pairing=world.pairing,
            visited_on=today,
            visitors="张三丰",
            summary="走访",
            problems=problems,
        )

    # the visit and its problems are written; the connection goes before the audit entry
    with (
        drop_connection_after(0, match='INSERT INTO "core_auditentry"') as fault,
        pytest.raises(DB_ERRORS),
    ):
        record()
    assert fault.dropped
    assert any(st.startswith('INSERT INTO "cocreation_problem"') for st in fault.statements)
    after = (
        Visit.objects.unscoped().count(),
        Problem.objects.unscoped().count(),
        AuditEntry.objects.filter(action="cocreation.visit.recorded").count(),
    )
    assert after == before
    visit = record()
    assert visit.problems.count() == 2
