"""The month list and the arrears at the top of the city: paginated in SQL. A page loads the
page's members and their charges and bases only (every query that reads member or charge rows
is bounded by a LIMIT or by the page's ids); totals and counts are aggregates; the page and
the API answer in a fixed number of queries whatever the size of the subtree."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.dues import selectors
from tests.conftest import _member
from tests.dues.conftest import generate, set_base

MAR = dt.date(2024, 3, 1)
CHARS = "甲乙丙丁戊己庚辛壬癸"
PAGE = 50


@pytest.fixture
def crowd(tree, dues_bases):
    """60 more members of branch A (70 in the tree) with a base, March charged for all but
    the last five; everyone owes January to February too (for the arrears)."""
    extra = [_member(tree.branch_a, f"众{CHARS[i // 10]}{CHARS[i % 10]}") for i in range(60)]
    for m in extra:
        set_base(m)
    for month in (dt.date(2024, 1, 1), dt.date(2024, 2, 1)):
        generate(tree.root, month)
    from dangjian.members.models import Member

    late = extra[-5:]
    Member.all_objects.filter(pk__in=[m.pk for m in late]).update(standing="suspended")
    generate(tree.root, MAR)
    Member.all_objects.filter(pk__in=[m.pk for m in late]).update(standing="normal")
    return extra


def _row_reads(queries) -> list[str]:
    """The queries that read member or charge rows (not aggregates)."""
    out = []
    for q in queries:
        sql = q["sql"]
        if re.match(r'SELECT "(members_member|dues_duescharge)"\."id"', sql):
            out.append(sql)
    return out


def _bounded(sql: str) -> bool:
    return "LIMIT" in sql or re.search(r'"member_id" IN \(|"id" IN \(', sql) is not None


def test_month_list_of_the_city_loads_one_page(tree, personas, crowd):
    user = personas.committee_admin
    selectors.month_list(user, tree.root, MAR)  # grants cached
    with CaptureQueriesContext(connection) as ctx:
        ml = selectors.month_list(user, tree.root, MAR)
        rows = ml.rows[:PAGE]
        total = len(ml.rows)
    assert total == 70 and len(rows) == PAGE
    assert len(ctx.captured_queries) <= 8
    reads = _row_reads(ctx.captured_queries)
    assert reads and all(_bounded(sql) for sql in reads), reads
    # the totals are the whole city's, not the page's
    assert ml.counts == {"due": 65, "no_charge": 5}
    assert ml.total_due == D("40.00") * 65 and ml.without_charge_count == 5
    assert [r.member.name_pinyin for r in rows] == sorted(r.member.name_pinyin for r in rows)
    second = ml.rows[PAGE : 2 * PAGE]
    assert len(second) == 20
    assert not {r.member.pk for r in rows} & {r.member.pk for r in second}


def test_month_list_page_query_count_does_not_grow(
    client, tree, personas, crowd, django_assert_max_num_queries
):
    client.force_login(personas.committee_admin)
    client.get(f"/dues/?org={tree.root.pk}&month=2024-03")
    with django_assert_max_num_queries(18):
        response = client.get(f"/dues/?org={tree.root.pk}&month=2024-03&page=2")
    html = response.content.decode()
    assert html.count('data-testid="month-row"') == 20
    assert "2600.00 元" in html  # the city's 65 charges, whatever the page


def test_arrears_of_the_city_load_one_page(tree, personas, crowd):
    user = personas.committee_admin
    today = dt.date(2024, 4, 10)
    selectors.arrears(user, tree.root, today)
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.arrears(user, tree.root, today)
        page = rows[:PAGE]
        total = len(rows)
    assert total == 70 and len(page) == PAGE
    assert len(ctx.captured_queries) <= 5
    reads = _row_reads(ctx.captured_queries)
    assert all(_bounded(sql) for sql in reads), reads
    # worst first: three months unpaid before the five not charged for March (no run: a
    # month without a charge is not an unpaid month, rules.dues.consecutive_unpaid)
    assert [r.consecutive for r in page[:3]] == [3, 3, 3]
    tail = rows[65:70]
    assert {r.consecutive for r in tail} == {0} and {r.months_owed for r in tail} == {2}
    assert selectors.arrears_ageing(user, tree.root, today) == {"1-2": 5, "3-5": 65, "6+": 0}


def test_api_charges_and_arrears_are_paginated_in_sql(client, tree, personas, crowd):
    client.force_login(personas.committee_admin)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(f"/api/dues/charges?org={tree.root.pk}&month=2024-03-01&limit=7").json()
    assert body["count"] == 70 and len(body["items"]) == 7
    assert all(_bounded(sql) for sql in _row_reads(ctx.captured_queries))
    body = client.get(f"/api/dues/arrears?org={tree.root.pk}&limit=5&offset=65").json()
    assert len(body["items"]) == 5
    assert {r["consecutive"] for r in body["items"]} == {0}
