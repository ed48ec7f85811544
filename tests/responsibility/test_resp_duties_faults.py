"""The responsibility lists' multi-row writes under a dropped database connection
(tests/faults.py): the copy of a list (the list, its items, the audit entry) and a report with
evidence (the report, its files, the item's progress, the audit entry) leave nothing behind —
no rows and no stored files — and succeed when called again."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import DatabaseError

from dangjian.core.models import AuditEntry
from dangjian.responsibility import services_duties as services
from dangjian.responsibility.models import DutyItem, DutyList, DutyReport, ReportFile
from tests.faults import drop_connection_after
from tests.responsibility.resp_duties_support import YEAR, confirmed_list, photo, report

DB_ERRORS = (DatabaseError, sqlite3.Error)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_copy_leaves_no_list_and_no_items(tree):
    source, _items = confirmed_list(tree.party_group_a)
    lists, items = DutyList.all_objects.count(), DutyItem.objects.count()

    dropped = drop_connection_after(0, match='INSERT INTO "core_auditentry"')
    with dropped as fault, pytest.raises(DB_ERRORS):
        services.duty_list_copy(actor=None, source=source, year=YEAR + 1)
    assert fault.dropped
    assert any(s.startswith('INSERT INTO "responsibility_dutyitem"') for s in fault.statements)

    assert DutyList.all_objects.count() == lists and DutyItem.objects.count() == items
    assert not AuditEntry.objects.filter(action="responsibility.duty_list.copied").exists()

    copy = services.duty_list_copy(actor=None, source=source, year=YEAR + 1)
    assert DutyItem.objects.filter(duty_list=copy).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_dropped_report_leaves_no_report_no_files_and_no_progress(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _list, (item, _other) = confirmed_list(tree.party_group_a)

    dropped = drop_connection_after(0, match='INSERT INTO "core_auditentry"')
    with dropped as fault, pytest.raises(DB_ERRORS):
        report(item, progress=80, files=[photo()])
    assert fault.dropped
    assert any(s.startswith('INSERT INTO "responsibility_reportfile"') for s in fault.statements)

    assert not DutyReport.objects.exists() and not ReportFile.objects.exists()
    item.refresh_from_db()
    assert item.progress == 0
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the stored photo went too

    report(item, progress=80, files=[photo()])
    item.refresh_from_db()
    assert item.progress == 80 and ReportFile.objects.count() == 1
