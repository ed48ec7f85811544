"""The overview as a workbook: one sheet per table with the page's numbers, the unit admin's
copy holds his unit only, bad input gets a Chinese message, outsiders a 404, and each
download is audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.exporters import REGISTRY, get_exporter
from dangjian.core.models import AuditEntry
from dangjian.responsibility.exporters_overview import OverviewExporter
from tests.conftest import PERSONA_NAMES
from tests.responsibility.resp_overview_data import build

URL = "/responsibility/overview/export/"


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def data(tree, today):
    return build(tree, today)


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def test_registered():
    assert get_exporter("responsibility.overview") is OverviewExporter
    assert "responsibility.overview" in REGISTRY


def test_committee_workbook_has_one_sheet_per_table_with_the_numbers(client, personas, data):
    client.force_login(personas.committee_admin)
    book = _book(client.post(URL, {"year": data.year}))
    assert list(book) == [
        "工作要点完成情况",
        "各单位任务完成情况",
        "责任清单落实情况",
        "共同缔造各单位成效",
        "共同缔造目标指标",
        "导出说明",
    ]
    points = book["工作要点完成情况"]
    assert points[0][:3] == ["序号", "工作要点", "任务数"]
    assert points[1] == [1, "学习贯彻党的二十大精神", 2, 2, 1, 0, 100.0, 50.0, 95.0]
    assert points[2] == [2, "深化共同缔造活动", 2, 0, 0, 2, 0.0, 0.0, 50.0]

    units = {r[0]: r for r in book["各单位任务完成情况"][1:]}
    assert units["甲局"] == ["甲局", 2, 1, 1, 50.0, 70.0, 1, 0, 2]
    assert units["乙局"] == ["乙局", 2, 1, 0, 50.0, 75.0, 1, 1, 1]
    assert units["合计"] == ["合计", 4, 2, 1, 50.0, 72.5, 2, 1, 3]

    duties = book["责任清单落实情况"]
    assert duties[0][6:8] == ["第4季度应报告", "第4季度已报告"]
    rows = {r[0]: r for r in duties[1:]}
    assert rows["甲局"] == ["甲局", "已确认", "未确认", 2, 1, 3, 3, 2, 66.7]
    assert rows["乙局"][:7] == ["乙局", "未确认", "未建立", 0, 0, 0, 0]
    assert rows["乙局"][8] is None  # no items: no share

    co = book["共同缔造各单位成效"]
    header = co[0]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in co[1:]}
    assert rows["甲局"]["包联村（社区）"] == 2 and rows["甲局"]["试点"] == 1
    assert rows["甲局"]["已完成"] == 1 and rows["甲局"]["实施中"] == 1
    assert rows["合计"]["已完成项目受益户数"] == 120 and rows["合计"]["到位资金（万元）"] == 62.5
    assert rows["合计"]["其中逾期"] == 3 and rows["合计"]["走访次数"] == 3

    metrics = book["共同缔造目标指标"]
    assert metrics[1:] == [
        ["硬化道路", "公里", 2, 15.0, 11.0, 73.3],
        ["路灯", "盏", 1, 100.0, 110.0, 110.0],
    ]
    assert "导出人" in book["导出说明"][0][0]

    entry = AuditEntry.objects.get(action="responsibility.overview.exported")
    assert entry.changes["year"] == data.year and entry.changes["unit"] is None
    assert entry.changes["rows"] == 2 + 3 + 2 + 3 + 2


def test_unit_admins_workbook_holds_his_unit_only(client, tree, personas, data):
    client.force_login(personas.unit_admin)
    book = _book(client.post(URL, {"year": data.year}))
    names = [r[0] for r in book["各单位任务完成情况"][1:]]
    assert names == ["甲局", "合计"]
    assert all("乙局" not in str(cell) for rows in book.values() for r in rows for cell in r)
    entry = AuditEntry.objects.get(action="responsibility.overview.exported")
    assert entry.org_path == tree.party_group_a.path


def test_export_of_one_unit(client, tree, personas, data):
    client.force_login(personas.committee_admin)
    book = _book(client.post(URL, {"year": data.year, "unit": tree.party_group_b.pk}))
    assert [r[0] for r in book["各单位任务完成情况"][1:]] == ["乙局", "合计"]
    assert AuditEntry.objects.get(action="responsibility.overview.exported").changes["unit"] == (
        tree.party_group_b.pk
    )


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_who_may_export(client, personas, data, persona):
    client.force_login(personas.by_name(persona))
    response = client.post(URL, {"year": data.year})
    expected = 200 if persona in ("committee_admin", "unit_admin") else 404
    assert response.status_code == expected
    assert AuditEntry.objects.filter(action="responsibility.overview.exported").exists() is (
        expected == 200
    )


def test_another_units_export_is_404_for_the_unit_admin(client, tree, personas, data):
    client.force_login(personas.unit_admin)
    assert client.post(URL, {"year": data.year, "unit": tree.party_group_b.pk}).status_code == 404
    assert not AuditEntry.objects.filter(action="responsibility.overview.exported").exists()


@pytest.mark.parametrize("year", ["abc", "1800", "2024.5", "9" * 50])
def test_bad_year_is_a_chinese_message(client, personas, data, year):
    client.force_login(personas.committee_admin)
    response = client.post(
        URL, {"year": year}, HTTP_REFERER="http://testserver/responsibility/overview/"
    )
    assert response.status_code == 302 and response["Location"].endswith(
        "/responsibility/overview/"
    )
    page = client.get(response["Location"])
    assert "年度无效" in page.content.decode()
    assert not AuditEntry.objects.filter(action="responsibility.overview.exported").exists()


def test_get_is_refused(client, personas):
    client.force_login(personas.committee_admin)
    assert client.get(URL).status_code == 405


def test_exporter_rebuilt_from_its_params_gives_the_same_rows(personas, data):
    """A background job builds the exporter again from the stored (JSON-ready) parameters."""
    first = OverviewExporter(personas.committee_admin, {"year": str(data.year)})
    again = OverviewExporter(personas.committee_admin, first.params)
    assert first.params == {"year": data.year, "unit": ""}
    assert first.count() == again.count() == 12
    buffer = io.BytesIO()
    assert again.write("xlsx", buffer) == 12
    assert load_workbook(io.BytesIO(buffer.getvalue())).sheetnames[0] == "工作要点完成情况"
