"""党费 exports: the month list, arrears, annual totals and publication open in openpyxl (and
the notice in python-docx), hold the right numbers, stay inside what the user may see, and
are audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from tests.dues.conftest import pay


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def paid(tree, charged):
    pay(tree.members_a[1], "240.00", dt.date(2024, 6, 30))
    pay(tree.members_a[2], "1200.00", dt.date(2024, 5, 1), kind="voluntary")
    return tree


def test_month_list_export(client, personas, paid):
    client.force_login(personas.secretary_a)
    rows = _sheet(client.post("/dues/export/month/", {"org": paid.branch_a.pk, "month": "2024-03"}))
    assert rows[0][:3] == ["序号", "党支部", "姓名"]
    body = {r[2]: r for r in rows[1:]}
    assert set(body) == {m.name for m in paid.members_a}  # branch A only
    assert body["李四"][4:8] == [40, 40, 0, "已缴"]
    assert body["王五"][4:8] == [40, 0, 40, "未缴"]
    assert AuditEntry.objects.filter(action="dues.month_list.exported").count() == 1


def test_month_list_export_of_another_branch_is_404(client, personas, paid):
    client.force_login(personas.secretary_b)
    response = client.post("/dues/export/month/", {"org": paid.branch_a.pk, "month": "2024-03"})
    assert response.status_code == 404


def test_arrears_export(client, personas, paid):
    client.force_login(personas.secretary_a)
    rows = _sheet(client.post("/dues/export/arrears/", {"org": paid.branch_a.pk}))
    names = [r[2] for r in rows[1:]]
    assert "李四" not in names and len(names) == 4
    wang = next(r for r in rows[1:] if r[2] == "王五")
    assert wang[5] == 6 and wang[7] == 240  # six months owed, 240 yuan


def test_annual_totals_export(client, personas, paid):
    client.force_login(personas.committee_admin)
    rows = _sheet(client.post("/dues/export/annual/", {"org": paid.root.pk, "year": "2024"}))
    total = rows[-1]
    assert total[0] == "合计"
    members = len(paid.members_a) + len(paid.members_b) + len(paid.members_c)
    assert total[2] == members and total[3] == 40 * 6 * members
    assert total[4] == 240 and total[6] == 1200 and total[7] == 1200  # R-DUES-12
    assert [r[1] for r in rows[1:] if r[0] == "单位"] == ["甲局", "乙局"]


def test_publication_exports(client, personas, paid):
    client.force_login(personas.secretary_a)
    params = {"org": paid.branch_a.pk, "year": "2024"}
    rows = _sheet(client.post("/dues/export/publication/", params))
    li = next(r for r in rows[1:] if r[1] == "李四")
    assert li[2] == "1、2、3、4、5、6月" and li[5] == 240
    assert rows[-1][1] == "合计（5人）" and rows[-1][5] == 240 and rows[-1][6] == 1200
    response = client.post("/dues/export/publication-docx/", params)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "第一党支部2024年度党费收缴情况公示" in text
    assert "1200.00元全部上缴中央" in text
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "李四" in cells and "240.00" in cells


def test_unknown_export_is_404(client, personas, paid):
    client.force_login(personas.secretary_a)
    assert client.post("/dues/export/nothing/", {"org": paid.branch_a.pk}).status_code == 404


def test_member_cannot_export(client, personas, paid):
    client.force_login(personas.member_a)
    params = {"org": paid.branch_a.pk, "year": "2024"}
    assert client.post("/dues/export/publication/", params).status_code == 404
