"""Write paths of the steps of a candidate: record one (step_record), correct one
(step_correct), delete one (step_delete). Import them from `dangjian.recruitment.services`.

Refused, writing nothing (AppError at the field): an unknown step; a non-repeatable step
recorded twice; a date after today; a date out of order (R-DEV-25, `order_problem` of the
engine); a closed file; data the step records missing (公示 end, training days or hours,
results, extension months, contacts 1–2 and introducers exactly 2 — full members of the branch,
R-DEV-05/09, R-GEN-03); a 支部大会 vote (acceptance, conversion, extension, cancellation) without
its meeting or counts, or that did not pass (R-DEV-15, through orglife's vote_record).
Not refused: a record that breaks another time rule (R-DEV-07 …) — paper records entered late
may hold real violations; they are kept and shown as findings. A 一般 rule may be overridden
with a reason (stored on the event as "R-DEV-nn：理由", passed to the engine as overrides)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.core.access import deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, StepEvent
from dangjian.recruitment.services_candidates import (
    as_date,
    candidate_refresh,
    locked,
    require_active,
    user_of,
)
from dangjian.recruitment.services_inputs import (
    TEXT_LIMITS,
    _hours,
    _text,
    _whole,
    check_end,
    read_document,
)
from dangjian.recruitment.services_members import member_follows_step
from dangjian.rules.recruitment_steps import STEP_BY_CODE, Step, step_label

#: the rules with a 一般 reading (the engine reports them as WARNING): a recorded reason turns
#: their finding into a note; the hard rules (R-DEV-01/07/09/12/15/16/20/22/25, R-ORG-14)
#: cannot be overridden, nor can R-DEV-18 (a local rule reported as WARNING: a late approval
#: is not excused by a reason, the admission is redone)
SOFT_RULES = frozenset(
    {
        "R-DEV-03", "R-DEV-05", "R-DEV-06", "R-DEV-08", "R-DEV-10", "R-DEV-11", "R-DEV-13",
        "R-DEV-14", "R-DEV-17", "R-DEV-19", "R-DEV-21",
    }
)  # fmt: skip
VOTE_STEPS = ("acceptance", "conversion_meeting", "extension", "cancellation")
#: steps whose result must be given (passed or not)
RESULT_REQUIRED = (
    "political_review", "pre_review", "approval", "conversion_approval", "extension_approval",
    "cancellation_approval",
)  # fmt: skip
#: R-DEV-05 one or two contacts; R-DEV-09 two introducers
PEOPLE_COUNT = {"contacts": (1, 2), "introducers": (2, 2)}
#: steps that need the member record, which exists from the approval on
MEMBER_STEPS = (
    "conversion_approval", "extension", "extension_approval", "cancellation",
    "cancellation_approval",
)  # fmt: skip
EXTENSION_MONTHS = (6, 12)  # R-DEV-21: at least 6 months, at most one year
EVENT_FIELDS = ["on", "end_on", "days", "hours", "passed", "months", "people_text", "body", "note"]
#: approvals whose passed result changed the member record: a correction may not touch their
#: date or result, a deletion may not remove them (a result recorded as not passed may be
#: corrected or deleted: nothing followed from it but the candidate's status)
LOCKED_AFTER = {
    "approval": "已据此生成预备党员档案",
    "conversion_approval": "已据此转为正式党员",
    "extension_approval": "已据此延长预备期",
    "cancellation_approval": "已据此取消预备党员资格",
}


def locked_reason(event: StepEvent) -> str | None:
    """Why the event may not change (its passed approval changed the member record)."""
    return LOCKED_AFTER.get(event.step) if event.passed else None


def _vote_motion(step: str, candidate: Candidate, months: int | None) -> str:
    return {
        "acceptance": f"接收{candidate.name}为预备党员",
        "conversion_meeting": f"{candidate.name}按期转为正式党员",
        "extension": f"延长{candidate.name}的预备期{months or ''}个月",
        "cancellation": f"取消{candidate.name}的预备党员资格",
    }[step]


def _require_step(actor, candidate: Candidate, step: Step) -> None:
    if actor is None:
        return
    if not sel.may_read(actor, candidate):
        raise deny()
    if not sel.may_record(actor, candidate, step):
        if step.actor in sel.HIGHER_ACTORS:
            message = (
                f"“{step.label}”由上级党委（党组）办理，须由支部以上有审批权限的管理员登记"
                "（R-DEV-12、R-DEV-17、R-DEV-22、R-ORG-14）。"
            )
        else:
            message = f"“{step.label}”由党支部办理，您没有该支部的发展党员管理权限。"
        raise AppError(message, field="step", code="forbidden")


def _check_people(candidate: Candidate, step: str, people, on: dt.date) -> list:
    """Contacts and introducers: full members of the candidate's branch on that day."""
    people = list(dict.fromkeys(people or ()))
    low, high = PEOPLE_COUNT[step]
    label = "培养联系人" if step == "contacts" else "入党介绍人"
    rule = "R-DEV-05" if step == "contacts" else "R-DEV-09"
    if not low <= len(people) <= high:
        need = f"{low}至{high}名" if low != high else f"{low}名"
        raise AppError(
            f"{label}应为{need}正式党员（{rule}），现为{len(people)}名。", field="people"
        )
    allowed = {m.pk for m in sel.people_choices(candidate, on)}
    for member in people:
        if getattr(member, "pk", None) not in allowed:
            raise AppError(
                f"{label}须为本支部的正式党员（{rule}、R-GEN-03），“{member}”不符合。",
                field="people",
            )
    return people


