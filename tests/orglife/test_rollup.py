"""决议汇总 /orglife/resolutions/: the resolutions of a subtree's meetings, counts per org,
status and overdue filters, scoping, and a number of queries that does not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.orglife import services

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)
URL = "/orglife/resolutions/"


def _held(tree, org, members, topic="支部党员大会"):
    meeting = services.meeting_plan(
        actor=None,
        org=org,
        kind="member_assembly",
        topic=topic,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
    )
    services.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={m.pk: ("present", "") for m in members},
        minutes="记录",
    )
    return meeting


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


@pytest.fixture
def data(tree):
    today = timezone.localdate()
    a = _held(tree, tree.branch_a, tree.members_a, topic="第一支部大会")
    b = _held(tree, tree.branch_b, tree.members_b, topic="第二支部大会")
    add = services.resolution_add
    overdue = add(
        actor=None, meeting=a, text="整改台账", owner=tree.members_a[0], due_on=dt.date(2025, 6, 1)
    )
    later = add(actor=None, meeting=a, text="开展志愿服务", due_on=today + dt.timedelta(days=30))
    done = add(actor=None, meeting=a, text="学习党章")
    services.resolution_progress(actor=None, resolution=done, note="已组织集中学习")
    services.resolution_close(actor=None, resolution=done)
    other = add(actor=None, meeting=b, text="第二支部决议", due_on=dt.date(2025, 6, 1))
    return {"a": a, "b": b, "overdue": overdue, "later": later, "done": done, "other": other}


def test_rollup_lists_counts_and_links(client, tree, personas, data):
    r = _as(client, personas, "unit_admin").get(URL, {"org": tree.organ_a.pk})
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('data-testid="resolution-row"') == 4
    for text in ("整改台账", "开展志愿服务", "学习党章", "第二支部决议"):
        assert text in body
    assert f'href="/orglife/meetings/{data["a"].pk}/"' in body
    assert "已组织集中学习" in body  # the latest progress note
    counts = {c["meeting__org_id"]: c for c in r.context["counts"]}
    a, b = counts[tree.branch_a.pk], counts[tree.branch_b.pk]
    assert (a["open"], a["overdue"], a["done"]) == (2, 1, 1)
    assert (b["open"], b["overdue"], b["done"]) == (1, 1, 0)
    assert r.context["totals"] == {"open": 3, "overdue": 2, "done": 1, "dropped": 0}
    assert body.count('data-testid="resolution-overdue"') == 2


def test_filters(client, tree, personas, data):
    c = _as(client, personas, "unit_admin")
    r = c.get(URL, {"org": tree.organ_a.pk, "overdue": "1"})
    texts = [i["r"].text for i in r.context["items"]]
    assert sorted(texts) == ["整改台账", "第二支部决议"]
    r = c.get(URL, {"org": tree.branch_a.pk, "overdue": "1"})
    assert [i["r"].text for i in r.context["items"]] == ["整改台账"]
    r = c.get(URL, {"org": tree.organ_a.pk, "status": "done"})
    assert [i["r"].text for i in r.context["items"]] == ["学习党章"]
    r = c.get(URL, {"org": tree.organ_a.pk, "status": "open"})
    assert len(r.context["items"]) == 3
    r = c.get(URL, {"org": tree.organ_a.pk, "status": "bogus", "page": "x"})
    assert r.status_code == 200 and len(r.context["items"]) == 4


def test_scoping(client, tree, personas, data):
    r = _as(client, personas, "secretary_b").get(URL)
    assert r.status_code == 200
    assert [i["r"].text for i in r.context["items"]] == ["第二支部决议"]
    assert [c["meeting__org_id"] for c in r.context["counts"]] == [tree.branch_b.pk]
    assert "整改台账" not in r.content.decode()
    assert client.get(URL, {"org": tree.branch_a.pk}).status_code == 404
    for name in ("member_a", "auditor", "outsider"):
        assert _as(client, personas, name).get(URL).status_code == 404
    client.logout()
    r = client.get(URL)
    assert r.status_code in (302, 404)


def test_no_inline_script_or_style(client, tree, personas, data):
    body = _as(client, personas, "unit_admin").get(URL).content.decode()
    assert "<script>" not in body.replace("<script src", "")
    assert 'style="' not in body and " onclick=" not in body


def _queries(client, org_pk) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(URL, {"org": org_pk})
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(client, tree, personas, data):
    c = _as(client, personas, "unit_admin")
    few = _queries(c, tree.organ_a.pk)
    meeting = data["b"]
    for i in range(18):
        res = services.resolution_add(
            actor=None, meeting=meeting, text=f"决议{i}", owner=tree.members_b[0]
        )
        services.resolution_progress(actor=None, resolution=res, note="进展")
    many = _queries(c, tree.organ_a.pk)
    assert many == few
    r = c.get(URL, {"org": tree.organ_a.pk, "page": 2})
    assert r.context["page"].paginator.count == 22 and len(r.context["items"]) == 2
    assert "第 2 / 2 页" in r.content.decode()
