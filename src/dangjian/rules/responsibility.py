"""责任落实 as rules: the state of a work-point task (not started, on track, due soon,
overdue, closed, closed late), when a 督办 escalates to the unit's secretary, the checks on a
task's dates and on a progress figure, and the completion roll-up of a set of tasks (a point,
a unit, a year). Pure: no Django, no clock (`today` / `now` are arguments). Explained in
docs/responsibility-tasks.md.

None of this is written in a regulation: the deadlines, the escalation delay and the
due-soon window are the 工委's own working rules (settings RESPONSIBILITY_ESCALATE_DAYS and
RESPONSIBILITY_DUE_SOON_DAYS), so no rule id is registered here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

#: default due-soon window, in days before the deadline (the setting's default)
DUE_SOON_DAYS = 7
#: default escalation delay of a 督办, in days (the setting's default)
ESCALATE_DAYS = 3
OPEN = "open"
_INTEGER = re.compile(r"-?[0-9]+")
CLOSED = "closed"


class TaskState(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CLOSED = "closed"
    CLOSED_LATE = "closed_late"


STATE_LABELS: dict[str, str] = {
    TaskState.NOT_STARTED: "未开始",
    TaskState.ON_TRACK: "推进中",
    TaskState.DUE_SOON: "即将到期",
    TaskState.OVERDUE: "已逾期",
    TaskState.CLOSED: "按期办结",
    TaskState.CLOSED_LATE: "逾期办结",
}


def task_state(
    status: str,
    progress: int,
    starts_on: dt.date,
    due_on: dt.date,
    today: dt.date,
    *,
    closed_on: dt.date | None = None,
    due_soon_days: int = DUE_SOON_DAYS,
    published: bool = True,
) -> TaskState:
    """The state of a task on `today`, first match wins:

    1. closed: `closed`, or `closed_late` when it was closed after its deadline (`closed_on`
       later than `due_on`);
    2. open and `today` after `due_on` (from the day after the deadline): `overdue`;
    3. open, the deadline within `due_soon_days` days (the due day included) and not yet
       reported complete (progress under 100): `due_soon`;
    4. open, before its start date and nothing reported (progress 0): `not_started`;
    5. otherwise `on_track` (a task reported at 100% waits for its closing).

    A task of a work point not yet published (`published=False`, a draft the units do not
    see) is never overdue nor due soon: steps 2 and 3 are skipped.
    """
    if status == CLOSED:
        if closed_on is not None and closed_on > due_on:
            return TaskState.CLOSED_LATE
        return TaskState.CLOSED
    if published and today > due_on:
        return TaskState.OVERDUE
    if published and (due_on - today).days <= due_soon_days and progress < 100:
        return TaskState.DUE_SOON
    if today < starts_on and progress == 0:
        return TaskState.NOT_STARTED
    return TaskState.ON_TRACK


def escalation_due(
    sent_at: dt.datetime,
    delay_days: int,
    resolved_at: dt.datetime | None,
    escalated_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    """Whether a 督办 escalates now: still unresolved (no report, not closed), not escalated
    yet (it escalates once), and `delay_days` full days have passed since it was sent (at
    exactly `sent_at + delay_days` it does)."""
    if resolved_at is not None or escalated_at is not None:
        return False
    return now >= sent_at + dt.timedelta(days=delay_days)


def escalates_at(sent_at: dt.datetime, delay_days: int) -> dt.datetime:
    """When an unresolved 督办 escalates."""
    return sent_at + dt.timedelta(days=delay_days)


def validate_task_dates(
    starts_on: dt.date | None, due_on: dt.date | None, year: int
) -> list[tuple[str, str]]:
    """The refusals of a task's dates, each (field, Chinese message); empty when they are
    right: both given, both inside the task's year, the deadline not before the start (a
    one-day task, starting and due the same day, is allowed)."""
    errors: list[tuple[str, str]] = []
    if starts_on is None:
        errors.append(("starts_on", "请填写开始日期。"))
    elif starts_on.year != year:
        errors.append(("starts_on", f"开始日期须在{year}年内。"))
    if due_on is None:
        errors.append(("due_on", "请填写完成时限。"))
    elif due_on.year != year:
        errors.append(("due_on", f"完成时限须在{year}年内。"))
    elif starts_on is not None and due_on < starts_on:
        errors.append(("due_on", "完成时限不能早于开始日期。"))
    return errors


def validate_progress(value) -> int:
    """A progress figure as a whole percentage from 0 to 100, or ValueError with the Chinese
    message. Accepts an int or the text of one ("80", " 80 "); refuses booleans, fractions,
    negative numbers and anything above 100."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError("请填写完成进度（0至100的整数）。")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("完成进度须为0至100的整数。")
        value = int(value)
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        if not _INTEGER.fullmatch(text):
            raise ValueError("完成进度须为0至100的整数。")
        if len(text) > 6:  # an absurdly long figure is out of range, never parsed
            raise ValueError(
                "完成进度不能为负数。" if text.startswith("-") else "完成进度不能超过100%。"
            )
        value = int(text)
    if not isinstance(value, int):
        raise ValueError("完成进度须为0至100的整数。")
    if value < 0:
        raise ValueError("完成进度不能为负数。")
    if value > 100:
        raise ValueError("完成进度不能超过100%。")
    return value


@dataclass(frozen=True)
class TaskFacts:
    """What the roll-up needs of one task."""

    status: str
    progress: int
    due_on: dt.date
    closed_on: dt.date | None = None
    #: False for a task of a draft work point: never counted overdue
    published: bool = True


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Completion:
    """The roll-up of a set of tasks. Shares are percentages to one decimal (None without
    tasks): `closed_share` of the tasks closed, `on_time_share` of the tasks closed on or
    before their deadline (both out of all the tasks), `average_progress` the mean of the
    tasks' latest reported progress."""

    total: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    progress_sum: int = 0

    @property
    def closed_share(self) -> Decimal | None:
        return _share(self.closed, self.total)

    @property
    def on_time_share(self) -> Decimal | None:
        return _share(self.on_time, self.total)

    @property
    def average_progress(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.progress_sum) / Decimal(self.total)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def closed_value(self) -> int:
        """The closed share as a whole number, for a <progress> bar."""
        share = self.closed_share
        return int(share.to_integral_value(ROUND_HALF_UP)) if share is not None else 0

    @property
    def progress_value(self) -> int:
        average = self.average_progress
        return int(average.to_integral_value(ROUND_HALF_UP)) if average is not None else 0


def completion(rows: Iterable[TaskFacts], today: dt.date | None = None) -> Completion:
    """Roll a set of tasks up (a point's, a unit's, a year's). With `today`, the open tasks
    past their deadline are counted as `overdue` (never those of a draft point)."""
    total = closed = on_time = overdue = progress_sum = 0
    for row in rows:
        total += 1
        progress_sum += int(row.progress or 0)
        if row.status == CLOSED:
            closed += 1
            if row.closed_on is None or row.closed_on <= row.due_on:
                on_time += 1
        elif today is not None and row.published and today > row.due_on:
            overdue += 1
    return Completion(total, closed, on_time, overdue, progress_sum)
