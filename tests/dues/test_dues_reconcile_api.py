"""Reconciliation API (/api/dues/statements): the list and one statement with its lines for
those who keep the org's dues, 404 for everyone else, and confirming (all or nothing; 400 with
the row named when a line cannot be booked or when the statement is no longer pending)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.accounts.services import api_token_create
from dangjian.dues import services_reconcile as services
from dangjian.dues.models import DuesCharge, DuesPayment, StatementStatus
from dangjian.dues.services import payment_record
from tests.conftest import PERSONA_NAMES

BASE = "/api/dues/statements"


@pytest.fixture
def bearer(personas):
    def make(name):
        token = api_token_create(actor=None, user=personas.by_name(name), name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


def _charge(member, month):
    return DuesCharge.all_objects.create(
        member=member,
        branch=member.branch,
        org_path=member.org_path,
        month=month,
        category="in_service",
        standard_amount=Decimal("30"),
        amount=Decimal("30"),
    )


def _import(org, month, rows, name="a.csv"):
    text = "户名,身份证号,交易金额,交易日期\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    return services.statement_import(
        actor=None,
        org=org,
        month=month,
        source="bank",
        uploaded_file=SimpleUploadedFile(name, text.encode("utf-8-sig")),
    )


@pytest.fixture
def statement(tree, month):
    for member in tree.members_a:
        _charge(member, month)
    zhang = tree.members_a[0]
    return _import(
        tree.branch_a,
        month,
        [["张三丰", f"420302198003150{zhang.id_tail}", "30", month], ["李四", "", "25", month]],
    )


@pytest.fixture
def statement_c(tree, month):
    _charge(tree.members_c[0], month)
    return _import(tree.branch_c, month, [["郑一", "", "30", month]], name="c.csv")


ALLOWED = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(client, personas, bearer, statement, persona):
    headers = bearer(persona)
    expected = ALLOWED.get(persona, 404)
    detail = client.get(f"{BASE}/{statement.pk}", **headers)
    assert detail.status_code == expected, persona
    listed = client.get(BASE, **headers)
    lister = expected == 200 or persona == "secretary_b"
    assert listed.status_code == (200 if lister else 404), persona
    if listed.status_code == 200:
        ids = [s["id"] for s in listed.json()["items"]]
        assert ids == ([statement.pk] if expected == 200 else [])
    confirm = client.post(f"{BASE}/{statement.pk}/confirm", **headers)
    if expected == 404:
        assert confirm.status_code == 404 and confirm.json() == {"detail": "未找到"}
        assert DuesPayment.all_objects.count() == 0


def test_the_list_is_scoped(client, bearer, statement, statement_c, tree):
    ids = {s["id"] for s in client.get(BASE, **bearer("committee_admin")).json()["items"]}
    assert ids == {statement.pk, statement_c.pk}
    ids = {s["id"] for s in client.get(BASE, **bearer("unit_admin")).json()["items"]}
    assert ids == {statement.pk}
    of_c = client.get(f"{BASE}?org={tree.branch_c.pk}", **bearer("unit_admin"))
    assert of_c.status_code == 404
    assert client.get(f"{BASE}/{statement_c.pk}", **bearer("unit_admin")).status_code == 404
    confirmed = client.get(f"{BASE}?status=confirmed", **bearer("committee_admin")).json()
    assert confirmed["count"] == 0


def test_detail_has_the_lines(client, bearer, statement, tree):
    body = client.get(f"{BASE}/{statement.pk}", **bearer("secretary_a")).json()
    assert body["org_name"] == "第一党支部" and body["source"] == "bank"
    assert (body["total_rows"], body["matched_count"], body["unmatched_count"]) == (2, 1, 1)
    first, second = body["lines"]
    assert first["status"] == "matched" and first["member_name"] == "张三丰"
    assert first["id_tail"] == tree.members_a[0].id_tail and len(first["id_tail"]) == 4
    assert first["charge_month"] == statement.month.isoformat()
    assert second["status"] == "amount_mismatch" and "实缴25.00元" in second["note"]


def test_confirm_books_and_cannot_run_twice(client, bearer, statement):
    response = client.post(f"{BASE}/{statement.pk}/confirm", **bearer("secretary_a"))
    assert response.status_code == 200
    assert response.json()["status"] == StatementStatus.CONFIRMED
    payment = DuesPayment.all_objects.get()
    assert payment.method == "transfer" and payment.amount == Decimal("30.00")
    again = client.post(f"{BASE}/{statement.pk}/confirm", **bearer("secretary_a"))
    assert again.status_code == 400 and "已入账" in again.json()["detail"]
    assert DuesPayment.all_objects.count() == 1


def test_confirm_refusal_names_the_row(client, bearer, statement, tree, month):
    payment_record(actor=None, member=tree.members_a[0], amount="30", paid_on=month, method="cash")
    response = client.post(f"{BASE}/{statement.pk}/confirm", **bearer("unit_admin"))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("第2行（张三丰）")
    assert DuesPayment.all_objects.filter(statement_line__isnull=False).count() == 0
    statement.refresh_from_db()
    assert statement.status == StatementStatus.MATCHED


@pytest.mark.parametrize("path", ["/abc", "/0", "/999999"])
def test_bad_ids(client, bearer, path):
    assert client.get(f"{BASE}{path}", **bearer("committee_admin")).status_code in (404, 422)
