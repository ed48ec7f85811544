"""What fills the recruitment documents, read from the records: the placeholder names per
kind (listed on the template page) and their values for a candidate (documents.py renders)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dangjian.orgs.models import Org, SeatRole
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.rules.base import add_months
from dangjian.rules.codes import EDUCATION, ETHNICITIES, label_for

COMMON = [
    ("姓名", "姓名"),
    ("性别", "男 / 女"),
    ("出生日期", "如 1995年3月1日"),
    ("出生年月", "如 1995年3月"),
    ("民族", "民族名称"),
    ("学历", "学历名称"),
    ("单位职务", "单位及职务"),
    ("支部", "所在党支部"),
    ("上级党委", "党支部的上级党组织"),
    ("单位", "所在单位"),
    ("申请日期", "递交入党申请书日期"),
    ("积极分子日期", "确定为入党积极分子日期"),
    ("发展对象日期", "确定为发展对象日期"),
    ("入党介绍人", "两名入党介绍人姓名"),
    ("落款日期", "生成文书的日期"),
]
PLACEHOLDERS: dict[str, list[tuple[str, str]]] = {
    "publicity_notice": [
        *COMMON,
        ("公示开始", "公示开始日期"),
        ("公示截止", "公示截止日期"),
        ("公示工作日", "公示期内的工作日数（按工作日历）"),
        ("受理机构", "受理意见的党组织"),
        ("联系人", "联系人（公示登记的相关人员，缺省为支部书记）"),
        ("联系电话", "党支部（或上级党委）的联系电话"),
    ],
    "assembly_list": [
        *COMMON,
        ("会议事项", "接收预备党员 / 预备党员转正"),
        ("会议日期", "支部党员大会日期（已登记时）"),
        ("应到人数", "应到会有表决权的正式党员人数"),
        ("名单.序号", "表格中含“名单.”占位符的一行按名单逐人重复"),
        ("名单.姓名", ""),
        ("名单.性别", ""),
        ("名单.出生年月", ""),
        ("名单.学历", ""),
        ("名单.单位职务", ""),
        ("名单.入党介绍人", ""),
        ("名单.政治审查", "日期及结论"),
        ("名单.集中培训", "起止日期、天数、学时"),
        ("名单.预审", "上级党委预审日期及结论"),
        ("名单.接收日期", "支部大会接收为预备党员日期"),
        ("名单.预备期满", "预备期满日期（含延长）"),
        ("名单.入党宣誓", "入党宣誓日期"),
        ("名单.转正申请", "提出转正申请日期"),
    ],
    "conversion_summary": [
        *COMMON,
        ("接收日期", "支部大会接收为预备党员日期"),
        ("批准日期", "上级党委批准日期"),
        ("入党宣誓", "入党宣誓日期"),
        ("预备期满", "预备期满日期（含延长）"),
        ("延长预备期", "延长的月数，未延长为“无”"),
        ("转正申请", "提出转正申请日期"),
        ("转正会议", "支部大会讨论转正日期"),
        ("表决情况", "转正表决的赞成、反对、弃权票数"),
        ("考察记录", "预备期内各次教育考察日期"),
        ("转正日期", "按期转正的日期（R-DEV-23）"),
    ],
}


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_month(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


# ---------------------------------------------------------------------------------------------
# The records of one or several candidates


@dataclass
class Record:
    """A candidate's events by step (the first of each; repeatable steps in `many`)."""

    candidate: Candidate
    first: dict[str, StepEvent] = field(default_factory=dict)
    many: dict[str, list[StepEvent]] = field(default_factory=dict)

    def on(self, step: str) -> dt.date | None:
        event = self.first.get(step)
        return event.on if event else None

    @property
    def introducers(self) -> str:
        event = self.first.get("introducers")
        return "、".join(m.name for m in event.people.all()) if event else ""

    @property
    def extension_months(self) -> int:
        """The extension the committee above approved (R-DEV-21), in months."""
        if "extension_approval" not in self.first:
            return 0
        return sum(e.months or 0 for e in self.many.get("extension", []))

    @property
    def probation_end(self) -> dt.date | None:
        # R-DEV-20/21: one year from the acceptance day, plus the extension
        accepted = self.on("acceptance")
        return add_months(accepted, 12 + self.extension_months) if accepted else None


