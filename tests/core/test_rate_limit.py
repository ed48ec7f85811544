"""The API's rate limit (dangjian.core.ratelimit): per caller, per fixed minute, 429 with
Retry-After beyond it, and one audit entry per caller and window."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from dangjian.accounts.services import api_token_create
from dangjian.core import ratelimit
from dangjian.core.models import AuditEntry

LIMIT = 3
T0 = 1_800_000_000.0  # the start of a window (a multiple of 60)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    cache.clear()
    # the windows are cut from this clock; moving it is how a test reaches the next window
    now = {"t": T0 + 10}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    with override_settings(API_RATE_LIMIT_PER_MINUTE=LIMIT):
        yield now
    cache.clear()


def _token(user) -> dict:
    _, plain = api_token_create(actor=None, user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def _limited() -> list:
    return list(AuditEntry.objects.filter(action="api.rate_limited").order_by("id"))


def test_under_the_limit_is_served(client, personas):
    headers = _token(personas.unit_admin)
    for _ in range(LIMIT):
        assert client.get("/api/orgs", **headers).status_code == 200
    assert _limited() == []


def test_over_the_limit_is_429_with_retry_after(client, personas, fresh):
    headers = _token(personas.unit_admin)
    for _ in range(LIMIT):
        client.get("/api/orgs", **headers)
    response = client.get("/api/orgs", **headers)
    assert response.status_code == 429
    assert response.json() == {"detail": "请求过于频繁，请稍后再试。"}
    assert response["Retry-After"] == "50"  # 10 s into the window
    # writes count the same, and are refused before anything is written
    response = client.post(
        "/api/orgs",
        {"parent_id": 1, "name": "新支部", "kind": "branch"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 429


def test_callers_are_counted_apart(client, personas):
    first, second = _token(personas.unit_admin), _token(personas.committee_admin)
    for _ in range(LIMIT + 2):
        client.get("/api/orgs", **first)
    assert client.get("/api/orgs", **first).status_code == 429
    assert client.get("/api/orgs", **second).status_code == 200
    # a session caller is counted by account, an anonymous one by address
    client.force_login(personas.secretary_a)
    assert client.get("/api/orgs").status_code == 200
    client.logout()
    assert client.get("/api/orgs", REMOTE_ADDR="10.0.0.9").status_code == 401


def test_wrong_tokens_are_limited_too(client, db):
    headers = {"HTTP_AUTHORIZATION": "Bearer dj_guess"}
    statuses = [client.get("/api/orgs", **headers).status_code for _ in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]


def test_a_new_made_up_token_for_every_call_is_limited_by_address(client, db):
    statuses = [
        client.get(
            "/api/orgs", HTTP_AUTHORIZATION=f"Bearer dj_guess{i}", REMOTE_ADDR="10.7.7.7"
        ).status_code
        for i in range(LIMIT + 2)
    ]
    assert statuses == [401] * LIMIT + [429, 429]


def test_a_junk_token_beside_a_session_does_not_escape_the_limit(client, personas):
    client.force_login(personas.secretary_a)
    statuses = [
        client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer dj_junk{i}").status_code
        for i in range(LIMIT + 2)
    ]
    assert statuses[-1] == 429


def test_anonymous_callers_by_address(client, db):
    for _ in range(LIMIT):
        client.get("/api/orgs", REMOTE_ADDR="10.0.0.1")
    assert client.get("/api/orgs", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/orgs", REMOTE_ADDR="10.0.0.2").status_code == 401


def test_the_window_resets(client, personas, fresh):
    headers = _token(personas.unit_admin)
    for _ in range(LIMIT):
        client.get("/api/orgs", **headers)
    assert client.get("/api/orgs", **headers).status_code == 429
    fresh["t"] = T0 + 59.5
    response = client.get("/api/orgs", **headers)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    fresh["t"] = T0 + 60
    assert client.get("/api/orgs", **headers).status_code == 200


def test_abuse_is_audited_once_per_window(client, personas, fresh):
    headers = _token(personas.unit_admin)
    for _ in range(LIMIT + 5):
        client.get("/api/orgs", **headers, REMOTE_ADDR="10.1.2.3")
    entries = _limited()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == personas.unit_admin.pk
    assert entry.ip == "10.1.2.3"
    assert entry.changes["caller"].startswith("token:")
    assert entry.changes["limit"] == LIMIT and entry.changes["path"] == "/api/orgs"
    fresh["t"] = T0 + 60  # the next window: a new burst, a new entry
    for _ in range(LIMIT + 2):
        client.get("/api/orgs", **headers, REMOTE_ADDR="10.1.2.3")
    assert len(_limited()) == 2


def test_hit_counts_per_caller_and_window():
    assert [ratelimit.hit("a", limit=2, now=T0).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert ratelimit.hit("b", limit=2, now=T0).count == 1
    later = ratelimit.hit("a", limit=2, now=T0 + 60)
    assert later.count == 1 and later.retry_after == 60


def test_schema_documents_429(client):
    schema = client.get("/api/openapi.json").json()
    for item in schema["paths"].values():
        for operation in item.values():
            assert "429" in operation["responses"]
