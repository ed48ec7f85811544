"""Reading statements: CSV in UTF-8 (with and without BOM) and GBK, tabs, bank headers and
title rows; xlsx with dates as Excel serials, as date cells and as text; a full ID number cut
to its tail; and every refusal, each naming the row and column, all of them at once."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangjian.core.errors import AppError
from dangjian.dues.statement_files import MAX_ERRORS, ParsedLine, read_statement

TODAY = dt.date(2025, 6, 30)


def read(data: bytes, name="statement.csv"):
    return read_statement(SimpleUploadedFile(name, data), today=TODAY)


def refused(data: bytes, name="statement.csv") -> AppError:
    with pytest.raises(AppError) as exc:
        read(data, name)
    assert exc.value.field == "file"
    return exc.value


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BASIC = "姓名,身份证后四位,金额,日期\n张三丰,0017,30.00,2025-03-05\n李四,,15,2025/3/6\n"
EXPECTED = [
    ParsedLine(2, "张三丰", "0017", Decimal("30.00"), dt.date(2025, 3, 5)),
    ParsedLine(3, "李四", "", Decimal("15.00"), dt.date(2025, 3, 6)),
]


@pytest.mark.parametrize(
    "encoded",
    [
        BASIC.encode("utf-8"),
        b"\xef\xbb\xbf" + BASIC.encode("utf-8"),
        BASIC.encode("gbk"),
        BASIC.replace(",", "\t").encode("gbk"),
        BASIC.replace("\n", "\r\n").encode("utf-8-sig"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gbk-tabs", "crlf-bom"],
)
def test_csv_encodings_and_separators(encoded):
    statement = read(encoded)
    assert statement.kind == "csv"
    assert statement.lines == EXPECTED
    assert len(statement.digest) == 64


def test_the_content_decides_not_the_name():
    assert read(BASIC.encode(), name="流水.xlsx").kind == "csv"
    assert (
        read(xlsx([["姓名", "金额", "日期"], ["李四", 15, "2025-03-06"]]), "x.csv").kind == "xlsx"
    )


def test_bank_export_with_title_rows_aliases_units_and_a_total_row():
    text = (
        "中国建设银行 账户交易明细\n"
        "账号：4200 1234 5678,,,\n"
        "交易日期,对方户名,交易金额（元）,摘要\n"
        '20250305,张三丰,"1,234.50",党费\n'
        '="20250306",李 四,￥30.00,党费\n'
        "2025-03-07 09:15:22,王五,30元,党费\n"
        ",合计,1294.50,\n"
    )
    lines = read(text.encode("gbk")).lines
    assert [(x.row_no, x.name, x.amount, x.paid_on) for x in lines] == [
        (4, "张三丰", Decimal("1234.50"), dt.date(2025, 3, 5)),
        (5, "李四", Decimal("30.00"), dt.date(2025, 3, 6)),
        (6, "王五", Decimal("30.00"), dt.date(2025, 3, 7)),
    ]


def test_full_id_numbers_are_cut_to_their_tail():
    text = "户名,身份证号,代扣金额,扣款日期\n张三丰,42030219800315001X,30,2025-03-05\n"
    text += "李四,４２０３０２１９８０１２１２００３４,30,2025-03-05\n"
    lines = read(text.encode()).lines
    assert [x.id_tail for x in lines] == ["001X", "0034"]
    assert "420302" not in repr(lines)


def test_xlsx_dates_as_serials_date_cells_and_text():
    rows = [
        ["党费对账单（2025年3月）"],
        [],
        ["缴费人", "证件号码后四位", "党费", "日期"],
        ["张三丰", "0017", 30, 45721],  # Excel serial of 2025-03-05
        ["李四", 34, 15.5, dt.datetime(2025, 3, 6, 10, 30)],
        ["王五", "", "30", "2025年3月7日"],
        [None, None, None, None],
        ["赵六", "", 30, "2025.03.08"],
    ]
    statement = read(xlsx(rows), name="statement.xlsx")
    assert statement.kind == "xlsx"
    assert [(x.row_no, x.name, x.id_tail, x.amount, x.paid_on) for x in statement.lines] == [
        (4, "张三丰", "0017", Decimal("30.00"), dt.date(2025, 3, 5)),
        (5, "李四", "0034", Decimal("15.50"), dt.date(2025, 3, 6)),
        (6, "王五", "", Decimal("30.00"), dt.date(2025, 3, 7)),
        (8, "赵六", "", Decimal("30.00"), dt.date(2025, 3, 8)),
    ]


def test_xlsx_id_number_stored_as_a_number_is_refused():
    rows = [["姓名", "身份证号", "金额", "日期"], ["张三丰", 420302198003150017, 30, "2025-03-05"]]
    error = refused(xlsx(rows), "s.xlsx")
    assert error.errors == [
        ("file", "第2行 身份证号被Excel存成了数字，末几位可能已经丢失；请把该列设为“文本”格式")
    ]


def test_every_row_problem_at_once_with_row_and_column():
    text = (
        "姓名,身份证后四位,金额,日期\n"
        "张三丰,,abc,2025-03-05\n"
        "李四,,-30,2025-03-05\n"
        ",,30,2025-03-05\n"
        "王五,,30,\n"
        "赵六,12a4,30,2025-13-40\n"
        "钱七,,0.001,2025-07-01\n"
        "孙八,,,2025-03-05\n"
    )
    error = refused(text.encode())
    assert [m for _, m in error.errors] == [
        "第2行 金额“abc”不是数字",
        "第3行 金额“-30”须大于0",
        "第4行 缺少姓名或身份证后四位",
        "第5行 缺少日期",
        "第6行 身份证后四位“12A4”无效（应为数字，末位可为X）",
        "第6行 日期“2025-13-40”不是有效日期（如2024-03-05、2024/3/5或20240305）",
        "第7行 金额“0.001”最多保留两位小数（分）",
        "第7行 日期“2025-07-01”晚于今天",
        "第8行 缺少金额",
    ]
    assert error.message.startswith("文件有9处问题，未导入任何记录")


def test_errors_are_listed_up_to_the_limit():
    text = "姓名,金额,日期\n" + "".join(f"人{i},x,2025-03-05\n" for i in range(70))
    error = refused(text.encode())
    assert len(error.errors) == MAX_ERRORS + 1
    assert error.errors[-1][1] == f"另有{70 - MAX_ERRORS}处问题未列出"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "a.csv", "文件是空的"),
        (b"\n\n,,\n", "a.csv", "文件中没有内容"),
        ("说明,备注\n张三,党费\n".encode(), "a.csv", "找不到表头"),
        ("姓名,金额,备注\n张三,30,x\n".encode(), "a.csv", "表头缺少列：日期"),
        ("备注,金额,日期\nx,30,2025-03-05\n".encode(), "a.csv", "表头缺少列：姓名或身份证后四位"),
        ("姓名,金额,日期\n".encode(), "a.csv", "文件只有表头"),
        ("姓名,金额,日期\n合计,30,\n".encode(), "a.csv", "文件只有表头"),
        (b"%PDF-1.7\n...", "a.csv", "其内容是PDF文档"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "a.xlsx", "其内容是图片"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50, "a.xls", "旧版Excel"),
        (b"\x00\x01\x02binary", "a.csv", "无法识别"),
    ],
    ids=[
        "empty",
        "blank",
        "no-header",
        "no-date",
        "no-name",
        "only-header",
        "only-total",
        "pdf",
        "image",
        "xls",
        "binary",
    ],
)
def test_file_level_refusals(data, name, expected):
    assert expected in refused(data, name).message


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是有效的Excel" in refused(buffer.getvalue(), "a.xlsx").message


def test_too_big_is_refused_before_reading(settings):
    settings.DUES_STATEMENT_MAX_BYTES = 100
    assert "超过了" in refused((BASIC * 10).encode()).message
    settings.DUES_STATEMENT_MAX_BYTES = 5 * 1024 * 1024
    assert read(BASIC.encode()).lines == EXPECTED
