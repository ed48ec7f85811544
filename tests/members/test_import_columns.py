"""Cell conversion of the roster import: each converter as a table (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.members.imports import cells, columns
from dangjian.members.imports.checking import check_headers
from dangjian.members.imports.columns import BY_KEY, HEADERS

D = dt.date


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (D(2001, 7, 1), D(2001, 7, 1)),
        (dt.datetime(2001, 7, 1, 0, 0), D(2001, 7, 1)),
        ("2001-07-01", D(2001, 7, 1)),
        ("2001.07.01", D(2001, 7, 1)),
        ("2001/7/1", D(2001, 7, 1)),
        ("2001年7月1日", D(2001, 7, 1)),
        ("20010701", D(2001, 7, 1)),
        ("２００１－０７－０１", D(2001, 7, 1)),  # full-width, as Chinese IMEs type it
        (" 2001-07-01 00:00:00 ", D(2001, 7, 1)),
        (20010701.0, D(2001, 7, 1)),  # typed without separators, stored as a number
        (37073.0, D(2001, 7, 1)),  # an Excel serial in a General-formatted cell
        ("", None),
        (None, None),
    ],
)
def test_dates_in_the_forms_people_type(cell, expected):
    assert cells.date(cell) == (expected, None)


@pytest.mark.parametrize(
    "cell", ["2001-02-30", "2001-13-01", "01/07/2001", "去年七月", "2001", 2001.0, 9999.0, True]
)
def test_bad_dates_are_named_with_the_accepted_forms(cell):
    value, problem = cells.date(cell)
    assert value is None
    assert "不是有效日期" in problem and "2001-07-01" in problem


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2001-07", D(2001, 7, 1)),
        ("2001.7", D(2001, 7, 1)),
        ("2001年7月", D(2001, 7, 1)),
        ("200107", D(2001, 7, 1)),
        (200107.0, D(2001, 7, 1)),
        (2001.07, D(2001, 7, 1)),  # Excel made the text 2001.07 a number
        (2001.12, D(2001, 12, 1)),
        ("2001-07-15", D(2001, 7, 15)),  # a full date is accepted too
        (D(2001, 7, 15), D(2001, 7, 15)),
    ],
)
def test_year_month_for_lost_contact(cell, expected):
    assert cells.month(cell) == (expected, None)


@pytest.mark.parametrize("cell", [2001.1, "2001-13", "七月"])
def test_year_month_refuses_what_it_cannot_read(cell):
    value, problem = cells.month(cell)
    assert value is None and problem


def test_one_decimal_month_is_ambiguous_between_january_and_october():
    assert "1月还是10月" in cells.month(2001.1)[1]


@pytest.mark.parametrize(
    ("key", "cell", "expected"),
    [
        ("sex", "男", "male"),
        ("sex", " 女 ", "female"),
        ("category", "正式党员", "full"),
        ("category", "预备", "probationary"),
        ("standing", "停止党籍", "suspended"),
        ("employment", "退休", "retired"),
        ("employment", "在职", "in_service"),
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "汉", "01"),
        ("ethnicity", 1.0, "01"),  # the code lost its leading zero in Excel
        ("ethnicity", "０５", "05"),
        ("education", "大学本科毕业", "21"),
        ("education", "21", "21"),
        ("post", "公务员", "0110"),
        ("post", 110.0, "0110"),
        ("lost_contact", "是", True),
        ("lost_contact", "", False),  # empty means 否, as on the paper form
        ("mobile", True, True),
        ("name", "王  五", "王五"),  # padding spaces of two-character names go
        ("phone", 13912345678.0, "13912345678"),
        ("id_number", "420302 19850520 001x", "42030219850520001X"),
        ("unit_post", "", None),
    ],
)
def test_codes_labels_and_choices(key, cell, expected):
    assert BY_KEY[key].convert(cell) == (expected, None)


@pytest.mark.parametrize(
    ("key", "cell", "words"),
    [
        ("sex", "M", "“男”或“女”"),
        ("category", "党员", "“正式党员”或“预备党员”"),
        ("ethnicity", "火星族", "见“民族”表"),
        ("education", "99", "见“学历”表"),
        ("post", "总经理", "见“工作岗位”表"),
        ("mobile", "也许", "“是”或“否”"),
        ("id_number", 4.2030219850520e17, "文本"),  # Excel turned it into a number
        ("mobile_destination", "远" * 101, "不能超过100个字"),
    ],
)
def test_unreadable_cells_say_what_is_expected(key, cell, words):
    value, problem = BY_KEY[key].convert(cell)
    assert value is None
    assert words in problem


def test_sensitive_values_are_masked_in_reports():
    assert columns.shown_value("id_number", "420302198505200011") == "4203**********0011"
    assert columns.shown_value("phone", "13912345678") == "139****5678"
    assert columns.shown_value("address", "湖北省十堰市张湾区人民路8号") == "湖北省十堰市****"
    assert columns.shown_value("name", "张三") == "张三"


def test_headers_are_the_national_form_order():
    assert HEADERS[:18] == (
        "姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "所在党支部",
        "加入党组织日期", "转为正式党员日期", "工作岗位", "联系电话", "家庭住址", "党籍状态",
        "是否为失联党员", "失去联系日期", "是否为流动党员", "外出流向",
    )  # fmt: skip
    assert HEADERS[18:] == ("停止党籍原因", "在职状态", "单位职务")


@pytest.mark.parametrize(
    ("headers", "width", "problem"),
    [
        (list(HEADERS), 21, ""),
        (list(HEADERS[:18]), 18, ""),  # the optional columns may be left out
        (list(HEADERS[:19]), 19, ""),
        ([*HEADERS, "问题说明"], 21, ""),  # our own report, uploaded again
        ([*HEADERS[:18], "问题说明", "x"], 18, ""),
        ([f"{h} " if i == 0 else h for i, h in enumerate(HEADERS)], 21, ""),
        ([*HEADERS[:3], "身份证号", *HEADERS[4:]], 0, "第D列应为“公民身份号码”，实为“身份证号”"),
        (list(HEADERS[:17]), 0, "第R列应为“外出流向”，实为“（空）”"),
        ([*HEADERS, "备注"], 0, "第V列“备注”不是模板中的列"),
        ([], 0, "第1行应为表头"),
    ],
)
def test_header_row(headers, width, problem):
    got_width, got_problem = check_headers(headers)
    assert got_width == width
    if problem:
        assert problem in got_problem
    else:
        assert got_problem == ""
