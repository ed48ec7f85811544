"""Roll-ups of the responsibility lists: the 述职 roll-up (`lists_for_report`: the unit's
主体责任 and 第一责任人 lists with each item's progress), the 工委's unit-by-unit figures
against hand-counted ones, one list's quarter cells and findings — each in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.responsibility import selectors_duties as sel
from tests.responsibility.resp_duties_support import (
    YEAR,
    add_item,
    at,
    confirmed_list,
    make_list,
    report,
)

D = dt.date


def test_report_rollup_shows_the_units_main_and_first_lists(tree, django_assert_max_num_queries):
    main, (m1, m2) = confirmed_list(tree.party_group_a)
    first, (f1, _f2) = confirmed_list(tree.party_group_a, kind="first", holder_name="张三丰")
    make_list(tree.party_group_a, kind="dual", holder_name="李四")  # not in the roll-up
    confirmed_list(tree.party_group_a, year=YEAR - 1)  # another year
    report(m1, quarter=4, progress=100)
    report(m2, quarter=2, progress=50)
    report(f1, quarter=3, progress=30)
    with django_assert_max_num_queries(3):
        rollup = sel.lists_for_report(tree.party_group_a, YEAR, today=D(2025, 2, 1))
    assert rollup and rollup.org == tree.party_group_a
    assert [e.duty_list.pk for e in rollup.lists] == [main.pk, first.pk]
    entry = rollup.lists[0]
    assert [i.progress for i in entry.items] == [100, 50]
    assert (entry.done, entry.avg, entry.overdue) == (1, 75, 1)
    assert rollup.lists[1].avg == 15


def test_rollup_for_the_organ_committee_but_not_a_branch(tree):
    confirmed_list(tree.party_group_a)
    assert sel.lists_for_report(tree.organ_a, YEAR)  # directly under the 党组
    assert not sel.lists_for_report(tree.branch_a, YEAR)  # a branch further down
    assert not sel.lists_for_report(tree.root, YEAR)  # outside any unit
    assert not sel.lists_for_report(tree.party_group_b, YEAR)  # no lists there


def test_rollup_template_renders_the_items(tree):
    from django.template.loader import render_to_string

    confirmed_list(tree.party_group_a)
    html = render_to_string(
        "responsibility/duties/_report_rollup.html",
        {"rollup": sel.lists_for_report(tree.party_group_a, YEAR)},
    )
    assert 'data-testid="duty-rollup"' in html and "第1项责任" in html and "R-ORG-12" in html
    empty = render_to_string(
        "responsibility/duties/_report_rollup.html",
        {"rollup": sel.lists_for_report(tree.branch_a, YEAR)},
    )
    assert "duty-rollup" not in empty


def test_overview_rows_match_hand_counts(tree, django_assert_max_num_queries):
    today = D(YEAR, 8, 1)  # Q2 is the last ended quarter
    _main, (a1, a2) = confirmed_list(tree.party_group_a, items=2)
    _dual, (d1,) = confirmed_list(tree.party_group_a, kind="dual", holder_name="李四", items=1)
    draft = make_list(tree.party_group_a, kind="dual", holder_name="王五")
    add_item(draft)  # a draft: counted as an item, not expected to report
    report(a1, quarter=2, progress=100, today=today)
    report(a2, quarter=1, progress=20, today=today)
    report(d1, quarter=2, progress=40, today=today)
    orgs = [tree.party_group_a, tree.party_group_b]
    with django_assert_max_num_queries(3):
        rows = sel.overview_rows(orgs, YEAR, today)
    jia, yi = rows
    assert jia.main is not None and jia.first is None
    assert (jia.lists, jia.duals, jia.duals_confirmed) == (3, 2, 1)
    assert (jia.items, jia.done) == (4, 1)
    # deadlines are 30 June: a2 (20%) and d1 (40%) are overdue on 1 August
    assert jia.overdue == 2
    assert (jia.expected, jia.reported, jia.share) == (3, 2, 67)
    assert (yi.lists, yi.items, yi.share) == (0, 0, None)


def test_overview_totals_are_scoped(tree, personas):
    confirmed_list(tree.party_group_a)
    confirmed_list(tree.party_group_b, items=3)
    everything = sel.overview_totals(personas.committee_admin, YEAR, D(2025, 3, 1))
    assert (everything["lists"], everything["items"], everything["quarter"]) == (2, 5, 4)
    mine = sel.overview_totals(personas.unit_admin, YEAR, D(2025, 3, 1))
    assert (mine["lists"], mine["items"], mine["overdue"]) == (1, 2, 2)
    assert [o.pk for o in sel.overview_units(personas.unit_admin)] == [tree.party_group_a.pk]


def test_the_first_quarter_of_a_running_year_expects_nothing(tree):
    confirmed_list(tree.party_group_a, year=2025)
    (row, _b) = sel.overview_rows([tree.party_group_a, tree.party_group_b], 2025, D(2025, 3, 31))
    assert row.expected == 0 and row.share is None


def test_list_detail_quarter_cells(tree, django_assert_max_num_queries):
    duty_list, (item, _other) = confirmed_list(tree.party_group_a, year=2025)
    report(item, quarter=1, progress=30, today=D(2025, 4, 2))
    with django_assert_max_num_queries(3):
        detail = sel.list_detail(duty_list, D(2025, 7, 10))
    first, second = detail.rows
    assert [c.state for c in first.quarters] == ["reported", "due", "open", "future"]
    assert [c.state for c in second.quarters] == ["missing", "due", "open", "future"]
    assert first.quarters[0].report.progress == 30
    assert detail.summary == {
        "items": 2,
        "done": 0,
        "avg": 15,
        "overdue": 2,
        "errors": 3,  # second's Q1 report, and both items past 30 June
        "warnings": 2,  # both items' Q2 reports, due by 15 July
    }


def test_a_draft_has_no_findings(tree):
    duty_list = make_list(tree.party_group_a)
    add_item(duty_list, deadline=D(YEAR, 1, 31))
    detail = sel.list_detail(duty_list, D(2025, 6, 1))
    assert detail.findings == [] and not detail.rows[0].overdue
    assert [c.state for c in detail.rows[0].quarters] == ["open"] * 4


def test_unit_top_orgs(tree):
    assert sel.is_unit_top(tree.party_group_a) and sel.is_unit_top(tree.party_group_b)
    assert not sel.is_unit_top(tree.organ_a) and not sel.is_unit_top(tree.root)
    assert sel.unit_top_of(tree.branch_a) == tree.party_group_a
    assert sel.unit_top_of(tree.root) is None


def test_search_by_item_content_keeps_the_full_counts(tree, personas):
    confirmed_list(tree.party_group_a, items=3)
    make_list(tree.party_group_a, kind="dual", holder_name="李四")
    (found,) = sel.duty_lists(personas.unit_admin, year=YEAR, q="第2项")
    assert (found.item_count, found.kind) == (3, "main")
    assert [dl.holder_name for dl in sel.duty_lists(personas.unit_admin, q="李四")] == ["李四"]
    assert not sel.duty_lists(personas.secretary_a, year=YEAR).exists()


# ---------------------------------------------------------------------------------------------
# Fixes: the roll-up's bodies, the quarters an item owes, items (not findings) per list,
# totals that are the sums of the rows


def test_rollup_not_for_a_branch_directly_under_a_small_units_party_group(tree):
    # 乙局 is small: its 党支部 sits straight under the 党组; its secretary is not the
    # 第一责任人 and the 党组's lists are not his to report on
    confirmed_list(tree.party_group_b)
    confirmed_list(tree.party_group_b, kind="first", holder_name="乙局书记")
    assert tree.branch_c.parent_id == tree.party_group_b.pk
    assert not sel.lists_for_report(tree.branch_c, YEAR)
    assert len(sel.lists_for_report(tree.party_group_b, YEAR).lists) == 2


def test_rollup_for_the_organ_committee_only_among_the_bodies_under_the_top(tree):
    from dangjian.orgs.services import org_create

    confirmed_list(tree.party_group_a)
    assert sel.lists_for_report(tree.organ_a, YEAR)
    # a 党支部 put straight under 甲局's 党组 next to its 机关党委
    branch = org_create(actor=None, parent=tree.party_group_a, name="直属党支部", kind="branch")
    assert not sel.lists_for_report(branch, YEAR)


def _states(detail, index=0):
    return [c.state for c in detail.rows[index].quarters]


@pytest.mark.parametrize(
    ("added", "hour", "states"),
    [
        # added on the last day of Q3 owes Q3; the day after does not (local dates)
        (D(YEAR, 9, 30), 23, ["exempt", "exempt", "missing", "missing"]),
        (D(YEAR, 10, 1), 0, ["exempt", "exempt", "exempt", "missing"]),
        (D(YEAR, 11, 10), 10, ["exempt", "exempt", "exempt", "missing"]),
        (D(YEAR, 1, 5), 10, ["missing"] * 4),  # before the list was confirmed (20 January)
    ],
)
def test_an_item_owes_the_quarters_ending_after_it_was_added(tree, added, hour, states):
    duty_list, _items = confirmed_list(tree.party_group_a, items=1)
    item = add_item(duty_list, content="增补事项", now=at(added, hour))
    detail = sel.list_detail(duty_list, D(YEAR + 1, 2, 1))
    row = detail.rows[1]
    assert row.item.pk == item.pk and _states(detail, 1) == states
    assert [f.data["quarter"] for f in row.findings] == [
        c.quarter for c in row.quarters if c.state == "missing"
    ]
    owed = sum(1 for s in states if s == "missing")
    assert sel.flags_for([duty_list], D(YEAR + 1, 2, 1))[duty_list.pk].errors == 2
    assert detail.summary["errors"] == 5 + owed  # the first item: 4 reports and its deadline


def test_a_list_confirmed_late_in_the_year_owes_from_its_confirmation(tree):
    duty_list, _items = confirmed_list(tree.party_group_a, items=1, confirmed_on=D(YEAR, 9, 2))
    detail = sel.list_detail(duty_list, D(YEAR + 1, 2, 1))
    assert _states(detail) == ["exempt", "exempt", "missing", "missing"]
    assert [f.data.get("quarter") for f in detail.findings] == [3, 4, None]  # None: deadline


def test_the_list_page_counts_items_not_findings(tree):
    duty_list, _items = confirmed_list(tree.party_group_a, items=2)
    # 10 July: Q1 overdue (error), Q2 due by 15 July (warning), past the 30 June deadline
    # (error) — for each of the two items: 4 errors and 2 warnings, 2 items each
    detail = sel.list_detail(duty_list, D(YEAR, 7, 10))
    assert (detail.summary["errors"], detail.summary["warnings"]) == (4, 2)
    flags = sel.flags_for([duty_list], D(YEAR, 7, 10))[duty_list.pk]
    assert (flags.errors, flags.warnings) == (2, 2)
    # later: every quarter missing and past the deadline: 10 findings, still 2 items
    flags = sel.flags_for([duty_list], D(YEAR + 1, 3, 1))[duty_list.pk]
    assert (flags.errors, flags.warnings) == (2, 0)


def test_overview_expects_only_items_in_force_by_the_quarters_end(tree, personas):
    today = D(YEAR, 8, 1)  # Q2 is the last ended quarter
    duty_list, (a, _b) = confirmed_list(tree.party_group_a, items=2)
    report(a, quarter=2, progress=50, today=today)
    on_last_day = add_item(duty_list, content="六月底增补", now=at(D(YEAR, 6, 30), 18))
    late = add_item(duty_list, content="七月增补", now=at(D(YEAR, 7, 1), 9))
    report(late, quarter=2, progress=10, today=today)  # reported anyway: not owed, not counted
    late_list, _x = confirmed_list(
        tree.party_group_a, kind="dual", holder_name="李四", items=1, confirmed_on=D(YEAR, 7, 5)
    )
    (row, _b) = sel.overview_rows([tree.party_group_a, tree.party_group_b], YEAR, today)
    assert row.items == 5
    assert (row.expected, row.reported, row.share) == (3, 1, 33)  # a, b and on_last_day
    totals = sel.overview_totals(personas.committee_admin, YEAR, today)
    assert (totals["expected"], totals["reported"], totals["share"]) == (3, 1, 33)
    assert on_last_day.pk and late_list.confirmed_at.month == 7


def test_overview_totals_are_the_sums_of_the_rows_without_dissolved_units(tree, personas):
    from dangjian.orgs.models import Unit
    from dangjian.orgs.services import org_create, org_dissolve

    today = D(YEAR + 1, 2, 1)
    _a, (a1, _a2) = confirmed_list(tree.party_group_a)
    report(a1, quarter=4, progress=100)
    confirmed_list(tree.party_group_b, items=3)
    make_list(tree.party_group_b, kind="dual", holder_name="乙局副局长")
    unit = Unit.objects.create(name="丙局", short_name="丙局", sort=3)
    gone = org_create(actor=None, parent=tree.root, name="丙局党组", kind="party_group", unit=unit)
    _c, (c1, *_rest) = confirmed_list(gone, items=4)
    report(c1, quarter=4, progress=100)
    org_dissolve(actor=None, org=gone, on=D(2025, 6, 1), reason="机构改革撤并")

    user = personas.committee_admin
    units = list(sel.overview_units(user))
    assert gone.pk not in {o.pk for o in units}
    rows = sel.overview_rows(units, YEAR, today)
    totals = sel.overview_totals(user, YEAR, today)
    assert totals["lists"] == sum(r.lists for r in rows) == 3
    assert totals["confirmed"] == sum((r.main is not None) + r.duals_confirmed for r in rows)
    assert totals["items"] == sum(r.items for r in rows) == 5
    assert totals["overdue"] == sum(r.overdue for r in rows)
    assert totals["expected"] == sum(r.expected for r in rows) == 5
    assert totals["reported"] == sum(r.reported for r in rows) == 1