def records_of(candidates: list[Candidate]) -> list[Record]:
    """The events of candidates the caller already reached through access_candidate (or of
    the same branch), in two queries."""
    records = {c.pk: Record(c) for c in candidates}
    events = (
        StepEvent.objects.unscoped()
        .filter(candidate_id__in=list(records))
        .select_related("vote")
        .prefetch_related("people")
        .order_by("on", "id")
    )
    by_candidate: dict[int, list[StepEvent]] = {}
    for event in events:
        by_candidate.setdefault(event.candidate_id, []).append(event)
    for candidate_id, rows in by_candidate.items():
        record = records[candidate_id]
        for event in sel.taken(rows):  # not a refused approval, nor the decision it refused
            record.first.setdefault(event.step, event)
            record.many.setdefault(event.step, []).append(event)
    return [records[c.pk] for c in candidates]


def _common(record: Record, today: dt.date) -> dict[str, str]:
    c = record.candidate
    branch = c.branch
    parent = branch.parent
    unit = branch.unit
    return {
        "姓名": c.name,
        "性别": {"1": "男", "2": "女"}.get(c.sex, ""),
        "出生日期": cn_date(c.birth_date),
        "出生年月": cn_month(c.birth_date),
        "民族": label_for(ETHNICITIES, c.ethnicity) if c.ethnicity else "",
        "学历": label_for(EDUCATION, c.education) if c.education else "",
        "单位职务": c.unit_post,
        "支部": branch.name,
        "上级党委": parent.name if parent else "",
        "单位": (unit.short_name or unit.name) if unit else "",
        "申请日期": cn_date(record.on("application")),
        "积极分子日期": cn_date(record.on("activist")),
        "发展对象日期": cn_date(record.on("prospect")),
        "入党介绍人": record.introducers,
        "落款日期": cn_date(today),
    }


def _passed(event: StepEvent | None) -> str:
    if event is None:
        return ""
    verdict = {True: "合格", False: "不合格"}.get(event.passed, "")
    return f"{cn_date(event.on)} {verdict}".strip()


def _training(event: StepEvent | None) -> str:
    if event is None:
        return ""
    span = cn_date(event.on) + (f"至{cn_date(event.end_on)}" if event.end_on else "")
    extent = "，".join(
        x
        for x in (
            f"{event.days}天" if event.days else "",
            f"{event.hours.normalize():f}学时" if event.hours else "",
        )
        if x
    )
    return f"{span}（{extent}）" if extent else span


def _row(seq: int, record: Record) -> dict[str, str]:
    c = record.candidate
    return {
        "名单.序号": str(seq),
        "名单.姓名": c.name,
        "名单.性别": {"1": "男", "2": "女"}.get(c.sex, ""),
        "名单.出生年月": cn_month(c.birth_date),
        "名单.学历": label_for(EDUCATION, c.education) if c.education else "",
        "名单.单位职务": c.unit_post,
        "名单.入党介绍人": record.introducers,
        "名单.政治审查": _passed(record.first.get("political_review")),
        "名单.集中培训": _training(record.first.get("training")),
        "名单.预审": _passed(record.first.get("pre_review")),
        "名单.接收日期": cn_date(record.on("acceptance")),
        "名单.预备期满": cn_date(record.probation_end),
        "名单.入党宣誓": cn_date(record.on("oath")),
        "名单.转正申请": cn_date(record.on("conversion_application")),
    }


def _vote_text(event: StepEvent | None) -> str:
    vote = event.vote if event else None
    if vote is None:
        return ""
    return (
        f"应到有表决权{vote.entitled}人，实到{vote.present_voting}人；"
        f"赞成{vote.yes}票，反对{vote.no}票，弃权{vote.abstain}票"
    )


