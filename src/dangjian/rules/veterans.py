"""Rules of the retired cadres' services (老干部服务): how often a serving cadre owes his paired
retiree a call or a visit, and by when a retiree's request (呼声 / 意愿 / 需求) must be answered.

rules.md has no rule for these: they are the 老干部局's own, configurable practice. The numbers
come from the settings VETERANS_CALL_MONTHS (a call every month by default),
VETERANS_VISIT_MONTHS (a visit every quarter), VETERANS_REQUEST_DAYS (an answer within 15 days)
and VETERANS_REQUEST_ESCALATE_DAYS (escalated 5 days after the deadline). Pure functions: no
Django, no clock (`today` is an argument)."""

from __future__ import annotations

import datetime as dt

from dangjian.rules.base import add_months

#: a contact is "due soon" from this many days before the day it is owed
CONTACT_SOON_DAYS = 7
#: an open request is "due soon" (the reminder's window) from this many days before its deadline
REQUEST_SOON_DAYS = 3

CALL, VISIT = "call", "visit"
OK, DUE_SOON, OVERDUE = "ok", "due_soon", "overdue"
CONTACT_STATE_LABELS = {OK: "正常", DUE_SOON: "即将到期", OVERDUE: "已逾期"}

OPEN, ESCALATE = "open", "escalate"
ANSWERED_IN_TIME, ANSWERED_LATE = "answered_in_time", "answered_late"
REQUEST_STATE_LABELS = {
    OPEN: "办理中",
    OVERDUE: "已逾期",
    ESCALATE: "逾期升级督办",
    ANSWERED_IN_TIME: "按期答复",
    ANSWERED_LATE: "逾期答复",
}


def contact_due(kind: str, last_on: dt.date | None, started_on: dt.date, months: int) -> dt.date:
    """The day the next call (or visit) of a pairing is owed: `months` calendar months after the
    last contact of that kind, or after the pairing started when there was none. Calendar
    months as in R-GEN-04 (`add_months`): Jan 31 + 1 month is Feb 28 (29 in a leap year).
    The unit's configurable practice (no rule in rules.md): a call every
    VETERANS_CALL_MONTHS, a visit every VETERANS_VISIT_MONTHS months. A visit also counts as
    a call: the caller passes the later of the two as `last_on` for a call."""
    if kind not in (CALL, VISIT):
        raise ValueError(f"unknown contact kind {kind!r}")
    if months < 1:
        raise ValueError("months must be at least 1")
    base = last_on if last_on is not None and last_on >= started_on else started_on
    return add_months(base, months)


def contact_state(due_on: dt.date, today: dt.date, soon_days: int = CONTACT_SOON_DAYS) -> str:
    """ok / due_soon / overdue. The day it is owed is still in time (due_soon); the day after
    is overdue. Configurable practice, not a rule of rules.md."""
    if today > due_on:
        return OVERDUE
    if today >= due_on - dt.timedelta(days=soon_days):
        return DUE_SOON
    return OK


def request_due_on(raised_on: dt.date, days: int) -> dt.date:
    """The answer is owed within `days` days of the day the request was raised
    (VETERANS_REQUEST_DAYS: the unit's configurable practice; rules.md has no rule for it)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return raised_on + dt.timedelta(days=days)


def request_state(
    status: str,
    due_on: dt.date,
    answered_on: dt.date | None,
    today: dt.date,
    escalate_days: int,
) -> str:
    """open / overdue / escalate / answered_in_time / answered_late.

    An answered request (answered, fed back or closed) is judged by its answer date: on or
    before `due_on` is in time. An open one is `open` up to and including `due_on`, `overdue`
    from the day after, and `escalate` once more than `escalate_days` days have passed since
    `due_on` (VETERANS_REQUEST_ESCALATE_DAYS: configurable practice, not a rule of rules.md)."""
    if answered_on is not None or status != "open":
        if answered_on is None:
            return ANSWERED_LATE
        return ANSWERED_IN_TIME if answered_on <= due_on else ANSWERED_LATE
    if today <= due_on:
        return OPEN
    if today > due_on + dt.timedelta(days=escalate_days):
        return ESCALATE
    return OVERDUE


def request_due_soon(status: str, due_on: dt.date, today: dt.date) -> bool:
    """Still open and due within REQUEST_SOON_DAYS days, or already past due."""
    return status == "open" and today >= due_on - dt.timedelta(days=REQUEST_SOON_DAYS)


def request_escalate_on(due_on: dt.date, escalate_days: int) -> dt.date:
    """The first day an unanswered request is escalated."""
    return due_on + dt.timedelta(days=escalate_days + 1)
