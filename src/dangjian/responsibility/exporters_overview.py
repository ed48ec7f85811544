"""The overview of 责任落实 and 共同缔造 as a workbook (`responsibility.overview`, xlsx): one
sheet per table of the page — the work points' completion, the units' task completion, the
responsibility lists, co-creation per unit and the goal metrics — then the provenance sheet.

Built from the same selector as the page (`selectors_overview.overview`) with the exporting
user, so it holds exactly what the page shows him. Registered on import; the app's
`exporters.py` imports this module so that a background worker finds it too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import BinaryIO

from django.utils import timezone

from dangjian.core.access import paths_for
from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, common_path, register
from dangjian.core.exporters.base import Progress, plain_value
from dangjian.core.permissions import Cap
from dangjian.responsibility import selectors_overview as sel


def _n(value):
    """Decimals as numbers for the sheet (openpyxl writes floats; None stays empty)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


@register
class OverviewExporter(Exporter):
    """责任落实与共同缔造总览: the overview page's tables, one sheet each."""

    identifier = "responsibility.overview"
    verbose_name = "责任落实与共同缔造总览"
    description = "工作要点完成情况、各单位任务完成与逾期、责任清单落实、共同缔造成效（每表一页）"
    required_cap = Cap.RESP_MANAGE
    formats = ("xlsx",)

    @classmethod
    def available_to(cls, user) -> bool:
        return sel.may_open(user)

    def clean(self, params: dict) -> dict:
        today = timezone.localdate()
        raw = params.get("year")
        raw = "" if raw is None else str(raw)
        self.year, notice = sel.parse_year(raw, today)
        if notice:
            raise AppError("年度无效。", field="year")
        self.units = sel.unit_orgs(self.user)
        self.within = sel.access_unit(self.units, params.get("unit"))
        return {"year": self.year, "unit": self.within.pk if self.within else ""}

    def data(self) -> sel.Overview:
        if not hasattr(self, "_data"):
            self._data = sel.overview(self.user, self.year, units=self.units, within=self.within)
        return self._data

    def title(self) -> str:
        scope = f"-{sel.unit_label(self.within)}" if self.within is not None else ""
        return f"{self.verbose_name}{scope}-{self.year}年"

    def scope_path(self) -> str:
        if self.within is not None:
            return self.within.path
        paths = sorted({p for cap in sel.ACCESS_CAPS for p in paths_for(self.user, cap)})
        return common_path(paths)

    def audit_changes(self) -> dict:
        return {"year": self.year, "unit": self.within.pk if self.within else None}

    # -- the tables -------------------------------------------------------------------------

    def sheets(self) -> list[tuple[str, list[Column], list[Sequence]]]:
        """(sheet title, columns, rows) for each table the user may see."""
        ov = self.data()
        found = []
        if ov.show_tasks:
            found.append(("工作要点完成情况", *self._points(ov)))
            found.append(("各单位任务完成情况", *self._unit_tasks(ov)))
        if ov.show_duties:
            found.append(("责任清单落实情况", *self._duties(ov)))
        if ov.cocreation is not None:
            found.append(("共同缔造各单位成效", *self._cocreation(ov)))
            found.append(("共同缔造目标指标", *self._metrics(ov)))
        return found

    def _points(self, ov):
        columns = [
            Column("seq", "序号", kind="number"),
            Column("title", "工作要点", width=36),
            Column("total", "任务数", kind="number"),
            Column("closed", "已办结", kind="number"),
            Column("on_time", "按时办结", kind="number"),
            Column("overdue", "逾期未办结", kind="number"),
            Column("completion", "完成率（%）", kind="number"),
            Column("on_time_rate", "按时办结率（%）", kind="number"),
            Column("progress", "平均进度（%）", kind="number"),
        ]
        rows = [
            [
                p.seq,
                p.title,
                p.total,
                p.closed,
                p.on_time,
                p.overdue,
                _n(p.completion),
                _n(p.on_time_rate),
                _n(p.avg_progress),
            ]
            for p in ov.points
        ]
        return columns, rows

    def _unit_tasks(self, ov):
        columns = [
            Column("unit", "单位", width=20),
            Column("point_tasks", "要点任务数", kind="number"),
            Column("point_closed", "已办结", kind="number"),
            Column("point_on_time", "按时办结", kind="number"),
            Column("completion", "完成率（%）", kind="number"),
            Column("progress", "平均进度（%）", kind="number"),
            Column("own_tasks", "自定任务数", kind="number"),
            Column("own_closed", "自定任务已办结", kind="number"),
            Column("overdue", "逾期未办结", kind="number"),
        ]
        rows = [
            [
                u.name,
                u.point_tasks,
                u.point_closed,
                u.point_on_time,
                _n(u.completion),
                _n(u.point_avg_progress),
                u.own_tasks,
                u.own_closed,
                u.overdue,
            ]
            for u in ov.units
        ]
        t = ov.totals
        rows.append(
            [
                "合计",
                t.point_tasks,
                t.point_closed,
                t.point_on_time,
                _n(t.completion),
                _n(t.avg_progress),
                t.own_tasks,
                t.own_closed,
                t.overdue,
            ]
        )
        return columns, rows

    def _duties(self, ov):
        quarter = f"第{ov.quarter}季度" if ov.quarter else "最近季度"
        columns = [
            Column("unit", "单位", width=20),
            Column("main", "主体责任清单"),
            Column("first", "第一责任人清单"),
            Column("dual", "一岗双责清单（份）", kind="number"),
            Column("dual_confirmed", "其中已确认", kind="number"),
            Column("items", "已确认清单事项", kind="number"),
            Column("expected", f"{quarter}应报告", kind="number"),
            Column("reported", f"{quarter}已报告", kind="number"),
            Column("share", "报告率（%）", kind="number"),
        ]
        rows = [
            [
                u.name,
                u.main_label,
                u.first_label,
                u.dual_lists,
                u.dual_confirmed,
                u.items,
                u.expected if ov.quarter else None,
                u.reported if ov.quarter else None,
                _n(u.report_share) if ov.quarter else None,
            ]
            for u in ov.units
        ]
        return columns, rows

    def _cocreation(self, ov):
        co = ov.cocreation
        columns = [
            Column("unit", "单位", width=20),
            Column("pairings", "包联村（社区）", kind="number"),
            Column("pilots", "试点", kind="number"),
            Column("projects", "实事项目", kind="number"),
            *[Column(f"status_{v}", label, kind="number") for v, label in co.statuses],
            Column("households", "已完成项目受益户数", kind="number"),
            Column("funds", "到位资金（万元）", kind="number"),
            Column("visits", "走访次数", kind="number"),
            Column("visit_households", "走访户数", kind="number"),
            Column("resolved", "问题已解决", kind="number"),
            Column("explained", "已解释", kind="number"),
            Column("unresolved", "未解决", kind="number"),
            Column("overdue", "其中逾期", kind="number"),
            Column("campaigns", "专项行动", kind="number"),
            Column("cadres", "参与干部（人次）", kind="number"),
            Column("residents", "参与群众（人次）", kind="number"),
        ]

        def line(name, c):
            return [
                name,
                c.pairings,
                c.pilots,
                c.projects,
                *c.status_counts,
                c.households,
                _n(c.funds_raised),
                c.visits,
                c.visit_households,
                c.problems_resolved,
                c.problems_explained,
                c.problems_unresolved,
                c.problems_overdue,
                c.campaigns,
                c.campaign_cadres,
                c.campaign_residents,
            ]

        rows = [line(u.name, u.cocreation) for u in ov.units if u.cocreation is not None]
        rows.append(line("合计", co.total))
        return columns, rows

    def _metrics(self, ov):
        columns = [
            Column("name", "指标", width=20),
            Column("unit", "计量单位"),
            Column("projects", "项目数", kind="number"),
            Column("target", "目标值", kind="number"),
            Column("achieved", "已完成", kind="number"),
            Column("percent", "达成率（%）", kind="number"),
        ]
        rows = [
            [m.name, m.unit, m.projects, _n(m.target), _n(m.achieved), _n(m.percent)]
            for m in ov.cocreation.metrics
        ]
        return columns, rows

    # -- what the base asks for --------------------------------------------------------------

    def columns(self) -> list[Column]:
        sheets = self.sheets()
        return sheets[0][1] if sheets else []

    def rows(self) -> Iterable[Sequence]:
        sheets = self.sheets()
        return sheets[0][2] if sheets else []

    def count(self) -> int:
        return sum(len(rows) for _, _, rows in self.sheets())

    def write(self, fmt: str, out: BinaryIO, progress: Progress | None = None) -> int:
        """One sheet per table, then the provenance sheet (the base writes a single one)."""
        if fmt not in self.formats:
            raise AppError("不支持该导出格式。", field="fmt")
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        def cell_of(sheet, column: Column, value):
            value = plain_value(value, column.kind)
            if isinstance(value, str) and value.startswith("="):
                # a title typed as "=…" stays text, never a formula
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type, cell.number_format = "s", "@"
                return cell
            return value

        book = Workbook(write_only=True)
        bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
        total = self.count()
        done = 0
        for title, columns, rows in self.sheets():
            sheet = book.create_sheet(title=re.sub(r"[\\/?*\[\]:]", "_", title)[:31])
            for i, column in enumerate(columns, 1):
                sheet.column_dimensions[get_column_letter(i)].width = column.xlsx_width()
            sheet.freeze_panes = "A2"
            header = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=column.label)
                cell.font, cell.alignment = bold, centre
                header.append(cell)
            sheet.append(header)
            for row in rows:
                sheet.append([cell_of(sheet, c, v) for c, v in zip(columns, row, strict=False)])
                done += 1
                self._report(progress, done, total)
        notes = book.create_sheet(title="导出说明")
        notes.append([self.provenance()])
        scope = sel.unit_label(self.within) if self.within is not None else "可见的全部单位"
        notes.append(
            [f"{self.verbose_name}，{self.year}年，范围：{scope}。数据由各单位记录自动汇总。"]
        )
        self._stamp_properties(book.properties)
        book.save(out)
        self._report(progress, done, total, final=True)
        return done
