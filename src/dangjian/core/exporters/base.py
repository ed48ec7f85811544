"""The exporter base classes: `Exporter` (tables, rendered as XLSX and CSV) and
`DocumentExporter` (Word), the column and cell rules they share, and Word helpers for Chinese
text. Concepts and the recipe "add an export": docs/exports.md."""

import csv
import datetime as dt
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import timezone

from dangjian.core.access import has_cap_anywhere, paths_for
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap

Progress = Callable[[int, int], None]

#: format → (Chinese label, content type)
FORMATS: dict[str, tuple[str, str]] = {
    "xlsx": (
        "Excel 工作簿（.xlsx）",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": ("CSV 文本（.csv，UTF-8）", "text/csv; charset=utf-8"),
    "docx": (
        "Word 文档（.docx）",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


# ---------------------------------------------------------------------------------------------
# Columns and cell values


@dataclass(frozen=True)
class Column:
    """One column of a table export. `kind` decides how a cell is written: "text" (the
    default), "code" (identifiers such as ID numbers and phones: always text, never a number
    in Excel), "date" (a real date cell), "number"."""

    key: str
    label: str
    kind: str = "text"
    width: float | None = None

    def xlsx_width(self) -> float:
        if self.width:
            return self.width
        # CJK characters are about two Latin characters wide
        label = sum(2 if ord(ch) > 0x2E7F else 1 for ch in self.label) + 2
        floor = {"date": 12, "code": 21, "number": 8}.get(self.kind, 10)
        return float(min(max(label, floor), 40))


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A cell starting with these runs as a formula in a spreadsheet (CSV injection); a leading
# "+"/"-" is harmless when the rest is a plain number (a phone like +86…, a negative amount).
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![\d .()-]*$)")


def plain_value(value, kind: str = "text"):
    """What a cell holds, before the format: dates stay dates, booleans become 是/否, empty
    values "", identifiers text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    if kind == "code" or not isinstance(value, (int, float)):
        return _ILLEGAL.sub("", str(value))
    return value


def csv_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _FORMULA_START.match(text):
        return "'" + text
    return text


def safe_filename(text: str) -> str:
    """A file name without the characters Windows and browsers refuse."""
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", text).strip(" ._") or "导出"


# ---------------------------------------------------------------------------------------------
# The base classes


class Exporter(ABC):
    """A table export: declare `identifier`, `verbose_name`, `columns()`, `rows()` and
    `count()`; the base renders XLSX and CSV.

    `rows()` must start from the app's scoped selectors with `self.user` (`visible_to(user,
    cap)`, `member_list(user, …)`): the export then holds exactly what the user may see.
    `clean(params)` checks the parameters (raise `AppError` for bad input, `deny()` for an
    object the user may not see) and returns them JSON-ready, because a background job stores
    them and builds the exporter again from them."""

    identifier: str = ""
    verbose_name: str = ""
    description: str = ""
    formats: tuple[str, ...] = ("xlsx", "csv")
    #: who sees this export at all (has_cap_anywhere); rows are narrowed by the selectors
    required_cap: Cap = Cap.MEMBER_VIEW
    #: audit code; default "<identifier>.exported"
    audit_action: str = ""
    progress_every: int = 500
    #: what one row weighs against EXPORT_INLINE_MAX_ROWS (a Word page weighs more)
    cost: int = 1

    def __init__(self, user, params: dict | None = None):
        self.user = user
        self.params = self.clean(dict(params or {}))

    # -- what an exporter declares ------------------------------------------------------------

    def clean(self, params: dict) -> dict:
        return params

    @abstractmethod
    def columns(self) -> list[Column]:
        """The columns, in order."""

    @abstractmethod
    def rows(self) -> Iterable[Sequence]:
        """One sequence of values per row, in column order, from scoped selectors."""

    @abstractmethod
    def count(self) -> int:
        """How many rows (or documents) the export will have, for progress and the choice
        between rendering at once and a background job."""

    def title(self) -> str:
        """The name of the file and of the sheet (the date is added)."""
        return self.verbose_name

    def audit_object(self):
        """The object the audit entry is about (one member's form), or None."""
        return None

    def audit_changes(self) -> dict:
        """What the entry records beyond format and row count (call after rendering)."""
        return {}

    # -- given by the base ----------------------------------------------------------------

    @classmethod
    def available_to(cls, user) -> bool:
        return has_cap_anywhere(user, cls.required_cap)

    @classmethod
    def format_choices(cls) -> list[tuple[str, str]]:
        return [(f, FORMATS[f][0]) for f in cls.formats]

    def table(self) -> Iterator[list]:
        """The header, then each row."""
        yield [c.label for c in self.columns()]
        yield from (list(r) for r in self.rows())

    def scope_path(self) -> str:
        """Where the export sits in the tree (for the audit entry and the job): the deepest
        path that covers everything the user may export."""
        return common_path(paths_for(self.user, self.required_cap))

    def filename(self, fmt: str) -> str:
        return f"{safe_filename(self.title())}-{timezone.localdate():%Y%m%d}.{fmt}"

    def provenance(self) -> str:
        """Who exported this and when, written into every file (等保 数据保密性: a leaked file
        names its source): the xlsx's document properties and a last sheet, the CSV's last
        line, the Word document's properties and footer."""
        user = self.user
        who = str(user) if user is not None else "系统"
        if user is not None and getattr(user, "username", "") and who != user.username:
            who = f"{who}（{user.username}）"
        self.exported_at = getattr(self, "exported_at", None) or timezone.localtime()
        return f"导出人：{who}；导出时间：{self.exported_at:%Y-%m-%d %H:%M:%S}"

    def _stamp_properties(self, properties) -> None:
        """The document properties of an xlsx or docx: creator, time, and the provenance."""
        user = self.user
        line = self.provenance()
        name = getattr(user, "username", "") or "dangjian"
        if hasattr(type(properties), "author"):  # python-docx
            properties.author = name
        else:  # openpyxl
            properties.creator = name
        properties.title = self.title()[:255]
        # both keep naive datetimes in UTC
        properties.created = timezone.now().replace(tzinfo=None)
        for field in ("description", "comments"):
            if hasattr(type(properties), field):
                setattr(properties, field, line)
                break

    def write(self, fmt: str, out: BinaryIO, progress: Progress | None = None) -> int:
        """Render into a binary file; returns the number of rows (or documents) written."""
        if fmt not in self.formats:
            raise AppError("不支持该导出格式。", field="fmt")
        total = self.count()
        if fmt == "csv":
            return self._write_csv(out, total, progress)
        return self._write_xlsx(out, total, progress)

    def _report(self, progress: Progress | None, done: int, total: int, final=False) -> None:
        if progress is not None and (final or done % self.progress_every == 0):
            progress(done, max(total, done))

    def _write_xlsx(self, out: BinaryIO, total: int, progress: Progress | None) -> int:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        columns = self.columns()
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=re.sub(r"[\\/?*\[\]:]", "_", self.title())[:31] or "导出")
        for i, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(i)].width = column.xlsx_width()
        sheet.freeze_panes = "A2"
        bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.label)
            cell.font, cell.alignment = bold, centre
            header.append(cell)
        sheet.append(header)

        def cell_of(column: Column, value):
            value = plain_value(value, column.kind)
            if isinstance(value, str) and (value.startswith("=") or column.kind == "code"):
                # a string that looks like a formula or a number stays text in Excel
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type, cell.number_format = "s", "@"
                return cell
            return value

        done = 0
        for row in self.rows():
            sheet.append([cell_of(c, v) for c, v in zip(columns, row, strict=False)])
            done += 1
            self._report(progress, done, total)
        notes = book.create_sheet(title="导出说明")
        notes.append([self.provenance()])
        notes.append([f"{self.verbose_name}，共 {done} 行。含个人信息，仅限工作使用，不得外传。"])
        self._stamp_properties(book.properties)
        book.save(out)
        self._report(progress, done, total, final=True)
        return done

    def _write_csv(self, out: BinaryIO, total: int, progress: Progress | None) -> int:
        columns = self.columns()
        # utf-8-sig writes the byte-order mark Excel needs to read UTF-8
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([c.label for c in columns])
        done = 0
        for row in self.rows():
            writer.writerow(
                [csv_text(plain_value(v, c.kind)) for c, v in zip(columns, row, strict=False)]
            )
            done += 1
            self._report(progress, done, total)
        # the last line says who exported the file and when (a "#" line, like a comment)
        writer.writerow([f"# {self.provenance()}；共 {done} 行"])
        text.flush()
        text.detach()
        self._report(progress, done, total, final=True)
        return done


class DocumentExporter(Exporter):
    """A Word export: one document, one page per item (a member's collection form). Declare
    `items()`, `count()` and `render_item(document, item)`; use the helpers below for Chinese
    text (they set the East Asian font, which Word otherwise ignores)."""

    formats = ("docx",)
    cost = 20
    progress_every = 20
    #: body and title fonts (公文 habit: 仿宋_GB2312 for text, 宋体/小标宋 for titles)
    font = "仿宋_GB2312"
    font_size = 12
    title_font = "宋体"
    title_size = 20
    empty_text = "没有符合条件的记录。"

    @abstractmethod
    def items(self) -> Iterable:
        """The objects to render, one section (page) each."""

    @abstractmethod
    def render_item(self, document, item) -> None:
        """Add one item's section to the document."""

    def columns(self) -> list[Column]:
        raise TypeError("a document export has no columns")

    def rows(self) -> Iterable[Sequence]:
        raise TypeError("a document export has no rows; use write(…)")

    def table(self):
        raise TypeError("a document export has no table; use write(…)")

    def write(self, fmt: str, out: BinaryIO, progress: Progress | None = None) -> int:
        if fmt not in self.formats:
            raise AppError("不支持该导出格式。", field="fmt")
        total = self.count()
        document = new_document(self.font, self.font_size)
        done = 0
        for item in self.items():
            if done:
                document.add_page_break()
            self.render_item(document, item)
            done += 1
            self._report(progress, done, total)
        if not done:
            add_paragraph(document, self.empty_text)
        line = self.provenance()
        self._stamp_properties(document.core_properties)
        for section in document.sections:
            footer = section.footer.paragraphs[0] if section.footer.paragraphs else None
            footer = footer or section.footer.add_paragraph()
            set_font(footer.add_run(docx_text(line)), self.font, 9)
        document.save(out)
        self._report(progress, done, total, final=True)
        return done

    def add_title(self, document, text: str):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = _pt(12)
        set_font(paragraph.add_run(docx_text(text)), self.title_font, self.title_size, bold=True)
        return paragraph


# ---------------------------------------------------------------------------------------------
# Word helpers


def _pt(size):
    from docx.shared import Pt

    return Pt(size)


def set_font(run_or_style, name: str, size: float | None = None, bold: bool | None = None):
    """Font for Chinese text: python-docx sets only the Latin font, and Word picks the East
    Asian one from `w:eastAsia`, so both are set."""
    from docx.oxml.ns import qn

    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = _pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)
    return run_or_style


def new_document(font: str = "仿宋_GB2312", size: float = 12):
    """An empty A4 document with Chinese body text."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25)
        section.left_margin = section.right_margin = Mm(22)
    set_font(document.styles["Normal"], font, size)
    return document


def docx_text(text) -> str:
    """Text Word can hold: XML refuses control characters ("All strings must be XML
    compatible"), so they go as in the xlsx path (`_ILLEGAL`); a vertical tab or form feed —
    Word's own manual line and page break, pasted into a form — becomes a line break first."""
    text = "" if text is None else str(text)
    return _ILLEGAL.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def add_paragraph(document_or_cell, text: str = "", *, bold=False, size=None, align=None):
    paragraph = document_or_cell.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    text = docx_text(text)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = _pt(size)
    return paragraph


def set_cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    """Put text in a table cell (replacing what is there), vertically centred."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(docx_text(text))
    if bold:
        run.bold = True


def common_path(paths: list[str]) -> str:
    """The deepest tree path covering all of `paths` ("/1/5/" and "/1/7/" → "/1/")."""
    if not paths:
        return ""
    parts = [p.strip("/").split("/") for p in paths]
    shared = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return "/" + "/".join(shared) + "/" if shared else ""
