"""Exports of the responsibility lists: one list as xlsx in the 责任清单 layout and as Word,
the 工委's unit-by-unit table; each audited, each only what the user may see."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.models import AuditEntry
from tests.responsibility.resp_duties_support import YEAR, confirmed_list, report


@pytest.fixture
def own(tree):
    duty_list, (item, _second) = confirmed_list(tree.party_group_a)
    report(item, quarter=1, progress=40, text="制定年度方案")
    report(item, quarter=2, progress=70, text="召开专题会")
    return duty_list


def _client(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


def test_one_list_as_xlsx(client, personas, own):
    response = _client(client, personas, "unit_admin").post(
        f"/responsibility/duties/{own.pk}/export/", {"fmt": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "类别",
        "责任内容",
        "工作措施",
        "责任人",
        "完成时限",
        "进度（%）",
        "季度进展",
    )
    assert rows[1][0] == 1 and rows[1][2] == "第1项责任" and rows[1][6] == 70
    assert "第一季度：40%，制定年度方案" in rows[1][7] and "第二季度：70%" in rows[1][7]
    assert "第三季度：逾期未报告" in rows[1][7]  # a past year
    assert len(rows) == 3
    entry = AuditEntry.objects.get(action="responsibility.duty_list.exported")
    assert entry.org_path == own.org_path


def test_one_list_as_word(client, personas, own):
    from docx import Document

    response = _client(client, personas, "unit_admin").post(
        f"/responsibility/duties/{own.pk}/export/", {"fmt": "docx"}
    )
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"甲局党组{YEAR}年度党组主体责任清单" in text and "R-ORG-12" in text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["序号", "类别", "责任内容"]
    assert table.rows[1].cells[2].text == "第1项责任"
    assert AuditEntry.objects.filter(action="responsibility.duty_list_doc.exported").exists()


def test_the_overview_table(client, tree, personas, own):
    confirmed_list(tree.party_group_b, items=1)
    response = _client(client, personas, "committee_admin").post(
        "/responsibility/duties/overview/export/", {"year": YEAR}
    )
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][1] == "单位" and rows[0][9] == "第四季度报告率（%）"
    by_unit = {r[1]: r for r in rows[1:]}
    assert set(by_unit) == {"甲局", "乙局"}
    jia = by_unit["甲局"]
    # 主体责任 published, no 第一责任人 list, 2 items, none reported for Q4, 2 overdue
    assert jia[2:4] == ("已发布", "未建立") and jia[5] == 2
    assert (jia[7], jia[8], jia[9], jia[10]) == (0, 2, 0, 2)
    mine = _client(client, personas, "unit_admin").post(
        "/responsibility/duties/overview/export/", {"year": YEAR}
    )
    mine_rows = list(
        load_workbook(io.BytesIO(mine.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert [r[1] for r in mine_rows[1:]] == ["甲局"]


def test_exports_refuse_outsiders_and_bad_years(tree, personas, own):
    from django.http import Http404

    with pytest.raises(Http404):
        export_start(
            actor=personas.secretary_a,
            identifier="responsibility.duty_list",
            params={"list": own.pk},
            fmt="xlsx",
        )
    other, _items = confirmed_list(tree.party_group_b, items=1)
    with pytest.raises(Http404):
        export_start(
            actor=personas.unit_admin,
            identifier="responsibility.duty_list_doc",
            params={"list": other.pk},
            fmt="docx",
        )
    with pytest.raises(AppError):
        export_start(
            actor=personas.committee_admin,
            identifier="responsibility.duty_overview",
            params={"year": "abc"},
            fmt="xlsx",
        )


def test_word_export_survives_control_characters(client, tree, personas):
    # a line break pasted from Word arrives as \x0b; XML cannot hold it (it was a 500)
    from docx import Document

    from tests.responsibility.resp_duties_support import add_item, make_list

    duty_list = make_list(tree.party_group_a, kind="dual", holder_name="李四", remit="党建\x0b纪检")
    add_item(duty_list, content="第一行\x0b第二行", measures="措施\x0c一\x01二", owner_name="李四")
    response = _client(client, personas, "unit_admin").post(
        f"/responsibility/duties/{duty_list.pk}/export/", {"fmt": "docx"}
    )
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = document.tables[0].rows[1].cells
    assert cells[2].text == "第一行\n第二行"  # Word's own line break becomes a line break
    assert cells[3].text == "措施\n一二"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "分管领域：党建\n纪检" in text


def test_word_helpers_strip_what_xml_cannot_hold():
    from docx import Document

    from dangjian.core.exporters import add_paragraph, set_cell

    document = Document()
    add_paragraph(document, "甲\x00乙\x0b丙\x1f丁")
    table = document.add_table(rows=1, cols=1)
    set_cell(table.rows[0].cells[0], "戊\x08己\x0b庚")
    buffer = io.BytesIO()
    document.save(buffer)
    reopened = Document(io.BytesIO(buffer.getvalue()))
    assert reopened.paragraphs[-1].text == "甲乙\n丙丁"
    assert reopened.tables[0].rows[0].cells[0].text == "戊己\n庚"
