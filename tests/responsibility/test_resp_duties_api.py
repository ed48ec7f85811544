"""The responsibility lists' API: the lists of an org and year, one list with items, reports
and findings, a quarterly report (400 with the Chinese message at the field when refused);
outsiders get 404, anonymous callers 401."""

from __future__ import annotations

import pytest

from dangjian.responsibility.models import DutyReport
from tests.responsibility.resp_duties_support import YEAR, confirmed_list, make_list, report


@pytest.fixture
def lists(tree):
    own, (item, _other) = confirmed_list(tree.party_group_a)
    report(item, quarter=1, progress=40)
    make_list(tree.party_group_a, kind="dual", holder_name="李四", remit="机关党建")
    theirs, (their_item, _x) = confirmed_list(tree.party_group_b)
    return {"own": own, "item": item, "theirs": theirs, "their_item": their_item}


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


def test_lists_of_an_org_and_year(client, tree, personas, lists):
    c = _as(client, personas, "committee_admin")
    body = c.get(f"/api/responsibility/duties/lists?year={YEAR}").json()
    assert body["count"] == 3
    body = c.get(
        f"/api/responsibility/duties/lists?year={YEAR}&org={tree.party_group_a.pk}&kind=dual"
    ).json()
    (row,) = body["items"]
    assert row["holder_name"] == "李四" and row["kind_label"] == "班子成员一岗双责"
    assert row["unit_name"] == "甲局" and row["confirmed_at"] is None
    mine = (
        _as(client, personas, "unit_admin")
        .get(f"/api/responsibility/duties/lists?year={YEAR}")
        .json()
    )
    assert mine["count"] == 2  # 甲局 only


def test_one_list_with_items_reports_and_findings(client, personas, lists):
    body = (
        _as(client, personas, "unit_admin")
        .get(f"/api/responsibility/duties/lists/{lists['own'].pk}")
        .json()
    )
    assert body["items"] == 2 and body["kind"] == "main"
    first, second = body["duty_items"]
    assert first["progress"] == 40 and first["overdue"] is True
    (q1,) = first["reports"]
    assert (q1["quarter"], q1["progress"]) == (1, 40)
    assert {f["rule_id"] for f in first["findings"]} == {"R-ORG-12"}
    assert sorted(f["quarter"] for f in second["findings"] if f["quarter"]) == [1, 2, 3, 4]


def test_post_a_report(client, personas, lists):
    c = _as(client, personas, "unit_admin")
    url = f"/api/responsibility/duties/items/{lists['item'].pk}/reports"
    response = c.post(
        url, {"quarter": 2, "progress": 70, "text": "推进中"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["quarter"], body["progress"], body["files"]) == (2, 70, [])
    lists["item"].refresh_from_db()
    assert lists["item"].progress == 70


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"quarter": 2, "progress": 101, "text": "x"}, "progress", "完成进度应在0到100之间。"),
        ({"quarter": 2, "progress": -5, "text": "x"}, "progress", "完成进度应在0到100之间。"),
        ({"quarter": 7, "progress": 5, "text": "x"}, "quarter", "请选择季度（1至4）。"),
        ({"quarter": 2, "progress": 5, "text": " "}, "text", "请填写进展情况。"),
    ],
)
def test_refused_reports_say_why_at_the_field(client, personas, lists, payload, field, message):
    response = _as(client, personas, "unit_admin").post(
        f"/api/responsibility/duties/items/{lists['item'].pk}/reports",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["detail"] == message
    assert DutyReport.objects.count() == 1


def test_malformed_payload_is_422(client, personas, lists):
    response = _as(client, personas, "unit_admin").post(
        f"/api/responsibility/duties/items/{lists['item'].pk}/reports",
        {"quarter": "abc", "progress": 5},
        content_type="application/json",
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "persona", ["secretary_a", "member_a", "secretary_b", "judge", "auditor", "outsider"]
)
def test_everybody_else_gets_404(client, personas, lists, persona):
    c = _as(client, personas, persona)
    assert c.get("/api/responsibility/duties/lists").status_code == 404
    assert c.get(f"/api/responsibility/duties/lists/{lists['own'].pk}").status_code == 404
    response = c.post(
        f"/api/responsibility/duties/items/{lists['item'].pk}/reports",
        {"quarter": 2, "progress": 5, "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert DutyReport.objects.count() == 1


def test_the_other_units_list_is_404_for_a_unit_admin(client, personas, lists):
    c = _as(client, personas, "unit_admin")
    assert c.get(f"/api/responsibility/duties/lists/{lists['theirs'].pk}").status_code == 404
    assert (
        c.get(f"/api/responsibility/duties/lists?org={lists['theirs'].org_id}").status_code == 404
    )
    response = c.post(
        f"/api/responsibility/duties/items/{lists['their_item'].pk}/reports",
        {"quarter": 2, "progress": 5, "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_anonymous_is_401(client, lists):
    assert client.get("/api/responsibility/duties/lists").status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/responsibility/duties/lists/99999999",
        "/api/responsibility/duties/lists/0",
        "/api/responsibility/duties/lists?org=99999999",
    ],
)
def test_unknown_ids_are_404(client, personas, lists, url):
    assert _as(client, personas, "committee_admin").get(url).status_code == 404
