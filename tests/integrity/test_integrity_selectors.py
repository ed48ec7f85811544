"""清廉机关 reads: the overview per unit (members, signed, rate; risk points by level;
sessions and person-times) in a bounded number of grouped queries, the plain figures other
code uses without a user, the register's filters and its scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.integrity.conftest import make_risk, make_session, sign

from dangjian.core.access import grants_of
from dangjian.integrity import selectors as sel
from dangjian.integrity import services
from dangjian.members.models import Member
from dangjian.orgs import services as org_services


@pytest.fixture
def records(tree, year, today):
    """甲局: 8 members, 3 signed (2 in branch A, 1 in branch B); 乙局: 2 members, 1 signed.
    Risk points: branch A high+medium, 甲局党组 itself low, branch C high, one retired, one of
    last year. Sessions: branch A 2 (10 + 6 people), branch C 1 (4 people), one last year."""
    sign(tree.members_a[0], year)
    sign(tree.members_a[1], year)
    sign(tree.members_b[0], year)
    sign(tree.members_c[0], year)
    sign(tree.members_a[2], year - 1)  # last year's does not count this year
    make_risk(tree.branch_a, year, post="财务岗", level="high")
    make_risk(tree.branch_a, year, post="采购岗", level="medium")
    make_risk(tree.party_group_a, year, post="人事岗", level="low")
    make_risk(tree.branch_c, year, post="审批岗", level="high")
    make_risk(tree.branch_c, year - 1, post="旧岗", level="high")
    retired = make_risk(tree.branch_b, year, post="已撤岗", level="high")
    services.risk_point_retire(actor=None, risk_point=retired)
    day = min(dt.date(year, 2, 1), today)
    make_session(tree.branch_a, day, attendees=10)
    make_session(tree.branch_a, day, attendees=6, title="旁听庭审", form="trial")
    make_session(tree.branch_c, day, attendees=4)
    make_session(tree.branch_a, dt.date(year - 1, 6, 1), attendees=30)


def test_overview_of_the_root_per_unit(tree, personas, year, records):
    overview = sel.coverage(personas.committee_admin, year, tree.root)
    rows = {r.name: r for r in overview.rows}
    assert list(rows) == ["甲局党组", "乙局党组"]
    a, b = rows["甲局党组"], rows["乙局党组"]
    assert (a.members, a.signed, a.rate) == (8, 3, Decimal("37.5"))
    assert (b.members, b.signed, b.rate) == (2, 1, Decimal("50.0"))
    assert (a.high, a.medium, a.low) == (1, 1, 1)
    assert (b.high, b.medium, b.low) == (1, 0, 0)
    assert (a.sessions, a.person_times, b.sessions, b.person_times) == (2, 16, 1, 4)
    t = overview.total
    assert (t.members, t.signed, t.rate, t.risks, t.sessions, t.person_times) == (
        10,
        4,
        Decimal("40.0"),
        4,
        3,
        20,
    )
    assert a.rate_value == 38  # rounded half up for the bar


def test_overview_below_a_unit_shows_its_own_level(tree, personas, year, records):
    overview = sel.coverage(personas.unit_admin, year, tree.party_group_a)
    names = [r.name for r in overview.rows]
    # the 党组's own risk point sits on "本级"; the members are below the 机关党委
    assert names == ["本级", "甲局机关党委"]
    own, organ = overview.rows
    assert (own.low, own.members) == (1, 0) and own.rate is None
    assert (organ.members, organ.signed, organ.high, organ.medium) == (8, 3, 1, 1)
    branches = sel.coverage(personas.unit_admin, year, tree.organ_a)
    by = {r.name: r for r in branches.rows}
    assert (by["第一党支部"].members, by["第一党支部"].signed) == (5, 2)
    assert (by["第二党支部"].members, by["第二党支部"].signed) == (3, 1)
    assert by["甲局机关纪委"].members == 0


def test_overview_is_refused_outside_the_users_scope(tree, personas, year):
    with pytest.raises(Exception) as exc:
        sel.coverage(personas.secretary_b, year, tree.branch_a)
    assert exc.value.__class__.__name__ == "Http404"
    # the default org is the user's top-most one
    assert sel.coverage(personas.secretary_b, year).org == tree.branch_b


def test_overview_query_count_does_not_grow_with_the_tree(tree, personas, year, records):
    user = personas.committee_admin
    grants_of(user)
    with CaptureQueriesContext(connection) as small:
        sel.coverage(user, year, tree.root)
    # ten more units, each with a branch, members, risk points and sessions
    for i in range(10):
        pg = org_services.org_create(
            actor=None, parent=tree.root, name=f"丙{i}局党组", kind="party_group"
        )
        branch = org_services.org_create(actor=None, parent=pg, name=f"丙{i}支部", kind="branch")
        from tests.conftest import _member

        sign(_member(branch, "成员" + "甲乙丙丁戊己庚辛壬癸"[i]), year)
        make_risk(branch, year, post=f"岗{i}")
        make_session(branch, min(dt.date(year, 2, 1), dt.date.today()))
    with CaptureQueriesContext(connection) as big:
        overview = sel.coverage(user, year, tree.root)
    assert len(overview.rows) == 12
    assert len(small) == len(big) == 4


def test_roster_day_excludes_who_left_and_who_joined_later(tree, year, today):
    gone, late = tree.members_a[3], tree.members_a[4]
    Member.all_objects.filter(pk=gone.pk).update(left_on=dt.date(year - 1, 6, 30))
    Member.all_objects.filter(pk=late.pk).update(joined_on=dt.date(year, 1, 1))
    sign(tree.members_a[0], year - 1)
    # last year: the one who left mid-year is gone, the one who joined this year not yet in
    assert sel.commitment_coverage(tree.branch_a, year - 1, today) == (1, 3)
    assert sel.commitment_coverage(tree.branch_a, year, today) == (0, 4)


def test_plain_figures_for_other_code(tree, year, records, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert sel.commitment_coverage(tree.party_group_a, year) == (3, 8)
    with django_assert_num_queries(1):
        assert sel.risk_points_summary(tree.party_group_a, year) == {
            "high": 1,
            "medium": 1,
            "low": 1,
            "total": 3,
        }
    with django_assert_num_queries(1):
        assert sel.warning_sessions_count(tree.party_group_a, year) == 2
    assert sel.warning_sessions_count(tree.root, year) == 3
    assert sel.warning_sessions_count(tree.root, year - 1) == 1
    assert sel.warning_sessions_people(tree.root, year) == 20
    assert sel.commitment_coverage(tree.branch_c, year) == (1, 2)
    assert sel.risk_points_summary(tree.branch_b, year)["total"] == 0  # the retired one
    assert sel.commitment_coverage(tree.discipline_a, year) == (0, 0)


def test_register_filters_and_scope(tree, personas, year, records):
    def posts(user, **kw):
        return sorted(p.post for p in sel.risk_point_list(user, **kw))

    assert posts(personas.committee_admin, year=year) == ["人事岗", "审批岗", "财务岗", "采购岗"]
    assert posts(personas.committee_admin, status="") == [
        "人事岗",
        "审批岗",
        "已撤岗",
        "旧岗",
        "财务岗",
        "采购岗",
    ]
    assert posts(personas.committee_admin, status="retired") == ["已撤岗"]
    assert posts(personas.secretary_a) == ["财务岗", "采购岗"]
    assert posts(personas.secretary_b) == []
    assert posts(personas.unit_admin, level="high") == ["财务岗"]
    assert posts(personas.committee_admin, unit_id=tree.unit_b.pk, status="") == ["审批岗", "旧岗"]
    assert posts(personas.committee_admin, q="采购") == ["采购岗"]
    assert posts(personas.committee_admin, q="违规报销", org=tree.branch_c, year=year) == ["审批岗"]
    assert posts(personas.member_a) == []
    assert [u.name for u in sel.units_for(personas.unit_admin)] == ["甲局"]
    assert [u.name for u in sel.units_for(personas.committee_admin)] == ["甲局", "乙局"]


def test_branch_commitments_rows(tree, year, today):
    sign(tree.members_a[0], year)
    moved = tree.members_a[1]
    sign(moved, year)
    Member.all_objects.filter(pk=moved.pk).update(branch=tree.branch_b, org_path=tree.branch_b.path)
    rows = sel.branch_commitments(tree.branch_a, year, today)
    status = {r.member.name: (bool(r.commitment), r.on_roster) for r in rows}
    assert status == {
        "张三丰": (True, True),
        "王五": (False, True),
        "赵六": (False, True),
        "钱七": (False, True),
        "李四": (True, False),  # signed here, now in branch B
    }
    rows_b = sel.branch_commitments(tree.branch_b, year, today)
    assert {r.member.name: bool(r.commitment) for r in rows_b}["李四"] is True
