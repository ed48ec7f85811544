# ruff: noqa: F811  (the fixtures are imported from test_vet_act_fixtures)
"""The activity pages through the test client: the hub per persona (separated roles and other
units get 404), the lists with search and query counts that do not grow with the rows, team
and studio pages, the forms (a refusal lands at the field, nothing is written), the exports."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from test_vet_act_fixtures import act_today, act_world, login, make_retiree  # noqa: F401
from tests.conftest import PERSONA_NAMES

from dangjian.core.models import AuditEntry
from dangjian.veterans import services_activities as sa
from dangjian.veterans.models import (
    CareSession,
    MediationCase,
    Studio,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)

pytestmark = pytest.mark.django_db

MANAGERS = {"committee_admin", "unit_admin"}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, act_world, personas, persona):
    login(client, personas.by_name(persona))
    ok = 200 if persona in MANAGERS else 404
    w = act_world
    urls = [
        reverse("veterans:teams"),
        reverse("veterans:team", args=[w.team.pk]),
        reverse("veterans:team_create"),
        reverse("veterans:studios"),
        reverse("veterans:studio", args=[w.studio.pk]),
        reverse("veterans:care"),
        reverse("veterans:exemplars"),
        reverse("veterans:exemplar", args=[w.exemplar.pk]),
        reverse("veterans:case_edit", args=[w.case.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == ok, url
    home = client.get(reverse("veterans:home")).status_code
    if persona in MANAGERS:
        assert home == 200
    elif persona in ("secretary_a", "member_a", "secretary_b"):
        assert home == 302  # a member with an account goes to his own pairings
    else:
        assert home == 404
    # 乙局's team: the 工委 only
    other = 200 if persona == "committee_admin" else 404
    assert client.get(reverse("veterans:team", args=[w.team_b.pk])).status_code == other


def test_other_units_admin_cannot_post(client, act_world, personas):
    login(client, personas.unit_admin)
    url = reverse("veterans:team_member_add", args=[act_world.team_b.pk])
    response = client.post(url, {"retiree": act_world.rb.pk, "joined_on": "2024-01-01"})
    assert response.status_code == 404
    assert TeamMembership.objects.filter(team=act_world.team_b).count() == 1


def test_hub_of_the_unit_shows_figures_and_charts(client, act_world, personas):
    login(client, personas.unit_admin)
    response = client.get(reverse("veterans:home"))
    page = response.content.decode()
    t = response.context["t"]
    assert t.teams == 1 and t.studios == 1 and t.homes == 1 and t.requests_in_time == 1
    assert 'data-testid="unit-table"' not in page  # one unit: no table
    assert 'data-veterans-chart="chart-months"' in page
    raw = re.search(r'<script id="chart-resources"[^>]*>(.*?)</script>', page).group(1)
    assert json.loads(raw)["values"] == [1, 3, 2]
    months = response.context["chart_months"]
    assert len(months["months"]) == 12 and months["series"][0]["data"][-1] == 1
    assert "<script>" not in page


def test_hub_of_the_committee_has_the_unit_table(client, act_world, personas):
    login(client, personas.committee_admin)
    response = client.get(reverse("veterans:home"))
    page = response.content.decode()
    assert page.count('data-testid="unit-row"') == 2
    assert response.context["t"].teams == 2
    one = client.get(reverse("veterans:home"), {"unit": act_world.team_b.org_id})
    assert one.context["t"].teams == 1
    junk = client.get(reverse("veterans:home"), {"unit": "abc", "year": "1800"})
    assert junk.status_code == 200 and junk.context["t"].teams == 2


def test_team_list_search_and_query_count(
    client, act_world, personas, tree, django_assert_max_num_queries
):
    login(client, personas.committee_admin)
    for i in range(15):
        team = sa.team_create(
            actor=None, org=tree.party_group_a, name=f"第{i}服务队", founded_on=act_world.today
        )
        sa.team_member_add(actor=None, team=team, retiree=act_world.r3, joined_on=act_world.today)
        sa.volunteer_activity_record(
            actor=None,
            team=team,
            title="活动",
            held_on=act_world.today,
            hours=1,
            participants=[act_world.r3],
        )
    with django_assert_max_num_queries(16):
        response = client.get(reverse("veterans:teams"))
    assert response.context["page"].paginator.count == 17
    found = client.get(reverse("veterans:teams"), {"q": "茅箭"})
    assert [t.name for t in found.context["page"].object_list] == ["茅箭区银龄志愿服务队"]
    row = next(t for t in found.context["page"].object_list)
    assert row.member_count == 2 and row.figures["hours"] == 5


def test_team_detail_query_count(client, act_world, personas, django_assert_max_num_queries):
    login(client, personas.unit_admin)
    for i in range(10):
        sa.volunteer_activity_record(
            actor=None,
            team=act_world.team,
            title=f"活动{i}",
            held_on=act_world.today,
            hours=1,
            participants=[act_world.r1, act_world.r2],
        )
    with django_assert_max_num_queries(20):
        response = client.get(reverse("veterans:team", args=[act_world.team.pk]))
    page = response.content.decode()
    assert "李军、程培长" in page and "社区政策宣讲" in page


def test_other_lists_query_counts(client, act_world, personas, django_assert_max_num_queries):
    login(client, personas.committee_admin)
    for name in ("studios", "care", "exemplars"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"veterans:{name}")).status_code == 200
    response = client.get(reverse("veterans:studios"), {"kind": "home"})
    assert [s.name for s in response.context["page"].object_list] == ["北街社区老党员之家"]


def test_create_team_through_the_form(client, act_world, personas, tree):
    login(client, personas.unit_admin)
    response = client.post(
        reverse("veterans:team_create"),
        {
            "org": tree.party_group_a.pk,
            "name": "张湾区银龄志愿服务队",
            "focus": "义务理发",
            "founded_on": act_world.today.isoformat(),
            "leader": act_world.r3.pk,
        },
    )
    team = VolunteerTeam.objects.unscoped().get(name="张湾区银龄志愿服务队")
    assert response.status_code == 302 and response.url == reverse("veterans:team", args=[team.pk])
    assert AuditEntry.objects.filter(action="veterans.team.created", object_id=str(team.pk))


def test_activity_form_refuses_bad_hours_at_the_field(client, act_world, personas):
    login(client, personas.unit_admin)
    before = VolunteerActivity.objects.unscoped().count()
    url = reverse("veterans:team_activity_add", args=[act_world.team.pk])
    data = {
        "title": "理发",
        "held_on": act_world.today.isoformat(),
        "hours": "25",
        "participants": [act_world.r1.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "不能超过24小时" in response.content.decode()
    assert 'data-testid="error-hours"' in response.content.decode()
    # a participant who was never in the team
    response = client.post(url, {**data, "hours": "2", "participants": [act_world.r3.pk]})
    assert (
        response.status_code == 400
        and 'data-testid="error-participants"' in response.content.decode()
    )
    assert VolunteerActivity.objects.unscoped().count() == before
    ok = client.post(
        url, {**data, "hours": "2", "participants": [act_world.r1.pk, act_world.r2.pk]}
    )
    assert ok.status_code == 302
    assert VolunteerActivity.objects.unscoped().count() == before + 1


def test_member_twice_through_the_form(client, act_world, personas):
    login(client, personas.unit_admin)
    url = reverse("veterans:team_member_add", args=[act_world.team.pk])
    response = client.post(url, {"retiree": act_world.r2.pk, "joined_on": act_world.today})
    assert response.status_code == 400 and "已是本队队员" in response.content.decode()
    ok = client.post(url, {"retiree": act_world.r3.pk, "joined_on": act_world.today})
    assert ok.status_code == 302


def test_leave_and_disband(client, act_world, personas):
    login(client, personas.unit_admin)
    m = TeamMembership.objects.get(team=act_world.team, retiree=act_world.r2)
    day = act_world.today.isoformat()
    assert (
        client.post(reverse("veterans:team_member_leave", args=[m.pk]), {"on": day}).status_code
        == 302
    )
    assert (
        client.post(
            reverse("veterans:team_disband", args=[act_world.team.pk]), {"on": day}
        ).status_code
        == 302
    )
    assert (
        VolunteerTeam.objects.unscoped().get(pk=act_world.team.pk).disbanded_on == act_world.today
    )


def test_studio_care_exemplar_forms(client, act_world, personas, tree):
    login(client, personas.unit_admin)
    day = act_world.today.isoformat()
    r = client.post(
        reverse("veterans:studio_create"),
        {
            "org": tree.party_group_a.pk,
            "kind": "studio",
            "name": "“剪报爷爷”程培长工作室",
            "opened_on": day,
            "leader": act_world.r2.pk,
        },
    )
    assert r.status_code == 302 and Studio.objects.unscoped().filter(leader=act_world.r2).exists()
    r = client.post(
        reverse("veterans:studio_activity_add", args=[act_world.studio.pk]),
        {"title": "读书会", "held_on": day, "resource": "red", "attendance": "-3"},
    )
    assert r.status_code == 400 and "参加人次不能小于0" in r.content.decode()
    r = client.post(
        reverse("veterans:care_create"),
        {
            "org": tree.party_group_a.pk,
            "kind": "smart",
            "title": "防诈骗",
            "held_on": day,
            "served": "8",
        },
    )
    assert r.status_code == 302 and CareSession.objects.unscoped().filter(title="防诈骗").exists()
    r = client.post(
        reverse("veterans:case_add", args=[act_world.exemplar.pk]),
        {"handled_on": day, "matter": "相邻权纠纷", "parties": "3", "outcome": "resolved"},
    )
    assert r.status_code == 302
    case = MediationCase.objects.unscoped().get(matter="相邻权纠纷")
    r = client.post(
        reverse("veterans:case_edit", args=[case.pk]),
        {"handled_on": day, "matter": "相邻权纠纷", "parties": "3", "outcome": "bogus"},
    )
    assert r.status_code == 400 and "请选择有效的结果" in r.content.decode()
    r = client.post(
        reverse("veterans:exemplar_create"),
        {"retiree": act_world.r1.pk, "title": "普法爷爷", "named_on": day, "story": "普法宣讲。"},
    )
    assert r.status_code == 302


@pytest.mark.parametrize(
    "kind", ["teams", "activities", "studios", "care", "exemplars", "overview"]
)
def test_exports(client, act_world, personas, kind):
    login(client, personas.committee_admin)
    response = client.post(reverse("veterans:activities_export", args=[kind]), {"q": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action__endswith=".exported").exists()


def test_export_refused_to_non_managers(client, act_world, personas):
    login(client, personas.member_a)
    assert client.post(reverse("veterans:activities_export", args=["teams"])).status_code == 404
    login(client, personas.committee_admin)
    assert client.post(reverse("veterans:activities_export", args=["nope"])).status_code == 404


def test_edit_pages_and_junk_input(client, act_world, personas, tree):
    login(client, personas.unit_admin)
    w = act_world
    for url in (
        reverse("veterans:team_edit", args=[w.team.pk]),
        reverse("veterans:studio_edit", args=[w.studio.pk]),
        reverse("veterans:exemplar_edit", args=[w.exemplar.pk]),
        reverse("veterans:studio_create") + "?kind=home",
        reverse("veterans:care_create") + "?kind=smart",
        reverse("veterans:exemplar_create"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("veterans:team_edit", args=[w.team_b.pk])).status_code == 404
    junk = {"page": "abc", "q": "x" * 500, "status": "<b>", "kind": "zzz", "year": "-1"}
    for name in ("teams", "studios", "care", "exemplars", "home"):
        assert client.get(reverse(f"veterans:{name}"), junk).status_code == 200
    assert client.get(reverse("veterans:teams"), {"q": "a\x00b"}).status_code == 400
    # another unit's org is not among the choices: refused at the field, nothing written
    before = VolunteerTeam.objects.unscoped().count()
    response = client.post(
        reverse("veterans:team_create"),
        {"org": tree.party_group_b.pk, "name": "越权服务队", "founded_on": w.today.isoformat()},
    )
    assert response.status_code == 400 and 'data-testid="error-org"' in response.content.decode()
    response = client.post(
        reverse("veterans:team_create"),
        {"org": tree.party_group_a.pk, "name": "", "founded_on": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请填写队名" in page and "请填写成立日期" in page
    assert VolunteerTeam.objects.unscoped().count() == before


def test_team_edit_changes_the_leader(client, act_world, personas):
    login(client, personas.unit_admin)
    url = reverse("veterans:team_edit", args=[act_world.team.pk])
    response = client.post(
        url,
        {
            "name": "茅箭区银龄志愿服务队",
            "focus": "政策宣讲",
            "founded_on": act_world.team.founded_on.isoformat(),
            "leader": act_world.r3.pk,
        },
    )
    assert response.status_code == 302
    team = VolunteerTeam.objects.unscoped().get(pk=act_world.team.pk)
    assert team.leader_id == act_world.r3.pk
    assert TeamMembership.objects.filter(team=team, retiree=act_world.r3, left_on=None).exists()


def test_hub_query_count_does_not_grow(
    client, act_world, personas, tree, django_assert_max_num_queries
):
    login(client, personas.committee_admin)
    client.get(reverse("veterans:home"))  # warm the session
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("veterans:home"))
    for i in range(8):
        team = sa.team_create(
            actor=None, org=tree.party_group_b, name=f"乙{i}队", founded_on=act_world.today
        )
        sa.team_member_add(actor=None, team=team, retiree=act_world.rb, joined_on=act_world.today)
        sa.volunteer_activity_record(
            actor=None,
            team=team,
            title="活动",
            held_on=act_world.today,
            hours=1,
            participants=[act_world.rb],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("veterans:home"))
    assert response.context["t"].teams == 10


def test_hub_year_filter(client, act_world, personas):
    login(client, personas.unit_admin)
    last = act_world.today.year - 1
    response = client.get(reverse("veterans:home"), {"year": last})
    t = response.context["t"]
    assert response.context["params"]["year"] == last
    # this year's activities and requests are not in last year's figures; teams are
    assert t.teams == 1 and t.care_health == 0 and t.cases == 0
    assert response.context["o"].contact_year == last and t.contacts == 0


def test_all_activities_list(client, act_world, personas, django_assert_max_num_queries):
    login(client, personas.committee_admin)
    for i in range(12):
        sa.volunteer_activity_record(
            actor=None,
            team=act_world.team,
            title=f"宣讲{i}",
            held_on=act_world.today,
            hours=1,
            resource="red",
            participants=[act_world.r1, act_world.r2],
        )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("veterans:activities"))
    assert response.context["page"].paginator.count == 14
    assert "李军、程培长" in response.content.decode()
    red = client.get(reverse("veterans:activities"), {"resource": "red", "q": "宣讲1"})
    assert {a.title for a in red.context["page"].object_list} == {"宣讲1", "宣讲10", "宣讲11"}
    login(client, personas.secretary_a)
    assert client.get(reverse("veterans:activities")).status_code == 404


def test_export_contents(client, act_world, personas):
    import io

    from openpyxl import load_workbook

    login(client, personas.committee_admin)

    def sheet(kind, **params):
        response = client.post(reverse("veterans:activities_export", args=[kind]), params)
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r and r[0] in ("单位", "序号"))
        return rows[header], rows[header + 1 :]

    head, rows = sheet("overview")
    assert head[:3] == ("单位", "服务队（支）", "队员（人）")
    by_unit = {r[0]: r for r in rows if r[0]}
    assert by_unit["甲局党组"][1] == 1 and by_unit["合计"][1] == 2
    assert by_unit["合计"][head.index("服务时长（小时）")] == 8
    head, rows = sheet("activities", q="社区")
    data = [r for r in rows if r[0]]
    assert len(data) == 1 and data[0][head.index("参与队员")] == "李军、程培长"
    head, rows = sheet("exemplars")
    assert [r[head.index("纠纷事项")] for r in rows if r[0]] == ["宅基地边界纠纷", "赡养纠纷"]
