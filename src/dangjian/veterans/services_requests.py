"""Write paths of the retirees' requests (呼声 / 意愿 / 需求): recorded by the paired cadre or a
manager (for the retiree himself or his family), routed to a responsible office, answered by
the deadline of the configurable rule (rules/veterans.py, VETERANS_REQUEST_DAYS), fed back to
the retiree with his satisfaction, closed; reassigned to another office while open. Nothing is
answered after it is closed. Atomic, access-checked, refused in Chinese, audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.rules import veterans as rules
from dangjian.veterans.models import (
    Office,
    Pairing,
    Request,
    RequestKind,
    RequestSource,
    RequestStatus,
    Retiree,
    Satisfaction,
)
from dangjian.veterans.services_pairings import may_contact
from dangjian.veterans.services_people import (
    MANAGE,
    clean_date,
    clean_text,
    raise_errors,
    require,
    user_of,
)

CLOSED_MESSAGE = "该诉求已办结，不能再答复。"


def _office_ok(office, retiree: Retiree) -> bool:
    """An active office of a unit above (or at) the retiree's node."""
    return (
        isinstance(office, Office)
        and office.is_active
        and retiree.org_path.startswith(office.org_path)
    )


@transaction.atomic
def request_record(
    *,
    actor,
    retiree: Retiree,
    kind: str,
    content: str,
    office: Office,
    source: str = RequestSource.CADRE,
    family_name: str = "",
    raised_on=None,
    pairing: Pairing | None = None,
    today: dt.date | None = None,
) -> Request:
    """Record a request for a retiree: by his paired cadre (with the pairing) or a manager over
    the retiree. A family's request names the family member. The deadline comes from the rule
    (`request_due_on`, VETERANS_REQUEST_DAYS)."""
    today = today or timezone.localdate()
    if pairing is not None:
        if pairing.retiree_id != retiree.pk:
            raise AppError("结对关系与离退休干部不符。", field="pairing")
        if not may_contact(actor, pairing):
            raise deny()
    else:
        require(actor, retiree.org_path)
    errors: list = []
    if kind not in RequestKind.values:
        errors.append(("kind", "请选择诉求类别（呼声、意愿或需求）。"))
    if source not in RequestSource.values:
        errors.append(("source", "请选择诉求来源。"))
    content = clean_text(content, "content", "诉求内容", errors, required=True)
    family_name = clean_text(family_name, "family_name", "反映人（家属）姓名", errors)
    if source == RequestSource.FAMILY and not family_name:
        errors.append(("family_name", "家属反映的诉求，请填写反映人（家属）姓名。"))
    if source != RequestSource.FAMILY:
        family_name = ""
    raised = clean_date(raised_on or today, "raised_on", "提出日期", errors, today)
    if raised and pairing is not None and raised < pairing.started_on:
        errors.append(("raised_on", "提出日期不能早于结对日期。"))
    if raised and pairing is not None and pairing.ended_on and raised > pairing.ended_on:
        errors.append(("raised_on", "提出日期不能晚于结对结束日期。"))
    if not _office_ok(office, retiree):
        errors.append(("office", "请选择有效的责任处室。"))
    raise_errors(errors)
    due = rules.request_due_on(raised, settings.VETERANS_REQUEST_DAYS)
    request = Request.objects.create(
        retiree=retiree,
        org_path=retiree.org_path,
        pairing=pairing,
        kind=kind,
        source=source,
        family_name=family_name,
        content=content,
        raised_on=raised,
        office=office,
        due_on=due,
        recorded_by=user_of(actor),
    )
    audit(
        actor,
        "veterans.request.recorded",
        request,
        org_path=request.org_path,
        changes={
            "retiree": retiree.pk,
            "kind": kind,
            "source": source,
            "office": office.pk,
            "raised_on": raised,
            "due_on": due,
            "rule": "VETERANS_REQUEST_DAYS",
            "days": settings.VETERANS_REQUEST_DAYS,
        },
    )
    return request


def _lock(request: Request) -> Request:
    return (
        Request.all_objects.select_for_update()
        .select_related("office", "retiree")
        .get(pk=request.pk)
    )


def _require_office(actor, request: Request) -> None:
    """Only the offices' managers: veterans.manage over the office's unit and the retiree."""
    if actor is not None and not (
        can(actor, MANAGE, request.office.org_path) and can(actor, MANAGE, request.org_path)
    ):
        raise deny()


