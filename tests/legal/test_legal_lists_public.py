"""The public 四张清单 search, page and API, without an account: only published lists in effect
on the date, search and filters, the exact public key set (never an id, a path, an org or a
creator), the per-address rate limit (429, Chinese), an oversized query (400, Chinese), query
counts. And the link from the sign-in page."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dangjian.core.models import AuditEntry
from tests.legal.legal_lists_world import lenient_world

pytestmark = pytest.mark.django_db

PAGE = "/public/lenient-lists/"
API = "/api/public/lenient-items"
PUBLIC_KEYS = {
    "domain",
    "kind",
    "kind_label",
    "list_title",
    "issued_by",
    "seq",
    "conduct",
    "legal_basis",
    "conditions",
    "measure",
    "effective_from",
    "effective_to",
}


@pytest.fixture
def w(tree):
    return lenient_world(tree)


def _conducts(body):
    return {i["conduct"] for i in body["items"]}


def test_api_without_login_returns_only_published_items_in_effect(client, w):
    response = client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "page", "pages", "page_size", "items"}
    assert _conducts(body) == {w.first.conduct, w.other_item.conduct}
    assert body["count"] == 2
    for item in body["items"]:
        assert set(item) == PUBLIC_KEYS
    first = next(i for i in body["items"] if i["conduct"] == w.first.conduct)
    assert first["domain"] == "市场监管"
    assert first["kind"] == "no_penalty"
    assert first["kind_label"] == "免于处罚"
    assert first["issued_by"] == "十堰市市场监督管理局"
    # an item without dates of its own shows its list's
    assert first["effective_from"] == w.market.effective_from.isoformat()
    text = response.content.decode()
    for secret in (w.market.org_path, "org_id", "created", "path", w.hidden.conduct):
        assert secret not in text


def test_api_date_search_and_filters(client, w):
    # yesterday the expired item was still in effect; in 40 days the future list is
    yesterday = w.today.toordinal() - 1
    import datetime as dt

    day = dt.date.fromordinal(yesterday).isoformat()
    assert w.expired.conduct in _conducts(client.get(API, {"date": day}).json())
    later = (w.today + dt.timedelta(days=40)).isoformat()
    assert "未随车携带道路运输证（将来施行）" in _conducts(client.get(API, {"date": later}).json())
    # search in the conduct, the basis and the conditions
    assert _conducts(client.get(API, {"q": "营业执照"}).json()) == {w.first.conduct}
    assert _conducts(client.get(API, {"q": "行政强制法"}).json()) == {w.other_item.conduct}
    assert _conducts(client.get(API, {"q": "清理"}).json()) == {w.other_item.conduct}
    assert _conducts(client.get(API, {"domain": "市场监管"}).json()) == {w.first.conduct}
    assert _conducts(client.get(API, {"kind": "no_coercion"}).json()) == {w.other_item.conduct}
    assert client.get(API, {"kind": "no_penalty", "domain": "城市管理"}).json()["count"] == 0
    # the unpublished list is never found, whatever the search
    assert client.get(API, {"q": "内部草稿"}).json()["count"] == 0


def test_api_oversized_query_and_bad_date_are_400_in_chinese(client, w, settings):
    response = client.get(API, {"q": "长" * (settings.LENIENT_QUERY_MAX + 1)})
    assert response.status_code == 400
    assert response.json()["detail"] == f"查询内容过长（最多{settings.LENIENT_QUERY_MAX}个字）"
    assert client.get(API, {"q": "长" * settings.LENIENT_QUERY_MAX}).status_code == 200
    bad = client.get(API, {"date": "2024-02-30"})
    assert bad.status_code == 400
    assert "日期" in bad.json()["detail"]
    # junk page numbers and kinds are no filter, never a 500
    assert client.get(API, {"page": "abc", "kind": "x"}).status_code == 200
    assert client.get(API, {"q": "a\x00b"}).status_code == 400


def test_api_is_read_only(client, w):
    assert client.post(API, {}, content_type="application/json").status_code == 405


@override_settings(LENIENT_PUBLIC_PER_MINUTE=3)
def test_api_rate_limit_per_address(client, w):
    for _ in range(3):
        assert client.get(API).status_code == 200
    refused = client.get(API)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "请求过于频繁，请稍后再试。"
    assert int(refused["Retry-After"]) >= 1
    # another address has its own allowance
    assert client.get(API, REMOTE_ADDR="10.0.0.9").status_code == 200
    entries = AuditEntry.objects.filter(action="api.rate_limited")
    assert entries.count() == 1
    assert entries.get().changes["caller"].startswith("lenient-api:addr:")


def test_api_query_count(client, w, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(API).status_code == 200


# ---------------------------------------------------------------------------------------------
# The page


def test_page_without_login(client, w):
    response = client.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert w.first.conduct in text
    assert w.other_item.conduct in text
    assert w.hidden.conduct not in text  # unpublished
    assert w.expired.conduct not in text  # no longer in effect
    assert "共找到 2 项" in text
    # the public page is not the signed-in base: no navigation, no user
    assert 'data-testid="whoami"' not in text
    assert "退出" not in text
    assert "sidebar" not in text


def test_page_search_and_filters(client, w):
    text = client.get(PAGE, {"q": "营业执照", "domain": "市场监管", "kind": "no_penalty"}).content
    text = text.decode()
    assert w.first.conduct in text
    assert w.other_item.conduct not in text
    assert "共找到 1 项" in text
    none = client.get(PAGE, {"kind": "reduced_penalty"}).content.decode()
    assert "没有找到符合条件的清单事项" in none


def test_page_oversized_query_is_400_with_the_message(client, w, settings):
    response = client.get(PAGE, {"q": "长" * 200})
    assert response.status_code == 400
    assert f"查询内容过长（最多{settings.LENIENT_QUERY_MAX}个字）" in response.content.decode()
    bad = client.get(PAGE, {"date": "明天"})
    assert bad.status_code == 400
    assert "日期格式应为 YYYY-MM-DD" in bad.content.decode()


@override_settings(LENIENT_PUBLIC_PER_MINUTE=2)
def test_page_rate_limit(client, w):
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200
    refused = client.get(PAGE)
    assert refused.status_code == 429
    assert "请求过于频繁，请稍后再试。" in refused.content.decode()
    assert w.first.conduct not in refused.content.decode()
    # the page and the API count apart
    assert client.get(API).status_code == 200


def test_page_query_count(client, w, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(PAGE, {"q": "改正"}).status_code == 200


def test_page_for_a_signed_in_user_shows_no_user_data(client, w, personas):
    client.force_login(personas.unit_admin)
    text = client.get(PAGE).content.decode()
    assert "unit_admin" not in text
    assert w.first.conduct in text


def test_sign_in_page_links_to_the_public_search(client, db):
    text = client.get("/login/").content.decode()
    assert 'href="/public/lenient-lists/"' in text


def test_pagination_page_and_api(client, w):
    from dangjian.legal import services_lists as s

    for n in range(25):
        s.item_create(
            actor=None,
            lenient_list=w.other,
            conduct=f"临时占道第{n}处",
            legal_basis="《中华人民共和国行政强制法》第十六条",
            conditions="及时清理",
        )
    body = client.get(API, {"page": "2"}).json()
    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (27, 2, 2, 20)
    assert len(body["items"]) == 7
    text = client.get(PAGE, {"domain": "城市管理"}).content.decode()
    assert "第 1 / 2 页" in text
    assert "domain=%E5%9F%8E%E5%B8%82%E7%AE%A1%E7%90%86&page=2" in text
