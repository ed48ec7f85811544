"""The to-do list (/todo/) and the bell: own items only, 404 for anyone else's, POST marks
(done, read, open, all read), and the bell's count costs the page one query at most."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dangjian.notify import services
from dangjian.notify.models import Notification, NotificationKind
from dangjian.notify.services import Draft

pytestmark = pytest.mark.django_db

LINK = "/compliance/cell/?org=1&kind=theme_day&year=2026"


def _items(user, n=1, *, todo=True, start=0):
    services.notifications_create(
        Draft(
            user_id=user.pk,
            kind=NotificationKind.ORGLIFE_DUE_SOON if todo else NotificationKind.MEETING_NOTICE,
            title=f"提醒{i}",
            body="正文",
            link=LINK,
            rule_id="R-ORGLIFE-08",
            topic="t",
            dedupe_key=f"k{i}",
            is_todo=todo,
        )
        for i in range(start, start + n)
    )
    return list(Notification.objects.filter(user=user).order_by("pk"))


def test_the_list_shows_only_the_users_own_items(client, personas):
    _items(personas.secretary_a, 2)
    _items(personas.secretary_b, 1, start=7)
    client.force_login(personas.secretary_a)
    page = client.get("/todo/").content.decode()
    assert page.count('data-testid="notify-item"') == 2
    assert "提醒0" in page and "提醒7" not in page and "R-ORGLIFE-08" in page
    client.force_login(personas.outsider)
    page = client.get("/todo/").content.decode()
    assert 'data-testid="notify-empty"' in page


@pytest.mark.parametrize("action", ["read", "done", "open"])
def test_someone_elses_item_is_404_and_unchanged(client, personas, action):
    item = _items(personas.secretary_b)[0]
    client.force_login(personas.secretary_a)
    assert client.post(f"/todo/{item.pk}/{action}/").status_code == 404
    assert client.post(f"/todo/{item.pk + 1000}/{action}/").status_code == 404
    item.refresh_from_db()
    assert item.read_at is None and item.done_at is None


@pytest.mark.parametrize("action", ["read", "done", "open"])
def test_marks_are_post_only(client, personas, action):
    item = _items(personas.secretary_a)[0]
    client.force_login(personas.secretary_a)
    assert client.get(f"/todo/{item.pk}/{action}/").status_code == 405


def test_anonymous_is_sent_to_sign_in(client, personas):
    item = _items(personas.secretary_a)[0]
    assert client.get("/todo/").status_code == 302
    assert client.post(f"/todo/{item.pk}/done/").status_code == 302
    item.refresh_from_db()
    assert item.done_at is None


def test_mark_done_and_filters(client, personas):
    first, _ = _items(personas.secretary_a, 2)
    client.force_login(personas.secretary_a)
    response = client.post(f"/todo/{first.pk}/done/", {"filter": "todo"})
    assert response.status_code == 302 and response["Location"] == "/todo/?filter=todo"
    first.refresh_from_db()
    assert first.done_at is not None
    todo = client.get("/todo/?filter=todo").content.decode()
    assert "提醒1" in todo and "提醒0" not in todo
    done = client.get("/todo/?filter=done").content.decode()
    assert "提醒0" in done and "已办结" in done
    # an unknown filter shows everything
    assert client.get("/todo/?filter=<x>").content.decode().count('data-testid="notify-item"') == 2


def test_open_marks_read_and_follows_the_link(client, personas):
    item = _items(personas.secretary_a)[0]
    client.force_login(personas.secretary_a)
    response = client.post(f"/todo/{item.pk}/open/")
    assert response.status_code == 302 and response["Location"] == LINK
    item.refresh_from_db()
    assert item.read_at is not None and item.done_at is None


def test_read_all(client, personas):
    _items(personas.secretary_a, 3)
    client.force_login(personas.secretary_a)
    assert client.post("/todo/read-all/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True, user=personas.secretary_a)


def test_the_list_pages(client, personas):
    _items(personas.secretary_a, 25)
    client.force_login(personas.secretary_a)
    first = client.get("/todo/").content.decode()
    assert first.count('data-testid="notify-item"') == 20 and "第 1 / 2 页" in first
    assert client.get("/todo/?page=2").content.decode().count('data-testid="notify-item"') == 5


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_bell_shows_the_unread_count(client, personas):
    _items(personas.member_a, 3)
    client.force_login(personas.member_a)
    page = client.get("/").content.decode()
    assert 'data-testid="notify-bell"' in page
    assert 'data-testid="notify-count">3<' in page
    client.post("/todo/read-all/")
    page = client.get("/").content.decode()
    assert 'data-testid="notify-bell"' in page and 'data-testid="notify-count"' not in page


def test_the_bell_costs_one_query_whatever_the_number_of_items(client, personas):
    client.force_login(personas.secretary_a)
    for url in ("/", "/todo/", "/orglife/"):
        with_bell = _queries(client, url)
        engines = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [
                        p
                        for p in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
                        if not p.startswith("dangjian.notify.")
                    ],
                },
            }
        ]
        with override_settings(TEMPLATES=engines):
            without = _queries(client, url)
        assert with_bell - without == 1, url
    small = _queries(client, "/")
    _items(personas.secretary_a, 30)
    assert _queries(client, "/") == small
