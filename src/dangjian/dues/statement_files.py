"""Reading a payroll or bank statement (党费对账单): an .xlsx workbook or a CSV file, judged by
its content, never by its name.

- The file is at most settings.DUES_STATEMENT_MAX_BYTES; an .xlsx is inspected as an archive
  before python-calamine reads a cell (the roster import's checks: a workbook, no zip bomb);
  a CSV is UTF-8 (with or without BOM) or GBK/GB18030, as Chinese banks export it, separated
  by commas, tabs or semicolons.
- The header row is found among the first rows by its column names (ALIASES): a name or an ID
  column, an amount and a date. Title rows above it (bank name, account, period) are skipped.
- Each row needs a name or an ID tail, an amount > 0 and a date. A full ID number is cut to
  its last four characters at once: the whole number is never kept. Rows whose first text is
  合计/总计/小计 are totals, not payments, and are skipped.
- Every problem is reported with its row and column (“第5行 金额“abc”不是数字”), up to
  MAX_ERRORS of them at once, and nothing is read into the database: the caller gets either
  all lines or an AppError.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings

from dangjian.core import uploads
from dangjian.core.errors import AppError
from dangjian.members.imports import cells
from dangjian.members.imports import files as roster_files

FIELD = "file"
#: problems listed at once; beyond this the message says how many more there are
MAX_ERRORS = 50
#: data rows one statement may hold (a unit's payroll is far smaller)
MAX_ROWS = 20_000
#: how far down the header row is looked for (bank exports put a title block above it)
HEADER_SEARCH_ROWS = 20
MAX_AMOUNT = Decimal("99999999.99")
NAME_MAX = 50

#: column → the header names that mean it (compared after normalising: no spaces, full-width
#: to half-width, a trailing unit such as “（元）” dropped)
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "户名", "对方户名", "缴费人", "缴费人姓名", "党员姓名", "收款人姓名"),
    "id_tail": (
        "身份证后四位",
        "证件号码后四位",
        "身份证号后四位",
        "身份证号码后四位",
        "身份证号",
        "身份证号码",
        "证件号码",
        "公民身份号码",
    ),
    "amount": ("金额", "党费", "交易金额", "代扣金额", "缴费金额", "党费金额", "实缴金额"),
    "date": ("日期", "交易日期", "扣款日期", "缴费日期", "记账日期", "交易时间"),
}
LABELS = {"name": "姓名", "id_tail": "身份证后四位", "amount": "金额", "date": "日期"}
TOTAL_WORDS = {"合计", "总计", "小计", "总额", "合计金额"}

_UNIT_SUFFIX = re.compile(r"[（(][^（）()]*[)）]$")
_TAIL = re.compile(r"[0-9X]{4}")
_CURRENCY = re.compile(r"^(?:RMB|CNY|人民币|¥|￥)|(?:元|RMB|CNY)$", re.IGNORECASE)
_EXCEL_TEXT = re.compile(r'^="(.*)"$')


@dataclass(frozen=True)
class ParsedLine:
    row_no: int  # the row's number in the file (1 = the first row), as the user sees it
    name: str
    id_tail: str
    amount: Decimal
    paid_on: dt.date


@dataclass(frozen=True)
class StatementFile:
    digest: str  # sha256 of the bytes as uploaded
    kind: str  # "xlsx" or "csv"
    lines: list[ParsedLine]


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _too_big(size: int, limit: int) -> AppError:
    return AppError(
        f"文件大小为{_megabytes(size)}，超过了{_megabytes(limit)}的上限。"
        "请删除无关的工作表和图片，或按月份分成几个文件上传。",
        field=FIELD,
    )


def read_bytes(uploaded_file) -> bytes:
    """The upload's bytes, refused before reading when its declared size is over the limit and
    while reading when it turns out to be."""
    limit = settings.DUES_STATEMENT_MAX_BYTES
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise _too_big(size, limit)
    data = bytearray()
    chunks = uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise _too_big(len(data), limit)
    if not data:
        raise AppError("文件是空的（0字节），请检查后重新上传。", field=FIELD)
    return bytes(data)


# --- the two formats, as rows of raw cells ---------------------------------------------------


def _xlsx_rows(data: bytes) -> list[list]:
    # beside the roster uploads, so a copy left by a killed process is swept by retention
    fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="tmp-", dir=roster_files.import_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        facts = roster_files.inspect(Path(name))
        if facts.rows - 1 > MAX_ROWS:
            raise AppError(
                f"工作表约有{facts.rows - 1}行，超过了每个文件{MAX_ROWS}行的上限，"
                "请分成几个文件上传。",
                field=FIELD,
            )
        try:
            return roster_files.read_rows(Path(name), facts.sheet_name)
        except Exception:  # calamine's own errors on a damaged part: the file is not usable
            raise AppError(roster_files.NOT_XLSX, field=FIELD) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _csv_rows(data: bytes) -> list[list]:
    text = uploads.decode_text(data)
    if text is None or uploads.CONTROL_CHARS.search(text):
        raise AppError(
            "文件不是可识别的CSV文本：含有无法识别的字符或二进制数据。"
            "请在Excel或WPS中另存为“CSV UTF-8（逗号分隔）”或Excel工作簿（*.xlsx）后上传。",
            field=FIELD,
        )
    text = text.lstrip("\ufeff")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise AppError(
            "CSV文件格式有误（引号不配对或一行过长），请在Excel或WPS中打开后另存为CSV再上传。",
            field=FIELD,
        ) from None
    if len(rows) - 1 > MAX_ROWS:
        raise AppError(
            f"文件有{len(rows) - 1}行，超过了每个文件{MAX_ROWS}行的上限，请分成几个文件上传。",
            field=FIELD,
        )
    return rows


def _rows(data: bytes) -> tuple[str, list[list]]:
    kind = uploads.sniff(data[: uploads.SNIFF_BYTES])
    if kind == "zip":
        return "xlsx", _xlsx_rows(data)
    if kind == "text":
        return "csv", _csv_rows(data)
    if kind == "ole":
        raise AppError(
            "文件是旧版Excel（.xls）格式或设置了打开密码。请取消密码，另存为"
            "“Excel工作簿（*.xlsx）”或CSV后上传。",
            field=FIELD,
        )
    label = uploads.KIND_LABELS.get(kind, "无法识别的数据")
    raise AppError(
        f"文件不是Excel（.xlsx）或CSV文件：其内容是{label}。请上传银行或工资系统导出的"
        "Excel或CSV对账文件。",
        field=FIELD,
    )


# --- cells -----------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as trimmed text ("" when empty); bank CSVs wrap numbers as ="…" or pad with
    tabs to keep Excel from changing them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().strip("\t").strip()
    match = _EXCEL_TEXT.match(text)
    return match.group(1).strip() if match else text


def header_key(value) -> str:
    text = "".join(_text(value).split())
    return _UNIT_SUFFIX.sub("", text)


_ALIAS_INDEX = {alias: column for column, names in ALIASES.items() for alias in names}


def _header_columns(row: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        column = _ALIAS_INDEX.get(header_key(cell))
        if column and column not in found:
            found[column] = index
    return found


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _header_columns(row)
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
            if len(columns) == len(ALIASES):
                break
    if best is None:
        raise AppError(
            f"在文件前{HEADER_SEARCH_ROWS}行中找不到表头。表头须包含：姓名（或户名、对方户名、"
            "缴费人）或身份证后四位（或身份证号、证件号码后四位），金额（或党费、交易金额、"
            "代扣金额），日期（或交易日期、扣款日期）。可下载模板对照填写。",
            field=FIELD,
        )
    index, columns = best
    missing = []
    if "name" not in columns and "id_tail" not in columns:
        missing.append("姓名或身份证后四位（" + "、".join(ALIASES["name"][:4]) + "）")
    for column in ("amount", "date"):
        if column not in columns:
            missing.append(f"{LABELS[column]}（" + "、".join(ALIASES[column][:4]) + "）")
    if missing:
        raise AppError(
            f"第{index + 1}行的表头缺少列：" + "；".join(missing) + "。可下载模板对照填写。",
            field=FIELD,
        )
    return index, columns


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    return row[index]


def _blank(value) -> bool:
    return value is None or _text(value) == ""


def normalize_name(value) -> str:
    """A name for comparison: NFKC (full-width letters and digits to half-width), no spaces,
    one kind of middle dot."""
    text = "".join(_text(value).split())
    for dot in "•・‧∙⋅･":
        text = text.replace(dot, "·")
    return text


def _amount(value) -> tuple[Decimal | None, str | None]:
    shown = _text(value)
    if isinstance(value, bool):
        return None, f"金额“{shown}”不是数字"
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = _CURRENCY.sub("", shown.replace(",", "").replace(" ", "")).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, f"金额“{shown}”不是数字"
    if not number.is_finite():
        return None, f"金额“{shown}”不是数字"
    if number <= 0:
        return None, f"金额“{shown}”须大于0"
    # the size first: quantizing 1E+50 (or 40 digits) raises InvalidOperation
    if number.adjusted() >= len(str(int(MAX_AMOUNT))):
        return None, f"金额“{shown[:30]}”过大"
    rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded != number:
        return None, f"金额“{shown}”最多保留两位小数（分）"
    if rounded > MAX_AMOUNT:
        return None, f"金额“{shown}”过大"
    return rounded, None


def _id_tail(value) -> tuple[str, str | None]:
    """The last four characters of an ID number (or of what the tail column holds)."""
    if _blank(value):
        return "", None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return "", f"身份证号“{_text(value)}”无效"
        digits = str(int(value))
        if len(digits) > 15:
            return "", "身份证号被Excel存成了数字，末几位可能已经丢失；请把该列设为“文本”格式"
        return digits[-4:].zfill(4), None
    text = "".join(_text(value).split()).upper()
    if len(text) < 4:
        return "", f"身份证后四位“{text}”应为4位"
    tail = text[-4:]
    if not _TAIL.fullmatch(tail):
        return "", f"身份证后四位“{tail}”无效（应为数字，末位可为X）"
    return tail, None


def _date(value, today: dt.date) -> tuple[dt.date | None, str | None]:
    if isinstance(value, str):
        # “2024-03-05 10:22:11”, “2024/3/5 10:22” and the like: the day is what counts
        value = re.sub(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", _text(value))
    day, problem = cells.date(value)
    if problem is not None or day is None:
        return None, f"日期“{_text(value)}”不是有效日期（如2024-03-05、2024/3/5或20240305）"
    if day > today:
        return None, f"日期“{day:%Y-%m-%d}”晚于今天"
    if day.year < 2000:
        return None, f"日期“{day:%Y-%m-%d}”过早"
    return day, None


def _is_total(row: list, columns: dict[str, int]) -> bool:
    first = next((_text(c) for c in row if not _blank(c)), "")
    name = normalize_name(_cell(row, columns.get("name")))
    return "".join(first.split()) in TOTAL_WORDS or name in TOTAL_WORDS


def parse_rows(rows: list[list], *, today: dt.date) -> list[ParsedLine]:
    """The statement's lines from raw rows (the header found first), or an AppError listing
    every problem (up to MAX_ERRORS) with its row number."""
    if not any(any(not _blank(c) for c in row) for row in rows):
        raise AppError("文件中没有内容，请检查后重新上传。", field=FIELD)
    header, columns = _find_header(rows)
    lines: list[ParsedLine] = []
    problems: list[str] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if all(_blank(c) for c in row) or _is_total(row, columns):
            continue
        row_no = index + 1
        row_problems = []
        name = normalize_name(_cell(row, columns.get("name")))
        if len(name) > NAME_MAX:
            row_problems.append(f"姓名超过{NAME_MAX}个字")
        tail, problem = _id_tail(_cell(row, columns.get("id_tail")))
        if problem:
            row_problems.append(problem)
        elif not name and not tail:
            row_problems.append("缺少姓名或身份证后四位")
        raw_amount = _cell(row, columns["amount"])
        amount = None
        if _blank(raw_amount):
            row_problems.append("缺少金额")
        else:
            amount, problem = _amount(raw_amount)
            if problem:
                row_problems.append(problem)
        raw_date = _cell(row, columns["date"])
        paid_on = None
        if _blank(raw_date):
            row_problems.append("缺少日期")
        else:
            paid_on, problem = _date(raw_date, today)
            if problem:
                row_problems.append(problem)
        if row_problems:
            problems.extend(f"第{row_no}行 {p}" for p in row_problems)
            continue
        lines.append(ParsedLine(row_no, name, tail, amount, paid_on))
    if problems:
        shown = problems[:MAX_ERRORS]
        if len(problems) > MAX_ERRORS:
            shown.append(f"另有{len(problems) - MAX_ERRORS}处问题未列出")
        raise AppError(
            f"文件有{len(problems)}处问题，未导入任何记录，请修改后重新上传。{shown[0]}",
            field=FIELD,
            errors=[(FIELD, p) for p in shown],
        )
    if not lines:
        raise AppError("文件只有表头，没有缴费记录。", field=FIELD)
    return lines


def read_statement(uploaded_file, *, today: dt.date) -> StatementFile:
    """Read and check an uploaded statement; raises AppError (nothing written) when refused."""
    data = read_bytes(uploaded_file)
    digest = hashlib.sha256(data).hexdigest()
    kind, rows = _rows(data)
    return StatementFile(digest, kind, parse_rows(rows, today=today))
