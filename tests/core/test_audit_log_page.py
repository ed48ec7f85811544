"""The auditor's audit log: search by text, action, day range and address; export to xlsx
and CSV (itself audited); nobody else sees it; nothing in the product deletes it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.audit import audit
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entry(action, ip="10.0.0.1", days_ago=0, name="张三"):
    audit(None, action, changes={"名": name}, ip=ip)
    entry = AuditEntry.objects.order_by("-id").first()
    if days_ago:
        # back-date in SQL: the product refuses edits (the chain would show this one)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE id = %s",
                [timezone.now() - dt.timedelta(days=days_ago), entry.pk],
            )
    return entry


def _rows(response):
    return response.content.decode().count('data-testid="audit-row"')


def test_filters_by_action_day_range_and_address(client, tree, personas):
    _entry("accounts.login.failed", ip="10.9.9.9", days_ago=10)
    _entry("accounts.login.failed", ip="10.9.9.9")
    _entry("accounts.login.succeeded", ip="10.1.1.1")
    client.force_login(personas.auditor)
    assert _rows(client.get("/audit/", {"action": "accounts.login"})) == 3
    assert _rows(client.get("/audit/", {"action": "accounts.login", "ip": "10.9.9.9"})) == 2
    today = timezone.localdate().isoformat()
    page = client.get("/audit/", {"ip": "10.9.9.9", "date_from": today, "date_to": today})
    assert _rows(page) == 1
    # any typed prefix works too
    page = client.get("/audit/", {"action": "accounts.login.succeeded"})
    assert _rows(page) == 1
    assert "登录成功" in page.content.decode()  # the action's Chinese name beside its code


def test_bad_filters_are_explained_not_500(client, tree, personas):
    client.force_login(personas.auditor)
    response = client.get("/audit/", {"date_from": "2026-13-01", "ip": "not-an-ip"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "有效" in html  # Django's Chinese messages at the field
    response = client.get("/audit/", {"date_from": "2026-11-20", "date_to": "2026-11-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_the_auditor_exports_what_the_page_shows_and_the_export_is_audited(client, tree, personas):
    _entry("accounts.login.failed", ip="10.9.9.9", name="李四")
    _entry("orgs.org.updated")
    client.force_login(personas.auditor)
    response = client.post(
        "/audit/export/", {"action": "accounts.login", "ip": "10.9.9.9", "fmt": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "时间", "操作人账号", "操作代码")
    assert [r[3] for r in rows[1:]] == ["accounts.login.failed"]
    assert "李四" in rows[1][6] and len(rows[1][8]) == 64  # changes, and the entry's digest
    assert book["导出说明"]["A1"].value.startswith("导出人：auditor")
    exported = AuditEntry.objects.get(action="core.audit.exported")
    assert exported.actor == personas.auditor
    assert exported.changes["rows"] == 1
    assert exported.changes["filters"] == {"action": "accounts.login", "ip": "10.9.9.9"}

    csv = client.post("/audit/export/", {"fmt": "csv"})
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "persona",
    [
        "committee_admin",
        "unit_admin",
        "secretary_a",
        "member_a",
        "security_admin",
        "system_admin",
        "judge",
        "outsider",
    ],
)
def test_nobody_but_the_auditor_reads_or_exports_the_log(client, tree, personas, persona):
    client.force_login(personas.by_name(persona))
    assert client.get("/audit/").status_code == 404
    assert client.post("/audit/export/", {"fmt": "xlsx"}).status_code == 404
    assert not AuditEntry.objects.filter(action="core.audit.exported").exists()


def test_a_bad_export_request_is_refused_in_chinese(client, tree, personas):
    client.force_login(personas.auditor)
    response = client.post("/audit/export/", {"fmt": "exe"}, HTTP_REFERER="/audit/")
    assert response.status_code == 302
    response = client.post("/audit/export/", {"fmt": "xlsx", "ip": "x"}, follow=True)
    assert "IP" in response.content.decode() or "地址" in response.content.decode()


def test_entries_cannot_be_deleted_in_bulk_either(tree):
    _entry("tests.thing.done")
    with pytest.raises(RuntimeError, match="不可删除"):
        AuditEntry.objects.all().delete()
    with pytest.raises(RuntimeError, match="不可修改"):
        AuditEntry.objects.filter(action="tests.thing.done").update(action="x")
    assert AuditEntry.objects.filter(action="tests.thing.done").exists()
