"""Ledgers of organisational life (台账), derived from the meeting records (issue #5 item 3):

- `orglife.ledger` (Word): a cover, a summary table, then one section per held meeting —
  kind, topic, time, place, convener, chair (and who delegated), recorder, 应到/实到/请假/缺席
  with names (leave with reasons), the minutes, the resolutions (owner, due, status), 补学;
- `orglife.ledger_summary` (xlsx/csv): one row per meeting of the period;
- the unit ledger (`unit_ledger_export`): a zip with one Word ledger per branch (and per
  body with meetings of its own), rendered in the request: the export base has no "zip"
  format yet (docs/orglife-ledgers.md).

All start from `ledger.ledger_meetings(self.user, …)` (the scoped meeting list, member.view on
the org) and are audited like every export. See docs/orglife-ledgers.md."""

from __future__ import annotations

import io
import zipfile

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.exporters import (
    Column,
    DocumentExporter,
    Exporter,
    ExportOutcome,
    add_paragraph,
    register,
    safe_filename,
    set_cell,
    set_font,
)
from dangjian.core.exporters.base import docx_text
from dangjian.core.permissions import Cap
from dangjian.orglife import ledger, selectors
from dangjian.orglife.ledger import MeetingRecord, Period
from dangjian.orglife.models import AttendanceStatus, MeetingStatus
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org

#: a unit ledger is rendered in the request: at most this many meetings in one zip
ZIP_MAX_MEETINGS = 3000
ZIP_CONTENT_TYPE = "application/zip"


def _clean_org_period(user, params: dict) -> tuple[Org, Period]:
    org = access_org(user, params.get("org"), need=Cap.MEMBER_VIEW)
    period = ledger.parse_period(params.get("period", ""), params.get("start"), params.get("end"))
    return org, period


def _name(member) -> str:
    return member.name if member is not None else ""


def _when(meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y年%m月%d日 %H:%M}"
    return f"{start:%Y年%m月%d日 %H:%M}—{tail}"


def _chair(meeting) -> str:
    text = _name(meeting.chair)
    if meeting.chair_delegated_by_id and text:
        text += f"（受{_name(meeting.chair_delegated_by)}委托主持）"
    return text


def _names(rows, with_reason: bool = False) -> str:
    if not rows:
        return "无"
    if with_reason:
        return "、".join(
            f"{r.member.name}（{r.reason}）" if r.reason else r.member.name for r in rows
        )
    return "、".join(r.member.name for r in rows)


def _day(value) -> str:
    return f"{value:%Y年%m月%d日}" if value else ""


class _Cover:
    """The first item of a ledger: cover and summary table."""


COVER = _Cover()


