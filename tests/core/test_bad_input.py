"""Bad input anywhere gets a clear answer, never a 500."""

import pytest


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.committee_admin)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/orgs?limit=-1",
        "/api/orgs?offset=abc",
        "/api/orgs?limit=100000",
        "/api/orgs?kind=nonsense",
        "/api/orgs?parent=-5",
        "/api/orgs?status=whatever",
        "/api/orgs?q=" + "长" * 500,
        "/api/orgs/0",
        "/api/orgs/99999999999999999999",
    ],
)
def test_api_query_garbage(admin, tree, url):
    response = admin.get(url)
    assert response.status_code in (200, 404, 422)
    assert "detail" in response.json() or "items" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/?kind=nonsense&status=whatever&page=-3",
        "/orgs/?q=" + "长" * 500,
        "/members/?category=x&page=999999",
        "/orgs/tree/?current=abc",
        "/orgs/tree/?current=99999999",
        "/audit/?page=abc",
    ],
)
def test_page_query_garbage(admin, tree, url):
    assert admin.get(url).status_code in (200, 404)


def test_form_posts_with_garbage(admin, tree):
    org = tree.branch_a
    for url, data in [
        (f"/orgs/{org.pk}/seats/new/", {"member": "abc", "role": "king", "started_on": "x"}),
        (
            f"/orgs/{org.pk}/seats/new/",
            {"member": "999999", "role": "secretary", "started_on": "2022-01-01"},
        ),
        (f"/orgs/{org.pk}/move/", {"new_parent": "abc"}),
        (f"/orgs/{org.pk}/term/", {"elected_on": "2099-01-01"}),
        (f"/orgs/{org.pk}/edit/", {"name": "x" * 500, "sort": "-1"}),
        (f"/orgs/{org.pk}/dissolve/", {"on": "", "reason": ""}),
    ]:
        response = admin.post(url, data)
        assert response.status_code == 200, url
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
            response.content.decode()
        ), url


def test_seat_end_of_a_foreign_seat_is_404(admin, tree):
    assert admin.post(f"/orgs/{tree.branch_a.pk}/seats/999999/end/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/cocreation/projects/?q=a%00",
        "/cocreation/communities/?q=%00",
        "/members/?q=%00",
        "/responsibility/overdue/?q=%00",
        "/study/sessions/?q=%00&org=1",
    ],
)
def test_a_nul_character_in_the_address_is_a_clear_answer(client, personas, url):
    """PostgreSQL cannot hold NUL in text: one middleware refuses it before any query runs."""
    client.force_login(personas.committee_admin)
    response = client.get(url)
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()


def test_a_nul_character_in_an_api_query_is_json(client, personas):
    client.force_login(personas.committee_admin)
    response = client.get("/api/cocreation/pairings?q=%00")
    assert response.status_code == 400
    assert "无效字符" in response.json()["detail"]


def test_a_nul_character_in_a_json_body_is_refused_before_any_write(client, personas, tree):
    """The API's JSON bodies are not form fields: the middleware refuses a NUL in any string
    (PostgreSQL would fail on it mid-write)."""
    from tests.responsibility.resp_duties_support import confirmed_list

    from dangjian.responsibility.models import DutyReport

    _list, items = confirmed_list(tree.party_group_a, items=1)
    client.force_login(personas.unit_admin)
    response = client.post(
        f"/api/responsibility/duties/items/{items[0].pk}/reports",
        data='{"quarter": 1, "progress": 10, "text": "a\\u0000b"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "无效字符" in response.json()["detail"]
    assert not DutyReport.objects.exists()
    # the same text without the NUL is accepted (the refusal is about the NUL only)
    response = client.post(
        f"/api/responsibility/duties/items/{items[0].pk}/reports",
        data='{"quarter": 1, "progress": 10, "text": "ab"}',
        content_type="application/json",
    )
    assert response.status_code in (200, 201)


def test_a_nul_character_in_a_plain_form_post_is_refused(client, personas):
    client.force_login(personas.committee_admin)
    from urllib.parse import urlencode

    from dangjian.cocreation.models import Community

    place = {"name": "龙泉\x00村", "kind": "village", "district": "郧阳区", "township": "谭家湾镇"}
    response = client.post(
        "/cocreation/communities/new/",
        urlencode(place),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()
    # a multipart post of the same goes to the form, whose field refuses the NUL itself
    response = client.post("/cocreation/communities/new/", place)
    assert response.status_code == 400
    assert not Community.objects.exists()


def test_a_nul_in_an_api_body_of_another_declared_type_is_refused(client, personas, tree):
    """django-ninja reads any body as JSON, so the declared type does not matter."""
    from tests.responsibility.resp_tasks_support import make_point, task_of

    from dangjian.responsibility.models import TaskReport

    _point, tasks = make_point(tree)
    task = task_of(tasks, tree.party_group_a)
    client.force_login(personas.unit_admin)
    for content_type in ("text/plain", "application/x-json"):
        response = client.post(
            f"/api/responsibility/tasks/{task.pk}/reports",
            data='{"progress": 10, "text": "a\\u0000b"}',
            content_type=content_type,
        )
        assert response.status_code == 400, content_type
        assert "无效字符" in response.json()["detail"]
    assert not TaskReport.objects.exists()
