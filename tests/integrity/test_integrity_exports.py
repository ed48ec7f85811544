"""清廉机关 exports: the 廉政风险点台账 and the commitment list (xlsx), their contents, their
scope, and the audit entry of each download."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from tests.integrity.conftest import make_risk, sign

from dangjian.core.exporters import REGISTRY, get_exporter
from dangjian.core.models import AuditEntry
from dangjian.integrity import services


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_registered(client):
    assert get_exporter("integrity.risk_register").verbose_name == "廉政风险点台账"
    assert get_exporter("integrity.commitments").verbose_name == "廉洁承诺签订名单"
    assert {"integrity.risk_register", "integrity.commitments"} <= set(REGISTRY)


def test_risk_register_contents(client, tree, personas, year):
    make_risk(tree.branch_a, year, post="财务岗", level="high")
    make_risk(tree.branch_b, year, post="采购岗", level="low", owner=tree.members_b[1])
    retired = make_risk(tree.branch_a, year, post="旧岗", level="medium")
    services.risk_point_retire(actor=None, risk_point=retired)
    make_risk(tree.branch_c, year, post="乙局岗")
    client.force_login(personas.unit_admin)
    response = client.post("/integrity/export/risks/", {"org": tree.party_group_a.pk, "year": year})
    rows = _sheet(response)
    assert rows[0] == [
        "序号",
        "年度",
        "单位",
        "组织",
        "岗位",
        "风险描述",
        "风险等级",
        "防控措施",
        "责任人",
        "状态",
        "停用日期",
    ]
    body = rows[1:]
    assert len(body) == 3  # 乙局's point is not in 甲局's register
    by_post = {r[4]: r for r in body}
    assert by_post["财务岗"][1:4] == [year, "甲局", "第一党支部"]
    assert sorted(r[0] for r in body) == [1, 2, 3]
    assert by_post["财务岗"][6] == "高" and by_post["财务岗"][8] == "张科长"
    assert by_post["采购岗"][8] == "周九" and by_post["采购岗"][3] == "第二党支部"
    assert by_post["旧岗"][9] == "已停用" and by_post["旧岗"][10] is not None
    entry = AuditEntry.objects.get(action="integrity.risk_register.exported")
    assert entry.org_path == tree.party_group_a.path
    assert entry.changes["rows"] == 3 and entry.changes["year"] == year


def test_commitment_list_contents(client, tree, personas, year, today):
    sign(tree.members_a[0], year, signed_on=today)
    sign(tree.members_a[2], year - 1)  # last year's does not count
    client.force_login(personas.secretary_a)
    rows = _sheet(
        client.post("/integrity/export/commitments/", {"org": tree.branch_a.pk, "year": year})
    )
    assert rows[0] == ["序号", "单位", "党支部", "姓名", "签订情况", "签订日期"]
    body = {r[3]: r for r in rows[1:]}
    assert set(body) == {"张三丰", "李四", "王五", "赵六", "钱七"}
    assert body["张三丰"][4] == "已签订" and body["张三丰"][5].date() == today
    assert body["王五"][4] == "未签订" and body["王五"][5] is None
    assert body["张三丰"][1:3] == ["甲局", "第一党支部"]
    entry = AuditEntry.objects.get(action="integrity.commitments.exported")
    assert entry.changes["rows"] == 5 and entry.object_id == str(tree.branch_a.pk)


def test_export_defaults_to_the_users_org_and_this_year(client, tree, personas, year):
    sign(tree.members_b[0], year)
    client.force_login(personas.secretary_b)
    rows = _sheet(client.post("/integrity/export/commitments/", {}))
    assert sorted(r[3] for r in rows[1:]) == sorted(m.name for m in tree.members_b)
    assert [r[4] for r in rows[1:]].count("已签订") == 1


@pytest.mark.parametrize("persona", ["secretary_b", "member_a", "judge", "auditor", "outsider"])
def test_export_of_another_org_is_404(client, tree, personas, persona, year):
    client.force_login(personas.by_name(persona))
    for kind in ("risks", "commitments"):
        response = client.post(f"/integrity/export/{kind}/", {"org": tree.branch_a.pk})
        assert response.status_code == 404
    assert not AuditEntry.objects.filter(action__endswith=".exported").exists()


def test_unknown_export_and_bad_year(client, tree, personas):
    client.force_login(personas.committee_admin)
    assert client.post("/integrity/export/members/", {}).status_code == 404
    response = client.post(
        "/integrity/export/risks/",
        {"org": tree.branch_a.pk, "year": "abc"},
        HTTP_REFERER="/integrity/risks/",
    )
    assert response.status_code == 302  # the message "年度无效。" on the page it came from
    assert not AuditEntry.objects.filter(action__endswith=".exported").exists()