@register
class LedgerExporter(DocumentExporter):
    """组织生活台账 (Word) of an org's subtree (a branch with its 党小组) for a period; held and
    archived meetings only (planned ones are not yet a record)."""

    identifier = "orglife.ledger"
    verbose_name = "组织生活台账"
    description = "党支部一个期间内全部已召开会议的台账（Word），由会议记录生成"
    required_cap = Cap.MEMBER_VIEW
    font_size = 11
    title_size = 18

    def clean(self, params: dict) -> dict:
        self.org, self.period = _clean_org_period(self.user, params)
        self.own_only = bool(params.get("own"))
        out = {"org": self.org.pk, **ledger.period_params(self.period)}
        if self.own_only:
            out["own"] = True
        return out

    def queryset(self):
        return ledger.ledger_meetings(
            self.user, self.org, self.period, held_only=True, own_only=self.own_only
        )

    def count(self) -> int:
        return self.queryset().count() + 1

    def items(self):
        yield COVER
        yield from ledger.batched_records(self.queryset())

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.period.key.replace('~', '至')}"

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "period": self.period.key, "meetings": self.count() - 1}

    # -- rendering ----------------------------------------------------------------------------

    def render_item(self, document, item) -> None:
        if item is COVER:
            self.render_cover(document)
        else:
            self.render_meeting(document, item)

    def _heading(self, document, text: str, size: float = 14):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Mm(3)
        set_font(paragraph.add_run(docx_text(text)), self.title_font, size, bold=True)
        return paragraph

    def _table(self, document, header: list[str], widths: list[int]):
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label, width in zip(table.rows[0].cells, header, widths, strict=True):
            cell.width = Mm(width)
            set_cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        return table

    def _row(self, table, values: list[str], widths: list[int]) -> None:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Mm(width)
            set_cell(cell, value)

    def render_cover(self, document) -> None:
        centre = WD_ALIGN_PARAGRAPH.CENTER
        for _ in range(3):
            document.add_paragraph()
        self.add_title(document, self.org.name)
        self.add_title(document, self.verbose_name)
        add_paragraph(document, f"期间：{self.period.label}", size=14, align=centre)
        meetings = list(self.queryset().annotate(n_res=Count("resolutions")))
        counts = selectors.attendance_counts(meetings)
        add_paragraph(document, f"共 {len(meetings)} 次会议", size=12, align=centre)
        add_paragraph(
            document,
            f"本台账由{timezone.localtime():%Y年%m月%d日}根据系统中的会议记录生成，未经手工录入。",
            size=10.5,
            align=centre,
        )
        self._heading(document, "会议一览")
        if not meetings:
            add_paragraph(document, "本期间没有已召开会议的记录。")
            return
        widths = [10, 26, 24, 62, 18, 30]
        table = self._table(
            document,
            ["序号", "日期", "会议类型", "会议主题", "主持人", "应到/实到/请假/缺席"],
            widths,
        )
        for n, meeting in enumerate(meetings, 1):
            c = counts[meeting.pk]
            self._row(
                table,
                [
                    str(n),
                    f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}",
                    meeting.get_kind_display(),
                    meeting.topic,
                    _name(meeting.chair),
                    f"{c['expected']}/{c['present']}/{c['leave']}/{c['absent']}",
                ],
                widths,
            )

    def render_meeting(self, document, record: MeetingRecord) -> None:
        meeting = record.meeting
        self._heading(document, f"{meeting.get_kind_display()}：{meeting.topic}", 15)
        present = record.of(AttendanceStatus.PRESENT)
        leave = record.of(AttendanceStatus.LEAVE)
        absent = record.of(AttendanceStatus.ABSENT)
        unrecorded = record.of(AttendanceStatus.EXPECTED)
        counts = (
            f"应到 {record.expected} 人，实到 {len(present)} 人，"
            f"请假 {len(leave)} 人，缺席 {len(absent)} 人"
        )
        items = [
            ("召开组织", meeting.org.name),
            ("会议类型", meeting.get_kind_display()),
            ("会议主题", meeting.topic),
            ("会议时间", _when(meeting)),
            ("会议地点", meeting.place),
            ("召集人", _name(meeting.convener)),
            ("主持人", _chair(meeting)),
            ("记录人", _name(meeting.recorder)),
            ("出席情况", counts),
            ("实到人员", _names(present)),
            ("请假人员", _names(leave, with_reason=True)),
            ("缺席人员", _names(absent, with_reason=True)),
        ]
        if unrecorded:
            items.append(("未登记", _names(unrecorded)))
        if meeting.agenda:
            items.append(("会议议程", meeting.agenda))
        if meeting.status == MeetingStatus.ARCHIVED:
            items.append(("状态", f"已归档（{_day(timezone.localtime(meeting.archived_at))}）"))
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for label, value in items:
            cells = table.add_row().cells
            cells[0].width, cells[1].width = Mm(28), Mm(138)
            set_cell(cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            set_cell(cells[1], value)

        self._heading(document, "会议记录", 12)
        minutes = (meeting.minutes or "").strip()
        for line in minutes.splitlines() or ["（未登记会议记录）"]:
            if line.strip():
                add_paragraph(document, line.strip())

        self._heading(document, "决议事项", 12)
        if record.resolutions:
            widths = [10, 80, 22, 28, 26]
            table = self._table(
                document, ["序号", "决议内容", "责任人", "完成期限", "状态"], widths
            )
            for n, res in enumerate(record.resolutions, 1):
                status = res.get_status_display()
                if res.completed_at:
                    status += f"（{_day(timezone.localtime(res.completed_at))}）"
                self._row(
                    table, [str(n), res.text, _name(res.owner), _day(res.due_on), status], widths
                )
        else:
            add_paragraph(document, "无")

        if record.makeups:
            self._heading(document, "补学情况", 12)
            widths = [24, 28, 34, 80]
            table = self._table(document, ["党员", "完成期限", "完成时间", "补学情况"], widths)
            for makeup in record.makeups:
                done = (
                    _day(timezone.localtime(makeup.completed_at))
                    if makeup.completed_at
                    else "未完成"
                )
                self._row(
                    table, [makeup.member.name, _day(makeup.due_on), done, makeup.note], widths
                )


@register
class LedgerSummaryExporter(Exporter):
    """组织生活台账汇总 (xlsx): one row per meeting of the period, planned ones included."""

    identifier = "orglife.ledger_summary"
    verbose_name = "组织生活台账汇总"
    description = "一个期间内的会议一览（Excel），每次会议一行"
    required_cap = Cap.MEMBER_VIEW
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.org, self.period = _clean_org_period(self.user, params)
        return {"org": self.org.pk, **ledger.period_params(self.period)}

    def queryset(self):
        return ledger.ledger_meetings(self.user, self.org, self.period)

    def count(self) -> int:
        return self.queryset().count()

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.period.key.replace('~', '至')}"

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "period": self.period.key}

    def columns(self) -> list[Column]:
        return [
            Column("date", "日期", kind="date"),
            Column("time", "时间", width=13),
            Column("org", "党组织", width=20),
            Column("kind", "会议类型", width=12),
            Column("topic", "会议主题", width=36),
            Column("chair", "主持人"),
            Column("expected", "应到", kind="number"),
            Column("present", "实到", kind="number"),
            Column("leave", "请假", kind="number"),
            Column("absent", "缺席", kind="number"),
            Column("resolutions", "决议数", kind="number"),
            Column("status", "状态"),
        ]

    def rows(self):
        batch = []
        qs = self.queryset().annotate(n_res=Count("resolutions"))
        for meeting in qs.iterator(chunk_size=500):
            batch.append(meeting)
            if len(batch) >= 500:
                yield from self._rows(batch)
                batch = []
        if batch:
            yield from self._rows(batch)

    def _rows(self, meetings):
        counts = selectors.attendance_counts(meetings)
        for m in meetings:
            c = counts[m.pk]
            start, end = timezone.localtime(m.starts_at), timezone.localtime(m.ends_at)
            yield [
                start.date(),
                f"{start:%H:%M}-{end:%H:%M}",
                m.org.name,
                m.get_kind_display(),
                m.topic,
                _name(m.chair),
                c["expected"],
                c["present"],
                c["leave"],
                c["absent"],
                m.n_res,
                m.get_status_display(),
            ]


