"""共同缔造 exports (xlsx): pairings with cadres, projects with metrics and progress, the problems
ledger; their contents, scope, refusals and the audit entry of each download."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dangjian.core.exporters import REGISTRY, get_exporter
from dangjian.core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _rows(response):
    assert response.status_code == 200, response.content[:300]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _login(client, name):
    client.login(username=name, password=PASSWORD)
    return client


def test_registered():
    assert get_exporter("cocreation.projects").verbose_name == "实事项目及目标完成情况"
    assert {"cocreation.pairings", "cocreation.projects", "cocreation.problems"} <= set(REGISTRY)


def test_pairings_with_cadres(client, personas, world):
    rows = _rows(_login(client, "committee_admin").post("/cocreation/export/pairings/"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["序号", "包联单位", "县（市、区）", "乡镇（街道）", "村（社区）"]
    assert len(body) == 3  # 甲局 (one cadre) and 乙局's two pairings without cadres
    first = next(r for r in body if r[1] == "甲局党组")
    assert first[4] == "龙泉村" and first[5] == "是" and first[9] == world.cadre.name
    assert first[10] == "驻村第一书记"
    assert AuditEntry.objects.filter(action="cocreation.pairings.exported").count() == 1


def test_projects_with_metric_progress_scoped_to_the_unit(client, personas, world):
    rows = _rows(_login(client, "unit_admin").post("/cocreation/export/projects/"))
    header, body = rows[0], rows[1:]
    assert "完成率（%）" in header
    titles = {r[3] for r in body}
    assert "户户亮：路灯安装" not in titles  # 乙局's
    road = next(r for r in body if r[14] == "硬化道路")
    i = header.index
    assert road[i("目标值")] == 12 and road[i("完成值")] == 4.5
    assert road[i("完成率（%）")] == 37.5
    assert road[i("计划资金（万元）")] == 120
    # a project without metrics still has its row
    assert any(r[3] == "内部项目：村委会办公设备" and r[14] == "" for r in body) or any(
        r[3] == "内部项目：村委会办公设备" and r[14] is None for r in body
    )


def test_problems_ledger(client, personas, world, tree):
    c = _login(client, "committee_admin")
    rows = _rows(c.post("/cocreation/export/problems/", {"status": "open"}))
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    overdue = next(r for r in body if r[4] == "村口路灯不亮")
    assert overdue[header.index("逾期")] == "是"
    assert overdue[header.index("反映人")] == "赵大爷"
    rows = _rows(c.post("/cocreation/export/problems/", {"unit": tree.party_group_b.pk}))
    assert len(rows) == 1  # 乙局 has none


def test_refusals(client, personas, world, tree):
    c = _login(client, "unit_admin")
    assert c.post("/cocreation/export/nothing/").status_code == 404
    response = c.post("/cocreation/export/projects/", {"unit": tree.party_group_b.pk})
    assert response.status_code in (302, 400)  # 乙局 is not his: a Chinese message
    c.logout()
    c = _login(client, "secretary_a")
    assert c.post("/cocreation/export/projects/").status_code == 404
