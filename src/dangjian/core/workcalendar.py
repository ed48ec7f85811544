"""The working-day calendar of this deployment (R-GEN-04): the built-in State Council calendar
(rules/workdays.py) with the `CalendarDay` overrides on top, and the two services that write
the overrides. Explained in docs/rules/workdays.md.

`work_calendar()` is read by every deadline check, so it is built once per process and kept
until an override changes. Processes learn of a change through a token in Django's cache:
every write sets a new token, and a process whose copy carries another token rebuilds. A
cleared or evicted cache yields a new token too, so the worst case is one needless rebuild."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from django.core.cache import cache
from django.db import transaction

from dangjian.core.access import has_cap_anywhere, paths_for
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.models import CalendarDay
from dangjian.core.permissions import Cap
from dangjian.rules.workdays import (
    WorkCalendar,
    builtin_special_days,
    builtin_years,
    statutory_calendar,
)

VERSION_KEY = "dangjian:workcalendar:version"
FIRST_YEAR = 2000
LAST_YEAR = 2100
NAME_MAX = CalendarDay._meta.get_field("name").max_length

_lock = threading.Lock()
_memo: tuple[str, WorkCalendar] | None = None


def _version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(VERSION_KEY)
    return token


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def overrides() -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.values_list("day", "is_workday"))


def work_calendar() -> WorkCalendar:
    """The calendar deadlines are counted on: built-in days, then the overrides."""
    global _memo
    token = _version()
    memo = _memo
    if memo is not None and memo[0] == token:
        return memo[1]
    with _lock:
        calendar = statutory_calendar(overrides())
        _memo = (token, calendar)
    return calendar


def may_manage_calendar(user) -> bool:
    """The system administrator (settings) or an administrator of a whole tree (org.manage on
    a root: the 工委管理员) may change the calendar: it applies to every deadline everywhere."""
    if has_cap_anywhere(user, Cap.SETTINGS_MANAGE):
        return True
    return any(p.count("/") == 2 for p in paths_for(user, Cap.ORG_MANAGE))


def _require_manage(actor) -> None:
    if actor is not None and not may_manage_calendar(actor):
        raise AppError("无权维护节假日与调休日历。", code="forbidden")


def _check_day(day) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise AppError("请填写有效的日期（年-月-日）。", field="day")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise AppError(f"日期须在{FIRST_YEAR}年至{LAST_YEAR}年之间。", field="day")
    return day


def _on_change() -> None:
    # Now, so this process sees its own write at once; and after commit, so another process
    # that rebuilt in between (reading the old rows) is told to rebuild again.
    _bump()
    transaction.on_commit(_bump)


@transaction.atomic
def calendar_day_set(*, actor, day: dt.date, is_workday: bool, name: str = "") -> CalendarDay:
    """Record that ``day`` is a working day (a 调休 day) or a rest day (a holiday), replacing
    what the built-in calendar or an earlier override said (R-GEN-04)."""
    _require_manage(actor)
    day = _check_day(day)
    if not isinstance(is_workday, bool):
        raise AppError("请选择工作日或休息日。", field="is_workday")
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise AppError(f"说明不能超过{NAME_MAX}个字。", field="name")
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    fields = ["is_workday", "name"]
    if row is None:
        row = CalendarDay.objects.create(
            day=day,
            is_workday=is_workday,
            name=name,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        changes = {"day": day, "is_workday": is_workday, "name": name}
    else:
        before = {"is_workday": row.is_workday, "name": row.name}
        row.is_workday, row.name = is_workday, name
        changes = {k: [before[k], getattr(row, k)] for k in fields if before[k] != getattr(row, k)}
        if not changes:
            return row
        row.save(update_fields=[*fields, "updated_at"])
        changes["day"] = day
    audit(actor, "core.calendar.set", row, changes=changes)
    _on_change()
    return row


@transaction.atomic
def calendar_day_delete(*, actor, day: dt.date) -> None:
    """Remove an override: the built-in calendar (or the weekend rule) applies to ``day`` again."""
    _require_manage(actor)
    day = _check_day(day)
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    if row is None:
        raise AppError(f"{day:%Y-%m-%d}没有自定义的调整记录。", field="day")
    changes = {"day": day, "is_workday": row.is_workday, "name": row.name}
    audit(actor, "core.calendar.deleted", row, changes=changes)
    row.delete()
    _on_change()


# ---------------------------------------------------------------------------------------------
# Reads for the settings page


WEEKDAYS = "一二三四五六日"


def year_days(year: int) -> list[dict]:
    """The special days of ``year``: built-in holidays and 调休 days merged with the overrides,
    each with where it comes from. One query."""
    rows = {
        d: {"day": d, "is_workday": w, "name": n, "builtin": w, "override": None}
        for d, w, n in builtin_special_days(year)
    }
    for o in CalendarDay.objects.filter(day__year=year).order_by("day"):
        row = rows.setdefault(o.day, {"day": o.day, "name": "", "builtin": None})
        row.update(is_workday=o.is_workday, override=o, name=o.name or row["name"])
    out = sorted(rows.values(), key=lambda r: r["day"])
    for r in out:
        r["weekday"] = "周" + WEEKDAYS[r["day"].weekday()]
        r["weekend"] = r["day"].weekday() >= 5
    return out


def calendar_summary(year: int) -> dict:
    """What the page says about coverage: the built-in years and whether ``year`` is known."""
    builtin = builtin_years()
    known = work_calendar().known_years
    return {
        "builtin_first": min(builtin),
        "builtin_last": max(builtin),
        "override_years": sorted(known - builtin),
        "is_builtin": year in builtin,
        "is_known": year in known,
    }
