"""The overview's figures against hand-computed ones (tests/responsibility/resp_overview_data.py
describes the data set): work points, units, responsibility lists, co-creation, the hub's
counts, the year picker's parsing and the unit filter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.responsibility import selectors_overview as sel
from dangjian.rules import duties as duty_rules
from tests.responsibility.resp_overview_data import build, hub_unreported


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def data(tree, today):
    return build(tree, today)


def _overview(user, year, within=None, today=None):
    units = sel.unit_orgs(user)
    return sel.overview(user, year, units=units, within=within, today=today)


def _by_name(ov):
    return {u.name: u for u in ov.units}


# --- work points and tasks ----------------------------------------------------------------


def test_points_completion_on_time_overdue_and_average_progress(personas, data, today):
    ov = _overview(personas.committee_admin, data.year, today=today)
    assert [(p.seq, p.title) for p in ov.points] == [
        (1, "学习贯彻党的二十大精神"),
        (2, "深化共同缔造活动"),
    ]  # the unpublished P3 is not there
    p1, p2 = ov.points
    assert (p1.total, p1.closed, p1.on_time, p1.overdue) == (2, 2, 1, 0)
    # each task at its latest report, closed ones too: (100 + 90) / 2
    assert p1.avg_progress == Decimal("95.0")
    assert p1.completion == Decimal("100.0") and p1.on_time_rate == Decimal("50.0")
    assert (p2.total, p2.closed, p2.on_time, p2.overdue) == (2, 0, 0, 2)
    assert p2.avg_progress == Decimal("50.0") and p2.completion == Decimal("0.0")


def test_per_unit_completion_and_overdue(personas, data, today):
    ov = _overview(personas.committee_admin, data.year, today=today)
    assert [u.name for u in ov.units] == ["甲局", "乙局"]
    a, b = _by_name(ov)["甲局"], _by_name(ov)["乙局"]
    assert (a.point_tasks, a.point_closed, a.point_on_time) == (2, 1, 1)
    assert a.point_avg_progress == Decimal("70.0") and a.completion == Decimal("50.0")
    assert (a.own_tasks, a.own_closed) == (1, 0)
    assert a.overdue == 2  # P2's task and the unit's own task; P3's (unpublished) does not count
    # B's P1 task was closed at 00:30 local time the day after its due date: late
    assert (b.point_tasks, b.point_closed, b.point_on_time) == (2, 1, 0)
    assert b.point_avg_progress == Decimal("75.0")
    assert (b.own_tasks, b.own_closed, b.overdue) == (1, 1, 1)
    t = ov.totals
    assert (t.point_tasks, t.point_closed, t.point_on_time, t.overdue) == (4, 2, 1, 3)
    assert t.avg_progress == Decimal("72.5") and t.completion == Decimal("50.0")


def test_a_point_without_tasks_shows_for_the_publisher(tree, personas, data, today):
    from tests.responsibility.resp_overview_data import point

    point(tree.root, data.year, 4, "书记赛党建")
    ov = _overview(personas.committee_admin, data.year, today=today)
    last = ov.points[-1]
    assert (last.title, last.total, last.completion, last.avg_progress) == (
        "书记赛党建",
        0,
        None,
        None,
    )
    # the unit admin sees points through his unit's tasks only
    assert [p.seq for p in _overview(personas.unit_admin, data.year, today=today).points] == [1, 2]


def test_unit_admin_sees_his_unit_only(personas, data, today):
    ov = _overview(personas.unit_admin, data.year, today=today)
    assert [u.name for u in ov.units] == ["甲局"]
    p1, p2 = ov.points
    assert (p1.total, p1.closed, p1.on_time) == (1, 1, 1)
    assert (p2.total, p2.overdue, p2.avg_progress) == (1, 1, Decimal("40.0"))
    assert ov.totals.overdue == 2
    assert ov.cocreation.total.pairings == 2 and ov.cocreation.total.households == 120


def test_other_years_are_not_counted(personas, data, today):
    ov = _overview(personas.committee_admin, data.year - 1, today=today)
    assert [(p.title, p.total, p.overdue) for p in ov.points] == [("上年度要点", 1, 1)]
    a = _by_name(ov)["甲局"]
    assert a.main_list == "confirmed" and a.items == 1 and a.reported == 1
    assert ov.cocreation.total.visits == 1 and ov.cocreation.total.campaigns == 1


def test_a_task_on_an_org_below_the_unit_top_gets_its_own_row(tree, personas, data, today):
    from tests.responsibility.resp_overview_data import task

    task(tree.organ_a, data.year, dt.date(data.year, 4, 30), progress=5)
    ov = _overview(personas.committee_admin, data.year, today=today)
    assert [u.name for u in ov.units] == ["甲局", "乙局", "甲局机关党委"]
    assert (ov.units[2].own_tasks, ov.units[2].overdue) == (1, 1)
    assert ov.totals.overdue == 4 == sum(u.overdue for u in ov.units)
    # the stray row is shown and summed, but it is not a unit of the denominators
    assert ov.totals.units == 2
    assert [u.is_unit for u in ov.units] == [True, True, False]


def test_totals_count_units_and_sum_the_rows(tree, personas, data, today):
    from dangjian.orgs.models import Unit
    from dangjian.orgs.services import org_create, org_dissolve
    from tests.responsibility.resp_overview_data import duty_list, item, task

    # a dissolved unit's confirmed lists and a task filed on 甲局's 机关党委: rows of their own
    unit = Unit.objects.create(name="丙局", short_name="丙局", sort=3)
    gone = org_create(actor=None, parent=tree.root, name="丙局党组", kind="party_group", unit=unit)
    item(duty_list(gone, data.year, "main"), 1, quarters=(4,))
    org_dissolve(actor=None, org=gone, on=today, reason="机构改革撤并")
    task(tree.organ_a, data.year, dt.date(data.year, 4, 30), progress=5)
    ov = _overview(personas.committee_admin, data.year, today=today)
    assert [u.name for u in ov.units][:2] == ["甲局", "乙局"]
    assert {u.name for u in ov.units[2:]} == {"丙局党组", "甲局机关党委"}
    t = ov.totals
    assert t.units == 2 and t.main_confirmed == 1  # 甲局 of 甲局 and 乙局
    for name in ("point_tasks", "point_closed", "own_tasks", "overdue", "dual_lists"):
        assert getattr(t, name) == sum(getattr(u, name) for u in ov.units), name
    assert (t.items, t.expected, t.reported) == (4, 4, 3)  # 甲局 3 (2 reported), 丙局 1


def test_the_report_share_expects_only_items_in_force_by_the_quarters_end(tree, personas):
    from tests.responsibility.resp_overview_data import at, duty_list, item

    year, today = 2026, dt.date(2026, 8, 1)  # Q2 is the last ended quarter
    main = duty_list(tree.party_group_a, year, "main")  # confirmed on 20 January
    item(main, 1, quarters=(2,))
    item(main, 2)
    item(main, 3, added=dt.date(2026, 6, 30))  # on Q2's last day: owes Q2
    item(main, 4, quarters=(2,), added=dt.date(2026, 7, 1))  # after Q2: not owed, not counted
    late = duty_list(tree.party_group_a, year, "dual", holder="副局长")
    late.confirmed_at = at(dt.date(2026, 7, 3))  # confirmed after Q2
    late.save(update_fields=["confirmed_at"])
    item(late, 1)
    ov = _overview(personas.committee_admin, year, today=today)
    a = _by_name(ov)["甲局"]
    assert ov.quarter == 2
    assert (a.items, a.expected, a.reported) == (5, 3, 1)
    assert a.report_share == Decimal("33.3")
    assert (ov.totals.expected, ov.totals.reported) == (3, 1)


# --- responsibility lists -----------------------------------------------------------------


def test_lists_exist_confirmed_and_share_reported_for_the_last_ended_quarter(personas, data, today):
    ov = _overview(personas.committee_admin, data.year, today=today)
    assert ov.quarter == 4  # a past year: its fourth quarter has ended
    a, b = _by_name(ov)["甲局"], _by_name(ov)["乙局"]
    assert (a.main_list, a.first_list) == ("confirmed", "draft")
    assert (a.main_label, a.first_label) == ("已确认", "未确认")
    assert (a.dual_lists, a.dual_confirmed) == (2, 1)
    # items of confirmed lists: main 1 (Q4), main 2 (Q3 only), dual 1 (Q4); the first
    # secretary's unconfirmed list does not count
    assert (a.items, a.reported) == (3, 2)
    assert a.report_share == Decimal("66.7")
    assert (b.main_list, b.first_list, b.dual_lists, b.items) == ("draft", "none", 0, 0)
    assert b.main_label == "未确认"
    assert b.first_label == "未建立" and b.report_share is None
    assert (ov.totals.main_confirmed, ov.totals.items, ov.totals.reported) == (1, 3, 2)


@pytest.mark.parametrize(
    ("year_offset", "day", "expected"),
    [
        (-1, dt.date(2026, 2, 1), 4),
        (0, dt.date(2026, 3, 31), None),  # the first quarter has not ended yet
        (0, dt.date(2026, 4, 1), 1),
        (0, dt.date(2026, 9, 30), 2),
        (0, dt.date(2026, 10, 1), 3),
        (0, dt.date(2026, 12, 31), 3),
        (1, dt.date(2026, 12, 31), None),
    ],
)
def test_last_ended_quarter(year_offset, day, expected):
    assert sel.last_ended_quarter(day.year + year_offset, day) == expected


# --- co-creation --------------------------------------------------------------------------


def test_cocreation_per_unit_and_totals(personas, data, today):
    ov = _overview(personas.committee_admin, data.year, today=today)
    co = ov.cocreation
    a, b = _by_name(ov)["甲局"].cocreation, _by_name(ov)["乙局"].cocreation
    assert (a.pairings, a.pilots, b.pairings, b.pilots) == (2, 1, 1, 0)
    assert a.by_status == {"planned": 0, "ongoing": 1, "done": 1, "suspended": 0}
    assert b.status_counts == [0, 1, 0, 0]
    # households reached: the done 户户通 only (户户亮 is still ongoing, its 80 are a plan)
    assert (a.households, a.people, a.funds_raised) == (120, 400, Decimal("62.50"))
    assert (b.households, b.funds_raised) == (0, Decimal("0"))
    assert (a.visits, a.visit_households, b.visits, b.visit_households) == (2, 15, 1, 8)
    assert (a.problems_resolved, a.problems_explained) == (1, 1)
    assert (a.problems_unresolved, a.problems_overdue) == (3, 2)
    assert (b.problems_unresolved, b.problems_overdue) == (1, 1)
    assert (a.campaigns, a.campaign_cadres, a.campaign_residents) == (1, 20, 150)
    t = co.total
    assert (t.pairings, t.pilots, t.projects, t.households) == (3, 1, 3, 120)
    assert t.funds_raised == Decimal("62.50")
    assert (t.problems_resolved, t.problems_unresolved, t.problems_overdue) == (1, 4, 3)
    assert co.status_totals == [("谋划中", 0), ("实施中", 2), ("已完成", 1), ("暂停", 0)]


def test_metric_achievement_is_the_sum_of_done_milestones(personas, data, today):
    co = _overview(personas.committee_admin, data.year, today=today).cocreation
    metrics = {(m.name, m.unit): m for m in co.metrics}
    assert set(metrics) == {("硬化道路", "公里"), ("路灯", "盏")}
    road = metrics[("硬化道路", "公里")]
    # targets 10 + 5; done 4 + 5 (A) + 2 (B); B's 1 km done next year and A's open 1 km not
    assert (road.target, road.achieved, road.projects) == (Decimal("15"), Decimal("11"), 2)
    assert road.percent == Decimal("73.3") and road.label == "硬化道路（公里）"
    lamps = metrics[("路灯", "盏")]
    assert (lamps.target, lamps.achieved) == (Decimal("100"), Decimal("110"))
    assert lamps.percent == Decimal("110.0")  # exceeded: shown, not capped
    assert lamps.percent_value == 110


def test_cocreation_of_the_unit_admin_is_his_units(tree, personas, data, today):
    co = _overview(personas.unit_admin, data.year, today=today).cocreation
    road = {(m.name, m.unit): m for m in co.metrics}[("硬化道路", "公里")]
    assert (road.target, road.achieved) == (Decimal("10"), Decimal("9"))
    assert co.total.problems_overdue == 2 and set(co.rows) == {tree.party_group_a.pk}


# --- the unit filter, the year, the hub ---------------------------------------------------


def test_within_one_unit(tree, personas, data, today):
    units = sel.unit_orgs(personas.committee_admin)
    assert [u.pk for u in units] == [tree.party_group_a.pk, tree.party_group_b.pk]
    b = sel.access_unit(units, str(tree.party_group_b.pk))
    ov = sel.overview(personas.committee_admin, data.year, units=units, within=b, today=today)
    assert [u.name for u in ov.units] == ["乙局"]
    assert [(p.seq, p.total) for p in ov.points] == [(1, 1), (2, 1)]
    assert ov.totals.overdue == 1 and ov.cocreation.total.households == 0
    assert ov.scope_name == "乙局"


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "9" * 40, "0"])
def test_access_unit_refuses_junk(personas, tree, raw):
    units = sel.unit_orgs(personas.committee_admin)
    with pytest.raises(Http404):
        sel.access_unit(units, raw)


def test_access_unit_refuses_another_units(personas, tree):
    units = sel.unit_orgs(personas.unit_admin)
    assert [u.pk for u in units] == [tree.party_group_a.pk]
    with pytest.raises(Http404):
        sel.access_unit(units, tree.party_group_b.pk)
    assert sel.access_unit(units, "") is None and sel.access_unit(units, None) is None


@pytest.mark.parametrize(
    ("raw", "year", "has_notice"),
    [
        (None, 2026, False),
        ("", 2026, False),
        ("2024", 2024, False),
        (" 2027 ", 2027, False),
        ("2028", 2026, True),
        ("1999", 2026, True),
        ("abc", 2026, True),
        ("2024.0", 2026, True),
        ("2" * 5000, 2026, True),
        ("-2024", 2026, True),
    ],
)
def test_parse_year(raw, year, has_notice):
    got, notice = sel.parse_year(raw, dt.date(2026, 6, 1))
    assert got == year and bool(notice) is has_notice
    if has_notice:
        assert "年度" in notice


def test_hub_counts(personas, data, today):
    committee = sel.hub_counts(personas.committee_admin, today)
    # open: A's P2 task, B's P2 task, A's own task, A's task of last year's point, A's task of
    # this year (not overdue); the unpublished point's task is not counted
    assert (committee.open_tasks, committee.overdue_tasks) == (5, 4)
    assert (committee.year, committee.quarter) == duty_rules.last_ended_quarter(today)
    assert committee.unreported_items == hub_unreported(today)[0]
    unit = sel.hub_counts(personas.unit_admin, today)
    assert (unit.open_tasks, unit.overdue_tasks) == (4, 3)
    assert unit.unreported_items == hub_unreported(today)[1]
    assert sel.hub_counts(personas.secretary_a, today).open_tasks == 0


@pytest.mark.parametrize(
    ("today", "unreported"),
    [
        # 5 January 2026: the fourth quarter of 2025 is being collected, not 2026's first
        (dt.date(2026, 1, 5), 1),
        (dt.date(2026, 3, 31), 1),  # Q1 2026 still runs
        # 1 April: Q1 2026; the item added on 31 March owes it, the one added on 1 April not
        (dt.date(2026, 4, 1), 2),
        (dt.date(2026, 7, 1), 2),  # Q2 2026: one of the three was reported
    ],
)
def test_hub_counts_the_last_ended_quarter(tree, personas, today, unreported):
    from tests.responsibility.resp_overview_data import duty_list, item

    old = duty_list(tree.party_group_a, 2025, "main")
    item(old, 1, quarters=(3,))  # missing Q4 2025
    item(old, 2, quarters=(4,))
    new = duty_list(tree.party_group_a, 2026, "main")
    item(new, 1, quarters=(2,))  # missing Q1 2026
    item(new, 2, added=dt.date(2026, 3, 31))  # owes Q1 2026 (added on its last day)
    item(new, 3, added=dt.date(2026, 4, 1))  # owes Q2 onwards only
    counts = sel.hub_counts(personas.committee_admin, today)
    assert counts.unreported_items == unreported
    assert (counts.year, counts.quarter) == duty_rules.last_ended_quarter(today)