@transaction.atomic
def request_answer(
    *, actor, request: Request, answer: str, answered_on=None, today: dt.date | None = None
) -> Request:
    """The responsible office answers (once; a closed request is refused)."""
    today = today or timezone.localdate()
    _require_office(actor, request)
    current = _lock(request)
    if current.status == RequestStatus.CLOSED:
        raise AppError(CLOSED_MESSAGE, field="answer")
    if current.status != RequestStatus.OPEN:
        raise AppError("该诉求已答复。", field="answer")
    errors: list = []
    answer = clean_text(answer, "answer", "答复内容", errors, required=True)
    on = clean_date(answered_on or today, "answered_on", "答复日期", errors, today)
    if on and on < current.raised_on:
        errors.append(("answered_on", "答复日期不能早于提出日期。"))
    raise_errors(errors)
    current.answer, current.answered_on = answer, on
    current.answered_by = user_of(actor)
    current.status = RequestStatus.ANSWERED
    current.save(update_fields=["answer", "answered_on", "answered_by", "status"])
    state = rules.request_state(
        current.status, current.due_on, on, today, settings.VETERANS_REQUEST_ESCALATE_DAYS
    )
    audit(
        actor,
        "veterans.request.answered",
        current,
        org_path=current.org_path,
        changes={"answered_on": on, "due_on": current.due_on, "state": state},
    )
    return current


@transaction.atomic
def request_feedback(
    *,
    actor,
    request: Request,
    satisfaction: str,
    fed_back_on=None,
    today: dt.date | None = None,
) -> Request:
    """The answer was told to the retiree; his satisfaction is recorded. By the paired cadre or
    a manager."""
    today = today or timezone.localdate()
    if request.pairing_id is not None and may_contact(actor, request.pairing):
        pass
    else:
        require(actor, request.org_path)
    current = _lock(request)
    if current.status == RequestStatus.CLOSED:
        raise AppError("该诉求已办结，不能再反馈。", field="satisfaction")
    if current.status == RequestStatus.OPEN:
        raise AppError("诉求尚未答复，不能反馈。", field="satisfaction")
    errors: list = []
    if satisfaction not in Satisfaction.values:
        errors.append(("satisfaction", "请选择满意度。"))
    on = clean_date(fed_back_on or today, "fed_back_on", "反馈日期", errors, today)
    if on and current.answered_on and on < current.answered_on:
        errors.append(("fed_back_on", "反馈日期不能早于答复日期。"))
    raise_errors(errors)
    current.satisfaction, current.fed_back_on = satisfaction, on
    current.status = RequestStatus.FED_BACK
    current.save(update_fields=["satisfaction", "fed_back_on", "status"])
    audit(
        actor,
        "veterans.request.fed_back",
        current,
        org_path=current.org_path,
        changes={"satisfaction": satisfaction, "fed_back_on": on},
    )
    return current


@transaction.atomic
def request_close(
    *, actor, request: Request, closed_on=None, today: dt.date | None = None
) -> Request:
    """办结: by a manager, once the request was answered."""
    today = today or timezone.localdate()
    _require_office(actor, request)
    current = _lock(request)
    if current.status == RequestStatus.CLOSED:
        raise AppError("该诉求已办结。", field="closed_on")
    if current.status == RequestStatus.OPEN:
        raise AppError("诉求尚未答复，不能办结。", field="closed_on")
    errors: list = []
    on = clean_date(closed_on or today, "closed_on", "办结日期", errors, today)
    if on and current.answered_on and on < current.answered_on:
        errors.append(("closed_on", "办结日期不能早于答复日期。"))
    raise_errors(errors)
    current.closed_on = on
    current.status = RequestStatus.CLOSED
    current.save(update_fields=["closed_on", "status"])
    audit(
        actor,
        "veterans.request.closed",
        current,
        org_path=current.org_path,
        changes={"closed_on": on},
    )
    return current


@transaction.atomic
def request_reassign(*, actor, request: Request, office: Office) -> Request:
    """Route an open request to another office (the deadline stays)."""
    _require_office(actor, request)
    current = _lock(request)
    if current.status != RequestStatus.OPEN:
        raise AppError("只能转办尚未答复的诉求。", field="office")
    if not _office_ok(office, current.retiree) or (
        actor is not None and not can(actor, MANAGE, office.org_path)
    ):
        raise AppError("请选择有效的责任处室。", field="office")
    if office.pk == current.office_id:
        raise AppError("诉求已在该处室办理。", field="office")
    old = current.office_id
    current.office = office
    current.save(update_fields=["office"])
    audit(
        actor,
        "veterans.request.reassigned",
        current,
        org_path=current.org_path,
        changes={"office": [old, office.pk]},
    )
    return current


def request_escalate(*, request: Request, now=None) -> bool:
    """Mark an overdue request as escalated (督办), once. The reminders job calls it; returns
    whether it was marked now."""
    now = now or timezone.now()
    marked = Request.all_objects.filter(
        pk=request.pk, escalated_at__isnull=True, status=RequestStatus.OPEN
    ).update(escalated_at=now)
    if marked:
        request.escalated_at = now
        audit(
            None,
            "veterans.request.escalated",
            request,
            org_path=request.org_path,
            changes={"due_on": request.due_on},
        )
    return bool(marked)
