"""Responsibility lists (责任清单) as rules: R-ORG-12 — the 党组（党委） carries the main
responsibility (主体责任) for strict Party governance, its secretary is the person with first
responsibility (第一责任人), every other leadership member has 一岗双责; every year the 党组
reports on its 机关党建 work and is appraised. The platform turns that into yearly lists of
duties with quarterly progress reports. Pure: no Django. Explained in
docs/responsibility-duties.md.

Quarters are calendar quarters. A quarter's report is expected once the quarter has ended
(from its next day) and is due `REPORT_GRACE_DAYS` days after its last day: until then a
missing report is a warning, afterwards an error. The 15 days are the platform's default, not
a rule of the regulation (R-ORG-12 only asks for the yearly report)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from dangjian.rules.base import RULES, Confidence, Finding, Level, rule

ORGAN_REGS = "中国共产党党和国家机关基层组织工作条例"

# R-ORG-12 is shared with the other parts of the responsibility module; register it once
R_ORG_12 = RULES.get("R-ORG-12") or rule(
    "R-ORG-12",
    "党组（党委）履行全面从严治党主体责任，书记为第一责任人，班子其他成员落实“一岗双责”；"
    "每年报告机关党建工作并接受考核",
    source=ORGAN_REGS,
    article="第三十五条",
    effective=dt.date(2019, 11, 29),
    confidence=Confidence.C1,
)

#: days after a quarter's last day by which its progress report is due (the platform's
#: default, not a rule: the regulation asks for a yearly report only)
REPORT_GRACE_DAYS = 15
QUARTERS = (1, 2, 3, 4)
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
PROGRESS_MESSAGE = "完成进度应在0到100之间。"


def quarter_of(day: dt.date) -> int:
    """The calendar quarter (1–4) of a day."""
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(year, 12, 31)
    return quarter_start(year, quarter + 1) - dt.timedelta(days=1)


def report_due_on(year: int, quarter: int, grace_days: int = REPORT_GRACE_DAYS) -> dt.date:
    """The last day on which the quarter's report is on time: `grace_days` after its end."""
    return quarter_end(year, quarter) + dt.timedelta(days=grace_days)


def quarter_started(year: int, quarter: int, today: dt.date) -> bool:
    """May the quarter be reported on? From its first day (a past year's always)."""
    return quarter in QUARTERS and quarter_start(year, quarter) <= today


def owed_from(*days: dt.date | None) -> dt.date | None:
    """The first day an item is in force: the latest of the given days (its list's
    confirmation, its own addition; local dates), None when none is known."""
    known = [d for d in days if d is not None]
    return max(known) if known else None


def owes_quarter(year: int, quarter: int, since: dt.date | None) -> bool:
    """Does an item in force from `since` owe the quarter's report? When the quarter ends on
    or after `since` (None: always)."""
    return since is None or quarter_end(year, quarter) >= since


def quarters_due(year: int, today: dt.date, since: dt.date | None = None) -> list[int]:
    """The quarters of `year` that have ended by `today` (their last day is before today):
    for each a report is expected. 31 March → none of the year yet; 1 April → [1]; 1 January
    of the next year → all four. With `since` (`owed_from`), only the quarters ending on or
    after that day: an item added in November owes no report of the first three quarters."""
    return [q for q in QUARTERS if quarter_end(year, q) < today and owes_quarter(year, q, since)]


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter that has ended by `today`: the one whose reports
    are being collected (in January–March, the fourth quarter of the year before)."""
    current = quarter_of(today)
    if current == 1:
        return today.year - 1, 4
    return today.year, current - 1


def open_quarter(year: int, today: dt.date) -> int | None:
    """The quarter a report form offers first: the last ended quarter while its report is
    still within the grace days (reports of a quarter are written after it ends), otherwise
    the running quarter; for a past year the fourth. None for a year not started yet."""
    if today.year > year:
        return 4
    if today.year < year:
        return None
    current = quarter_of(today)
    if current > 1 and today <= report_due_on(year, current - 1):
        return current - 1
    return current


def check_progress(value) -> tuple[int | None, str | None]:
    """(progress, None) for a whole number 0–100, else (None, the Chinese message)."""
    if isinstance(value, bool):
        return None, PROGRESS_MESSAGE
    if isinstance(value, str):
        value = value.strip()
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None, "完成进度应为0到100之间的整数。"
    if isinstance(value, float) and value != number:
        return None, "完成进度应为0到100之间的整数。"
    if not 0 <= number <= 100:
        return None, PROGRESS_MESSAGE
    return number, None


def check_deadline(deadline: dt.date | None, year: int) -> str | None:
    """A duty's deadline lies within the list's year (None: no deadline)."""
    if deadline is None:
        return None
    if deadline.year != year:
        return f"完成时限须在{year}年内。"
    return None


@dataclass(frozen=True)
class ItemState:
    """What the findings need of one duty item: the caller's `key` (its id), a short label,
    the deadline, the current progress, the quarters with a report, and the day from which it
    owes reports (`owed_from`: the later of its list's confirmation and its addition; None:
    every quarter)."""

    key: object
    label: str
    deadline: dt.date | None
    progress: int
    reported: frozenset[int] = field(default_factory=frozenset)
    since: dt.date | None = None


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _short(label: str, limit: int = 20) -> str:
    label = " ".join((label or "").split())
    return label if len(label) <= limit else label[: limit - 1] + "…"


def report_findings(
    items: Iterable[ItemState],
    year: int,
    today: dt.date,
    *,
    grace_days: int = REPORT_GRACE_DAYS,
) -> list[Finding]:
    """Findings on the items of a list in force (R-ORG-12), in item order:

    - a quarter that has ended without a report: a warning while the report is still within
      `grace_days` after the quarter's end, an error afterwards; only quarters ending on or
      after the item's `since` (a quarter over before the item was in force owes nothing);
    - an item past its deadline (the deadline day itself is still in time) below 100%: an
      error."""
    found: list[Finding] = []
    for item in items:
        label = _short(item.label)
        for q in quarters_due(year, today, item.since):
            if q in item.reported:
                continue
            by = report_due_on(year, q, grace_days)
            if today <= by:
                found.append(
                    Finding(
                        "R-ORG-12",
                        Level.WARNING,
                        f"“{label}”{QUARTER_NAMES[q]}进展尚未报告，请于{_day(by)}前报告。",
                        data={"item": item.key, "quarter": q, "kind": "report_due"},
                    )
                )
            else:
                found.append(
                    Finding(
                        "R-ORG-12",
                        Level.ERROR,
                        f"“{label}”{QUARTER_NAMES[q]}进展逾期未报告（应于{_day(by)}前报告）。",
                        data={"item": item.key, "quarter": q, "kind": "report_missing"},
                    )
                )
        if item.deadline is not None and item.deadline < today and item.progress < 100:
            found.append(
                Finding(
                    "R-ORG-12",
                    Level.ERROR,
                    f"“{label}”已过完成时限（{_day(item.deadline)}），完成进度{item.progress}%。",
                    data={"item": item.key, "kind": "overdue"},
                )
            )
    return found


def is_overdue(deadline: dt.date | None, progress: int, today: dt.date) -> bool:
    """Past the deadline (not on it) and not complete."""
    return deadline is not None and deadline < today and progress < 100


def shift_year(day: dt.date | None, year: int) -> dt.date | None:
    """The same month and day in `year` (29 February becomes the 28th): a copied list's
    deadlines."""
    if day is None:
        return None
    try:
        return day.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)
