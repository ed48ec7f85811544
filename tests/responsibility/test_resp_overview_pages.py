"""The hub and the overview pages: who may open them (one table), what each persona sees
(the committee admin every unit, the unit admin of 甲局 only 甲局), the hub's cards and
counts, junk query strings, and query counts that do not grow with units, tasks or rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.orgs.models import Unit
from dangjian.orgs.services import org_create
from dangjian.rules.duties import last_ended_quarter
from tests.conftest import PERSONA_NAMES
from tests.responsibility.resp_overview_data import build, hub_unreported, point, populate_unit

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def data(tree, today):
    return build(tree, today)


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


ADMINS = {"committee_admin": 200, "unit_admin": 200}

PAGES = [
    ("hub", "/responsibility/"),
    ("overview", "/responsibility/overview/"),
    ("overview of a year", "/responsibility/overview/?year={year}"),
    ("overview of 甲局", "/responsibility/overview/?unit={A}"),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_table(client, tree, personas, data, persona, name, url):
    """Admins only; the secretaries, the member, the judge, the separated roles and the
    outsider get 404 (never 403)."""
    url = url.format(year=data.year, A=tree.party_group_a.pk)
    response = _as(client, personas, persona).get(url)
    assert response.status_code == ADMINS.get(persona, 404), (name, persona)


@pytest.mark.parametrize("persona", ["committee_admin", "unit_admin"])
def test_another_units_overview_is_404_for_the_unit_admin_only(client, tree, personas, persona):
    response = _as(client, personas, persona).get(
        f"/responsibility/overview/?unit={tree.party_group_b.pk}"
    )
    assert response.status_code == (200 if persona == "committee_admin" else 404)


def test_anonymous_is_sent_to_login(client, tree):
    for url in ("/responsibility/", "/responsibility/overview/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def _texts(html: str, testid: str) -> list[str]:
    pattern = rf'data-testid="{testid}"[^>]*>(.*?)</'
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(pattern, html, re.S)]


def test_committee_admin_sees_every_unit(client, personas, data):
    html = (
        _as(client, personas, "committee_admin")
        .get(f"/responsibility/overview/?year={data.year}")
        .content.decode()
    )
    assert _texts(html, "unit-name") == ["甲局", "乙局"]
    assert _texts(html, "point-completion") == ["100.0%", "0.0%"]
    assert _texts(html, "point-progress") == ["95.0%", "50.0%"]
    assert _texts(html, "unit-completion") == ["50.0%", "50.0%"]
    assert _texts(html, "total-overdue") == ["3"]
    assert _texts(html, "duty-main") == ["已确认", "未确认"]
    assert _texts(html, "duty-first") == ["未确认", "未建立"]
    assert _texts(html, "duty-share")[0].startswith("66.7%（2/3）")
    assert _texts(html, "co-households") == ["120"] and _texts(html, "co-pilots") == ["1"]
    assert _texts(html, "co-funds") == ["62.50"] and _texts(html, "co-overdue") == ["3"]
    # metrics by name: 硬化道路, 路灯 (exceeded: shown above 100 %)
    assert _texts(html, "metric-percent") == ["73.3%", "110.0%"]


def test_unit_admin_sees_his_unit_only(client, tree, personas, data):
    html = (
        _as(client, personas, "unit_admin")
        .get(f"/responsibility/overview/?year={data.year}")
        .content.decode()
    )
    assert _texts(html, "unit-name") == ["甲局"]
    assert "乙局" not in html
    assert _texts(html, "total-overdue") == ["2"]
    assert _texts(html, "co-households") == ["120"]
    # the overdue count links to the overdue view of the unit
    assert f'href="/responsibility/overdue/?unit={tree.party_group_a.pk}"' in html


def test_charts_are_fed_through_json_script(client, personas, data):
    response = _as(client, personas, "committee_admin").get(
        f"/responsibility/overview/?year={data.year}"
    )
    html = response.content.decode()
    assert '<script id="overview-data" type="application/json">' in html
    chart = response.context["charts"]
    assert chart["points"]["completion"] == [100.0, 0.0]
    assert chart["units"]["labels"] == ["甲局", "乙局"] and chart["units"]["overdue"] == [2, 1]
    assert chart["projects"]["series"][1] == {"name": "实施中", "data": [1, 1]}
    for kind in ("points", "units", "projects", "metrics"):
        assert f'data-overview-chart="{kind}"' in html
    assert "responsibility/overview.js" in html


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=",
        "year=1800",
        "year=99999999999999999999999",
        "year=2024.5",
        "year=" + "年" * 300,
        "year=2024&year=abc",
    ],
)
def test_junk_year_shows_the_current_year_with_a_chinese_notice(client, personas, today, query):
    response = _as(client, personas, "committee_admin").get(f"/responsibility/overview/?{query}")
    assert response.status_code == 200
    assert response.context["year"] == today.year
    raw = query.split("=", 1)[1].split("&")[0]
    if raw:
        assert "年度" in response.context["notice"]
        assert 'data-testid="year-notice"' in response.content.decode()


def test_nul_in_the_year_is_refused_with_a_chinese_message(client, personas):
    # refused by the project's middleware before the view (PostgreSQL cannot hold NUL)
    response = _as(client, personas, "committee_admin").get("/responsibility/overview/?year=%00")
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()


@pytest.mark.parametrize("unit", ["abc", "-1", "0", "999999", "1" * 40])
def test_junk_unit_is_404(client, personas, unit):
    response = _as(client, personas, "committee_admin").get(
        f"/responsibility/overview/?unit={unit}"
    )
    assert response.status_code == 404


def test_post_is_refused(client, personas):
    assert (
        _as(client, personas, "committee_admin").post("/responsibility/overview/").status_code
        == 405
    )


# --- the hub -------------------------------------------------------------------------------


def test_hub_cards_and_counts_for_the_committee(client, personas, data):
    response = _as(client, personas, "committee_admin").get("/responsibility/")
    html = response.content.decode()
    keys = [c["key"] for c in response.context["cards"]]
    assert keys == ["duties", "points", "tasks", "overdue", "overview", "cocreation"]
    for href in (
        "/responsibility/duties/",
        "/responsibility/points/",
        "/responsibility/tasks/",
        "/responsibility/overdue/",
        "/responsibility/overview/",
        "/cocreation/",
    ):
        assert f'href="{href}"' in html
    assert _texts(html, "count-tasks") == ["5"]
    assert _texts(html, "count-overdue") == ["4"]
    today = timezone.localdate()
    assert _texts(html, "count-duties") == [str(hub_unreported(today)[0])]
    year, quarter = last_ended_quarter(today)
    assert f"{year}年第{quarter}季度未报告进展的事项" in html


def test_hub_of_the_unit_admin_has_no_work_points_card(client, personas, data):
    response = _as(client, personas, "unit_admin").get("/responsibility/")
    cards = {c["key"]: c for c in response.context["cards"]}
    assert "points" not in cards and cards["tasks"]["label"] == "我单位任务"
    html = response.content.decode()
    assert _texts(html, "count-tasks") == ["4"] and _texts(html, "count-overdue") == ["3"]
    assert _texts(html, "count-duties") == [str(hub_unreported(timezone.localdate())[1])]


# --- query counts ----------------------------------------------------------------------------


def _more_units(tree, year: int, count: int) -> None:
    shared = point(tree.root, year, 50, "共同要点")
    populate_unit(tree.party_group_a, year, 0, shared)
    populate_unit(tree.party_group_b, year, 1, shared)
    for n in range(2, count):
        unit = Unit.objects.create(name=f"单位{n}", short_name=f"单位{n}", sort=10 + n)
        org = org_create(
            actor=None, parent=tree.root, name=f"单位{n}党组", kind="party_group", unit=unit
        )
        org_create(actor=None, parent=org, name=f"单位{n}党支部", kind="branch")
        populate_unit(org, year, n, shared)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


#: session, user, grants, units, points, points without tasks, units' tasks, average progress,
#: lists, items, co-creation (7), the bell, the session's save (3): 21, whatever the size
MAX_QUERIES = 21


@pytest.mark.parametrize("units", [2, 20])
def test_overview_queries_do_not_grow_with_units(
    client, tree, personas, today, units, django_assert_max_num_queries
):
    year = today.year - 1
    _more_units(tree, year, units)
    c = _as(client, personas, "committee_admin")
    url = f"/responsibility/overview/?year={year}"
    with django_assert_max_num_queries(MAX_QUERIES):
        response = c.get(url)
    assert response.status_code == 200
    assert len(response.context["ov"].units) == units


def test_overview_and_hub_cost_the_same_for_2_and_20_units(client, tree, personas, today):
    year = today.year - 1
    c = _as(client, personas, "committee_admin")
    _more_units(tree, year, 2)
    small = [_count(c, f"/responsibility/overview/?year={year}"), _count(c, "/responsibility/")]
    _more_units_from(tree, year, 2, 20)
    big = [_count(c, f"/responsibility/overview/?year={year}"), _count(c, "/responsibility/")]
    assert small == big
    assert big[0] <= MAX_QUERIES and big[1] <= 10


def _more_units_from(tree, year, start, stop):
    shared = point(tree.root, year, 60, "第二个共同要点")
    for n in range(start, stop):
        unit = Unit.objects.create(name=f"新单位{n}", short_name=f"新单位{n}", sort=10 + n)
        org = org_create(
            actor=None, parent=tree.root, name=f"新单位{n}党组", kind="party_group", unit=unit
        )
        populate_unit(org, year, 100 + n, shared)
