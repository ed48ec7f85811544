"""Word mechanics of the recruitment documents: the built-in templates (built in code, so no
.docx ships as package data) and the filling of `{{占位符}}` in any template, built-in or
uploaded. Pure python-docx; the records come from documents.py.

A placeholder is `{{名称}}` anywhere in the body, a table, a header or a footer; Word often
splits typed text over several runs, so a placeholder is found in the paragraph's whole text
and written back into the run where it starts (that run's formatting wins). A table row that
holds a `{{名单.…}}` placeholder is a repeating row: it is copied once per list item (the
支部大会's list of candidates)."""

from __future__ import annotations

import copy
import io
import re

from dangjian.core.exporters.base import docx_text, new_document, set_cell, set_font

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")
LIST_PREFIX = "名单."
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "宋体"


# ---------------------------------------------------------------------------------------------
# Filling


def placeholders_in(document) -> set[str]:
    """Every placeholder name a document uses."""
    return {m.group(1) for p in _paragraphs(document) for m in PLACEHOLDER.finditer(p.text)}


def fill(document, values: dict[str, str], rows: list[dict[str, str]] = ()) -> None:
    """Replace the placeholders of `document` in place: `values` everywhere, `rows` in the
    repeating table rows. An unknown placeholder becomes empty (the upload page lists them)."""
    for table in list(_tables(document)):
        _repeat_rows(table, rows, values)
    for paragraph in _paragraphs(document):
        _fill_paragraph(paragraph, values)


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill_paragraph(paragraph, values: dict[str, str]) -> None:
    text = "".join(run.text for run in paragraph.runs)
    if "{{" not in text:
        return
    for match in reversed(list(PLACEHOLDER.finditer(text))):
        _splice(paragraph.runs, match.start(), match.end(), values.get(match.group(1), ""))


def _splice(runs, start: int, end: int, replacement: str) -> None:
    """Replace characters [start, end) of the runs' joined text by `replacement`, written into
    the run where `start` falls; the rest of the span is cut out of the following runs."""
    offset = 0
    placed = False
    for run in runs:
        text = run.text
        run_start, run_end = offset, offset + len(text)
        offset = run_end
        if run_end <= start or run_start >= end:
            continue
        cut_from = max(start, run_start) - run_start
        cut_to = min(end, run_end) - run_start
        insert = "" if placed else replacement
        placed = True
        run.text = text[:cut_from] + insert + text[cut_to:]


def _repeat_rows(table, rows: list[dict[str, str]], values: dict[str, str]) -> None:
    for row in list(table.rows):
        row_text = "".join(cell.text for cell in row.cells)
        if "{{" + LIST_PREFIX not in row_text.replace("{{ ", "{{"):
            continue
        template = row._tr
        for item in rows:
            clone = copy.deepcopy(template)
            template.addprevious(clone)
            for paragraph in clone.iter(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
            ):
                _fill_element_paragraph(paragraph, {**values, **item})
        template.getparent().remove(template)


def _fill_element_paragraph(p_element, values: dict[str, str]) -> None:
    from docx.text.paragraph import Paragraph

    _fill_paragraph(Paragraph(p_element, None), values)


def _tables(document):
    def walk(tables):
        for table in tables:
            yield table
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell.tables)

    yield from walk(document.tables)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from walk(part.tables)


def _paragraphs(document):
    yield from document.paragraphs
    # merged cells repeat in row.cells; the dict keeps each element alive so ids stay unique
    seen: dict[int, object] = {}
    for table in _tables(document):
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen[id(cell._tc)] = cell._tc
                yield from cell.paragraphs
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


# ---------------------------------------------------------------------------------------------
# Built-in templates


