"""The working-day calendar of the deployment (core.workcalendar, R-GEN-04): overrides written
by the two services (audited, refused to those without the rights, nothing written on bad
input), the cached calendar following every write, and the /settings/calendar/ page: its
permission table, the year's days, the unknown-year warning, and errors at the field."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import PERSONA_NAMES

from dangjian.core import workcalendar as wc
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry, CalendarDay

day = dt.date
URL = "/settings/calendar/"
DELETE_URL = "/settings/calendar/delete/"
MANAGERS = {"committee_admin", "system_admin"}  # org.manage on the root; settings.manage


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


def _audits(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# ---------------------------------------------------------------------------------------------
# Services


def test_set_creates_and_audits(personas):
    row = wc.calendar_day_set(
        actor=personas.committee_admin, day=day(2030, 10, 1), is_workday=False, name=" 国庆节 "
    )
    assert (row.day, row.is_workday, row.name) == (day(2030, 10, 1), False, "国庆节")
    assert row.created_by == personas.committee_admin
    [entry] = _audits("core.calendar.set")
    assert entry.actor == personas.committee_admin
    assert entry.changes == {"day": "2030-10-01", "is_workday": False, "name": "国庆节"}


def test_set_again_updates_with_the_changed_fields(personas):
    wc.calendar_day_set(actor=personas.system_admin, day=day(2030, 9, 29), is_workday=False)
    row = wc.calendar_day_set(
        actor=personas.system_admin, day=day(2030, 9, 29), is_workday=True, name="国庆节调休"
    )
    assert CalendarDay.objects.count() == 1
    assert row.is_workday and row.name == "国庆节调休"
    last = _audits("core.calendar.set")[-1]
    assert last.changes == {
        "is_workday": [False, True],
        "name": ["", "国庆节调休"],
        "day": "2030-09-29",
    }
    # the same values again change nothing and write no entry
    wc.calendar_day_set(
        actor=personas.system_admin, day=day(2030, 9, 29), is_workday=True, name="国庆节调休"
    )
    assert len(_audits("core.calendar.set")) == 2


def test_delete_audits_and_removes(personas):
    wc.calendar_day_set(actor=None, day=day(2030, 10, 1), is_workday=False, name="国庆节")
    wc.calendar_day_delete(actor=personas.committee_admin, day=day(2030, 10, 1))
    assert not CalendarDay.objects.exists()
    [entry] = _audits("core.calendar.deleted")
    assert entry.changes["day"] == "2030-10-01" and entry.changes["is_workday"] is False


def test_delete_of_a_day_without_override(personas):
    with pytest.raises(AppError) as exc:
        wc.calendar_day_delete(actor=personas.committee_admin, day=day(2030, 10, 1))
    assert exc.value.field == "day"
    assert not _audits("core.calendar.deleted")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"day": "2030-10-01", "is_workday": False}, "day"),
        ({"day": None, "is_workday": False}, "day"),
        ({"day": dt.datetime(2030, 10, 1, 8, 0), "is_workday": False}, "day"),
        ({"day": day(1999, 12, 31), "is_workday": False}, "day"),
        ({"day": day(2101, 1, 1), "is_workday": False}, "day"),
        ({"day": day(2030, 10, 1), "is_workday": "yes"}, "is_workday"),
        ({"day": day(2030, 10, 1), "is_workday": False, "name": "长" * 51}, "name"),
    ],
)
def test_bad_input_writes_nothing(personas, kwargs, field):
    with pytest.raises(AppError) as exc:
        wc.calendar_day_set(actor=personas.committee_admin, **kwargs)
    assert exc.value.field == field
    assert exc.value.message
    assert not CalendarDay.objects.exists()
    assert not _audits("core.calendar.set")


@pytest.mark.parametrize("persona", sorted(set(PERSONA_NAMES) - MANAGERS))
def test_services_refuse_without_rights(personas, persona):
    actor = personas.by_name(persona)
    with pytest.raises(AppError):
        wc.calendar_day_set(actor=actor, day=day(2030, 10, 1), is_workday=False)
    wc.calendar_day_set(actor=None, day=day(2030, 10, 2), is_workday=False)
    with pytest.raises(AppError):
        wc.calendar_day_delete(actor=actor, day=day(2030, 10, 2))
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [day(2030, 10, 2)]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_may_manage_calendar(personas, persona):
    assert wc.may_manage_calendar(personas.by_name(persona)) is (persona in MANAGERS)


# ---------------------------------------------------------------------------------------------
# The cached calendar follows the writes


def test_work_calendar_follows_writes(db):
    first = wc.work_calendar()
    assert first.is_workday(day(2030, 10, 1)) and not first.is_known(day(2030, 10, 1))
    assert wc.work_calendar() is first  # cached
    wc.calendar_day_set(actor=None, day=day(2030, 10, 1), is_workday=False, name="国庆节")
    second = wc.work_calendar()
    assert not second.is_workday(day(2030, 10, 1))
    assert second.is_known(day(2030, 6, 1))
    wc.calendar_day_delete(actor=None, day=day(2030, 10, 1))
    assert wc.work_calendar().is_workday(day(2030, 10, 1))


def test_work_calendar_rebuilds_after_the_cache_is_cleared(db, django_assert_num_queries):
    from django.core.cache import cache

    wc.work_calendar()
    CalendarDay.objects.create(day=day(2030, 10, 1), is_workday=False)  # behind the services
    cache.clear()
    with django_assert_num_queries(1):
        assert not wc.work_calendar().is_workday(day(2030, 10, 1))
    with django_assert_num_queries(0):
        wc.work_calendar()


def test_work_calendar_builtin_days(db):
    c = wc.work_calendar()
    assert not c.is_workday(day(2026, 10, 1)) and c.is_workday(day(2026, 10, 10))
    assert c.add_workdays(day(2026, 9, 30), 5) == day(2026, 10, 13)


# ---------------------------------------------------------------------------------------------
# The page


PAGES = [
    ("get", URL, {}),
    ("get", URL + "?year=2030", {}),
    ("post", URL, {"day": "2030-10-01", "kind": "0", "name": "国庆节"}),
    ("post", DELETE_URL, {"day": "2031-01-01"}),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("method", "url", "data"), PAGES, ids=[f"{m} {u}" for m, u, _ in PAGES])
def test_permission_table(client, personas, persona, method, url, data):
    wc.calendar_day_set(actor=None, day=day(2031, 1, 1), is_workday=False, name="元旦")
    response = getattr(_as(client, personas, persona), method)(url, data)
    if persona not in MANAGERS:
        assert response.status_code == 404
        assert list(CalendarDay.objects.values_list("day", flat=True)) == [day(2031, 1, 1)]
        return
    assert response.status_code == (200 if method == "get" else 302)


@pytest.mark.parametrize("url", [URL, DELETE_URL])
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url) if url == URL else client.post(url, {"day": "2031-01-01"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_page_lists_builtin_days_of_the_year(client, personas, django_assert_max_num_queries):
    c = _as(client, personas, "committee_admin")
    wc.calendar_day_set(actor=None, day=day(2026, 10, 8), is_workday=False, name="本地调整")
    # session, user, grants, the year's overrides, the calendar (first build), notifications,
    # the session's touch (3): the same for any number of days
    with django_assert_max_num_queries(10):
        response = c.get(URL + "?year=2026")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-day="2026-10-10"' in html and "国庆节" in html
    assert 'data-day="2026-10-08"' in html and "覆盖内置" not in html  # 10-08 not built-in
    assert "手工录入" in html and "本地调整" in html
    assert 'data-testid="calendar-unknown"' not in html
    assert "2004—2026" in html
    days = {r["day"]: r for r in wc.year_days(2026)}
    assert days[day(2026, 10, 10)]["is_workday"] and days[day(2026, 10, 10)]["override"] is None
    assert days[day(2026, 10, 8)]["builtin"] is None and not days[day(2026, 10, 8)]["is_workday"]


def test_override_of_a_builtin_day_is_marked(client, personas):
    wc.calendar_day_set(actor=None, day=day(2026, 10, 10), is_workday=False, name="取消调休")
    html = _as(client, personas, "system_admin").get(URL + "?year=2026").content.decode()
    assert "覆盖内置：工作日" in html and "取消调休" in html
    row = next(r for r in wc.year_days(2026) if r["day"] == day(2026, 10, 10))
    assert row["builtin"] is True and row["is_workday"] is False


def test_unknown_year_warns(client, personas):
    c = _as(client, personas, "committee_admin")
    html = c.get(URL + "?year=2030").content.decode()
    assert 'data-testid="calendar-unknown"' in html
    assert "国务院办公厅" in html and "只按周六、周日休息" in html
    assert "没有节假日或调休记录" in html
    wc.calendar_day_set(actor=None, day=day(2030, 10, 1), is_workday=False, name="国庆节")
    html = c.get(URL + "?year=2030").content.decode()
    assert 'data-testid="calendar-unknown"' in html  # still not built in: enter the whole notice
    assert "只按周六、周日休息" not in html and 'data-day="2030-10-01"' in html


@pytest.mark.parametrize("year", ["abc", "1800", "99999999999999999999", ""])
def test_garbage_year_shows_this_year(client, personas, year):
    response = _as(client, personas, "committee_admin").get(URL + "?year=" + year)
    assert response.status_code == 200


def test_add_through_the_form(client, personas):
    c = _as(client, personas, "committee_admin")
    response = c.post(URL, {"day": "2030-09-29", "kind": "1", "name": "国庆节调休上班"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2030")
    row = CalendarDay.objects.get()
    assert row.is_workday and row.name == "国庆节调休上班"
    assert wc.work_calendar().is_workday(day(2030, 9, 29))
    html = c.get(response["Location"]).content.decode()
    assert "已保存 2030-09-29 的调整" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "2030-13-45", "kind": "0"}, "day", "请按“年-月-日”填写有效的日期"),
        ({"day": "明年国庆", "kind": "0"}, "day", "请按“年-月-日”填写有效的日期"),
        ({"day": "", "kind": "0"}, "day", "请填写日期"),
        ({"day": "1999-10-01", "kind": "0"}, "day", "日期须在2000年至2100年之间"),
        ({"day": "2030-10-01", "kind": "maybe"}, "kind", "请选择工作日或休息日"),
        ({"day": "2030-10-01", "kind": "0", "name": "长" * 51}, "name", "说明不能超过50个字"),
    ],
)
def test_bad_input_on_the_page(client, personas, data, field, message):
    response = _as(client, personas, "committee_admin").post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'data-testid="error-{field}"')
    assert message in html[start : start + 200]
    assert not CalendarDay.objects.exists()
    assert not _audits("core.calendar.set")


def test_delete_through_the_page(client, personas):
    wc.calendar_day_set(actor=None, day=day(2030, 10, 1), is_workday=False)
    c = _as(client, personas, "system_admin")
    response = c.post(DELETE_URL, {"day": "2030-10-01"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2030")
    assert not CalendarDay.objects.exists()
    assert len(_audits("core.calendar.deleted")) == 1


@pytest.mark.parametrize("value", ["2030-02-30", "x", ""])
def test_delete_with_a_malformed_date(client, personas, value):
    wc.calendar_day_set(actor=None, day=day(2030, 10, 1), is_workday=False)
    c = _as(client, personas, "committee_admin")
    response = c.post(DELETE_URL, {"day": value}, HTTP_REFERER="http://testserver" + URL)
    assert response.status_code == 302
    assert CalendarDay.objects.count() == 1
    html = c.get(URL).content.decode()
    assert "日期" in html and "alert" in html


def test_delete_is_post_only(client, personas):
    assert _as(client, personas, "committee_admin").get(DELETE_URL).status_code == 405