def _check_meeting(candidate: Candidate, meeting, on: dt.date, counts) -> tuple[int, int, int]:
    if meeting is None:
        raise AppError("请选择作出决定的支部党员大会（R-DEV-15）。", field="meeting")
    if meeting.org_id != candidate.branch_id or meeting.kind != "member_assembly":
        raise AppError("须为本支部召开的支部党员大会。", field="meeting")
    if meeting.status != "held":
        raise AppError(
            "所选支部党员大会未处于“已召开”状态（已归档的会议不能再登记表决）；请选择已召开的"
            "会议，或先在组织生活中登记会议召开。",
            field="meeting",
        )
    if timezone.localtime(meeting.starts_at).date() != on:
        if not sel.assembly_choices(candidate, on).exists():
            raise AppError(
                f"{on.isoformat()}没有本支部已召开的支部党员大会：请先在组织生活中登记该次"
                "会议召开，再登记此步骤（R-DEV-15）。",
                field="on",
            )
        raise AppError("步骤日期应为所选支部党员大会召开的日期。", field="on")
    if counts is None or len(counts) != 3:
        raise AppError("请填写表决票数（赞成、反对、弃权）。", field="vote_counts")
    return tuple(counts)


def _check_override(rule_id: str, reason: str) -> str:
    rule_id = (rule_id or "").strip()
    reason = _text(reason, "override_reason", "特殊情况说明")
    if not rule_id:
        return reason
    sel.engine()  # registers the R-DEV rules
    from dangjian.rules.base import RULES

    if rule_id not in RULES:
        raise AppError(f"未知的规则“{rule_id[:20]}”。", field="override_rule")
    if rule_id not in SOFT_RULES:
        raise AppError(
            f"{rule_id}是刚性规定，不能以特殊情况说明豁免；记录仍可保存，系统将提示违规。",
            field="override_rule",
        )
    if not reason:
        raise AppError("按特殊情况办理的，请说明理由。", field="override_reason")
    stored = f"{rule_id}：{reason}"
    if len(stored) > TEXT_LIMITS["override_reason"]:
        raise AppError("特殊情况说明过长。", field="override_reason")
    return stored


def _refused_before(rows, events: dict, step: str) -> None:
    """An approval recorded again after the committee refused the branch's decision: the
    decision has to be taken again first (or the refusal deleted, if it was a mistake)."""
    decision = {v: k for k, v in sel.REFUSED_BY.items()}.get(step)
    refused = any(e.step == step and e.passed is False for e in rows)
    if decision and refused and decision not in events:
        raise AppError(
            f"上级党委已登记不批准“{step_label(decision)}”的决定：须由支部大会重新讨论决定后"
            "再登记审批（转正未获批准的，也可延长预备期或取消预备党员资格，R-DEV-21）；"
            "如“不批准”系登记错误，请删除该记录后重新登记。",
            field="step",
        )


def _order(events: dict, step: str, on: dt.date) -> None:
    problem = sel.engine().order_problem(events, step, on)
    if problem:
        raise AppError(problem, field="on")


def _without(events: dict, step: str, on: dt.date) -> dict:
    """The events mapping with one date of `step` removed."""
    out = {k: (list(v) if isinstance(v, list) else v) for k, v in events.items()}
    value = out.get(step)
    if isinstance(value, list):
        if on in value:
            value.remove(on)
        if not value:
            del out[step]
    elif value is not None:
        del out[step]
    return out


def _check_all_orders(events: dict) -> None:
    """Every recorded step still in order with the others (after a correction or deletion)."""
    for code, value in events.items():
        for on in value if isinstance(value, list) else [value]:
            problem = sel.engine().order_problem(_without(events, code, on), code, on)
            if problem:
                raise AppError(f"{step_label(code)}：{problem}", field="on")


