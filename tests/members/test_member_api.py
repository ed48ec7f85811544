"""Member endpoints: scoped like the pages, masked unless the caller may reveal."""

from __future__ import annotations

import json

import pytest
from tests.conftest import member_data

from dangjian.core import crypto
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def _payload(tree, **overrides):
    data = member_data()
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    body.update({"name": "接口党员", "branch_id": tree.branch_a.pk, **overrides})
    return body


def test_list_is_scoped_paginated_and_masked(client, tree, personas):
    client.force_login(personas.secretary_a)
    body = client.get("/api/members", {"limit": 2}).json()
    assert body["count"] == len(tree.members_a) and len(body["items"]) == 2
    item = body["items"][0]
    assert "*" in item["id_number"] and "id_number_sealed" not in item
    body = client.get("/api/members", {"q": "zsf"}).json()
    assert [i["name"] for i in body["items"]] == ["张三丰"]
    assert client.get("/api/members", {"org": tree.branch_b.pk}).status_code == 404


def test_detail_reveal_only_for_those_allowed_and_audited(client, tree, personas):
    member = tree.members_a[0]
    client.force_login(personas.secretary_a)
    masked = client.get(f"/api/members/{member.pk}").json()
    assert masked["revealed"] is False and masked["phone"] == member.phone_masked
    assert not AuditEntry.objects.filter(action="members.member.revealed").exists()
    full = client.get(f"/api/members/{member.pk}", {"reveal": "true"}).json()
    assert full["revealed"] is True
    assert full["id_number"] == crypto.decrypt(member.id_number_sealed)
    assert AuditEntry.objects.filter(action="members.member.revealed").count() == 3


def test_create_update_and_errors_in_chinese(client, tree, personas):
    client.force_login(personas.unit_admin)
    bad = _payload(tree, joined_on="1990-01-01")
    response = client.post("/api/members", json.dumps(bad), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "R-INFO-03" in body["detail"] and body["field"] == "joined_on"
    response = client.post(
        "/api/members", json.dumps(_payload(tree)), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    member_id = response.json()["id"]
    response = client.patch(
        f"/api/members/{member_id}",
        json.dumps({"unit_post": "副科长", "reason": "任命"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["unit_post"] == "副科长"
    response = client.patch(
        f"/api/members/{member_id}", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        "/api/members",
        json.dumps({**_payload(tree), "sex": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"]


def test_create_outside_scope_is_404_and_writes_nothing(client, tree, personas):
    client.force_login(personas.secretary_a)
    body = _payload(tree, branch_id=tree.branch_b.pk, name="越权")
    response = client.post("/api/members", json.dumps(body), content_type="application/json")
    assert response.status_code == 404
    assert not Member.objects.unscoped().filter(name="越权").exists()


def test_token_caller_gets_the_same_scope(client, tree, personas):
    from dangjian.accounts.services import api_token_create

    _, token = api_token_create(actor=None, user=personas.secretary_b, name="对接")
    response = client.get("/api/members", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert {i["branch_id"] for i in response.json()["items"]} == {tree.branch_b.pk}


def test_statistics_endpoint_is_scoped(client, tree, personas):
    client.force_login(personas.secretary_a)
    body = client.get("/api/members/statistics").json()
    assert body["org_id"] == tree.branch_a.pk
    totals = next(s for s in body["sections"] if s["key"] == "totals")
    assert totals["rule_id"] == "R-STAT-01" and totals["rows"][0][1] == len(tree.members_a)
    assert client.get("/api/members/statistics", {"org": tree.branch_b.pk}).status_code == 404
    assert client.get("/api/members/statistics", {"cutoff": "2999-01-01"}).status_code == 400
    assert client.get("/api/members/statistics", {"cutoff": "x"}).status_code == 422
    client.force_login(personas.member_a)
    assert client.get("/api/members/statistics").status_code == 404


def test_import_status_endpoint_reports_errors_and_is_scoped(
    client, tree, personas, tmp_path, django_capture_on_commit_callbacks
):
    from tests.members.test_import_support import roster_row, upload, write_xlsx

    from dangjian.members.models import ImportJob

    path = write_xlsx(
        tmp_path / "roster.xlsx",
        [roster_row("好人甲"), roster_row("坏人乙", **{"加入党组织日期": "1990-01-01"})],
    )
    client.force_login(personas.unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path, tree.party_group_a)
    job = ImportJob.objects.unscoped().latest("id")
    body = client.get(f"/api/members/imports/{job.pk}").json()
    assert body["status"] == "invalid" and body["error_count"] >= 1
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["rule_id"] == "R-INFO-03"
    client.force_login(personas.secretary_b)
    assert client.get(f"/api/members/imports/{job.pk}").status_code == 404
    client.force_login(personas.auditor)
    assert client.get(f"/api/members/imports/{job.pk}").status_code == 404
