"""共同缔造 (co-creation with paired communities) as pure functions: what a goal metric has
achieved and its percentage, the state of a project (planned / on track / overdue / done),
when a residents' problem is overdue or due soon, the satisfaction summary of residents'
feedback, and the validation helpers the services use (targets, amounts, counts, dates).

No regulation fixes these figures: they are the platform's own definitions (docs/cocreation.md),
so no rule is registered here. Pure: no Django. Validation helpers return a list of
(field, Chinese message) pairs; the services turn them into an AppError."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

#: a decimal column holds 12 digits with 2 decimals: amounts stay below 10^10
AMOUNT_MAX = Decimal("9999999999.99")
#: counts (households, person-times) a form accepts
COUNT_MAX = 10_000_000
#: a problem is "due soon" this many days before its deadline (the reminder's window)
DUE_SOON_DAYS = 3
#: dates before this year are typing mistakes
YEAR_MIN = 2000
#: a planned date may lie this many years ahead at most
YEARS_AHEAD = 10

Errors = list[tuple[str, str]]

# ---------------------------------------------------------------------------------------------
# Metrics


def achieved(amounts: Iterable[Decimal | int | None]) -> Decimal:
    """What a metric has achieved: the sum of the amounts of its done milestones (the caller
    passes only done ones; a missing amount counts 0). Derived, never typed."""
    return sum((Decimal(a) for a in amounts if a is not None), Decimal(0))


@dataclass(frozen=True)
class MetricProgress:
    target: Decimal
    achieved: Decimal
    #: achieved / target in percent, one decimal; may exceed 100 (shown, never capped)
    percent: Decimal | None

    @property
    def bar(self) -> int:
        """The width of a progress bar (0–100): the bar is full beyond 100 %, the figure is not."""
        if self.percent is None:
            return 0
        return int(min(max(self.percent, Decimal(0)), Decimal(100)).to_integral_value())

    @property
    def achieved_text(self) -> str:
        return plain(self.achieved)

    @property
    def target_text(self) -> str:
        return plain(self.target)

    @property
    def exceeded(self) -> bool:
        return self.percent is not None and self.percent > 100

    @property
    def reached(self) -> bool:
        return self.percent is not None and self.percent >= 100


def plain(number) -> str:
    """A decimal as people write it: 4.5, 12, 0.25 (no trailing zeros, no exponent)."""
    if number is None:
        return ""
    text = format(Decimal(number).normalize(), "f")
    return text


def percentage(achieved_amount, target) -> Decimal | None:
    """achieved / target × 100 with one decimal (half up); None without a positive target."""
    try:
        target = Decimal(target)
        achieved_amount = Decimal(achieved_amount or 0)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if target <= 0:
        return None
    return (achieved_amount * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def metric_progress(target, amounts: Iterable[Decimal | int | None]) -> MetricProgress:
    """A metric's progress from its target and the amounts of its done milestones."""
    done = achieved(amounts)
    return MetricProgress(Decimal(target), done, percentage(done, target))


# ---------------------------------------------------------------------------------------------
# Projects


class ProjectState(StrEnum):
    PLANNED = "planned"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    DONE = "done"
    SUSPENDED = "suspended"


STATE_LABELS = {
    ProjectState.PLANNED: "未开始",
    ProjectState.ON_TRACK: "正常推进",
    ProjectState.OVERDUE: "已逾期",
    ProjectState.DONE: "已完成",
    ProjectState.SUSPENDED: "暂停",
}


def project_state(
    *,
    status: str,
    starts_on: dt.date,
    due_on: dt.date | None,
    today: dt.date,
    late_milestones: int = 0,
) -> ProjectState:
    """The state a project is in on `today`:

    - done: its status is 已完成;
    - suspended: its status is 暂停 (no deadline runs while it is paused);
    - overdue: not done and its planned completion date has passed, or one of its milestones
      is past its planned date without being done (`late_milestones`);
    - planned: its status is 谋划中, or its start date is still ahead;
    - on track: otherwise."""
    if status == "done":
        return ProjectState.DONE
    if status == "suspended":
        return ProjectState.SUSPENDED
    if (due_on is not None and due_on < today) or late_milestones > 0:
        return ProjectState.OVERDUE
    if status == "planned" or starts_on > today:
        return ProjectState.PLANNED
    return ProjectState.ON_TRACK


def milestone_late(*, due_on: dt.date, done_on: dt.date | None, today: dt.date) -> bool:
    """A milestone not done by its planned date."""
    return done_on is None and due_on < today


# ---------------------------------------------------------------------------------------------
# Problems found on visits

OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("resolved", "explained")
#: from → the statuses it may move to (a closed problem may be reopened: 办理中)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved", "explained"),
    "in_progress": ("resolved", "explained"),
    "resolved": ("in_progress",),
    "explained": ("in_progress",),
}
STATUS_LABELS = {
    "open": "待办理",
    "in_progress": "办理中",
    "resolved": "已解决",
    "explained": "暂不能解决（已解释）",
}


def problem_overdue(*, status: str, due_on: dt.date, today: dt.date) -> bool:
    """Still open (待办理 or 办理中) after its deadline."""
    return status in OPEN_STATUSES and due_on < today


def problem_due_soon(
    *, status: str, due_on: dt.date, today: dt.date, days: int = DUE_SOON_DAYS
) -> bool:
    """Still open and due within `days` days, or already overdue: the reminder's condition."""
    return status in OPEN_STATUSES and due_on <= today + dt.timedelta(days=days)


