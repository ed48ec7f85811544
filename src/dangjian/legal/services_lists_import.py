"""The xlsx import of 四张清单 items: the file is judged by its content (a workbook, no zip
bomb, no formulas) the way the roster import judges its file, every row is checked with the
same rules as the form, and a single bad row refuses the whole file (each bad row named with
its number), so nothing is written half-way. See docs/legal-lenient-lists.md."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.legal.models import LenientItem, LenientList
from dangjian.legal.services_lists import ITEMS_MAX, check_item, locked_list, require

# ---------------------------------------------------------------------------------------------
# The import file

COLUMNS = {
    "序号": "seq",
    "违法行为": "conduct",
    "法律依据": "legal_basis",
    "适用条件": "conditions",
    "处理方式": "measure",
}
#: other spellings of a header people type
HEADER_ALIASES = {"适用条件（情形）": "适用条件", "适用情形": "适用条件", "处理措施": "处理方式"}
REQUIRED_COLUMNS = ("违法行为", "法律依据", "适用条件")
IMPORT_ROWS_MAX = ITEMS_MAX


@dataclass
class ImportRow:
    number: int  # the row number in the sheet (the header is row 1)
    values: dict


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_items(uploaded) -> list[ImportRow]:
    """The item rows of an uploaded .xlsx, judged by content (not a workbook, a zip bomb,
    formulas: refused at `file`), before any cell is trusted. Empty rows are skipped."""
    from openpyxl import load_workbook

    from dangjian.members.imports import files

    if uploaded is None:
        raise AppError("请选择要导入的清单文件（.xlsx）。", field="file")
    limit = settings.IMPORT_MAX_BYTES
    data = bytearray()
    for chunk in uploaded.chunks():
        data += chunk
        if len(data) > limit:
            raise AppError(f"文件超过了{limit / 1048576:.1f} MB的上限。", field="file")
    if not data:
        raise AppError("文件是空的（0字节），请检查后重新上传。", field="file")
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="lenient-")
    book = None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        facts = files.inspect(path)
        if facts.rows - 1 > IMPORT_ROWS_MAX:
            raise AppError(f"一次最多导入{IMPORT_ROWS_MAX}项。", field="file")
        if facts.has_formula:
            raise AppError("文件中含有公式。请将公式单元格“粘贴为数值”后再上传。", field="file")
        book = load_workbook(path, read_only=True, data_only=True)
        raw = [tuple(r or ()) for r in book[facts.sheet_name].iter_rows(values_only=True)]
    except AppError:
        raise
    except Exception:  # openpyxl and its XML parser raise many kinds on a damaged part
        raise AppError(files.NOT_XLSX, field="file") from None
    finally:
        if book is not None:
            book.close()
        os.unlink(path)
    if not raw:
        raise AppError("文件中没有内容。", field="file")
    header = [HEADER_ALIASES.get(_cell(v), _cell(v)) for v in raw[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise AppError(
            "第1行应为表头：序号、违法行为、法律依据、适用条件、处理方式；缺少："
            + "、".join(missing),
            field="file",
        )
    where = {COLUMNS[name]: i for i, name in enumerate(header) if name in COLUMNS}
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {key: _cell(values[i]) if i < len(values) else "" for key, i in where.items()}
        if any(cells.values()):
            rows.append(ImportRow(number, cells))
    if not rows:
        raise AppError("文件中没有清单事项（第2行起每行一项）。", field="file")
    return rows


@transaction.atomic
def items_import(*, actor, lenient_list: LenientList, file) -> int:
    """Add the items of an uploaded .xlsx (columns 序号 | 违法行为 | 法律依据 | 适用条件 | 处理方式)
    to a list. Every row is checked first; a bad row (no legal basis, a number used twice or
    already in the list…) is named with its row number and nothing is written. Returns the
    number of items added."""
    require(actor, lenient_list.org_path)
    current = locked_list(lenient_list)
    rows = read_items(file)  # AppError at `file` for a bad file or bad rows
    errors: list = []
    taken = set(current.items.values_list("seq", flat=True))
    if len(taken) + len(rows) > ITEMS_MAX:
        raise AppError(f"一张清单最多{ITEMS_MAX}项，本次导入后将超过上限。", field="file")
    cleaned_rows = []
    seen: dict[int, int] = {}
    for row in rows:
        try:
            cleaned = check_item(row.values)
        except AppError as exc:
            errors.extend((None, f"第{row.number}行：{message}") for _, message in exc.errors)
            continue
        seq = cleaned["seq"]
        if seq is not None:
            if seq in taken:
                errors.append((None, f"第{row.number}行：序号{seq}已在清单中使用。"))
                continue
            if seq in seen:
                errors.append((None, f"第{row.number}行：序号{seq}与第{seen[seq]}行重复。"))
                continue
            seen[seq] = row.number
        cleaned_rows.append(cleaned)
    if errors:
        first = errors[0][1]
        more = f"（共{len(errors)}处问题）" if len(errors) > 1 else ""
        raise AppError(
            f"导入失败，没有写入任何事项：{first}{more}",
            field="file",
            errors=[("file", message) for _, message in errors],
        )
    next_seq = max([*taken, *seen, 0]) + 1
    items = []
    for cleaned in cleaned_rows:
        if cleaned["seq"] is None:
            cleaned["seq"] = next_seq
            next_seq += 1
        items.append(LenientItem(lenient_list=current, org_path=current.org_path, **cleaned))
    LenientItem.objects.bulk_create(items)
    audit(
        actor,
        "legal.lenient_list.imported",
        current,
        org_path=current.org_path,
        changes={"items": len(items), "file": getattr(file, "name", "")[:100]},
    )
    return len(items)
