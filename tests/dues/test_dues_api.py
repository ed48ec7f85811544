"""党费 API: the month's charges (paginated), a member's year, payments and their void, the
arrears, bases and runs; refusals as {"detail", "field"} with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.dues.models import ChargeRun, DuesBase, DuesCharge, DuesPayment
from tests.dues.conftest import pay


@pytest.fixture
def api(client, personas):
    client.force_login(personas.secretary_a)
    return client


def _post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_charges_of_a_month_paginated(api, tree, charged):
    pay(tree.members_a[1], "40.00", dt.date(2024, 3, 5), months=[dt.date(2024, 3, 1)])
    body = api.get(f"/api/dues/charges?org={tree.branch_a.pk}&month=2024-03-01&limit=2").json()
    assert body["count"] == 5 and len(body["items"]) == 2
    full = api.get(f"/api/dues/charges?org={tree.branch_a.pk}&month=2024-03-15").json()
    rows = {r["member_id"]: r for r in full["items"]}
    paid = rows[tree.members_a[1].pk]
    assert (paid["status"], paid["paid"], paid["outstanding"]) == ("paid", "40.00", "0.00")
    assert rows[tree.members_a[2].pk]["amount_due"] == "40.00"


def test_member_year(api, tree, charged):
    rows = api.get(f"/api/dues/members/{tree.members_a[2].pk}/charges?year=2024").json()
    assert len(rows) == 12
    assert [r["status"] for r in rows[:7]] == ["due"] * 6 + ["no_charge"]


def test_payment_and_void(api, tree, charged):
    member = tree.members_a[2]
    response = _post(
        api,
        "/api/dues/payments",
        {
            "member_id": member.pk,
            "amount": "80.00",
            "paid_on": "2024-03-05",
            "method": "transfer",
            "months": ["2024-02-01", "2024-03-01"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [a["month"] for a in body["allocations"]] == ["2024-02-01", "2024-03-01"]
    assert body["to_centre"] is False
    response = _post(api, f"/api/dues/payments/{body['id']}/void", {"reason": "录错"})
    assert response.json() == {"id": body["id"], "voided": True}
    assert DuesPayment.all_objects.get().voided_at is not None
    assert not DuesCharge.all_objects.filter(paid_amount__gt=0).exists()


def test_voluntary_payment_marked_for_the_centre(api, tree, charged):
    response = _post(
        api,
        "/api/dues/payments",
        {
            "member_id": tree.members_a[2].pk,
            "amount": 1500,
            "paid_on": "2024-03-05",
            "method": "cash",
            "kind": "voluntary",
        },
    )
    assert response.status_code == 201
    assert response.json()["to_centre"] is True and response.json()["allocations"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"months": ["2024-09-01"]}, "months"),
        ({"amount": "-1"}, "amount"),
        ({"months": ["2024-01-01"], "paid_on": "2024-08-20"}, "exception_reason"),
    ],
)
def test_bad_payment_is_400_at_the_field(api, tree, charged, payload, field):
    data = {
        "member_id": tree.members_a[2].pk,
        "amount": "40.00",
        "paid_on": "2024-03-05",
        "method": "cash",
        **payload,
    }
    response = _post(api, "/api/dues/payments", data)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert DuesPayment.all_objects.count() == 0


def test_malformed_payment_is_422(api, tree, charged):
    response = _post(api, "/api/dues/payments", {"member_id": tree.members_a[2].pk})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求数据有误"


def test_arrears(api, tree, charged):
    pay(tree.members_a[1], "240.00", dt.date(2024, 6, 30))
    body = api.get(f"/api/dues/arrears?org={tree.branch_a.pk}").json()
    assert body["count"] == 4
    assert {r["member_id"] for r in body["items"]} == {
        m.pk for m in tree.members_a if m.pk != tree.members_a[1].pk
    }
    assert all(r["bucket"] == "6+" and r["outstanding"] == "240.00" for r in body["items"])


def test_base_from_items(api, tree, charged):
    member = tree.members_a[2]
    response = _post(
        api,
        "/api/dues/bases",
        {
            "member_id": member.pk,
            "category": "in_service",
            "effective_month": "2024-04-01",
            "items": [{"name": "职务工资", "amount": "2500"}, {"name": "津贴", "amount": "600"}],
            "income_tax": "100",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["base"] == "3000.00"
    assert response.json()["monthly_amount"] == "15.00"  # 0.5 % at the bracket edge


def test_negative_base_is_refused(api, tree, charged):
    before = DuesBase.all_objects.count()
    response = _post(
        api,
        "/api/dues/bases",
        {
            "member_id": tree.members_a[2].pk,
            "category": "in_service",
            "effective_month": "2024-04-01",
            "base": "-1",
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "base"
    assert DuesBase.all_objects.count() == before


def test_run_start_and_progress(api, tree, dues_bases):
    response = _post(api, "/api/dues/runs", {"org_id": tree.branch_a.pk, "month": "2024-02-01"})
    assert response.status_code == 201
    run_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    from tests.dues.conftest import generate

    generate(tree.branch_a, dt.date(2024, 2, 1), run=ChargeRun.all_objects.get(pk=run_id))
    body = api.get(f"/api/dues/runs/{run_id}").json()
    assert (body["status"], body["percent"], body["created_count"]) == ("done", 100, 5)
    assert DuesCharge.all_objects.filter(month=dt.date(2024, 2, 1)).count() == 5
    assert Decimal(DuesCharge.all_objects.first().amount) == Decimal("40.00")


def test_run_of_another_branch_is_404(client, personas, tree, dues_bases):
    client.force_login(personas.secretary_b)
    response = _post(client, "/api/dues/runs", {"org_id": tree.branch_a.pk, "month": "2024-02-01"})
    assert response.status_code == 404
    assert ChargeRun.all_objects.count() == 0
