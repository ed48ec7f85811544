"""Helpers for the import tests (no tests here): roster rows and real .xlsx files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from tests.conftest import id_number_for

from dangjian.members.imports.columns import HEADERS

FORM_HEADERS = HEADERS[:18]


def roster_row(
    name: str,
    branch: str = "第一党支部",
    *,
    born: int = 1985,
    sex: str = "male",
    seq: int | None = None,
    **overrides,
) -> list:
    """One valid row in template order (21 columns), as a person would type it."""
    birth = dt.date(born, 5, 20)
    joined = dt.date(born + 24, 7, 1)
    values = {
        "姓名": name,
        "性别": "男" if sex == "male" else "女",
        "民族": "汉族",
        "公民身份号码": id_number_for(birth, sex, seq),
        "出生日期": birth,
        "学历": "大学本科毕业",
        "人员类别": "正式党员",
        "所在党支部": branch,
        "加入党组织日期": joined,
        "转为正式党员日期": dt.date(born + 25, 7, 1),
        "工作岗位": "公务员",
        "联系电话": "13912345678",
        "家庭住址": "湖北省十堰市张湾区人民路8号",
        "党籍状态": "正常",
        "是否为失联党员": "否",
        "失去联系日期": None,
        "是否为流动党员": "否",
        "外出流向": None,
        "停止党籍原因": None,
        "在职状态": "在职",
        "单位职务": "科员",
    }
    for header, value in overrides.items():
        assert header in values, header
        values[header] = value
    return [values[h] for h in HEADERS]


def write_xlsx(
    path: Path, rows: list[list], *, headers=HEADERS, sheet: str = "党员信息", prepare=None
) -> Path:
    """A real workbook: the header row, then the rows; `prepare(worksheet)` may add more."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append(row)
    if prepare is not None:
        prepare(worksheet)
    workbook.save(path)
    return path


def upload(client, path: Path, org, name: str | None = None):
    with open(path, "rb") as f:
        if name is not None:
            from django.core.files.uploadedfile import SimpleUploadedFile

            f = SimpleUploadedFile(name, f.read())
        return client.post("/members/import/", {"org": org.pk, "file": f})
