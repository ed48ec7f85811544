"""共同缔造 API: pairings, projects (filters, metrics with derived achievement), one project with
milestones, a milestone done; 404 for everyone without cocreation.manage on the unit, error
bodies for bad input."""

from __future__ import annotations

import pytest

from dangjian.accounts.services import api_token_create
from dangjian.cocreation.models import Milestone
from dangjian.core.models import AuditEntry
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


MANAGERS = {"committee_admin", "unit_admin"}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, world, bearer, persona):
    headers = bearer(persona)
    ok = 200 if persona in MANAGERS else 404
    assert client.get("/api/cocreation/pairings", **headers).status_code == ok
    assert client.get("/api/cocreation/projects", **headers).status_code == ok
    assert client.get(f"/api/cocreation/projects/{world.project.pk}", **headers).status_code == ok
    assert (
        client.get(f"/api/cocreation/pairings/{world.pairing.pk}/cadres", **headers).status_code
        == ok
    )
    # 乙局's project: the 工委 only
    other = 200 if persona == "committee_admin" else 404
    assert (
        client.get(f"/api/cocreation/projects/{world.project_b.pk}", **headers).status_code == other
    )


def test_anonymous_gets_401(client, world):
    response = client.get("/api/cocreation/projects")
    assert response.status_code == 401


def test_lists_are_scoped_and_filtered(client, world, bearer, tree):
    admin = bearer("unit_admin")
    body = client.get("/api/cocreation/pairings", **admin).json()
    assert body["count"] == 1
    assert body["items"][0]["community_name"] == "龙泉村"
    assert body["items"][0]["is_pilot"] is True
    assert body["items"][0]["project_count"] == 2
    committee = bearer("committee_admin")
    assert client.get("/api/cocreation/pairings", **committee).json()["count"] == 3
    assert client.get("/api/cocreation/pairings?pilot=true", **committee).json()["count"] == 1
    body = client.get("/api/cocreation/projects?status=ongoing", **committee).json()
    assert {p["title"] for p in body["items"]} == {"户户通：硬化通村入户道路", "户户亮：路灯安装"}
    body = client.get(
        f"/api/cocreation/projects?org={tree.party_group_a.pk}&q=户户通", **committee
    ).json()
    assert body["count"] == 1
    project = body["items"][0]
    road = next(m for m in project["metrics"] if m["name"] == "硬化道路")
    assert float(road["achieved"]) == 4.5 and float(road["percent"]) == 37.5
    assert project["state"] == "on_track"
    # a pairing of another unit in the filter is a 404 for the unit admin
    response = client.get(f"/api/cocreation/projects?pairing={world.pairing_b.pk}", **admin)
    assert response.status_code == 404


def test_project_detail_has_milestones(client, world, bearer):
    body = client.get(f"/api/cocreation/projects/{world.project.pk}", **bearer("unit_admin")).json()
    assert body["goal"].startswith("硬化通村入户道路")
    assert [m["title"] for m in body["milestones"]] == ["一组道路硬化", "二组道路硬化"]
    assert body["milestones"][0]["done_on"] is not None


def test_milestone_done(client, world, bearer, today):
    headers = bearer("unit_admin")
    url = f"/api/cocreation/milestones/{world.open_milestone.pk}/done"
    response = client.post(
        url,
        {"done_on": today.isoformat(), "amount": "6.5"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["done_on"] == today.isoformat()
    milestone = Milestone.objects.get(pk=world.open_milestone.pk)
    assert str(milestone.amount) == "6.50"
    assert AuditEntry.objects.filter(action="cocreation.milestone.done").count() == 1
    # twice: a Chinese message
    response = client.post(url, {}, content_type="application/json", **headers)
    assert response.status_code == 400
    assert "已于" in response.json()["detail"]
    body = client.get(f"/api/cocreation/projects/{world.project.pk}", **headers).json()
    road = next(m for m in body["metrics"] if m["name"] == "硬化道路")
    assert float(road["achieved"]) == 11.0


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"amount": "-1"}, 422),
        ({"done_on": "not a date"}, 422),
        ({"done_on": "2999-01-01"}, 400),
    ],
)
def test_milestone_done_bad_input(client, world, bearer, payload, status):
    url = f"/api/cocreation/milestones/{world.open_milestone.pk}/done"
    response = client.post(url, payload, content_type="application/json", **bearer("unit_admin"))
    assert response.status_code == status
    assert Milestone.objects.get(pk=world.open_milestone.pk).done_on is None


@pytest.mark.parametrize("persona", ["unit_admin", "secretary_a", "outsider"])
def test_milestone_done_of_another_unit_is_404(client, world, bearer, persona):
    from dangjian.cocreation import services as s

    other = s.milestone_add(actor=None, project=world.project_b, title="安装", due_on=world.today)
    url = f"/api/cocreation/milestones/{other.pk}/done"
    response = client.post(url, {}, content_type="application/json", **bearer(persona))
    assert response.status_code == 404
    assert Milestone.objects.get(pk=other.pk).done_on is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/cocreation/projects?status=bogus",
        "/api/cocreation/projects?org=abc",
        "/api/cocreation/projects?limit=100000",
        "/api/cocreation/pairings?status=x",
        "/api/cocreation/projects/99999999999999999999",
    ],
)
def test_junk_is_a_clear_answer(client, world, bearer, url):
    assert client.get(url, **bearer("committee_admin")).status_code in (404, 422)
