"""The veterans people API: the permission table, masked fields only, the cadre's own
pairings, contacts and requests recorded, answered, fed back; error bodies for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import PERSONA_NAMES
from tests.veterans.vet_people_world import vet_people_world  # noqa: F401

from dangjian.accounts.services import api_token_create
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import Contact, Request

pytestmark = pytest.mark.django_db
MANAGERS = {"committee_admin", "unit_admin"}


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


def _req(world):
    return sr.request_record(
        actor=None,
        retiree=world.retiree,
        kind="need",
        content="希望协助办理助听器补贴。",
        office=world.office,
        pairing=world.pairing,
    )


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, world, bearer, persona):
    headers = bearer(persona)
    req = _req(world)
    ok = 200 if persona in MANAGERS else 404
    assert client.get("/api/veterans/retirees", **headers).status_code == ok
    assert client.get(f"/api/veterans/retirees/{world.retiree.pk}", **headers).status_code == ok
    assert client.get("/api/veterans/requests", **headers).status_code == ok
    assert client.get("/api/veterans/pairings", **headers).status_code == ok
    # the cadre (member_a) reaches his pairing's request and contacts
    own = 200 if persona in MANAGERS | {"member_a"} else 404
    assert client.get(f"/api/veterans/requests/{req.pk}", **headers).status_code == own
    url = f"/api/veterans/contacts?pairing={world.pairing.pk}"
    assert client.get(url, **headers).status_code == own
    # 乙局's retiree: the 工委 only
    other = 200 if persona == "committee_admin" else 404
    url = f"/api/veterans/retirees/{world.retiree_b.pk}"
    assert client.get(url, **headers).status_code == other


def test_anonymous_gets_401(client, world):
    assert client.get("/api/veterans/retirees").status_code == 401


def test_retirees_are_masked(client, world, bearer):
    body = client.get("/api/veterans/retirees", **bearer("unit_admin")).json()
    assert body["count"] == 2
    text = str(body)
    assert "139****5678" in text and "13912345678" not in text
    assert "高血压" not in text and "sealed" not in text
    li = next(x for x in body["items"] if x["name"] == "李军")
    assert li["has_health_note"] is True and li["living_alone"] is True


def test_cadre_pairings_contacts_and_request(client, world, bearer):
    cadre = bearer("member_a")
    body = client.get("/api/veterans/pairings?mine=true", **cadre).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["retiree_name"] == "李军" and item["call"]["state"] == "overdue"
    today = dt.date.today().isoformat()
    r = client.post(
        "/api/veterans/contacts",
        {"pairing_id": world.pairing.pk, "kind": "visit", "contacted_on": today, "living": "好"},
        content_type="application/json",
        **cadre,
    )
    assert r.status_code == 201 and Contact.all_objects.count() == 1
    future = (world.today + dt.timedelta(days=3)).isoformat()
    r = client.post(
        "/api/veterans/contacts",
        {"pairing_id": world.pairing.pk, "kind": "call", "contacted_on": future, "living": "x"},
        content_type="application/json",
        **cadre,
    )
    assert r.status_code == 400 and r.json()["field"] == "contacted_on"
    assert Contact.all_objects.count() == 1
    payload = {
        "retiree_id": world.retiree.pk,
        "pairing_id": world.pairing.pk,
        "kind": "voice",
        "source": "family",
        "content": "希望组织一次诗词交流",
        "office_id": world.office.pk,
    }
    r = client.post("/api/veterans/requests", payload, content_type="application/json", **cadre)
    assert r.status_code == 400 and r.json()["field"] == "family_name"
    payload["family_name"] = "李小军"
    r = client.post("/api/veterans/requests", payload, content_type="application/json", **cadre)
    assert r.status_code == 201 and r.json()["state"] == "open"
    rid = r.json()["id"]
    # the cadre may not answer; the unit admin may
    r = client.post(
        f"/api/veterans/requests/{rid}/answer",
        {"answer": "好"},
        content_type="application/json",
        **cadre,
    )
    assert r.status_code == 404
    admin = bearer("unit_admin")
    r = client.post(
        f"/api/veterans/requests/{rid}/answer",
        {"answer": "已安排"},
        content_type="application/json",
        **admin,
    )
    assert r.status_code == 200 and r.json()["state"] == "answered_in_time"
    r = client.post(
        f"/api/veterans/requests/{rid}/feedback",
        {"satisfaction": "satisfied"},
        content_type="application/json",
        **cadre,
    )
    assert r.status_code == 200 and r.json()["satisfaction"] == "satisfied"
    sr.request_close(actor=None, request=Request.all_objects.get(pk=rid))
    r = client.post(
        f"/api/veterans/requests/{rid}/answer",
        {"answer": "再答"},
        content_type="application/json",
        **admin,
    )
    assert r.status_code == 400 and r.json()["detail"] == "该诉求已办结，不能再答复。"


def test_request_list_filters(client, world, bearer):
    _req(world)
    admin = bearer("unit_admin")
    assert client.get("/api/veterans/requests?state=open", **admin).json()["count"] == 1
    assert client.get("/api/veterans/requests?state=escalate", **admin).json()["count"] == 0
    assert client.get("/api/veterans/requests?state=bogus", **admin).status_code == 422