def check_problem_change(
    *,
    current: str,
    new: str,
    resolution: str,
    resolved_on: dt.date | None,
    visited_on: dt.date,
    today: dt.date,
) -> Errors:
    """A status change of a problem: a known status, an allowed move, and for 已解决 / 已解释
    the result and a date between the visit and today."""
    if new not in STATUS_LABELS:
        return [("status", "请选择有效的办理状态。")]
    if new == current:
        return [("status", f"该问题已是“{STATUS_LABELS[new]}”状态。")]
    if new not in TRANSITIONS.get(current, ()):
        return [
            (
                "status",
                f"“{STATUS_LABELS.get(current, current)}”的问题不能改为“{STATUS_LABELS[new]}”。",
            )
        ]
    errors: Errors = []
    if new in CLOSED_STATUSES:
        if not (resolution or "").strip():
            label = "办理结果" if new == "resolved" else "向群众解释的情况"
            errors.append(("resolution", f"请填写{label}。"))
        if resolved_on is None:
            errors.append(("resolved_on", "请填写办结日期。"))
        elif resolved_on > today:
            errors.append(("resolved_on", "办结日期不能晚于今天。"))
        elif resolved_on < visited_on:
            errors.append(("resolved_on", "办结日期不能早于走访日期。"))
    return errors


# ---------------------------------------------------------------------------------------------
# Residents' satisfaction


@dataclass(frozen=True)
class SatisfactionSummary:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> Decimal | None:
        """满意率: (满意 + 基本满意) / all, in percent with one decimal; None without feedback."""
        if not self.total:
            return None
        return (Decimal(self.satisfied + self.basic) * 100 / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def satisfaction_summary(counts: Mapping[str, int]) -> SatisfactionSummary:
    """The summary of feedback counted by satisfaction value (unknown values are ignored)."""
    return SatisfactionSummary(
        satisfied=int(counts.get("satisfied", 0) or 0),
        basic=int(counts.get("basic", 0) or 0),
        unsatisfied=int(counts.get("unsatisfied", 0) or 0),
    )


# ---------------------------------------------------------------------------------------------
# Validation helpers


def parse_decimal(value) -> Decimal | None:
    """A decimal from a number or a string ("1.5", " 2 "), None when absent; raises
    ValueError when it is not a finite number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _two_places(number: Decimal) -> bool:
    return number == number.quantize(Decimal("0.01"))


def check_target(value) -> Errors:
    """A metric's target: a number above 0 with at most two decimals."""
    try:
        number = parse_decimal(value)
    except ValueError:
        return [("target", "目标值须为数字。")]
    if number is None:
        return [("target", "请填写目标值。")]
    if number <= 0:
        return [("target", "目标值应大于0。")]
    if number > AMOUNT_MAX:
        return [("target", "目标值过大。")]
    if not _two_places(number):
        return [("target", "目标值最多保留两位小数。")]
    return []


def check_amount(value, *, field: str, label: str, required: bool = False) -> Errors:
    """An amount (funds in 万元, a milestone's completed amount): not negative, at most two
    decimals, below 10^10."""
    try:
        number = parse_decimal(value)
    except ValueError:
        return [(field, f"{label}须为数字。")]
    if number is None:
        return [(field, f"请填写{label}。")] if required else []
    if number < 0:
        return [(field, f"{label}不能为负数。")]
    if number > AMOUNT_MAX:
        return [(field, f"{label}过大。")]
    if not _two_places(number):
        return [(field, f"{label}最多保留两位小数。")]
    return []


def check_count(value, *, field: str, label: str, maximum: int = COUNT_MAX) -> Errors:
    """A count (households, people, person-times): a whole number from 0 to `maximum`;
    absent is fine (the caller decides the default)."""
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        return [(field, f"{label}须为整数。")]
    try:
        number = int(value)
    except (TypeError, ValueError):
        return [(field, f"{label}须为整数。")]
    if isinstance(value, (float, Decimal)) and number != value:
        return [(field, f"{label}须为整数。")]
    if number < 0:
        return [(field, f"{label}不能为负数。")]
    if number > maximum:
        return [(field, f"{label}不能超过{maximum}。")]
    return []


def check_date(
    value,
    *,
    field: str,
    label: str,
    today: dt.date,
    required: bool = True,
    not_future: bool = False,
) -> Errors:
    """A date: present when required, a real date, from YEAR_MIN, not after today when it
    records something done (`not_future`), and at most YEARS_AHEAD years ahead otherwise."""
    if value is None:
        return [(field, f"请填写{label}。")] if required else []
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return [(field, f"{label}无效，应为 YYYY-MM-DD。")]
    if value.year < YEAR_MIN:
        return [(field, f"{label}不能早于{YEAR_MIN}年。")]
    if not_future and value > today:
        return [(field, f"{label}不能晚于今天。")]
    if value.year > today.year + YEARS_AHEAD:
        return [(field, f"{label}不能晚于{today.year + YEARS_AHEAD}年。")]
    return []


def check_order(
    start: dt.date | None,
    end: dt.date | None,
    *,
    field: str,
    message: str,
) -> Errors:
    """`end` not before `start` (either may be absent)."""
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        return [(field, message)]
    return []


def check_text(value, *, field: str, label: str, limit: int, required: bool = True) -> Errors:
    """A text: present when required, at most `limit` characters, no NUL characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return [(field, f"{label}格式有误。")]
    value = value.strip()
    if required and not value:
        return [(field, f"请填写{label}。")]
    if len(value) > limit:
        return [(field, f"{label}不能超过{limit}字。")]
    if "\x00" in value:
        return [(field, f"{label}含有无效字符。")]
    return []
