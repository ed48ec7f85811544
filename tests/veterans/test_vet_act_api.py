# ruff: noqa: F811  (the fixtures are imported from test_vet_act_fixtures)
"""The activities API: lists, details and creates of teams, activities, studios, care sessions,
exemplars and cases, and the overview; 404 for everyone without veterans.manage on the row's
unit; 400 with the field for a refusal, 422 for malformed input."""

from __future__ import annotations

import pytest
from test_vet_act_fixtures import act_today, act_world  # noqa: F401
from tests.conftest import PERSONA_NAMES

from dangjian.accounts.services import api_token_create
from dangjian.veterans.models import VolunteerActivity

pytestmark = pytest.mark.django_db

MANAGERS = {"committee_admin", "unit_admin"}


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, act_world, bearer, persona):
    h = bearer(persona)
    ok = 200 if persona in MANAGERS else 404
    w = act_world
    for url in [
        "/api/veterans/teams",
        f"/api/veterans/teams/{w.team.pk}",
        "/api/veterans/activities",
        f"/api/veterans/activities/{w.activity.pk}",
        "/api/veterans/studios",
        f"/api/veterans/studios/{w.studio.pk}",
        "/api/veterans/care-sessions",
        f"/api/veterans/care-sessions/{w.care.pk}",
        "/api/veterans/exemplars",
        f"/api/veterans/exemplars/{w.exemplar.pk}",
        "/api/veterans/cases",
        f"/api/veterans/cases/{w.case.pk}",
        "/api/veterans/overview",
    ]:
        assert client.get(url, **h).status_code == ok, url
    other = 200 if persona == "committee_admin" else 404
    assert client.get(f"/api/veterans/teams/{w.team_b.pk}", **h).status_code == other


def test_anonymous_gets_401(client, act_world):
    assert client.get("/api/veterans/teams").status_code == 401


def test_lists_and_details(client, act_world, bearer):
    h = bearer("unit_admin")
    teams = client.get("/api/veterans/teams", **h).json()
    assert [t["name"] for t in teams["items"]] == ["茅箭区银龄志愿服务队"]
    assert teams["items"][0]["member_count"] == 2
    team = client.get(f"/api/veterans/teams/{act_world.team.pk}", **h).json()
    assert float(team["hours"]) == 5.0 and team["beneficiaries"] == 40
    assert {m["name"] for m in team["members"]} == {"李军", "程培长"}
    activity = client.get(f"/api/veterans/activities/{act_world.activity.pk}", **h).json()
    assert sorted(activity["participants"]) == ["李军", "程培长"]
    assert activity["participant_count"] == 2
    studio = client.get(f"/api/veterans/studios/{act_world.studio.pk}", **h).json()
    assert studio["leader_name"] == "李军" and len(studio["activities"]) == 1
    homes = client.get("/api/veterans/studios?kind=home", **h).json()
    assert [s["name"] for s in homes["items"]] == ["北街社区老党员之家"]
    exemplar = client.get(f"/api/veterans/exemplars/{act_world.exemplar.pk}", **h).json()
    assert exemplar["case_count"] == 2 and exemplar["resolved"] == 1
    cases = client.get("/api/veterans/cases?outcome=resolved", **h).json()
    assert [c["matter"] for c in cases["items"]] == ["宅基地边界纠纷"]


def test_overview(client, act_world, bearer, tree):
    body = client.get("/api/veterans/overview", **bearer("committee_admin")).json()
    assert body["total"]["teams"] == 2 and len(body["units"]) == 2
    one = client.get(
        f"/api/veterans/overview?unit={tree.party_group_b.pk}", **bearer("committee_admin")
    ).json()
    assert one["total"]["teams"] == 1
    assert (
        client.get(
            f"/api/veterans/overview?unit={tree.party_group_b.pk}", **bearer("unit_admin")
        ).status_code
        == 404
    )


def test_create_activity_and_refusals(client, act_world, bearer):
    h = bearer("unit_admin")
    url = f"/api/veterans/teams/{act_world.team.pk}/activities"
    body = {
        "title": "义诊",
        "held_on": act_world.today.isoformat(),
        "hours": "3",
        "participants": [act_world.r1.pk],
        "beneficiaries": 20,
    }
    before = VolunteerActivity.objects.unscoped().count()
    bad = client.post(url, {**body, "hours": "0"}, content_type="application/json", **h)
    assert bad.status_code == 400 and bad.json()["field"] == "hours"
    stranger = client.post(
        url, {**body, "participants": [act_world.r3.pk]}, content_type="application/json", **h
    )
    assert stranger.status_code == 400 and stranger.json()["field"] == "participants"
    junk = client.post(url, {**body, "held_on": "x"}, content_type="application/json", **h)
    assert junk.status_code == 422
    assert VolunteerActivity.objects.unscoped().count() == before
    ok = client.post(url, body, content_type="application/json", **h)
    assert ok.status_code == 201 and ok.json()["participants"] == ["李军"]
    other = f"/api/veterans/teams/{act_world.team_b.pk}/activities"
    assert client.post(other, body, content_type="application/json", **h).status_code == 404


def test_create_team_studio_care_exemplar_case(client, act_world, bearer, tree):
    h = bearer("unit_admin")
    day = act_world.today.isoformat()

    def post(url, body):
        return client.post(url, body, content_type="application/json", **h)

    r = post(
        "/api/veterans/teams",
        {
            "org": tree.party_group_a.pk,
            "name": "郧阳区服务队",
            "founded_on": day,
            "leader": act_world.r3.pk,
        },
    )
    assert r.status_code == 201 and r.json()["member_count"] == 1
    assert (
        post(
            "/api/veterans/teams", {"org": tree.party_group_b.pk, "name": "x", "founded_on": day}
        ).status_code
        == 404
    )
    r = post(
        "/api/veterans/studios",
        {"org": tree.party_group_a.pk, "kind": "home", "name": "之家", "opened_on": day},
    )
    assert r.status_code == 400 and r.json()["field"] == "place"
    r = post(
        "/api/veterans/care-sessions",
        {
            "org": tree.party_group_a.pk,
            "kind": "health",
            "title": "义诊",
            "held_on": day,
            "partner": "市太和医院",
            "served": 30,
        },
    )
    assert r.status_code == 201 and r.json()["partner"] == "市太和医院"
    r = post(
        "/api/veterans/exemplars",
        {"retiree": act_world.r1.pk, "title": "普法爷爷", "named_on": day, "story": "普法"},
    )
    assert r.status_code == 201
    r = post(
        f"/api/veterans/exemplars/{r.json()['id']}/cases",
        {"handled_on": day, "matter": "债务纠纷", "outcome": "resolved"},
    )
    assert r.status_code == 201 and r.json()["parties"] == 2