def _title(document, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = _pt(12)
    set_font(paragraph.add_run(docx_text(text)), TITLE_FONT, 20, bold=True)


def _text(document, text: str, *, indent=True, align=None) -> None:
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = _pt(24)
    if align is not None:
        paragraph.alignment = align
    paragraph.add_run(docx_text(text))


def _pt(size):
    from docx.shared import Pt

    return Pt(size)


def _signature(document, lines: list[str]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.add_paragraph()
    for line in lines:
        _text(document, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _pairs_table(document, pairs: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    for i in range(0, len(pairs), 2):
        cells = table.add_row().cells
        for j, (label, value) in enumerate(pairs[i : i + 2]):
            set_cell(cells[2 * j], label, bold=True)
            set_cell(cells[2 * j + 1], value)


def builtin_publicity_notice():
    document = new_document(BODY_FONT, 14)
    _title(document, "关于拟确定{{姓名}}同志为发展对象的公示")
    _text(
        document,
        "根据《中国共产党发展党员工作细则》有关规定，经{{支部}}支部委员会研究，"
        "拟确定{{姓名}}同志为发展对象。现将有关情况公示如下：",
    )
    _pairs_table(
        document,
        [
            ("姓名", "{{姓名}}"),
            ("性别", "{{性别}}"),
            ("出生年月", "{{出生年月}}"),
            ("民族", "{{民族}}"),
            ("学历", "{{学历}}"),
            ("单位及职务", "{{单位职务}}"),
            ("递交入党申请书时间", "{{申请日期}}"),
            ("确定为入党积极分子时间", "{{积极分子日期}}"),
            ("所在党支部", "{{支部}}"),
            ("上级党委", "{{上级党委}}"),
        ],
    )
    document.add_paragraph()
    _text(
        document,
        "公示时间：{{公示开始}}至{{公示截止}}（{{公示工作日}}个工作日）。",
    )
    _text(
        document,
        "公示期间，党员和群众对公示对象有意见的，可以通过来信、来电、来访等方式向"
        "{{受理机构}}反映。反映情况要实事求是，以单位或个人名义反映的，应署真实姓名。",
    )
    _text(document, "联系人：{{联系人}}　　联系电话：{{联系电话}}")
    _signature(document, ["{{支部}}", "{{落款日期}}"])
    return document


#: columns of the built-in 支部大会 list: (heading, row placeholder) per purpose
ASSEMBLY_COLUMNS = {
    "acceptance": [
        ("序号", "名单.序号"),
        ("姓名", "名单.姓名"),
        ("性别", "名单.性别"),
        ("出生年月", "名单.出生年月"),
        ("学历", "名单.学历"),
        ("入党介绍人", "名单.入党介绍人"),
        ("政治审查", "名单.政治审查"),
        ("集中培训", "名单.集中培训"),
        ("上级党委预审", "名单.预审"),
    ],
    "conversion": [
        ("序号", "名单.序号"),
        ("姓名", "名单.姓名"),
        ("性别", "名单.性别"),
        ("入党介绍人", "名单.入党介绍人"),
        ("接收为预备党员", "名单.接收日期"),
        ("预备期满", "名单.预备期满"),
        ("入党宣誓", "名单.入党宣誓"),
        ("转正申请", "名单.转正申请"),
    ],
}


def builtin_assembly_list(purpose: str = "acceptance"):
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    document = new_document(BODY_FONT, 12)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    _title(document, "{{支部}}支部党员大会讨论{{会议事项}}名单")
    _text(document, "会议日期：{{会议日期}}　　应到有表决权党员：{{应到人数}}人", indent=False)
    columns = ASSEMBLY_COLUMNS.get(purpose, ASSEMBLY_COLUMNS["acceptance"])
    table = document.add_table(rows=2, cols=len(columns))
    table.style = "Table Grid"
    for i, (heading, key) in enumerate(columns):
        set_cell(table.rows[0].cells[i], heading, bold=True)
        set_cell(table.rows[1].cells[i], "{{" + key + "}}")
    document.add_paragraph()
    _text(
        document,
        "表决按《中国共产党发展党员工作细则》规定进行：到会有表决权的正式党员超过应到会"
        "有表决权党员的半数，会议方可进行；赞成人数超过应到会有表决权正式党员的半数，"
        "方能通过；讨论两个以上的人入党时，逐个讨论和表决。",
    )
    _signature(document, ["{{支部}}", "{{落款日期}}"])
    return document


def builtin_conversion_summary():
    document = new_document(BODY_FONT, 12)
    _title(document, "预备党员转正情况汇总表")
    _pairs_table(
        document,
        [
            ("姓名", "{{姓名}}"),
            ("性别", "{{性别}}"),
            ("出生年月", "{{出生年月}}"),
            ("学历", "{{学历}}"),
            ("单位及职务", "{{单位职务}}"),
            ("所在党支部", "{{支部}}"),
            ("入党介绍人", "{{入党介绍人}}"),
            ("支部大会接收日期", "{{接收日期}}"),
            ("上级党委批准日期", "{{批准日期}}"),
            ("入党宣誓日期", "{{入党宣誓}}"),
            ("预备期满日期", "{{预备期满}}"),
            ("延长预备期", "{{延长预备期}}"),
            ("提出转正申请日期", "{{转正申请}}"),
            ("支部大会讨论转正", "{{转正会议}}"),
        ],
    )
    document.add_paragraph()
    _text(document, "预备期间教育考察情况：", indent=False)
    _text(document, "{{考察记录}}")
    _text(document, "支部大会表决情况：{{表决情况}}", indent=False)
    _text(
        document,
        "按《中国共产党章程》第七条，预备党员转为正式党员的，党龄自预备期满转为正式党员之日"
        "算起（预计：{{转正日期}}）。",
    )
    _signature(document, ["{{支部}}", "{{落款日期}}"])
    return document
