"""Derived ledgers (台账): the Word ledger's content, the xlsx summary, the unit zip, who may
export what, the audit entries, bad periods."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife import ledger, services
from dangjian.orglife.exporters import LedgerExporter, LedgerSummaryExporter

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)
URL = "/orglife/docs/ledger/"


def _plan(tree, start=START, org=None, kind="theme_day", topic="学习二十大精神"):
    return services.meeting_plan(
        actor=None,
        org=org or tree.branch_a,
        kind=kind,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="三楼会议室",
    )


def _held(tree, start=START, topic="学习二十大精神"):
    """A held meeting of branch A: 张三丰 chairs (delegated by 李四), 王五 records; 张三丰, 王五
    present, 李四 on leave (出差), 赵六 and 钱七 absent; a resolution and a make-up."""
    zhang, li, wang, zhao, qian = tree.members_a
    meeting = _plan(tree, start, topic=topic)
    meeting = services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={
            zhang.pk: ("present", ""),
            li.pk: ("leave", "出差"),
            wang.pk: ("present", ""),
            zhao.pk: ("absent", "未请假"),
            qian.pk: ("absent", ""),
        },
        minutes="一、传达学习文件。\n二、讨论支部工作要点。",
        chair=zhang,
        recorder=wang,
        chair_delegated_by=li,
    )
    services.resolution_add(
        actor=None,
        meeting=meeting,
        text="整理学习笔记上报机关党委",
        owner=wang,
        due_on=start.date() + dt.timedelta(days=22),
    )
    services.makeup_assign(
        actor=None, meeting=meeting, member=zhao, due_on=start.date() + dt.timedelta(days=10)
    )
    return meeting


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _post(client, personas, who, **data):
    client.force_login(personas.by_name(who))
    return client.post(URL, data)


# ---------------------------------------------------------------------------------------------
# periods


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2024-q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2023-2", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
    ],
)
def test_period_presets(value, start, end):
    period = ledger.parse_period(value)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("value", "start", "end", "field"),
    [
        ("", None, None, "period"),
        ("2024-13", None, None, "period"),
        ("2024-Q5", None, None, "period"),
        ("1800", None, None, "period"),
        ("abc", None, None, "period"),
        ("custom", "2024-05-01", "2024-04-01", "end"),
        ("custom", "", "2024-04-01", "start"),
        ("custom", "2024-01-01", "bad", "end"),
        ("custom", "2010-01-01", "2024-01-01", "end"),
    ],
)
def test_bad_periods(value, start, end, field):
    with pytest.raises(AppError) as exc:
        ledger.parse_period(value, start, end)
    assert exc.value.errors[0][0] == field


def test_custom_period_bounds_are_inclusive_in_beijing_time():
    period = ledger.parse_period("custom", "2025-05-10", "2025-05-10")
    start, end = period.bounds()
    assert start == dt.datetime(2025, 5, 10, tzinfo=TZ)
    assert end == dt.datetime(2025, 5, 11, tzinfo=TZ)


# ---------------------------------------------------------------------------------------------
# the Word ledger


def test_word_ledger_content(client, tree, personas):
    _held(tree)
    _plan(tree, dt.datetime(2025, 5, 20, 9, 0, tzinfo=TZ), topic="尚未召开的会议")
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2025-05", fmt="docx"
    )
    assert response.status_code == 200
    assert "wordprocessingml" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = _text(document)
    # cover and summary
    assert "第一党支部" in text and "组织生活台账" in text and "2025年5月" in text
    assert "共 1 次会议" in text
    assert "尚未召开的会议" not in text  # planned meetings are not part of the record
    # the meeting
    assert "主题党日：学习二十大精神" in text
    assert "2025年05月10日 09:00—11:00" in text
    assert "三楼会议室" in text
    assert "张三丰（受李四委托主持）" in text
    assert "应到 5 人，实到 2 人，请假 1 人，缺席 2 人" in text
    assert "王五、张三丰" in text  # in pinyin order
    assert "李四（出差）" in text
    assert "钱七、赵六（未请假）" in text
    assert "一、传达学习文件。" in text and "二、讨论支部工作要点。" in text
    assert "整理学习笔记上报机关党委" in text and "2025年06月01日" in text and "办理中" in text
    assert "补学情况" in text and "2025年05月20日" in text and "未完成" in text
    # provenance: footer and properties
    assert "导出人：secretary_a" in text
    assert "导出人：secretary_a" in document.core_properties.comments
    # the Chinese font is set on the body style
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_word_ledger_orders_meetings_by_date_and_audits(client, tree, personas):
    _held(tree, dt.datetime(2025, 5, 12, 9, 0, tzinfo=TZ), topic="第二次")
    _held(tree, dt.datetime(2025, 5, 3, 9, 0, tzinfo=TZ), topic="第一次")
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2025", fmt="docx"
    )
    text = _text(docx.Document(io.BytesIO(response.content)))
    assert text.index("主题党日：第一次") < text.index("主题党日：第二次")
    entry = AuditEntry.objects.get(action="orglife.ledger.exported")
    assert entry.actor.username == "secretary_a"
    assert entry.org_path == tree.branch_a.path
    assert entry.object_id == str(tree.branch_a.pk)
    assert entry.changes["format"] == "docx"
    assert entry.changes["period"] == "2025"
    assert entry.changes["meetings"] == 2


def test_empty_ledger_says_so(client, tree, personas):
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2024", fmt="docx"
    )
    assert "本期间没有已召开会议的记录" in _text(docx.Document(io.BytesIO(response.content)))


def test_word_ledger_queries_do_not_grow_with_meetings(tree, personas):
    _held(tree, dt.datetime(2025, 5, 3, 9, 0, tzinfo=TZ))
    params = {"org": tree.branch_a.pk, "period": "2025"}
    LedgerExporter(personas.secretary_a, params).write("docx", io.BytesIO())  # warm the grants
    with CaptureQueriesContext(connection) as one:
        LedgerExporter(personas.secretary_a, params).write("docx", io.BytesIO())
    for day in (5, 7, 9):
        _held(tree, dt.datetime(2025, 6, day, 9, 0, tzinfo=TZ))
    with CaptureQueriesContext(connection) as four:
        LedgerExporter(personas.secretary_a, params).write("docx", io.BytesIO())
    assert len(four) == len(one)


# ---------------------------------------------------------------------------------------------
# scope


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("secretary_a", 200),
        ("unit_admin", 200),
        ("committee_admin", 200),
        ("secretary_b", 404),
        ("member_a", 404),
        ("auditor", 404),
        ("system_admin", 404),
        ("outsider", 404),
    ],
)
def test_ledger_download_by_persona(client, tree, personas, persona, status):
    _held(tree)
    for fmt in ("docx", "xlsx"):
        response = _post(client, personas, persona, org=tree.branch_a.pk, period="2025", fmt=fmt)
        assert response.status_code == status
    client.force_login(personas.by_name(persona))
    assert client.get(f"{URL}?org={tree.branch_a.pk}").status_code == status


def test_secretary_b_cannot_export_branch_a_and_nothing_is_audited(client, tree, personas):
    _held(tree)
    response = _post(
        client, personas, "secretary_b", org=tree.branch_a.pk, period="2025", fmt="docx"
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="orglife.ledger").exists()


def test_ledger_page_shows_counts_and_zip_only_above_branches(client, tree, personas):
    _held(tree)
    client.force_login(personas.unit_admin)
    page = client.get(f"{URL}?org={tree.branch_a.pk}&period=2025").content.decode()
    assert "已召开 1 次" in page and 'data-testid="ledger-zip"' not in page
    page = client.get(f"{URL}?org={tree.organ_a.pk}&period=2025").content.decode()
    assert 'data-testid="ledger-zip"' in page
    assert "第一党支部" in page and "第二党支部" in page


def test_bad_period_lands_at_the_field(client, tree, personas):
    response = _post(
        client,
        personas,
        "secretary_a",
        org=tree.branch_a.pk,
        period="custom",
        start="2025-05-01",
        end="2025-04-01",
        fmt="docx",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "结束日期不能早于开始日期。" in page
    assert not AuditEntry.objects.filter(action__startswith="orglife.ledger").exists()
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2025-99", fmt="docx"
    )
    assert response.status_code == 400
    assert "请选择有效的期间。" in response.content.decode()


def test_custom_period(client, tree, personas):
    _held(tree)
    response = _post(
        client,
        personas,
        "secretary_a",
        org=tree.branch_a.pk,
        period="custom",
        start="2025-05-10",
        end="2025-05-10",
        fmt="docx",
    )
    assert response.status_code == 200
    assert "学习二十大精神" in _text(docx.Document(io.BytesIO(response.content)))


def test_zip_refused_for_a_branch(client, tree, personas):
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2025", fmt="zip"
    )
    assert response.status_code == 400
    assert "党支部、党小组请下载 Word 台账。" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# the xlsx summary


def test_xlsx_rows(client, tree, personas):
    _held(tree)
    _plan(tree, dt.datetime(2025, 5, 20, 9, 0, tzinfo=TZ), topic="计划中的会议")
    _plan(tree, dt.datetime(2025, 5, 21, 9, 0, tzinfo=TZ), org=tree.branch_b, topic="乙支部会议")
    response = _post(
        client, personas, "secretary_a", org=tree.branch_a.pk, period="2025-Q2", fmt="xlsx"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "日期",
        "时间",
        "党组织",
        "会议类型",
        "会议主题",
        "主持人",
        "应到",
        "实到",
        "请假",
        "缺席",
        "决议数",
        "状态",
    )
    assert len(rows) == 3  # branch B's meeting is not in branch A's summary
    held, planned = rows[1], rows[2]
    assert held[0].date() == dt.date(2025, 5, 10)
    assert held[1:] == (
        "09:00-11:00",
        "第一党支部",
        "主题党日",
        "学习二十大精神",
        "张三丰",
        5,
        2,
        1,
        2,
        1,
        "已召开",
    )
    assert planned[4] == "计划中的会议" and planned[6] == 5 and planned[-1] == "计划召开"
    assert "导出人：secretary_a" in book["导出说明"]["A1"].value
    entry = AuditEntry.objects.get(action="orglife.ledger_summary.exported")
    assert entry.changes["rows"] == 2 and entry.org_path == tree.branch_a.path


def test_xlsx_for_the_organ_committee_holds_both_branches(tree, personas):
    _held(tree)
    _plan(tree, dt.datetime(2025, 5, 21, 9, 0, tzinfo=TZ), org=tree.branch_b, topic="乙支部会议")
    exporter = LedgerSummaryExporter(
        personas.unit_admin, {"org": tree.organ_a.pk, "period": "2025"}
    )
    topics = [row[4] for row in exporter.rows()]
    assert topics == ["学习二十大精神", "乙支部会议"]


# ---------------------------------------------------------------------------------------------
# the unit zip


def test_unit_zip_has_one_ledger_per_branch(client, tree, personas):
    _held(tree)
    response = _post(client, personas, "unit_admin", org=tree.organ_a.pk, period="2025", fmt="zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == ["01-第一党支部-2025.docx", "02-第二党支部-2025.docx", "说明.txt"]
    first = _text(docx.Document(io.BytesIO(archive.read(names[0]))))
    second = _text(docx.Document(io.BytesIO(archive.read(names[1]))))
    assert "学习二十大精神" in first and "李四（出差）" in first
    assert "本期间没有已召开会议的记录" in second
    assert "导出人：unit_admin" in first and "导出人：unit_admin" in second
    notes = archive.read("说明.txt").decode("utf-8-sig")
    assert "导出人：unit_admin" in notes and "01-第一党支部-2025.docx：1 次会议" in notes
    entry = AuditEntry.objects.get(action="orglife.unit_ledger.exported")
    assert entry.org_path == tree.organ_a.path
    assert entry.changes["format"] == "zip"
    assert entry.changes["rows"] == 2 and entry.changes["meetings"] == 1
    assert entry.changes["orgs"] == [tree.branch_a.pk, tree.branch_b.pk]
    assert not AuditEntry.objects.filter(action="orglife.ledger.exported").exists()


def test_unit_zip_for_the_whole_committee_and_scope(client, tree, personas):
    response = _post(
        client, personas, "committee_admin", org=tree.root.pk, period="2025", fmt="zip"
    )
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert [n.split("-", 1)[1] for n in names if n.endswith(".docx")] == [
        "第一党支部-2025.docx",
        "第二党支部-2025.docx",
        "乙局党支部-2025.docx",
    ]
    # a unit admin of 甲局 cannot ask for the whole committee
    assert (
        _post(
            client, personas, "unit_admin", org=tree.root.pk, period="2025", fmt="zip"
        ).status_code
        == 404
    )
