"""The managers' 四张清单 API under /api/legal: lists and items (list, create, update,
publish) for the holders of legal.manage; 404 for everyone else, error bodies in Chinese."""

from __future__ import annotations

import pytest

from dangjian.accounts.services import api_token_create
from dangjian.legal.models import LenientItem, LenientList
from tests.conftest import PERSONA_NAMES
from tests.legal.legal_lists_world import BASIS, lenient_world

pytestmark = pytest.mark.django_db

MANAGERS = {"committee_admin", "unit_admin"}


@pytest.fixture
def w(tree):
    return lenient_world(tree)


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, w, bearer, persona):
    headers = bearer(persona)
    ok = 200 if persona in MANAGERS else 404
    assert client.get("/api/legal/lenient-lists", **headers).status_code == ok
    assert client.get(f"/api/legal/lenient-lists/{w.market.pk}", **headers).status_code == ok
    assert client.get(f"/api/legal/lenient-lists/{w.market.pk}/items", **headers).status_code == ok
    other = 200 if persona == "committee_admin" else 404
    assert client.get(f"/api/legal/lenient-lists/{w.other.pk}", **headers).status_code == other


def test_lists_with_counts_and_filters(client, w, bearer):
    admin = bearer("unit_admin")
    body = client.get("/api/legal/lenient-lists", **admin).json()
    assert body["count"] == 3  # 甲局's three, not 乙局's
    market = next(r for r in body["items"] if r["id"] == w.market.pk)
    assert market["item_count"] == 2
    assert market["kind_label"] == "免于处罚"
    published = client.get("/api/legal/lenient-lists", {"published": "false"}, **admin).json()
    assert [r["id"] for r in published["items"]] == [w.ecology.pk]
    assert client.get("/api/legal/lenient-lists", {"kind": "bogus"}, **admin).status_code == 422


def test_create_update_publish(client, w, bearer, tree):
    admin = bearer("unit_admin")
    created = client.post(
        "/api/legal/lenient-lists",
        {
            "org": tree.party_group_a.pk,
            "domain": "卫生健康",
            "kind": "no_penalty",
            "effective_from": "2024-01-01",
        },
        content_type="application/json",
        **admin,
    )
    assert created.status_code == 201
    list_id = created.json()["id"]
    refused = client.post(
        f"/api/legal/lenient-lists/{list_id}/items",
        {"conduct": "未按规定公示诊疗科目", "legal_basis": " ", "conditions": "及时改正"},
        content_type="application/json",
        **admin,
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "请填写法律依据", "field": "legal_basis"}
    item = client.post(
        f"/api/legal/lenient-lists/{list_id}/items",
        {"conduct": "未按规定公示诊疗科目", "legal_basis": BASIS, "conditions": "及时改正"},
        content_type="application/json",
        **admin,
    )
    assert item.status_code == 201
    assert item.json()["seq"] == 1 and item.json()["list_id"] == list_id
    patched = client.patch(
        f"/api/legal/lenient-items/{item.json()['id']}",
        {"measure": "不予处罚"},
        content_type="application/json",
        **admin,
    )
    assert patched.json()["measure"] == "不予处罚"
    bad_dates = client.patch(
        f"/api/legal/lenient-lists/{list_id}",
        {"effective_to": "2023-01-01"},
        content_type="application/json",
        **admin,
    )
    assert bad_dates.status_code == 400
    assert bad_dates.json()["field"] == "effective_to"
    done = client.post(f"/api/legal/lenient-lists/{list_id}/publish", **admin)
    assert done.status_code == 200 and done.json()["is_published"] is True
    again = client.post(f"/api/legal/lenient-lists/{list_id}/publish", **admin)
    assert again.status_code == 400 and again.json()["detail"] == "该清单已发布。"
    assert LenientList.all_objects.get(pk=list_id).is_published


def test_outsider_writes_are_404_and_write_nothing(client, w, bearer, tree):
    admin = bearer("unit_admin")
    before = LenientItem.all_objects.count()
    response = client.post(
        f"/api/legal/lenient-lists/{w.other.pk}/items",
        {"conduct": "x", "legal_basis": BASIS, "conditions": "y"},
        content_type="application/json",
        **admin,
    )
    assert response.status_code == 404
    created = client.post(
        "/api/legal/lenient-lists",
        {
            "org": tree.party_group_b.pk,
            "domain": "x",
            "kind": "no_penalty",
            "effective_from": "2024-01-01",
        },
        content_type="application/json",
        **admin,
    )
    assert created.status_code == 404
    assert LenientItem.all_objects.count() == before
    assert client.post(f"/api/legal/lenient-lists/{w.other.pk}/publish", **admin).status_code == 404