# ---------------------------------------------------------------------------------------------
# The unit ledger: a zip of Word ledgers, one per branch


class UnitLedger:
    """单位组织生活台账: a zip with one `LedgerExporter` document per branch of the org's
    subtree (and per body with meetings of its own), for a unit, a 机关党委 or the 工委.
    Each document carries its own provenance footer; the zip's comment and 说明.txt name who
    exported it. Built like an exporter (for one user and one set of parameters)."""

    identifier = "orglife.unit_ledger"
    verbose_name = "单位组织生活台账"
    audit_action = "orglife.unit_ledger.exported"

    def __init__(self, user, params: dict):
        self.user = user
        self.org, self.period = _clean_org_period(user, params)
        if not ledger.has_units_below(self.org):
            raise AppError("党支部、党小组请下载 Word 台账。", field="org")
        self.orgs = ledger.unit_ledger_orgs(user, self.org, self.period)
        self.parts = [
            LedgerExporter(
                user,
                {
                    "org": o.pk,
                    **ledger.period_params(self.period),
                    "own": o.kind != OrgKind.BRANCH,
                },
            )
            for o in self.orgs
        ]
        self.meetings = sum(p.count() - 1 for p in self.parts)
        if self.meetings > ZIP_MAX_MEETINGS:
            raise AppError(
                f"该范围内有 {self.meetings} 次会议，超过一次打包的上限（{ZIP_MAX_MEETINGS} 次），"
                "请缩短期间或选择下级组织。",
                field="period",
            )

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.period.key.replace('~', '至')}"

    def filename(self) -> str:
        return f"{safe_filename(self.title())}-{timezone.localdate():%Y%m%d}.zip"

    def entry_names(self) -> list[str]:
        width = max(2, len(str(len(self.parts))))
        key = self.period.key.replace("~", "至")
        return [
            f"{n:0{width}d}-{safe_filename(part.org.name)}-{key}.docx"
            for n, part in enumerate(self.parts, 1)
        ]

    def write(self, out) -> int:
        exported_at = timezone.localtime()
        provenance = ""
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            lines = [f"{self.title()}", f"期间：{self.period.label}", ""]
            for name, part in zip(self.entry_names(), self.parts, strict=True):
                part.exported_at = exported_at
                buffer = io.BytesIO()
                part.write("docx", buffer)
                archive.writestr(name, buffer.getvalue())
                lines.append(f"{name}：{part.count() - 1} 次会议")
                provenance = part.provenance()
            if not self.parts:
                lines.append("该组织下没有党支部。")
            provenance = provenance or LedgerExporter.provenance(self)
            lines += ["", provenance, "含个人信息，仅限工作使用，不得外传。"]
            archive.writestr("说明.txt", "\r\n".join(lines).encode("utf-8-sig"))
            archive.comment = provenance.encode("utf-8")[:65535]
        return len(self.parts)


def unit_ledger_export(*, actor, params: dict) -> ExportOutcome:
    """Render a unit ledger (zip) in the request and write its audit entry. Synchronous: the
    export base has no "zip" format, so it cannot go through `export_start`'s background job
    (docs/orglife-ledgers.md)."""
    exporter = UnitLedger(actor, params)
    buffer = io.BytesIO()
    files = exporter.write(buffer)
    with transaction.atomic():
        audit(
            actor,
            exporter.audit_action,
            exporter.org,
            org_path=exporter.org.path,
            changes={
                "identifier": exporter.identifier,
                "format": "zip",
                "rows": files,
                "period": exporter.period.key,
                "meetings": exporter.meetings,
                "orgs": [o.pk for o in exporter.orgs],
            },
        )
    return ExportOutcome(
        content=buffer.getvalue(), filename=exporter.filename(), content_type=ZIP_CONTENT_TYPE
    )