@transaction.atomic
def step_record(
    *,
    actor,
    candidate: Candidate,
    step: str,
    on: dt.date,
    end_on: dt.date | None = None,
    days=None,
    hours=None,
    passed: bool | None = None,
    months=None,
    people=(),
    people_text: str = "",
    meeting=None,
    vote_counts=None,
    body: str = "",
    note: str = "",
    override_reason: str = "",
    override_rule: str = "",
    document=None,
    member_fields: dict | None = None,
    today: dt.date | None = None,
) -> StepEvent:
    """Record one dated step of a candidate (see the module's docstring for what is refused).

    `member_fields` is for `approval` with `passed=True`: the items of the member record the
    candidate's file does not hold (R-INFO-01: `id_number`, `phone`, `address`, `post`, and
    `education` when the file has none; optionally `employment`). The member is created from
    them, category 预备党员, joined on the acceptance day (R-DEV-20, R-DUES-09)."""
    today = today or timezone.localdate()
    definition = STEP_BY_CODE.get(step or "")
    if definition is None:
        raise AppError("请选择发展步骤。", field="step")
    if actor is not None and not sel.may_read(actor, candidate):
        raise deny()
    candidate = locked(candidate)
    _require_step(actor, candidate, definition)
    require_active(candidate, definition.code)
    on = as_date(on, "on", "日期")
    if on > today:
        raise AppError("日期不能晚于今天。", field="on")
    rows = sel.events_rows(candidate)
    times = sel.TIMES.get(step, 1)
    events = sel.events_of(candidate, rows)
    # a refused approval and the decision it refused do not count: they may be taken again;
    # the 党组 studies each conversion meeting again (R-ORG-14, selectors.due_again)
    count = sum(e.step == step for e in sel.taken(rows))
    if not definition.repeatable and count >= times and not sel.due_again(step, events):
        raise AppError(f"“{step_label(step)}”已登记；如有错误，请更正原记录。", field="step")
    if definition.repeatable and any(e.step == step and e.on == on for e in rows):
        raise AppError(f"{on.isoformat()}的“{definition.label}”已登记。", field="on")
    _refused_before(rows, events, step)
    _order(events, step, on)

    end_on = as_date(end_on, "end_on", "截止日期", required=step == "prospect_publicity")
    check_end(on, end_on)
    days = _whole(days, "days", "培训天数", low=1, high=366)
    hours = _hours(hours)
    if step == "training" and days is None and hours is None:
        raise AppError("请填写集中培训的天数或学时（R-DEV-11）。", field="days")
    if step in RESULT_REQUIRED and passed is None:
        raise AppError("请选择结论（通过或未通过）。", field="passed")
    if passed is not None and step not in RESULT_REQUIRED:
        passed = None
    months = _whole(months, "months", "延长月数", low=1, high=120)
    if step == "extension":
        low, high = EXTENSION_MONTHS
        if months is None or not low <= months <= high:
            raise AppError(
                f"延长预备期应为{low}至{high}个月，且只能延长一次（R-DEV-21）。", field="months"
            )
    elif months is not None:
        months = None
    if step in PEOPLE_COUNT:
        people = _check_people(candidate, step, people, on)
    else:
        people = list(dict.fromkeys(people or ()))
    people_text = _text(people_text, "people_text", "相关人员")
    body = _text(body, "body", "办理机构")
    note = _text(note, "note", "说明")
    override = _check_override(override_rule, override_reason)
    counts = _check_meeting(candidate, meeting, on, vote_counts) if step in VOTE_STEPS else None
    if step in MEMBER_STEPS and candidate.member_id is None:
        raise AppError(
            "尚未经上级党委批准接收为预备党员（没有党员档案），不能登记此步骤。", field="step"
        )
    stored = read_document(document) if document is not None else None

    vote = None
    if counts is not None:
        from dangjian.orglife.services_votes import vote_record

        yes, no, abstain = counts
        vote = vote_record(
            actor=actor,
            meeting=meeting,
            motion=_vote_motion(step, candidate, months),
            yes=yes,
            no=no,
            abstain=abstain,
        )
        if not vote.passed:
            raise AppError(
                f"表决未通过：应到有表决权的党员{vote.entitled}人，实到{vote.present_voting}人，"
                f"赞成{vote.yes}票、反对{vote.no}票、弃权{vote.abstain}票；赞成票须超过应到会"
                "有表决权正式党员的半数（R-DEV-15）。未登记此步骤。",
                field="vote_counts",
            )
    event = StepEvent(
        candidate=candidate,
        step=step,
        on=on,
        end_on=end_on,
        days=days,
        hours=hours,
        passed=passed,
        months=months,
        people_text=people_text,
        vote=vote,
        meeting=meeting if step in VOTE_STEPS else None,
        body=body,
        note=note,
        override_reason=override,
        recorded_by=user_of(actor),
    )
    if stored is not None:
        event.document.save(stored[0].name, stored[0], save=False)
        event.document_name = stored[1]
    event.save()
    if people:
        event.people.set(people)
    if step in PEOPLE_COUNT:
        getattr(candidate, step).set(people)
    effects = member_follows_step(
        actor, candidate, event, events, rows, member_fields=member_fields, today=today
    )
    audit(
        actor,
        "recruitment.step.recorded",
        candidate,
        org_path=candidate.org_path,
        changes={
            "event": event.pk,
            "step": step,
            "on": on,
            **{
                k: getattr(event, k)
                for k in EVENT_FIELDS[1:]
                if getattr(event, k) not in (None, "")
            },
            **({"people": [m.pk for m in people]} if people else {}),
            **({"vote": vote.pk, "meeting": meeting.pk} if vote is not None else {}),
            **({"override": override} if override else {}),
            **effects,
        },
    )
    candidate_refresh(candidate, today)
    return event
