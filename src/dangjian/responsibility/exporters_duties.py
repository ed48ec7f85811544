"""Exports of the responsibility lists (registered with the core exporter registry through
responsibility/exporters.py, audited like every export):

- `responsibility.duty_list` (xlsx/csv): one list in the layout a 责任清单 table has —
  序号、类别、责任内容、工作措施、责任人、完成时限、进度、季度进展;
- `responsibility.duty_list_doc` (docx): the same list as a Word document to print and sign;
- `responsibility.duty_overview` (xlsx/csv): the 工委's unit-by-unit table for a year.

All start from the access functions and selectors with the exporting user (resp.manage)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.exporters import (
    Column,
    DocumentExporter,
    Exporter,
    add_paragraph,
    register,
    set_cell,
)
from dangjian.core.permissions import Cap
from dangjian.responsibility import selectors_duties as sel
from dangjian.rules import duties as rules

MANAGE = Cap.RESP_MANAGE


def _quarters_text(row) -> str:
    parts = []
    for cell in row.quarters:
        if cell.report is not None:
            parts.append(f"{cell.name}：{cell.report.progress}%，{cell.report.text}")
        elif cell.state == "missing":
            parts.append(f"{cell.name}：逾期未报告")
    return "\n".join(parts)


class _ListMixin:
    required_cap = MANAGE

    def clean(self, params: dict) -> dict:
        self.duty_list = sel.access_list(self.user, params.get("list"))
        self.detail = sel.list_detail(self.duty_list)
        return {"list": self.duty_list.pk}

    def count(self) -> int:
        return len(self.detail.rows)

    def title(self) -> str:
        dl = self.duty_list
        return f"{dl.org.name}{dl.year}年{dl.get_kind_display()}清单（{dl.holder_name}）"

    def audit_object(self):
        return self.duty_list

    def scope_path(self) -> str:
        return self.duty_list.org_path

    def audit_changes(self) -> dict:
        return {"list": self.duty_list.pk, "year": self.duty_list.year}


@register
class DutyListExporter(_ListMixin, Exporter):
    identifier = "responsibility.duty_list"
    verbose_name = "责任清单"
    description = "一份责任清单：序号、类别、责任内容、工作措施、责任人、完成时限、进度、季度进展"
    formats = ("xlsx", "csv")

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("category", "类别", width=14),
            Column("content", "责任内容", width=48),
            Column("measures", "工作措施", width=48),
            Column("owner", "责任人", width=12),
            Column("deadline", "完成时限", kind="date"),
            Column("progress", "进度（%）", kind="number"),
            Column("quarters", "季度进展", width=60),
        ]

    def rows(self):
        for row in self.detail.rows:
            item = row.item
            yield [
                row.index,
                item.get_category_display(),
                item.content,
                item.measures,
                item.owner_name,
                item.deadline,
                item.progress,
                _quarters_text(row),
            ]


@register
class DutyListDocExporter(_ListMixin, DocumentExporter):
    identifier = "responsibility.duty_list_doc"
    verbose_name = "责任清单（Word）"
    description = "一份责任清单的Word文稿：表头、责任事项表和季度进展，供印发和签字"
    required_cap = MANAGE
    title_size = 18

    def count(self) -> int:
        return 1

    def items(self):
        yield self.detail

    def render_item(self, document, detail) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        section = document.sections[-1]
        # a wide table reads better on landscape A4
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        dl = detail.duty_list
        self.add_title(document, f"{dl.org.name}{dl.year}年度{dl.get_kind_display()}清单")
        holder = f"责任主体：{dl.holder_name}"
        if dl.holder_post:
            holder += f"（{dl.holder_post}）"
        if dl.remit:
            holder += f"    分管领域：{dl.remit}"
        add_paragraph(document, holder)
        header = ["序号", "类别", "责任内容", "工作措施", "责任人", "完成时限", "进度", "季度进展"]
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            set_cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for row in detail.rows:
            item = row.item
            values = [
                str(row.index),
                item.get_category_display(),
                item.content,
                item.measures,
                item.owner_name,
                f"{item.deadline:%Y-%m-%d}" if item.deadline else "",
                f"{item.progress}%",
                _quarters_text(row),
            ]
            for cell, value in zip(table.add_row().cells, values, strict=True):
                set_cell(cell, value)
        if not detail.rows:
            add_paragraph(document, "（尚无责任事项）")
        status = (
            f"已于{timezone.localtime(dl.confirmed_at):%Y年%m月%d日}确认发布。"
            if dl.confirmed_at
            else "草稿，尚未确认发布。"
        )
        add_paragraph(document, "")
        add_paragraph(document, f"依据：R-ORG-12（{rules.R_ORG_12.citation}）。{status}")
        add_paragraph(document, "责任人签字：                    日期：")


def _year(raw) -> int:
    if raw in (None, ""):
        return timezone.localdate().year
    year = sel.parse_year(raw)
    if year is None:
        raise AppError("年度无效。", field="year")
    return year


@register
class DutyOverviewExporter(Exporter):
    identifier = "responsibility.duty_overview"
    verbose_name = "各单位责任清单落实情况"
    description = "各单位当年责任清单的建立、发布、季度报告和逾期情况"
    required_cap = MANAGE
    formats = ("xlsx", "csv")
    #: units per batch of the overview's grouped queries
    CHUNK = 500

    def clean(self, params: dict) -> dict:
        self.year = _year(params.get("year"))
        self.today = timezone.localdate()
        self.quarter = sel.overview_quarter(self.year, self.today)
        return {"year": self.year}

    def count(self) -> int:
        return sel.overview_units(self.user).count()

    def title(self) -> str:
        return f"{self.verbose_name}-{self.year}年"

    def audit_changes(self) -> dict:
        return {"year": self.year}

    def columns(self) -> list[Column]:
        quarter = rules.QUARTER_NAMES.get(self.quarter, "季度")
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "单位", width=24),
            Column("main", "主体责任清单"),
            Column("first", "第一责任人清单"),
            Column("duals", "一岗双责清单（份）", kind="number"),
            Column("items", "责任事项", kind="number"),
            Column("done", "已完成", kind="number"),
            Column("reported", f"{quarter}已报告", kind="number"),
            Column("expected", f"{quarter}应报告", kind="number"),
            Column("share", f"{quarter}报告率（%）", kind="number"),
            Column("overdue", "逾期事项", kind="number"),
        ]

    @staticmethod
    def _state(dl) -> str:
        if dl is None:
            return "未建立"
        return "已发布" if dl.confirmed_at else "草稿"

    def rows(self):
        units = list(self.overview_orgs())
        seq = 0
        for start in range(0, len(units), self.CHUNK):
            for r in sel.overview_rows(units[start : start + self.CHUNK], self.year, self.today):
                seq += 1
                unit = r.org.unit
                yield [
                    seq,
                    (unit.name if unit else r.org.name),
                    self._state(r.main),
                    self._state(r.first),
                    r.duals,
                    r.items,
                    r.done,
                    r.reported,
                    r.expected,
                    r.share if r.share is not None else "",
                    r.overdue,
                ]

    def overview_orgs(self):
        return sel.overview_units(self.user)