def _publicity(record: Record, values: dict) -> None:
    from dangjian.core.workcalendar import work_calendar

    c = record.candidate
    event = record.first.get("prospect_publicity")
    start, end = (event.on, event.end_on) if event else (None, None)
    days = work_calendar().workdays_between(start, end) if start and end and end >= start else ""
    contact = event.people_text if event and event.people_text else _secretary_name(c.branch)
    parent = c.branch.parent
    phone = c.branch.contact_phone or (parent.contact_phone if parent else "")
    body = (event.body if event else "") or "、".join(
        x for x in (c.branch.name, parent.name if parent else "") if x
    )
    values.update(
        {
            "公示开始": cn_date(start),
            "公示截止": cn_date(end),
            "公示工作日": str(days),
            "受理机构": body,
            "联系人": contact,
            "联系电话": phone,
        }
    )


def _secretary_name(branch: Org) -> str:
    from dangjian.orgs.selectors import current_seats

    seat = next((s for s in current_seats(branch) if s.role == SeatRole.SECRETARY), None)
    return seat.member.name if seat and seat.member else ""


def _assembly(record: Record, values: dict) -> list[dict[str, str]]:
    """The candidates of the branch for the same 支部大会 as this one: for acceptance, the
    发展对象 with a pre-review and no acceptance yet (or accepted the same day); for
    conversion, the 预备党员 with a conversion application and no conversion meeting yet (or
    the same meeting day)."""
    c = record.candidate
    conversion = record.on("acceptance") is not None
    step, waiting_after = (
        ("conversion_meeting", "conversion_application")
        if conversion
        else ("acceptance", "pre_review")
    )
    held = record.first.get(step)
    peers = list(
        Candidate.objects.unscoped()
        .filter(branch_id=c.branch_id)
        .exclude(pk=c.pk)
        .filter(status__in=[CandidateStatus.ACTIVE, CandidateStatus.CONVERTED])
        .select_related("branch")
        .order_by("name", "id")[:200]
    )
    others = []
    for peer in records_of(peers):
        if held is not None:
            if peer.on(step) == held.on:
                others.append(peer)
        elif (
            peer.on(waiting_after)
            and peer.on(step) is None
            and (peer.candidate.status == CandidateStatus.ACTIVE)
        ):
            others.append(peer)
    chosen = [record, *others]
    values.update(
        {
            "会议事项": "预备党员转正" if conversion else "接收预备党员",
            "会议日期": cn_date(held.on) if held else "",
            "应到人数": str(held.vote.entitled) if held and held.vote else "",
        }
    )
    return [_row(i, r) for i, r in enumerate(chosen, 1)]


def _conversion(record: Record, values: dict) -> None:
    assessments = record.many.get("probation_assessment", [])
    meeting = record.first.get("conversion_meeting")
    values.update(
        {
            "接收日期": cn_date(record.on("acceptance")),
            "批准日期": cn_date(record.on("approval")),
            "入党宣誓": cn_date(record.on("oath")),
            "预备期满": cn_date(record.probation_end),
            "延长预备期": f"{record.extension_months}个月" if record.extension_months else "无",
            "转正申请": cn_date(record.on("conversion_application")),
            "转正会议": cn_date(meeting.on) if meeting else "",
            "表决情况": _vote_text(meeting),
            "考察记录": "\n".join(
                f"{i}. {cn_date(e.on)}" + (f" {e.note}" if e.note else "")
                for i, e in enumerate(assessments, 1)
            )
            or "（未登记）",
            "转正日期": cn_date(record.probation_end),
        }
    )


def document_values(
    candidate: Candidate, kind: str, today: dt.date
) -> tuple[dict[str, str], list[dict[str, str]], str]:
    """What fills the template: (values, list rows, purpose); purpose picks the built-in
    assembly list's columns."""
    record = records_of([candidate])[0]
    values = _common(record, today)
    rows: list[dict[str, str]] = []
    purpose = ""
    if kind == "publicity_notice":
        _publicity(record, values)
    elif kind == "assembly_list":
        rows = _assembly(record, values)
        purpose = "conversion" if record.on("acceptance") else "acceptance"
    elif kind == "conversion_summary":
        _conversion(record, values)
    return values, rows, purpose
