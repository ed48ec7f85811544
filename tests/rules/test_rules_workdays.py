"""dangjian.rules.workdays (R-GEN-04): 工作日 exclude weekends and statutory holidays and include
make-up working days. The 2026 National Day week, a 调休 Saturday, an unknown year, overrides,
add_workdays across a holiday, month-end and the leap day."""

import datetime as dt
import subprocess
import sys

import pytest

from dangjian.rules.workdays import (
    WorkCalendar,
    builtin_name,
    builtin_special_days,
    builtin_years,
    statutory_calendar,
)

day = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return statutory_calendar()


def test_rules_import_without_django():
    code = "import dangjian.rules.workdays, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_builtin_years():
    years = builtin_years()
    assert min(years) == 2004
    assert {2024, 2025, 2026} <= years


# ---------------------------------------------------------------------------------------------
# 2026 National Day: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked


@pytest.mark.parametrize("d", range(1, 8))
def test_national_day_week_2026_is_off(cal, d):
    assert not cal.is_workday(day(2026, 10, d))


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (day(2026, 9, 30), True),  # Wednesday before
        (day(2026, 10, 8), True),  # Thursday after
        (day(2026, 10, 9), True),
        (day(2026, 10, 10), True),  # 调休 Saturday
        (day(2026, 10, 11), False),  # ordinary Sunday
        (day(2026, 9, 20), True),  # 调休 Sunday
        (day(2026, 9, 19), False),  # ordinary Saturday
        (day(2026, 9, 25), False),  # 中秋 (Friday)
    ],
)
def test_around_national_day_2026(cal, d, expected):
    assert cal.is_workday(d) is expected


def test_make_up_saturday_counts(cal):
    assert day(2026, 10, 10).weekday() == 5
    assert cal.is_workday(day(2026, 10, 10))
    assert cal.workday_on_or_after(day(2026, 10, 10)) == day(2026, 10, 10)


def test_add_workdays_across_national_day(cal):
    start = day(2026, 9, 30)
    assert cal.add_workdays(start, 0) == start
    assert cal.add_workdays(start, 1) == day(2026, 10, 8)
    assert cal.add_workdays(start, 3) == day(2026, 10, 10)  # the 调休 Saturday
    assert cal.add_workdays(start, 5) == day(2026, 10, 13)  # the ≥5-working-day 公示
    assert cal.add_workdays(day(2026, 10, 8), -1) == day(2026, 9, 30)


def test_workdays_between(cal):
    assert cal.workdays_between(day(2026, 10, 1), day(2026, 10, 11)) == 3
    assert cal.workdays_between(day(2026, 10, 8), day(2026, 10, 8)) == 1
    assert cal.workdays_between(day(2026, 10, 11), day(2026, 10, 1)) == 0
    assert cal.workdays_between(day(2026, 9, 30), day(2026, 10, 13)) == 6


def test_workday_on_or_after(cal):
    assert cal.workday_on_or_after(day(2026, 10, 1)) == day(2026, 10, 8)
    assert cal.workday_on_or_after(day(2026, 10, 8)) == day(2026, 10, 8)
    assert cal.workday_on_or_after(day(2026, 10, 11)) == day(2026, 10, 12)


# ---------------------------------------------------------------------------------------------
# Month-end and the leap day


def test_month_end_across_spring_festival_2025(cal):
    # 2025 春节: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked
    assert cal.is_workday(day(2025, 1, 26))
    assert cal.add_workdays(day(2025, 1, 27), 1) == day(2025, 2, 5)
    assert cal.add_workdays(day(2025, 1, 31), 1) == day(2025, 2, 5)
    assert cal.add_workdays(day(2025, 2, 5), 3) == day(2025, 2, 8)


def test_leap_day_2024(cal):
    assert cal.is_workday(day(2024, 2, 29))
    assert cal.add_workdays(day(2024, 2, 28), 1) == day(2024, 2, 29)
    assert cal.add_workdays(day(2024, 2, 29), 1) == day(2024, 3, 1)
    assert cal.add_workdays(day(2024, 2, 29), 2) == day(2024, 3, 4)
    assert cal.workdays_between(day(2024, 2, 1), day(2024, 2, 29)) == 18  # 春节 02-10..02-17


def test_year_end(cal):
    # 2025-12-31 Wednesday; 2026 元旦 01-01..01-03 off; Sunday 01-04 worked
    assert cal.add_workdays(day(2025, 12, 31), 1) == day(2026, 1, 4)
    assert cal.add_workdays(day(2025, 12, 31), 2) == day(2026, 1, 5)


# ---------------------------------------------------------------------------------------------
# Unknown years and overrides


def test_unknown_year_falls_back_to_weekends(cal):
    d = day(2030, 10, 1)  # Tuesday
    assert not cal.is_known(d)
    assert cal.is_known(day(2026, 10, 1))
    assert cal.is_workday(d)
    assert not cal.is_workday(day(2030, 10, 5))  # Saturday
    assert cal.add_workdays(day(2030, 9, 30), 5) == day(2030, 10, 7)


def test_overrides_for_an_unknown_year():
    overrides = {day(2030, 10, d): False for d in range(1, 8)} | {day(2030, 9, 29): True}
    c = statutory_calendar(overrides)
    assert c.is_known(day(2030, 1, 1))
    assert 2029 not in c.known_years and 2026 in c.known_years
    assert not c.is_workday(day(2030, 10, 1))
    assert c.is_workday(day(2030, 9, 29))  # a Sunday entered as 调休
    assert c.add_workdays(day(2030, 9, 30), 1) == day(2030, 10, 8)


def test_overrides_replace_the_builtin_days():
    c = statutory_calendar({day(2026, 10, 8): False, day(2026, 10, 7): True})
    assert not c.is_workday(day(2026, 10, 8))
    assert c.is_workday(day(2026, 10, 7))
    assert c.add_workdays(day(2026, 9, 30), 1) == day(2026, 10, 7)
    c2 = statutory_calendar({day(2026, 10, 10): False})  # cancel the 调休 Saturday
    assert not c2.is_workday(day(2026, 10, 10))
    assert statutory_calendar({}) == statutory_calendar(None)


def test_calendar_without_working_days_fails_loudly():
    c = WorkCalendar(
        holidays=frozenset(day(2031, 1, 1) + dt.timedelta(days=i) for i in range(800)),
        workdays=frozenset(),
        known_years=frozenset({2031}),
    )
    with pytest.raises(ValueError):
        c.add_workdays(day(2030, 12, 31), 1)
    with pytest.raises(ValueError):
        c.workday_on_or_after(day(2031, 1, 1))


# ---------------------------------------------------------------------------------------------
# The built-in days of a year, for the settings page


def test_builtin_special_days_2026():
    days = builtin_special_days(2026)
    assert (day(2026, 10, 10), True, "国庆节") in days
    assert (day(2026, 10, 1), False, "国庆节") in days
    assert (day(2026, 2, 17), False, "春节") in days
    assert days == sorted(days)
    assert all(d.year == 2026 for d, _, _ in days)
    assert builtin_special_days(2030) == []
    assert builtin_name(day(2026, 3, 3)) == ""
