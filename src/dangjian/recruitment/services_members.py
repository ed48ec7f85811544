"""The member record follows the decisive steps of a candidate, through the members app's own
write paths (so the roster checks, the audit log and the MemberChange history apply):

- approval (step 17) passed → a member, category 预备党员, joined on the acceptance day
  (R-DEV-20, R-DUES-09), on the candidate's branch;
- conversion approval (step 24) passed → category 正式党员, converted on the day probation
  ends (acceptance + 12 months + any extension, R-DEV-23), kept as history;
- extension approved by the committee above → `probation_extension_months` (R-DEV-21), kept
  as history;
- cancellation approved by the committee above → the member leaves the roster, reason
  取消预备党员资格 (LeftReason.PROBATION_CANCELLED, R-DEV-21).

Called inside `step_record`'s transaction; a refusal here undoes the whole step."""

from __future__ import annotations

import datetime as dt

from dangjian.core.errors import AppError
from dangjian.members.models import LeftReason, Member, Source
from dangjian.members.services import member_create, member_leave, member_update
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.recruitment.services_candidates import set_status

#: the member items the candidate's file does not hold, given with the approval
MEMBER_FIELDS = ("id_number", "phone", "address", "post", "education", "employment", "ethnicity")
SEX_CODES = {"1": "male", "2": "female"}
CANCELLED_NOTE = "支部大会决定、上级党委批准取消预备党员资格（R-DEV-21）"


def member_on_approval(
    actor, candidate: Candidate, acceptance_on: dt.date | None, fields: dict, *, today: dt.date
) -> Member:
    if acceptance_on is None:
        raise AppError(
            "尚未登记支部大会讨论接收（第15步），不能审批（R-DEV-17、R-DEV-25）。", field="step"
        )
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise AppError(f"党员信息中有不能填写的项目：{'、'.join(sorted(unknown))}。")
    record = {
        "name": candidate.name,
        "sex": SEX_CODES.get(candidate.sex, ""),
        "ethnicity": candidate.ethnicity,
        "birth_date": candidate.birth_date,
        "education": candidate.education,
        "unit_post": candidate.unit_post,
        "category": "probationary",
        "joined_on": acceptance_on,
        "converted_on": None,
        "standing": "normal",
        "lost_contact": False,
        "mobile": False,
        **{k: v for k, v in fields.items() if v not in (None, "") or k not in ("education",)},
    }
    return member_create(
        actor=actor, branch=candidate.branch, source=Source.RECRUITED, today=today, **record
    )


def member_on_conversion(actor, member: Member, converted_on: dt.date, *, today: dt.date):
    if member is None:
        raise AppError("没有党员档案，不能转正。", field="step")
    if converted_on > today:
        raise AppError(
            f"预备期至{converted_on.isoformat()}才满，转正日期不能晚于今天（R-DEV-23）。",
            field="on",
        )
    return member_update(
        actor=actor,
        member=member,
        reason="预备期满，经上级党委批准转为正式党员（R-DEV-23）",
        effective_on=converted_on,
        today=today,
        category="full",
        converted_on=converted_on,
    )


def member_on_extension(actor, member: Member, months: int, on: dt.date, *, today: dt.date):
    return member_update(
        actor=actor,
        member=member,
        reason=f"支部大会决定、上级党委批准延长预备期{months}个月（R-DEV-21）",
        effective_on=on,
        today=today,
        probation_extension_months=months,
    )


def member_on_cancellation(actor, member: Member, on: dt.date, note: str = ""):
    return member_leave(
        actor=actor,
        member=member,
        on=on,
        reason=LeftReason.PROBATION_CANCELLED,
        note=(note or CANCELLED_NOTE)[:200],
    )


def member_follows_step(
    actor, candidate, event, events: dict, rows, *, member_fields, today
) -> dict:
    """The member record follows the approvals of the committee above (same transaction):
    a 支部大会's extension or cancellation takes effect when approved (R-DEV-21)."""
    step = event.step
    if step == "approval":
        if event.passed:
            member = member_on_approval(
                actor, candidate, events.get("acceptance"), member_fields or {}, today=today
            )
            candidate.member = member
            candidate.save(update_fields=["member", "updated_at"])
            return {"member": member.pk, "joined_on": member.joined_on}
        reason = event.note or "上级党委未批准接收为预备党员"
        set_status(candidate, CandidateStatus.WITHDRAWN, reason)
        return {"status": CandidateStatus.WITHDRAWN}
    if step == "conversion_approval" and event.passed:
        extension = approved_extension_months(rows)
        converted_on = sel.engine().conversion_date(events["acceptance"], extension)
        member_on_conversion(actor, candidate.member, converted_on, today=today)
        set_status(candidate, CandidateStatus.CONVERTED)
        return {"member": candidate.member_id, "converted_on": converted_on}
    if step == "extension_approval" and event.passed:
        months = _decision(rows, "extension").months
        member_on_extension(actor, candidate.member, months, event.on, today=today)
        return {"member": candidate.member_id, "probation_extension_months": months}
    if step == "cancellation_approval" and event.passed:
        note = event.note or _decision(rows, "cancellation").note
        member_on_cancellation(actor, candidate.member, event.on, note)
        set_status(
            candidate,
            CandidateStatus.CANCELLED,
            note or "支部大会决定、上级党委批准取消预备党员资格",
        )
        return {"member": candidate.member_id, "status": CandidateStatus.CANCELLED}
    return {}


def _decision(rows, step: str) -> StepEvent:
    """The 支部大会 decision (extension, cancellation) an approval approves: the last taken."""
    return [e for e in sel.taken(rows) if e.step == step][-1]


def approved_extension_months(rows) -> int:
    """The months of the extension the committee above approved (R-DEV-21), or 0."""
    taken = sel.taken(rows)
    if not any(e.step == "extension_approval" for e in taken):
        return 0
    return next((e.months or 0 for e in taken if e.step == "extension"), 0)
