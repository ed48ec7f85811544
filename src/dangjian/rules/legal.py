"""法律服务 as pure functions: coverage percentages (一村(社区)一律师, 法律顾问) and the time
limits of a legal-aid case.

Time limits. 《中华人民共和国法律援助法》第四十三条: the legal-aid institution reviews an
application and decides whether to grant aid within 7 days of receiving it (the review limit);
第四十四条: once aid is granted, it assigns a lawyer (法律援助人员) within 3 days of the decision
(the assignment limit). Those figures are the defaults of the settings LEGAL_AID_REVIEW_DAYS and
LEGAL_AID_ASSIGN_DAYS; they are configurable because rules.md does not hold them (a province
may shorten them), so the functions take them as arguments. Days are calendar days (日), the day
of receipt or decision not counted.

Pure: no Django, no clock (`today` is an argument)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: the defaults of 法律援助法 第四十三条 (review) and 第四十四条 (assignment)
REVIEW_DAYS = 7
ASSIGN_DAYS = 3
#: a limit is "due soon" when it falls within this many days (the reminder's window)
DUE_SOON_DAYS = 2

ON_TIME = "on_time"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"

STATE_LABELS = {ON_TIME: "时限内", DUE_SOON: "即将到期", OVERDUE: "已超时限", DONE: "已办结"}
STAGE_LABELS = {"review": "审查决定", "assign": "指派律师"}


def coverage(covered: int, total: int) -> Decimal | None:
    """covered / total × 100, one decimal, half up; None when there is nothing to cover (shown
    as "—"). Raises ValueError for negative counts or covered > total."""
    if covered < 0 or total < 0:
        raise ValueError("counts cannot be negative")
    if covered > total:
        raise ValueError("covered cannot exceed total")
    if total == 0:
        return None
    return (Decimal(covered) * 100 / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def coverage_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


@dataclass(frozen=True)
class AidDeadlines:
    review_due: dt.date
    assign_due: dt.date | None


def aid_deadlines(
    applied_on: dt.date,
    accepted_on: dt.date | None,
    review_days: int = REVIEW_DAYS,
    assign_days: int = ASSIGN_DAYS,
) -> AidDeadlines:
    """The last day of the review (applied_on + review_days, 第四十三条) and, once the case is
    accepted, of the assignment (accepted_on + assign_days, 第四十四条)."""
    if review_days < 1 or assign_days < 1:
        raise ValueError("time limits are at least one day")
    review_due = applied_on + dt.timedelta(days=review_days)
    assign_due = accepted_on + dt.timedelta(days=assign_days) if accepted_on else None
    return AidDeadlines(review_due, assign_due)


def _state(due: dt.date, today: dt.date) -> str:
    if today > due:
        return OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TIME


@dataclass(frozen=True)
class AidState:
    stage: str | None  # "review", "assign" or None (both steps taken)
    state: str  # on_time / due_soon / overdue / done
    due_on: dt.date | None
    review_late: bool  # the decision came after the review limit
    assign_late: bool  # the lawyer was assigned after the assignment limit

    @property
    def label(self) -> str:
        if self.stage is None:
            return STATE_LABELS[DONE]
        return f"{STAGE_LABELS[self.stage]}{STATE_LABELS[self.state]}"

    @property
    def pending(self) -> bool:
        return self.state in (DUE_SOON, OVERDUE)


def aid_state(
    *,
    status: str,
    applied_on: dt.date,
    accepted_on: dt.date | None,
    assigned_on: dt.date | None,
    today: dt.date,
    review_days: int = REVIEW_DAYS,
    assign_days: int = ASSIGN_DAYS,
) -> AidState:
    """Where a case stands against its limits on `today`.

    - 已申请 (applied): the review runs: due soon within DUE_SOON_DAYS of its last day, overdue
      the day after it (the last day itself is in time).
    - 已受理 (accepted): the assignment runs the same way from the decision.
    - 已指派 / 已结案 / 不予援助: nothing runs (done); the flags say whether a step was late.
    `accepted_on` is the decision date, for a refusal too."""
    limits = aid_deadlines(applied_on, accepted_on, review_days, assign_days)
    review_late = accepted_on is not None and accepted_on > limits.review_due
    assign_late = (
        assigned_on is not None
        and limits.assign_due is not None
        and assigned_on > limits.assign_due
    )
    if status == "applied":
        return AidState("review", _state(limits.review_due, today), limits.review_due, False, False)
    if status == "accepted" and limits.assign_due is not None:
        return AidState(
            "assign", _state(limits.assign_due, today), limits.assign_due, review_late, False
        )
    return AidState(None, DONE, None, review_late, assign_late)


# ---------------------------------------------------------------------------------------------
# Validation


def licence_ok(value) -> bool:
    """A lawyer's 执业证号: exactly 17 digits."""
    return isinstance(value, str) and len(value) == 17 and value.isascii() and value.isdigit()


def phone_ok(value) -> bool:
    """A phone number as typed: 5 to 20 characters of digits, spaces, '-' and a leading '+'."""
    if not isinstance(value, str):
        return False
    body = value.strip()
    digits = body.lstrip("+").replace("-", "").replace(" ", "")
    return 5 <= len(body) <= 20 and digits.isascii() and digits.isdigit()
