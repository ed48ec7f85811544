"""Legal-services API: 404 for everyone without legal.manage, the scoped lists (never the
sealed phone), coverage figures, the aid case's moves with clear 400s, and the village-lawyer
assignment refusing a second assignment."""

from __future__ import annotations

import pytest

from dangjian.accounts.services import api_token_create
from dangjian.legal.models import LegalAidCase, VillageLawyer
from tests.conftest import PERSONA_NAMES
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw

MANAGERS = {"committee_admin", "unit_admin"}
LISTS = [
    "/api/legal/firms",
    "/api/legal/lawyers",
    "/api/legal/villages",
    "/api/legal/villages/coverage",
    "/api/legal/advisers",
    "/api/legal/advisers/coverage",
    "/api/legal/aid-cases",
    "/api/legal/activities",
]


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, lw, bearer, persona):
    headers = bearer(persona)
    ok = 200 if persona in MANAGERS else 404
    for url in LISTS:
        assert client.get(url, **headers).status_code == ok, url
    other = 200 if persona == "committee_admin" else 404
    response = client.post(
        f"/api/legal/aid-cases/{lw.other_case.pk}/accept",
        data={},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == other


def test_anonymous_gets_401(client, lw):
    assert client.get("/api/legal/lawyers").status_code == 401


def test_lawyers_never_carry_the_sealed_phone(client, lw, bearer):
    body = client.get("/api/legal/lawyers", **bearer("unit_admin")).json()
    assert body["count"] == 3
    zhou = next(x for x in body["items"] if x["name"] == "周明")
    assert zhou["phone_masked"] == "138****1234"
    assert "phone_sealed" not in zhou
    assert "13800001234" not in str(body)


def test_coverage(client, lw, bearer):
    admin = bearer("unit_admin")
    assert client.get("/api/legal/villages/coverage", **admin).json() == {
        "covered": 2,
        "total": 3,
        "percent": "66.7",
    }
    levels = client.get("/api/legal/advisers/coverage", **admin).json()
    assert levels["county"]["covered"] == 0 and levels["city"]["percent"] == "100.0"
    uncovered = client.get("/api/legal/villages?covered=false", **admin).json()
    assert [v["name"] for v in uncovered["items"]] == ["凤凰村"]


def test_assign_twice_is_400(client, lw, bearer):
    response = client.post(
        "/api/legal/village-lawyers",
        data={"community_id": lw.villages[0].pk, "lawyer_id": lw.lawyer.pk},
        content_type="application/json",
        **bearer("unit_admin"),
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "该律师已是该村（社区）的驻点律师。"
    assert VillageLawyer.all_objects.filter(community=lw.villages[0]).count() == 1


def test_case_create_and_moves(client, lw, bearer):
    admin = bearer("unit_admin")
    response = client.post(
        "/api/legal/aid-cases",
        data={
            "org_id": lw.org.pk,
            "case_no": "API-1",
            "applicant_name": "王大妈",
            "applicant_category": "elderly",
            "matter": "赡养",
            "applied_on": str(lw.today),
        },
        content_type="application/json",
        **admin,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["applicant"] == "王某某" and body["limit_stage"] == "review"
    case_id = body["id"]

    def move(action, **data):
        return client.post(
            f"/api/legal/aid-cases/{case_id}/{action}",
            data=data,
            content_type="application/json",
            **admin,
        )

    assert move("accept").json()["status"] == "accepted"
    bad = move("assign", lawyer_id=lw.other_lawyer.pk)
    assert bad.status_code == 404
    assert move("assign", lawyer_id=lw.lawyer3.pk).json()["status"] == "assigned"
    no_outcome = move("close")
    assert no_outcome.status_code == 400 and no_outcome.json()["field"] == "outcome"
    assert LegalAidCase.all_objects.get(pk=case_id).status == "assigned"
    assert move("close", outcome="won").json()["status"] == "closed"


def test_case_create_refusals(client, lw, bearer):
    admin = bearer("unit_admin")
    response = client.post(
        "/api/legal/aid-cases",
        data={
            "org_id": lw.org.pk,
            "case_no": lw.case_applied.case_no,
            "applicant_name": "甲",
            "applicant_category": "elderly",
            "matter": "事项",
            "applied_on": str(lw.today),
        },
        content_type="application/json",
        **admin,
    )
    assert response.status_code == 400 and response.json()["field"] == "case_no"
    other_unit = client.post(
        "/api/legal/aid-cases",
        data={
            "org_id": lw.other_case.org_id,
            "case_no": "Z",
            "applicant_name": "甲",
            "applicant_category": "elderly",
            "matter": "事项",
            "applied_on": str(lw.today),
        },
        content_type="application/json",
        **admin,
    )
    assert other_unit.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/legal/aid-cases?state=bogus",
        "/api/legal/lawyers?firm=abc",
        "/api/legal/villages?limit=-1",
        "/api/legal/advisers?level=x",
    ],
)
def test_junk_is_a_clear_answer(client, lw, bearer, url):
    response = client.get(url, **bearer("unit_admin"))
    assert response.status_code in (400, 422)
