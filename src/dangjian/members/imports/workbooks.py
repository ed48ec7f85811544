"""The two workbooks of the import: the template to fill, and the report of a refused file
(the uploaded file itself, bad cells filled red with a comment and a 问题说明 column)."""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.members.imports import files
from dangjian.members.imports.columns import (
    COLUMNS,
    REPORT_HEADER,
    SHEET_BRANCHES,
    SHEET_DATA,
    SHEET_EDUCATION,
    SHEET_ETHNICITIES,
    SHEET_HELP,
    SHEET_POSTS,
)
from dangjian.rules import codes

HEADER_FILL = PatternFill("solid", fgColor="C62828")
HEADER_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FILL = PatternFill("solid", fgColor="EF9A9A")
BAD_FILL = PatternFill("solid", fgColor="FF0000")
BAD_FONT = Font(color="FFFFFF", bold=True)
NOTE_FONT = Font(color="C00000")
TEMPLATE_ROWS = 5000  # how far down the template's drop-downs reach


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _code_sheet(workbook: Workbook, title: str, table: codes.Table) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(["代码", "名称"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code, label in table:
        sheet.append([code, label])
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["A"].number_format = "@"
    sheet.column_dimensions["B"].width = 30


def template_workbook(org, branches) -> bytes:
    """The import template for `org`: the data sheet (headers only), the explanation sheet,
    the code tables and the branch names under `org`."""
    workbook = Workbook()
    data = workbook.active
    data.title = SHEET_DATA
    data.append([c.header for c in COLUMNS])
    data.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = OPTIONAL_FILL if column.optional_column else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        required = "必填" if column.required == "是" else column.required
        cell.comment = Comment(f"{required}。{column.fmt}。{column.rule}", "填写说明")
        dimension = data.column_dimensions[letter]
        dimension.width = max(12, len(column.header) * 2 + 4)
        if column.text_format:
            dimension.number_format = "@"  # Excel keeps ID and phone numbers as typed
        elif column.date_format:
            dimension.number_format = "yyyy-mm-dd"
    data.column_dimensions["D"].width = 22
    data.column_dimensions["H"].width = 24
    data.column_dimensions["M"].width = 30

    _code_sheet(workbook, SHEET_ETHNICITIES, codes.ETHNICITIES)
    _code_sheet(workbook, SHEET_EDUCATION, codes.EDUCATION)
    _code_sheet(workbook, SHEET_POSTS, codes.POSTS)
    branch_sheet = workbook.create_sheet(SHEET_BRANCHES)
    branch_sheet.append(["党支部名称", "上级组织"])
    for cell in branch_sheet[1]:
        cell.font = Font(bold=True)
    for branch in branches:
        branch_sheet.append([branch.name, branch.parent.name if branch.parent else ""])
    branch_sheet.column_dimensions["A"].width = 30
    branch_sheet.column_dimensions["B"].width = 30

    lists = {
        SHEET_ETHNICITIES: (SHEET_ETHNICITIES, len(codes.ETHNICITIES)),
        SHEET_EDUCATION: (SHEET_EDUCATION, len(codes.EDUCATION)),
        SHEET_POSTS: (SHEET_POSTS, len(codes.POSTS)),
        SHEET_BRANCHES: (SHEET_BRANCHES, len(branches)),
    }
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.choices:
            formula = '"' + ",".join(column.choices) + '"'
        elif column.list_sheet and lists[column.list_sheet][1]:
            sheet, count = lists[column.list_sheet]
            label_column = "A" if column.list_sheet == SHEET_BRANCHES else "B"
            formula = f"'{sheet}'!${label_column}$2:${label_column}${count + 1}"
        else:
            continue
        # a drop-down that still accepts other text (codes, synonyms): warning, not stop
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=True, errorStyle="warning"
        )
        validation.error = "不在下拉列表中，导入时将按代码表核对。"
        validation.errorTitle = column.header
        data.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")

    help_sheet = workbook.create_sheet(SHEET_HELP, 1)
    notes = [
        f"导入范围：{org.name}。每位党员填写一行，从“{SHEET_DATA}”表第2行开始；不要修改、增删或调换表头。",
        "前18列为《党员基本信息采集表》的16项信息（R-INFO-01），后3列（浅色表头）可选，可整列删去。",
        "不要使用公式和合并单元格；公民身份号码、联系电话请保持文本格式，以免Excel改变号码。",
        "日期可写作2001-07-01、2001.07.01、2001/7/1或20010701；失去联系日期可只写年月，如2020-05。",
        "民族、学历、工作岗位可填写代码或名称（见同名工作表）；所在党支部填写“党支部”表中的全称。",
        "系统先校验整个文件，有任何问题都不会导入，并给出逐格的问题清单；全部通过后确认，一次全部导入。",
        "公民身份号码在系统中已存在的党员，可在确认时选择“更新已有党员信息”。",
    ]
    for note in notes:
        help_sheet.append([note])
    help_sheet.append([])
    header_row = help_sheet.max_row + 1
    help_sheet.append(["列", "列名", "是否必填", "格式", "示例", "规则"])
    for cell in help_sheet[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for index, column in enumerate(COLUMNS, start=1):
        rule = f"{column.rule}（{column.rule_id}）" if column.rule else f"（{column.rule_id}）"
        help_sheet.append(
            [
                get_column_letter(index),
                column.header,
                column.required,
                column.fmt,
                column.example,
                rule,
            ]
        )
    for letter, width in zip("ABCDEF", (6, 18, 10, 36, 22, 70), strict=True):
        help_sheet.column_dimensions[letter].width = width
    return _bytes(workbook)


def report_workbook(job) -> bytes:
    """The job's uploaded file with its problems marked: each bad cell filled red with a
    comment, and a 问题说明 column (replacing the one of an earlier report) listing every
    problem of the row. Raises FileNotFoundError when the file is gone."""
    with files.opened(job.stored_name) as path:
        workbook = load_workbook(path)
    sheet = workbook[SHEET_DATA] if SHEET_DATA in workbook.sheetnames else workbook.worksheets[0]
    note_column = None
    for cell in sheet[1]:
        if isinstance(cell.value, str) and cell.value.strip() == REPORT_HEADER:
            note_column = cell.column
            for row in sheet.iter_rows(min_row=2, min_col=note_column, max_col=note_column):
                row[0].value = None
            break
    if note_column is None:
        note_column = max(sheet.max_column, len(COLUMNS)) + 1
    header = sheet.cell(row=1, column=note_column, value=REPORT_HEADER)
    header.font = HEADER_FONT
    header.fill = BAD_FILL
    sheet.column_dimensions[get_column_letter(note_column)].width = 60

    by_row: dict[int, list[str]] = defaultdict(list)
    by_cell: dict[tuple[int, str], list[str]] = defaultdict(list)
    for error in job.errors:
        text = f"{error['header']}：{error['problem']}（{error['rule_id']}）"
        by_row[error["row"]].append(text)
        if error["column"]:
            by_cell[(error["row"], error["column"])].append(text)
    for row, texts in by_row.items():
        cell = sheet.cell(row=row, column=note_column, value="；".join(texts))
        cell.font = NOTE_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for (row, letter), texts in by_cell.items():
        cell = sheet[f"{letter}{row}"]
        cell.fill = BAD_FILL
        cell.font = BAD_FONT
        cell.comment = Comment("\n".join(texts), "校验")
    return _bytes(workbook)
