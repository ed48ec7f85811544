"""清廉机关 API: risk points (list, create), sessions, "my commitment" (sign, list) and the
coverage figures; scoping, 404 for outsiders, error bodies."""

from __future__ import annotations

import pytest
from tests.conftest import PERSONA_NAMES
from tests.integrity.conftest import make_risk, make_session, sign

from dangjian.accounts.services import api_token_create
from dangjian.core.models import AuditEntry
from dangjian.integrity.models import Commitment, RiskPoint


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.fixture
def data(tree, year, today):
    make_risk(tree.branch_a, year, post="财务岗")
    make_risk(tree.branch_b, year, post="采购岗", level="low")
    make_risk(tree.branch_c, year, post="审批岗")
    make_session(tree.branch_a, today, attendees=9)
    make_session(tree.branch_c, today, attendees=4)
    sign(tree.members_a[0], year)


def _payload(tree, year, **kw):
    body = {
        "org_id": tree.branch_a.pk,
        "year": year,
        "post": "党费收缴岗",
        "risk": "挪用党费",
        "level": "medium",
        "measures": "月清月结，账目公开",
        "owner_name": "张会计",
    }
    body.update(kw)
    return body


ENDPOINTS = {
    # persona → status for GET /api/integrity/risk-points?org={A}
    "risk-points": {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200},
    "sessions": {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200},
    "coverage": {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200},
    "commitments/my": {"secretary_a": 200, "member_a": 200, "secretary_b": 200},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_permission_table(client, tree, personas, bearer, data, persona, endpoint):
    url = f"/api/integrity/{endpoint}"
    if endpoint != "commitments/my":
        url += f"?org={tree.branch_a.pk}"
    status = client.get(url, **bearer(persona)).status_code
    assert status == ENDPOINTS[endpoint].get(persona, 404)


def test_unauthenticated_is_401(client):
    assert client.get("/api/integrity/risk-points").status_code == 401
    assert client.post("/api/integrity/commitments/my", {}, "application/json").status_code == 401


def test_risk_points_are_scoped_and_filtered(client, tree, bearer, data, year):
    body = client.get("/api/integrity/risk-points", **bearer("unit_admin")).json()
    assert body["count"] == 2
    assert sorted(i["post"] for i in body["items"]) == ["财务岗", "采购岗"]
    item = next(i for i in body["items"] if i["post"] == "财务岗")
    assert item["level"] == "high" and item["level_label"] == "高"
    assert item["org_name"] == "第一党支部" and item["owner_name"] == "张科长"
    body = client.get("/api/integrity/risk-points?level=low", **bearer("committee_admin")).json()
    assert [i["post"] for i in body["items"]] == ["采购岗"]
    body = client.get("/api/integrity/risk-points?q=审批", **bearer("committee_admin")).json()
    assert [i["post"] for i in body["items"]] == ["审批岗"]
    r = client.get(f"/api/integrity/risk-points?org={tree.branch_c.pk}", **bearer("unit_admin"))
    assert r.status_code == 404
    r = client.get("/api/integrity/risk-points?level=extreme", **bearer("unit_admin"))
    assert r.status_code == 422


def test_create_risk_point(client, tree, bearer, year):
    r = client.post(
        "/api/integrity/risk-points",
        _payload(tree, year, owner_id=tree.members_a[2].pk, owner_name=""),
        "application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["owner_name"] == "王五" and body["owner_id"] == tree.members_a[2].pk
    assert RiskPoint.all_objects.get().post == "党费收缴岗"
    assert AuditEntry.objects.filter(action="integrity.risk_point.created").count() == 1


def test_create_risk_point_bad_input_and_outsiders(client, tree, bearer, year):
    r = client.post(
        "/api/integrity/risk-points",
        _payload(tree, year, post="", measures=" ", owner_name=""),
        "application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "post" and body["detail"] == "请填写岗位。"
    assert {e["field"] for e in body["errors"]} == {"post", "measures", "owner_name"}
    r = client.post(
        "/api/integrity/risk-points",
        _payload(tree, year),
        "application/json",
        **bearer("secretary_b"),
    )
    assert r.status_code == 404
    r = client.post(
        "/api/integrity/risk-points",
        _payload(tree, year, owner_id=tree.members_c[0].pk),
        "application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 404  # a member the caller cannot see
    r = client.post(
        "/api/integrity/risk-points",
        _payload(tree, year, level="extreme"),
        "application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 422
    assert RiskPoint.all_objects.count() == 0


def test_sessions_list(client, tree, bearer, data, year):
    body = client.get("/api/integrity/sessions", **bearer("committee_admin")).json()
    assert body["count"] == 2 and {i["attendees"] for i in body["items"]} == {9, 4}
    body = client.get(
        f"/api/integrity/sessions?year={year - 1}", **bearer("committee_admin")
    ).json()
    assert body["count"] == 0
    body = client.get("/api/integrity/sessions", **bearer("secretary_a")).json()
    assert [i["org_id"] for i in body["items"]] == [tree.branch_a.pk]
    assert body["items"][0]["form_label"] == "典型案例通报"


def test_my_commitment_sign_and_list(client, tree, bearer, year):
    r = client.post("/api/integrity/commitments/my", {}, "application/json", **bearer("member_a"))
    assert r.status_code == 201
    body = r.json()
    assert (body["member_name"], body["year"], body["org_name"]) == ("李四", year, "第一党支部")
    r = client.post("/api/integrity/commitments/my", {}, "application/json", **bearer("member_a"))
    assert r.status_code == 400 and "每人每年只签订一次" in r.json()["detail"]
    r = client.post(
        "/api/integrity/commitments/my",
        {"year": year - 1},
        "application/json",
        **bearer("member_a"),
    )
    assert r.status_code == 400 and r.json()["field"] == "year"
    listed = client.get("/api/integrity/commitments/my", **bearer("member_a")).json()
    assert [c["year"] for c in listed] == [year]
    r = client.post("/api/integrity/commitments/my", {}, "application/json", **bearer("judge"))
    assert r.status_code == 404
    assert Commitment.all_objects.count() == 1


def test_coverage(client, tree, bearer, data, year):
    body = client.get(
        f"/api/integrity/coverage?org={tree.root.pk}", **bearer("committee_admin")
    ).json()
    assert body["org_name"] == "测试工委" and body["year"] == year
    assert body["total"]["members"] == 10 and body["total"]["signed"] == 1
    assert body["total"]["rate"] == 10.0
    rows = {r["org_name"]: r for r in body["rows"]}
    assert rows["甲局党组"]["risks_high"] == 1 and rows["甲局党组"]["risks_low"] == 1
    assert rows["乙局党组"]["sessions"] == 1 and rows["乙局党组"]["person_times"] == 4
    # default org: the caller's top-most
    body = client.get("/api/integrity/coverage", **bearer("secretary_b")).json()
    assert body["org_id"] == tree.branch_b.pk and body["total"]["members"] == 3
    assert (
        client.get("/api/integrity/coverage?year=1800", **bearer("unit_admin")).status_code == 422
    )
