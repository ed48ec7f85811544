"""Roster exports: the 党员名册 (XLSX/CSV) and the 党员基本信息采集表 (Word) — columns and
their order, values, masking and reveal per persona, scope, audit, the background path and
query counts."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook
from tests.conftest import member_data

from dangjian.accounts.models import RoleGrant, User
from dangjian.core import crypto
from dangjian.core.models import AuditEntry, ExportJob, ExportStatus
from dangjian.core.permissions import ROLE_CAPS, Cap, Role
from dangjian.members.services import member_create
from dangjian.rules.members import FIELD_LABELS, FIELD_ORDER

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, data, query=""):
    return client.post(f"/members/export/{query}", data)


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _docx(response):
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    return Document(io.BytesIO(response.content))


def _docx_text(document) -> str:
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    return "\n".join([p.text for p in document.paragraphs] + sorted(cells))


def _entry(action="members.roster.exported"):
    """The latest entry of this action."""
    return AuditEntry.objects.filter(action=action).first()


def test_chosen_columns_in_order_with_code_labels_and_real_dates(client, tree, personas):
    client.force_login(personas.unit_admin)
    columns = ["name", "ethnicity", "education", "post", "branch", "unit", "joined_on"]
    response = _post(
        client,
        {"preset": "custom", "columns": columns, "fmt": "xlsx"},
        f"?org={tree.branch_a.pk}",
    )
    sheet = _sheet(response)
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E5%85%9A%E5%91%98%E5%90%8D%E5%86%8C" in response["Content-Disposition"]  # 党员名册
    rows = _rows(sheet)
    assert rows[0] == [
        "姓名",
        "民族",
        "学历",
        "工作岗位",
        "所在党支部",
        "所在单位",
        "加入党组织日期",
    ]
    zhang = next(r for r in rows if r[0] == "张三丰")
    assert zhang[1:6] == ["汉族", "大学本科毕业", zhang[3], "第一党支部", "甲局"]
    assert zhang[3] and not zhang[3].isdigit()  # the post's label, not its code
    assert zhang[6].date() == tree.members_a[0].joined_on
    assert sorted(r[0] for r in rows[1:]) == sorted(m.name for m in tree.members_a)


def test_national_preset_is_the_collection_form_order(client, tree, personas):
    client.force_login(personas.unit_admin)
    sheet = _sheet(_post(client, {"preset": "national", "columns": ["name"], "fmt": "xlsx"}))
    header = _rows(sheet)[0]
    assert header == [FIELD_LABELS[k] for k in FIELD_ORDER]
    assert header[:8] == [
        "姓名",
        "性别",
        "民族",
        "公民身份号码",
        "出生日期",
        "学历",
        "人员类别",
        "所在党支部",
    ]
    qian = next(r for r in _rows(sheet) if r[0] == "钱七")
    assert (
        qian[1] == "女" and qian[6] == "预备党员" and qian[header.index("转为正式党员日期")] is None
    )
    assert qian[header.index("是否为流动党员")] == "否"


def test_sensitive_items_are_masked_unless_revealed_and_the_export_is_audited(
    client, tree, personas
):
    client.force_login(personas.secretary_a)
    data = {"preset": "custom", "columns": ["name", "id_number", "phone", "address"], "fmt": "xlsx"}
    rows = _rows(_sheet(_post(client, data)))
    member = tree.members_a[0]
    zhang = next(r for r in rows if r[0] == member.name)
    assert zhang[1:] == [member.id_number_masked, member.phone_masked, member.address_masked]
    assert "*" in zhang[1] and crypto.decrypt(member.id_number_sealed) not in str(rows)
    entry = _entry()
    assert entry.actor == personas.secretary_a and entry.changes["rows"] == 5
    assert entry.changes["revealed"] == [] and entry.changes["revealed_count"] == 0
    assert entry.org_path == tree.branch_a.path

    rows = _rows(_sheet(_post(client, {**data, "reveal": "on"})))
    zhang = next(r for r in rows if r[0] == member.name)
    assert zhang[1:] == [
        crypto.decrypt(member.id_number_sealed),
        crypto.decrypt(member.phone_sealed),
        crypto.decrypt(member.address_sealed),
    ]
    entry = AuditEntry.objects.filter(action="members.roster.exported").first()
    assert entry.changes["revealed"] == ["address", "id_number", "phone"]
    assert entry.changes["revealed_labels"] == ["公民身份号码", "联系电话", "家庭住址"]
    assert entry.changes["revealed_count"] == 5
    assert zhang[1] not in str(entry.changes)  # the log names items, never values


def test_secretary_exports_only_their_branch(client, tree, personas):
    client.force_login(personas.secretary_a)
    rows = _rows(_sheet(_post(client, {"preset": "national", "fmt": "xlsx"})))
    assert sorted(r[0] for r in rows[1:]) == sorted(m.name for m in tree.members_a)
    assert {r[7] for r in rows[1:]} == {"第一党支部"}
    client.force_login(personas.secretary_b)
    rows = _rows(_sheet(_post(client, {"preset": "national", "fmt": "xlsx"})))
    assert sorted(r[0] for r in rows[1:]) == sorted(m.name for m in tree.members_b)
    # another branch named in the query string is not theirs: 404, nothing exported
    response = _post(client, {"preset": "national", "fmt": "xlsx"}, f"?org={tree.branch_a.pk}")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="members.roster.exported").count() == 2


def test_reveal_is_decided_per_member_branch(client, tree, personas, monkeypatch):
    # a role that sees names but may not reveal (none exists yet; the table is data)
    monkeypatch.setitem(
        ROLE_CAPS, Role.BRANCH_ORGANIZER, frozenset({Cap.ORG_VIEW, Cap.MEMBER_VIEW})
    )
    user = User.objects.create_user(username="mixed", password="x")
    RoleGrant.objects.create(user=user, org=tree.organ_a, role=Role.BRANCH_ORGANIZER)
    RoleGrant.objects.create(user=user, org=tree.branch_a, role=Role.BRANCH_SECRETARY)
    client.force_login(user)
    data = {"preset": "custom", "columns": ["name", "id_number"], "fmt": "csv", "reveal": "on"}
    response = _post(client, data)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[-1].startswith("# 导出人：mixed")  # the file says who exported it
    rows = dict(line.split(",") for line in lines[1:-1])
    for member in tree.members_a:
        assert rows[member.name] == crypto.decrypt(member.id_number_sealed)
    for member in tree.members_b:
        assert rows[member.name] == member.id_number_masked
    assert _entry().changes["revealed_count"] == len(tree.members_a)


def test_filters_of_the_list_page_apply(client, tree, personas):
    client.force_login(personas.unit_admin)
    data = {"preset": "custom", "columns": ["name"], "fmt": "xlsx"}

    def names(query):
        return sorted(r[0] for r in _rows(_sheet(_post(client, data, query)))[1:])

    assert names("?category=probationary") == ["钱七"]
    assert names("?q=zsf") == ["张三丰"]
    assert names("?sex=female") == ["钱七"]
    assert names(f"?org={tree.branch_b.pk}") == sorted(m.name for m in tree.members_b)
    assert names("?category=nonsense&status=???") == sorted(
        m.name for m in tree.members_a + tree.members_b
    )
    filters = _entry().changes["filters"]
    assert filters == {"status": "active", "sort": "pinyin"}


def test_form_page_shows_the_count_and_keeps_the_filters(client, tree, personas):
    client.force_login(personas.unit_admin)
    html = client.get(f"/members/export/?org={tree.branch_a.pk}&category=full").content.decode()
    assert "将导出 <strong>4</strong> 名党员" in html and "第一党支部" in html
    assert 'action="?q=&amp;' not in html
    assert f"org={tree.branch_a.pk}" in html and "category=full" in html
    assert 'data-testid="reveal"' in html


def test_bad_choices_get_a_chinese_message_and_nothing_is_exported(client, tree, personas):
    client.force_login(personas.unit_admin)
    response = _post(client, {"preset": "custom", "fmt": "xlsx"})
    assert response.status_code == 200 and "请至少选择一列" in response.content.decode()
    response = _post(client, {"preset": "custom", "columns": ["salary"], "fmt": "xlsx"})
    assert response.status_code == 200 and "salary" in response.content.decode()
    response = _post(client, {"preset": "custom", "columns": ["name"], "fmt": "pdf"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not AuditEntry.objects.filter(action__endswith=".exported").exists()


def test_large_export_runs_in_the_background_and_only_the_owner_downloads(
    client, tree, personas, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, {"preset": "national", "fmt": "xlsx", "reveal": "on"})
    job = ExportJob.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (
        job.status == ExportStatus.DONE
        and job.done == 8
        and job.org_path == tree.party_group_a.path
    )
    entry = _entry()
    assert entry.changes["job"] == job.pk and entry.changes["revealed_count"] == 8
    page = client.get(response["Location"]).content.decode()
    assert "下载" in page and "党员名册" in page
    download = client.get(f"/exports/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 9  # header + branch A and B
    for other in ("committee_admin", "secretary_a", "secretary_b", "auditor"):
        client.force_login(personas.by_name(other))
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_member_form_docx_is_the_national_form_masked_or_revealed(client, tree, personas):
    member = tree.members_a[0]
    client.force_login(personas.secretary_a)
    response = client.get(f"/members/export/{member.pk}/form.docx")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    text = _docx_text(_docx(response))
    assert "党员基本信息采集表" in text and member.name in text
    for label in ("1. 姓名", "4. 公民身份号码", "8. 所在党支部", "16. 是否为流动党员", "外出流向"):
        assert label in text
    assert member.id_number_masked in text
    assert crypto.decrypt(member.id_number_sealed) not in text
    for line in ("党员本人签字", "信息采集人签字", "党支部书记签字", "基层党委（盖章）"):
        assert line in text
    assert f"{member.joined_on:%Y年%m月%d日}" in text
    entry = _entry("members.member_form.exported")
    assert entry.object_id == str(member.pk) and entry.org_path == member.org_path
    assert entry.changes["revealed"] == []

    text = _docx_text(_docx(client.get(f"/members/export/{member.pk}/form.docx?reveal=1")))
    assert crypto.decrypt(member.id_number_sealed) in text
    assert crypto.decrypt(member.address_sealed) in text
    entry = AuditEntry.objects.filter(action="members.member_form.exported").first()
    assert entry.changes["revealed"] == ["address", "id_number", "phone"]


def test_forms_of_a_branch_are_one_page_per_member(client, tree, personas):
    client.force_login(personas.unit_admin)
    response = _post(client, {"preset": "custom", "fmt": "docx"}, f"?org={tree.branch_a.pk}")
    document = _docx(response)
    assert len(document.tables) == len(tree.members_a)
    assert len(document.element.body.xpath('.//w:br[@w:type="page"]')) == len(tree.members_a) - 1
    names = {t.rows[0].cells[1].text for t in document.tables}
    assert names == {m.name for m in tree.members_a}
    assert _entry("members.member_form.exported").changes["rows"] == len(tree.members_a)


def _queries(client, data, query=""):
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, data, query)
        assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "data",
    [
        {"preset": "national", "fmt": "xlsx", "reveal": "on"},
        {"preset": "custom", "columns": ["name", "branch", "unit"], "fmt": "csv"},
        {"preset": "custom", "fmt": "docx", "reveal": "on"},
    ],
)
def test_export_queries_do_not_grow_with_the_members(client, tree, personas, data):
    client.force_login(personas.unit_admin)
    small = _queries(client, data)
    for i in range(12):
        member_create(
            actor=None,
            branch=tree.branch_b,
            name="新党员" + "甲乙丙丁戊己庚辛壬癸子丑"[i],
            **member_data(),
        )
    assert _queries(client, data) == small
    assert small <= 18  # the audit chain adds its head row


def test_stored_parameters_of_any_shape_are_cleaned_not_trusted(tree, personas):
    from dangjian.core.errors import AppError
    from dangjian.members.exporters import RosterExporter

    roster = RosterExporter(
        personas.secretary_a, {"status": ["x"], "q": 5, "sort": None, "columns": "name"}
    )
    assert roster.params["status"] == "active" and roster.params["columns"] == ["name"]
    assert roster.count() == 0  # q "5" matches nobody
    with pytest.raises(AppError, match="没有这一列"):
        RosterExporter(personas.secretary_a, {"columns": ["name", "id_digest"]})
