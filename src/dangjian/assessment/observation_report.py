"""The Word report of an observation meeting (现场观摩会报告), derived from its records: the
plan (title, theme, date, route), who came, the judges, every stop's scores judge by judge
with the aggregate (R-LOCAL-09: trimmed mean from `trim_min_judges` judges), the ranking of
the units, the flagged judges, the exchange speeches, the conclusions and the tasks.

Rendered in the request (one document) and audited (`assessment.observation_report.exported`),
like the other exports (core/exporters; docs/exports.md). Only the meeting's managers
(ASSESS_MANAGE on its owner) may download it."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from dangjian.assessment import selectors_observation as sel
from dangjian.assessment.models import ObservationMeeting
from dangjian.core.audit import audit
from dangjian.core.exporters import (
    FORMATS,
    DocumentExporter,
    ExportOutcome,
    add_paragraph,
    set_cell,
    set_font,
)
from dangjian.core.exporters.base import docx_text
from dangjian.core.permissions import Cap


def _hm(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日}"


def _signed(value) -> str:
    return f"+{value}" if value > 0 else str(value)


class ObservationReport(DocumentExporter):
    """One meeting, one document. Built for a user and {"meeting": id}; `clean` checks that
    the user manages the meeting (else 404)."""

    identifier = "assessment.observation_report"
    verbose_name = "现场观摩会报告"
    description = "观摩会的路线、评分、排名、交流发言、会议结论和任务（Word）"
    required_cap = Cap.ASSESS_MANAGE
    audit_action = "assessment.observation_report.exported"
    font_size = 12
    title_size = 18

    def clean(self, params: dict) -> dict:
        self.meeting: ObservationMeeting = sel.access_observation(self.user, params.get("meeting"))
        return {"meeting": self.meeting.pk}

    def count(self) -> int:
        return 1

    def items(self):
        yield self.meeting

    def title(self) -> str:
        return f"{self.verbose_name}-{self.meeting.title}"

    def audit_object(self):
        return self.meeting

    def scope_path(self) -> str:
        return self.meeting.owner_path

    def audit_changes(self) -> dict:
        return {"meeting": self.meeting.pk}

    # -- rendering ----------------------------------------------------------------------------

    def _heading(self, document, text: str, size: float = 14):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Mm(3)
        set_font(paragraph.add_run(docx_text(text)), self.title_font, size, bold=True)
        return paragraph

    def _table(self, document, header: list[str], widths: list[int], rows: list[list[str]]):
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label, width in zip(table.rows[0].cells, header, widths, strict=True):
            cell.width = Mm(width)
            set_cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for values in rows:
            cells = table.add_row().cells
            for cell, value, width in zip(cells, values, widths, strict=True):
                cell.width = Mm(width)
                set_cell(cell, value)
        return table

    def render_item(self, document, meeting: ObservationMeeting) -> None:
        route = sel.route_of(meeting)
        judges = sel.judges_of(meeting)
        counts = sel.participant_counts(meeting)
        rows = sel.results_of(meeting, judges)
        ranking = sel.ranking_of(meeting, rows)
        top = sel.sheet_max(meeting)

        self.add_title(document, meeting.title)
        facts = [
            ("主题", meeting.theme),
            ("时间", f"{_day(meeting.starts_at)} {_hm(meeting.starts_at)}"),
            ("集合地点", meeting.place),
            ("组织单位", meeting.owner.name),
            ("所属赛事", str(meeting.contest) if meeting.contest_id else ""),
            ("主旨", meeting.purpose),
            ("状态", meeting.get_status_display()),
        ]
        for label, value in facts:
            if value:
                add_paragraph(document, f"{label}：{value}")

        self._heading(document, "一、观摩路线")
        if route:
            widths = [10, 24, 30, 36, 18, 48]
            self._table(
                document,
                ["序号", "时间", "展示单位", "地点", "展示形式", "展示内容"],
                widths,
                [
                    [
                        str(r.stop.order),
                        f"{_hm(r.arrives_at)}—{_hm(r.leaves_at)}",
                        r.stop.org.name,
                        r.stop.place,
                        r.stop.get_show_kind_display(),
                        r.stop.shows,
                    ]
                    for r in route
                ],
            )
        else:
            add_paragraph(document, "未安排观摩点位。")

        self._heading(document, "二、参会人员")
        add_paragraph(document, f"参会人员 {counts.total} 人，已签到 {counts.signed_in} 人。")

        self._heading(document, "三、评委")
        if judges:
            widths = [28, 50, 88]
            self._table(
                document,
                ["评委", "单位职务", "负责评分的点位"],
                widths,
                [
                    [
                        j.name,
                        j.affiliation,
                        "、".join(f"第{s.order}站" for s in j.assigned) or "—",
                    ]
                    for j in judges
                ],
            )
        else:
            add_paragraph(document, "未设评委。")

        self._heading(document, "四、现场评分")
        rule = (
            f"评委达到{meeting.trim_min_judges}人（至少3人）时去掉一个最高分、一个最低分后取平均，"
            "否则取平均（R-LOCAL-09）"
            if meeting.trim_min_judges
            else "取全部评委的平均分（R-LOCAL-09）"
        )
        add_paragraph(
            document,
            f"每个点位满分 {top} 分。{rule}；只计已提交的评分表。"
            f"某评委总分与其他评委中位数相差超过 {meeting.outlier_points} 分时提示偏离。",
        )
        unsent = sel.unsubmitted_count(rows)
        if unsent:
            add_paragraph(document, f"另有 {unsent} 份评分表未提交，不计入结果。")
        flagged = []
        for row in rows:
            stop = row.stop
            self._heading(document, f"第{stop.order}站  {stop.org.name}（{stop.place}）", 12)
            if not row.scores:
                add_paragraph(document, "暂无已提交的评分。")
                continue
            table_rows = []
            for score in row.scores:
                note = ""
                if score.outlier is not None:
                    note = f"偏离 {_signed(score.outlier)} 分"
                    flagged.append((stop, score))
                table_rows.append([score.judge.name, str(score.total), note])
            self._table(document, ["评委", "总分", "备注"], [50, 40, 76], table_rows)
            how = "去掉一个最高分、一个最低分后平均" if row.trimmed else "平均"
            add_paragraph(
                document,
                f"点位得分：{row.result.score}（{len(row.scores)}位评委，{how}）",
                bold=True,
            )

        self._heading(document, "五、单位排名")
        if ranking:
            self._table(
                document,
                ["名次", "单位", "得分（百分制）", "计分点位数"],
                [18, 80, 38, 30],
                [[str(r.rank), r.org.name, str(r.score), str(r.stops)] for r in ranking],
            )
        else:
            add_paragraph(document, "暂无排名。")

        self._heading(document, "六、偏离提示")
        if flagged:
            for stop, score in flagged:
                add_paragraph(
                    document,
                    f"第{stop.order}站（{stop.org.name}）：{score.judge.name} 总分 {score.total}，"
                    f"与其他评委相差 {_signed(score.outlier)} 分。",
                )
        else:
            add_paragraph(document, "无。")

        self._heading(document, "七、经验交流")
        speeches = sel.speeches_of(meeting)
        if speeches:
            for speech in speeches:
                who = f"{speech.speaker}（{speech.org.name}）" if speech.org_id else speech.speaker
                line = f"{speech.order}. {who}" + (f"：{speech.title}" if speech.title else "")
                add_paragraph(document, line, bold=True)
                for text in (speech.notes or "").splitlines():
                    if text.strip():
                        add_paragraph(document, text.strip())
        else:
            add_paragraph(document, "无。")

        self._heading(document, "八、会议明确的工作重点")
        lines = [t.strip() for t in (meeting.conclusions or "").splitlines() if t.strip()]
        for text in lines or ["（未填写）"]:
            add_paragraph(document, text)

        self._heading(document, "九、工作任务")
        tasks = sel.tasks_of(meeting)
        if tasks:
            self._table(
                document,
                ["责任单位", "任务", "完成时限", "状态"],
                [40, 76, 26, 24],
                [
                    [
                        t.org.name,
                        t.title + (f"：{t.detail}" if t.detail else ""),
                        f"{t.due_on:%Y-%m-%d}",
                        t.get_status_display() + (f"（{t.done_on:%Y-%m-%d}）" if t.done_on else ""),
                    ]
                    for t in tasks
                ],
            )
        else:
            add_paragraph(document, "无。")
        add_paragraph(
            document,
            f"本报告由系统根据观摩会记录于{timezone.localtime():%Y年%m月%d日}生成。",
            size=10.5,
        )


def observation_report_export(*, actor, meeting: ObservationMeeting) -> ExportOutcome:
    """Render the report for `actor` (a manager of the meeting; else 404) and audit the
    download in the same breath."""
    exporter = ObservationReport(actor, {"meeting": meeting.pk})
    buffer = io.BytesIO()
    rows = exporter.write("docx", buffer)
    with transaction.atomic():
        audit(
            actor,
            exporter.audit_action,
            exporter.audit_object(),
            org_path=exporter.scope_path(),
            changes={
                "identifier": exporter.identifier,
                "format": "docx",
                "rows": rows,
                **exporter.audit_changes(),
            },
        )
    return ExportOutcome(
        content=buffer.getvalue(),
        filename=exporter.filename("docx"),
        content_type=FORMATS["docx"][1],
    )
