"""The 发展党员工作台账 export (xlsx/csv): its columns and rows, narrowed to what the user may
see, filtered by org and stage, the dates of the main steps, and the audit entry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.errors import AppError
from dangjian.core.exporters import REGISTRY, get_exporter
from dangjian.core.models import AuditEntry
from tests.recruitment.conftest import date_of

pytestmark = pytest.mark.django_db


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


def test_registered():
    assert get_exporter("recruitment.candidates").verbose_name == "发展党员工作台账"
    assert "recruitment.candidates" in REGISTRY


def test_export_contents_and_scope(client, tree, personas, candidate_factory):
    accepted = candidate_factory(upto="acceptance", name="陈接收")
    candidate_factory(upto="talk", name="王申请", start=dt.date(2024, 1, 5))
    candidate_factory(upto="application", name="孙二支", branch=tree.branch_b)
    candidate_factory(upto="application", name="赵乙局", branch=tree.branch_c)
    client.force_login(personas.unit_admin)
    rows = sheet(client.post(reverse("recruitment:export"), {"org": "", "stage": ""}))
    header = rows[0]
    assert header[:10] == [
        "序号",
        "单位",
        "党支部",
        "姓名",
        "性别",
        "出生日期",
        "学历",
        "单位职务",
        "阶段",
        "状态",
    ]
    body = {r[3]: dict(zip(header, r, strict=False)) for r in rows[1:] if r[0] is not None}
    assert set(body) == {"陈接收", "王申请", "孙二支"}  # 乙局's candidate is not his
    row = body["陈接收"]
    assert row["单位"] == "甲局" and row["党支部"] == "第一党支部"
    assert row["阶段"] == "发展对象" and row["状态"] == "培养中"
    assert as_date(row["递交申请"]) == date_of("application")
    assert as_date(row["确定积极分子"]) == date_of("activist")
    assert as_date(row["支部大会接收"]) == date_of("acceptance")
    assert row["上级党委审批"] is None
    assert accepted.pk
    entry = AuditEntry.objects.filter(action="recruitment.candidates.exported").get()
    assert entry.actor_id == personas.unit_admin.pk


def test_export_of_one_branch_and_stage(client, tree, personas, candidate_factory):
    candidate_factory(upto="contacts", name="李积极")
    candidate_factory(upto="application", name="王申请", start=dt.date(2024, 1, 5))
    candidate_factory(upto="contacts", name="孙二支", branch=tree.branch_b)
    client.force_login(personas.secretary_a)
    rows = sheet(client.post(reverse("recruitment:export"), {"org": "", "stage": "activist"}))
    names = [r[3] for r in rows[1:] if r[0] is not None]
    assert names == ["李积极"]  # not branch B's, not the applicant
    # secretary B may not export branch A
    client.force_login(personas.secretary_b)
    response = client.post(reverse("recruitment:export"), {"org": tree.branch_a.pk})
    assert response.status_code == 404


def test_export_refuses_a_bad_stage(tree, personas):
    with pytest.raises(AppError):
        get_exporter("recruitment.candidates")(personas.unit_admin, {"stage": "nonsense"})
