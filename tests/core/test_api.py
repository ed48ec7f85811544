"""API: bad input gets a Chinese message, nothing is written; the OpenAPI schema is served."""

import pytest

from dangjian.orgs.models import Org


@pytest.fixture
def api(client, personas):
    client.force_login(personas.committee_admin)
    return client


def test_openapi_schema_and_docs(api):
    schema = api.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "机关党建智慧管理平台 API"
    assert "/api/orgs" in schema["paths"] and "/api/orgs/{org_id}" in schema["paths"]
    assert "422" in schema["paths"]["/api/orgs"]["post"]["responses"]
    assert api.get("/api/docs").status_code == 200


def test_list_is_paginated_and_filtered(api, tree):
    data = api.get("/api/orgs?kind=branch&limit=2").json()
    assert data["count"] == 3 and len(data["items"]) == 2
    data = api.get(f"/api/orgs?parent={tree.organ_a.pk}").json()
    assert {o["name"] for o in data["items"]} == {"甲局机关纪委", "第一党支部", "第二党支部"}


def test_detail_has_counts_and_findings(api, tree):
    data = api.get(f"/api/orgs/{tree.branch_c.pk}").json()
    assert data["members_total"] == 2 and data["kind_label"] == "党支部"
    assert "R-ORG-03" in {f["rule_id"] for f in data["findings"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "kind": "branch"}, "parent_id"),
        ({"parent_id": "abc", "name": "x", "kind": "branch"}, "parent_id"),
        ({"parent_id": 1, "name": "", "kind": "branch"}, "name"),
        ({"parent_id": 1, "name": "x", "kind": "nonsense"}, "kind"),
        (
            {"parent_id": 1, "name": "x", "kind": "branch", "established_on": "2022-02-30"},
            "established_on",
        ),
    ],
)
def test_create_validation_errors_are_chinese(api, tree, payload, field):
    before = Org.objects.unscoped().count()
    response = api.post("/api/orgs", payload, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求数据有误"
    assert field in {e["field"] for e in body["errors"]}
    assert all(e["message"] for e in body["errors"])
    assert Org.objects.unscoped().count() == before


def test_business_rule_refusal_is_400_with_field(api, tree):
    response = api.post(
        "/api/orgs",
        {"parent_id": tree.branch_a.pk, "name": "x", "kind": "organ_committee"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "党支部下不能设立机关党委。", "field": "kind"}


def test_malformed_json_is_not_a_500(api):
    response = api.post("/api/orgs", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_patch_updates_and_audits(api, tree):
    response = api.patch(
        f"/api/orgs/{tree.branch_a.pk}",
        {"name": "第一党支部（更名）"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["name"] == "第一党支部（更名）"
    response = api.patch(f"/api/orgs/{tree.branch_a.pk}", {}, content_type="application/json")
    assert response.status_code == 400


def test_session_writes_need_csrf(client, personas, tree):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.committee_admin)
    response = strict.patch(
        f"/api/orgs/{tree.branch_a.pk}", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
