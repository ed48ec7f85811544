"""Corrections of recorded steps: `step_correct` (with a reason, audited with old and new
values) and `step_delete` (with a reason). Refused: whatever would put a step out of order
(R-DEV-25), remove a step others rest on, or contradict the member record a step produced.
Import from `dangjian.recruitment.services`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dangjian.core.access import deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.recruitment.services_candidates import (
    ADULT_AGE,
    as_date,
    candidate_refresh,
    locked,
    require_active,
    set_status,
)
from dangjian.recruitment.services_steps import (
    EVENT_FIELDS,
    PEOPLE_COUNT,
    RESULT_REQUIRED,
    VOTE_STEPS,
    _check_all_orders,
    _check_override,
    _hours,
    _require_step,
    _text,
    _whole,
    check_end,
    locked_reason,
)
from dangjian.rules.base import add_years
from dangjian.rules.recruitment_steps import STEP_BY_CODE, step_label

CORRECTABLE = ("on", "end_on", "days", "hours", "passed", "months", "people_text", "body", "note")
#: a 支部大会 vote is in the meeting's minutes (orglife): it is never deleted here (R-DEV-15)
VOTE_DELETE_REFUSAL = (
    "该步骤已在支部党员大会表决并记入会议记录，不能删除；如登记有误，请更正日期以外的内容或"
    "联系上级更正会议记录。"
)


def _reopens(candidate: Candidate, event: StepEvent) -> bool:
    """A refused approval (step 17) closed the file (WITHDRAWN): correcting or deleting that
    record is still allowed, and deleting it reopens the file."""
    return (
        candidate.status == CandidateStatus.WITHDRAWN
        and event.step == "approval"
        and event.passed is False
    )


def _require_open(candidate: Candidate, event: StepEvent) -> None:
    if not _reopens(candidate, event):
        require_active(candidate, event.step)


@transaction.atomic
def step_correct(*, actor, event: StepEvent, reason: str, today=None, **fields) -> StepEvent:
    """Correct a recorded step with a reason (audited with the old and new values). Refused:
    a change that puts any step out of order (R-DEV-25); the date of a vote (it is the
    meeting's date) or the date or result of a step the member record followed."""
    today = today or timezone.localdate()
    unknown = set(fields) - set(CORRECTABLE) - {"override_rule", "override_reason"}
    if unknown:
        raise TypeError(f"unknown step items: {sorted(unknown)}")
    candidate = event.candidate
    definition = STEP_BY_CODE[event.step]
    if actor is not None and not sel.may_read(actor, candidate):
        raise deny()
    candidate = locked(candidate)
    _require_step(actor, candidate, definition)
    event = StepEvent.all_objects.select_for_update().get(pk=event.pk, candidate=candidate)
    _require_open(candidate, event)
    reason = _text(reason, "note", "更正原因")
    if not reason:
        raise AppError("请填写更正原因。", field="reason")
    new = {k: getattr(event, k) for k in CORRECTABLE}
    if "on" in fields:
        new["on"] = as_date(fields["on"], "on", "日期")
    if "end_on" in fields:
        new["end_on"] = as_date(fields["end_on"], "end_on", "截止日期", required=False)
    if "days" in fields:
        new["days"] = _whole(fields["days"], "days", "培训天数", low=1, high=366)
    if "hours" in fields:
        new["hours"] = _hours(fields["hours"])
    if "passed" in fields and event.step in RESULT_REQUIRED:
        new["passed"] = fields["passed"]
    if "months" in fields and event.step == "extension":
        new["months"] = _whole(fields["months"], "months", "延长月数", low=6, high=12)
    for key, label in (("people_text", "相关人员"), ("body", "办理机构"), ("note", "说明")):
        if key in fields:
            new[key] = _text(fields[key], key, label)
    changes = {k: [getattr(event, k), v] for k, v in new.items() if getattr(event, k) != v}
    override = event.override_reason
    if "override_rule" in fields or "override_reason" in fields:
        override = _check_override(
            fields.get("override_rule", ""), fields.get("override_reason", "")
        )
        if override != event.override_reason:
            changes["override_reason"] = [event.override_reason, override]
    if not changes:
        return event
    if new["on"] > today:
        raise AppError("日期不能晚于今天。", field="on")
    if event.step == "prospect_publicity" and new["end_on"] is None:
        raise AppError("请填写公示截止日期。", field="end_on")
    check_end(new["on"], new["end_on"])
    if event.step == "training" and new["days"] is None and new["hours"] is None:
        raise AppError("请填写集中培训的天数或学时（R-DEV-11）。", field="days")
    if event.step in RESULT_REQUIRED and new["passed"] is None:
        raise AppError("请选择结论（通过或未通过）。", field="passed")
    if event.step in VOTE_STEPS and "on" in changes:
        raise AppError("表决步骤的日期即支部党员大会的日期，不能单独更正。", field="on")
    rows = sel.events_rows(candidate)
    if (why := locked_reason(event)) and (set(changes) & {"on", "passed"}):
        raise AppError(f"{why}，不能更正其日期或结论；请在党员档案中办理。", field="on")
    if event.step == "extension" and "months" in changes and _approved(rows, "extension"):
        raise AppError(
            "上级党委已批准延长预备期，已据此变更党员档案，不能更正月数；请在党员档案中办理"
            "（R-DEV-21）。",
            field="months",
        )
    if event.passed is False and new["passed"] is True and event.step in sel.RESULT_STEPS:
        raise AppError(
            "结论由“未通过”改为“通过”须据此变更党员档案：请删除此记录（说明原因）后重新登记"
            "审批结果。",
            field="passed",
        )
    if event.step == "application" and "on" in changes:
        adult_on = add_years(candidate.birth_date, ADULT_AGE)
        if new["on"] < adult_on:
            raise AppError(
                f"递交入党申请书时未满{ADULT_AGE}周岁（应不早于{adult_on.isoformat()}），"
                "不能接收入党申请（R-DEV-01）。",
                field="on",
            )
    if "on" in changes and _member_follows(candidate, event.step):
        raise AppError(
            "已接收为预备党员，入党日期以支部大会接收之日为准，不能更正此日期。", field="on"
        )
    events = sel.events_of(candidate, [e for e in rows if e.pk != event.pk])
    if event.pk in sel.not_taken(rows):
        pass  # a refused approval, or the decision it refused: not in the engine's history
    elif event.step not in RESULT_REQUIRED or new["passed"] is not False:
        if definition.repeatable or event.step in sel.TIMES:
            if new["on"] in events.get(event.step, []):
                raise AppError(f"{new['on'].isoformat()}的“{definition.label}”已登记。", field="on")
            events.setdefault(event.step, []).append(new["on"])
        else:
            events[event.step] = new["on"]
    _check_all_orders(events)
    for key, value in new.items():
        setattr(event, key, value)
    event.override_reason = override
    event.save(update_fields=[*CORRECTABLE, "override_reason"])
    audit(
        actor,
        "recruitment.step.corrected",
        candidate,
        org_path=candidate.org_path,
        changes={"event": event.pk, "step": event.step, "reason": reason, **changes},
    )
    candidate_refresh(candidate, today)
    return event


def _member_follows(candidate: Candidate, step: str) -> bool:
    return step == "acceptance" and candidate.member_id is not None


def _approved(rows, step: str) -> bool:
    """Has the committee above approved the branch's `step` (extension, cancellation)?"""
    return any(e.step == f"{step}_approval" and e.passed for e in rows)


#: a step others rest on may not be deleted while they are recorded
DEPENDENTS = {
    "application": None,  # the file itself: withdraw it instead
    "activist": ("prospect",),
    "prospect": ("committee_review", "pre_review", "acceptance"),
    "pre_review": ("acceptance",),
    "acceptance": ("approval_talk", "party_group_review", "approval", "conversion_meeting"),
    "conversion_application": ("conversion_meeting",),
    "conversion_meeting": ("conversion_approval",),
    "extension": ("extension_approval",),
    "cancellation": ("cancellation_approval",),
}


@transaction.atomic
def step_delete(*, actor, event: StepEvent, reason: str, today=None) -> None:
    """Delete a step recorded in error, with a reason (audited). Refused: the application
    (withdraw the file instead), a step that others rest on while they are recorded (e.g. the
    acceptance after the approval), a 支部大会 vote (it is in the meeting's minutes), an
    approval whose passed result the member record followed, or a deletion that leaves the
    others out of order. Deleting a refused approval (step 17) reopens the file it closed."""
    today = today or timezone.localdate()
    candidate = event.candidate
    definition = STEP_BY_CODE[event.step]
    if actor is not None and not sel.may_read(actor, candidate):
        raise deny()
    candidate = locked(candidate)
    _require_step(actor, candidate, definition)
    event = StepEvent.all_objects.select_for_update().get(pk=event.pk, candidate=candidate)
    _require_open(candidate, event)
    reason = _text(reason, "note", "删除原因")
    if not reason:
        raise AppError("请填写删除原因。", field="reason")
    if event.step == "application":
        raise AppError("入党申请是档案的起点，不能删除；如需停止培养，请终止该档案。", field="step")
    if event.step in VOTE_STEPS:
        raise AppError(VOTE_DELETE_REFUSAL, field="step")
    if why := locked_reason(event):
        raise AppError(f"{why}，不能删除此步骤。", field="step")
    rows = [e for e in sel.events_rows(candidate) if e.pk != event.pk]
    present = {e.step for e in sel.taken(rows)}
    blocking = [s for s in DEPENDENTS.get(event.step) or () if s in present]
    if blocking:
        raise AppError(
            f"已登记“{step_label(blocking[0])}”，不能删除其所依据的“{definition.label}”。",
            field="step",
        )
    _check_all_orders(sel.events_of(candidate, rows))
    snapshot = {k: getattr(event, k) for k in EVENT_FIELDS if getattr(event, k) not in (None, "")}
    people = list(event.people.values_list("pk", flat=True))
    event_pk = event.pk
    step = event.step
    reopened = _reopens(candidate, event)
    if step in PEOPLE_COUNT:
        getattr(candidate, step).clear()
    event.delete()
    if reopened:
        set_status(candidate, CandidateStatus.ACTIVE)
        snapshot["status"] = [CandidateStatus.WITHDRAWN, CandidateStatus.ACTIVE]
    audit(
        actor,
        "recruitment.step.deleted",
        candidate,
        org_path=candidate.org_path,
        changes={"event": event_pk, "step": step, "reason": reason, "people": people, **snapshot},
    )
    candidate_refresh(candidate, today)
