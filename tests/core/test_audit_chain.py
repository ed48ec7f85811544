"""Tamper evidence: each audit entry carries the digest of the previous one; `dangjian audit
verify` walks the chain and names the first broken link."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.core.audit import audit, verify_chain
from dangjian.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


def _entries(n=5):
    for i in range(n):
        audit(None, "tests.thing.done", changes={"i": i, "名": "张三"}, ip="10.0.0.1")
    return list(AuditEntry.objects.order_by("id"))


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_log_verifies(tree):
    entries = _entries()
    assert all(e.entry_hash and len(e.entry_hash) == 64 for e in entries)
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "审计日志完整" in out.getvalue()


def test_an_altered_entry_is_named(tree):
    entries = _entries()
    victim = entries[-3]
    _sql("UPDATE core_auditentry SET changes = %s WHERE id = %s", ['{"i": 99}', victim.pk])
    report = verify_chain()
    assert not report.ok and report.broken_id == victim.pk and "改动" in report.reason
    with pytest.raises(CommandError, match=f"第 {victim.pk} 号"):
        call_command("audit", "verify")


def test_a_deleted_entry_is_detected_where_the_chain_breaks(tree):
    entries = _entries()
    _sql("DELETE FROM core_auditentry WHERE id = %s", [entries[-3].pk])
    report = verify_chain()
    assert not report.ok and report.broken_id == entries[-2].pk


def test_deleting_the_newest_entries_is_detected_by_the_head(tree):
    entries = _entries()
    _sql("DELETE FROM core_auditentry WHERE id >= %s", [entries[-2].pk])
    report = verify_chain()
    assert not report.ok and "链尾" in report.reason
    assert AuditChainHead.objects.get(pk=1).last_id == entries[-1].pk


def test_bulk_entries_of_an_import_join_the_chain(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    from tests.members.test_import_support import roster_row, upload, write_xlsx

    from dangjian.members.imports import import_confirm
    from dangjian.members.models import ImportJob

    path = write_xlsx(tmp_path / "r.xlsx", [roster_row("欧阳修"), roster_row("苏轼")])
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, tree.party_group_a)
    job = ImportJob.objects.unscoped().latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(actor=personas.unit_admin, job=job)
    assert AuditEntry.objects.filter(action="members.member.imported").count() == 2
    assert verify_chain().ok


def test_the_auditor_can_verify_from_the_audit_page(client, tree, personas):
    _entries(3)
    client.force_login(personas.auditor)
    page = client.get("/audit/", {"verify": "1"}).content.decode()
    assert "审计日志完整" in page
    client.force_login(personas.committee_admin)
    assert client.get("/audit/", {"verify": "1"}).status_code == 404
