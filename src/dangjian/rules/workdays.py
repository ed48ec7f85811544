"""Working days (工作日) for deadlines such as the ≥ 5 working-day 公示 (R-GEN-04): weekends and
statutory holidays are rest days, make-up working days (调休) are working days. Pure: no Django.
The State Council calendar comes from the ``chinesecalendar`` package (the years it knows);
the deployment's own overrides go on top (core/workcalendar.py loads them from the database).
Explained in docs/rules/workdays.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)
# Walking further than this without meeting a working day means the calendar is broken
# (an override marking a whole year as rest days): fail rather than loop for ever.
MAX_SEARCH_DAYS = 366 * 2


@dataclass(frozen=True)
class WorkCalendar:
    """Rest days and make-up working days that differ from "Monday to Friday".

    ``holidays``: days off that would otherwise be working days or weekends (the whole statutory
    holiday, weekends inside it included); ``workdays``: 调休 days worked although they fall on a
    weekend; ``known_years``: the years whose official calendar is in the sets."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    known_years: frozenset[int]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def is_known(self, day: dt.date) -> bool:
        """Whether ``day``'s year has an official calendar here; otherwise only weekends count
        as rest days and a deadline may be off by the year's holidays."""
        return day.year in self.known_years

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The day of the n-th working day after ``start`` (``start`` itself not counted; a
        negative n counts backwards; n = 0 returns ``start``)."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        day = start
        idle = 0
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > MAX_SEARCH_DAYS:
                    raise ValueError("no working day within two years: check the overrides")
        return day

    def workdays_between(self, first: dt.date, last: dt.date) -> int:
        """The number of working days from ``first`` to ``last``, both included (0 if reversed)."""
        count = 0
        day = first
        while day <= last:
            if self.is_workday(day):
                count += 1
            day += ONE_DAY
        return count

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_workday(day):
                return day
            day += ONE_DAY
        raise ValueError("no working day within two years: check the overrides")


def builtin_years() -> frozenset[int]:
    """The years the installed chinesecalendar knows (2004–2026 for version 1.11)."""
    return _builtin()[2]


@cache
def _builtin() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = frozenset(d.year for d in holidays)
    return holidays, workdays, years


def builtin_name(day: dt.date) -> str:
    """The Chinese name of the holiday a built-in special day belongs to ("" if none)."""
    english = chinese_calendar.holidays.get(day) or chinese_calendar.workdays.get(day)
    if not english:
        return ""
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return str(english)


def builtin_special_days(year: int) -> list[tuple[dt.date, bool, str]]:
    """The built-in calendar's special days of ``year``: (day, is_workday, holiday name)."""
    holidays, workdays, _ = _builtin()
    days = [(d, False) for d in holidays if d.year == year]
    days += [(d, True) for d in workdays if d.year == year]
    return sorted((d, w, builtin_name(d)) for d, w in days)


def statutory_calendar(overrides: Mapping[dt.date, bool] | None = None) -> WorkCalendar:
    """The built-in State Council calendar with ``overrides`` on top (True = a working day,
    False = a rest day). ``known_years`` also holds every year with at least one override:
    entering next year's notice by hand makes the year known."""
    holidays, workdays, years = _builtin()
    if not overrides:
        return WorkCalendar(holidays, workdays, years)
    on = {d for d, w in overrides.items() if w}
    off = {d for d, w in overrides.items() if not w}
    return WorkCalendar(
        holidays=frozenset((holidays - on) | off),
        workdays=frozenset((workdays - off) | on),
        known_years=years | {d.year for d in overrides},
    )
