"""Who may open which 党费 page and call which endpoint: one table per persona (outsiders get
404, never 403), the writes refused to outsiders with nothing written, and bad ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.dues.models import ChargeRun, DuesBase, DuesPayment, Reduction
from tests.conftest import PERSONA_NAMES
from tests.dues.conftest import generate, pay

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")

MANAGERS = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200}
ALL_MANAGERS = {**MANAGERS, "secretary_b": 200}
LINKED = {"secretary_a": 200, "member_a": 200, "secretary_b": 200}


@pytest.fixture
def objects(tree, dues_bases):
    from dangjian.dues import services

    for month in (1, 2, 3):
        generate(tree.root, dt.date(2024, month, 1))
    member = tree.members_a[2]
    payment = pay(member, "40.00", dt.date(2024, 3, 5), months=[dt.date(2024, 1, 1)])
    run = ChargeRun.all_objects.create(
        org=tree.branch_a, org_path=tree.branch_a.path, month=dt.date(2024, 7, 1)
    )
    reduction = services.reduction_request(
        actor=None,
        member=member,
        kind="exempt",
        monthly_amount=None,
        from_month=dt.date(2024, 5, 1),
        to_month=dt.date(2024, 6, 1),
        reason="长期患病，生活困难",
        branch_discussed_on=dt.date(2024, 4, 20),
        today=dt.date(2024, 4, 25),
    )
    return {
        "A": tree.branch_a.pk,
        "C": tree.branch_c.pk,
        "m": member.pk,
        "mc": tree.members_c[0].pk,
        "payment": payment.pk,
        "run": run.pk,
        "reduction": reduction.pk,
    }


# (name, url, {persona: status}); a persona not named answers 404
PAGES = [
    ("index of A", "/dues/?org={A}&month=2024-03", {**MANAGERS, "member_a": 302}),
    ("index default", "/dues/", {**ALL_MANAGERS, "member_a": 302}),
    ("index of C", "/dues/?org={C}", {"committee_admin": 200, "member_a": 302}),
    ("member of A", "/dues/members/{m}/", MANAGERS),
    ("member of C", "/dues/members/{mc}/", {"committee_admin": 200}),
    ("pay form", "/dues/members/{m}/pay/", MANAGERS),
    ("run of A", "/dues/runs/{run}/", MANAGERS),
    ("arrears of A", "/dues/arrears/?org={A}", MANAGERS),
    ("annual of A", "/dues/annual/?org={A}&year=2024", MANAGERS),
    # the 公示 is read by the branch's own members too (selectors.publication)
    ("publication of A", "/dues/publication/?org={A}&year=2024", {**MANAGERS, "member_a": 200}),
    ("publication default", "/dues/publication/", {**ALL_MANAGERS, "member_a": 200}),
    ("reductions", "/dues/reductions/", ALL_MANAGERS),
    ("my dues", "/dues/my/", LINKED),
    ("base preview", "/dues/base/preview/?category=in_service&base=4000", ALL_MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "table"), PAGES, ids=[p[0] for p in PAGES])
def test_page_table(client, personas, objects, persona, name, url, table):
    client.force_login(personas.by_name(persona))
    response = client.get(url.format(**objects))
    assert response.status_code == table.get(persona, 404), (name, persona)


API = [
    ("charges of A", "/api/dues/charges?org={A}&month=2024-03-01", MANAGERS),
    ("member charges", "/api/dues/members/{m}/charges?year=2024", MANAGERS),
    ("arrears of A", "/api/dues/arrears?org={A}", MANAGERS),
    ("run", "/api/dues/runs/{run}", MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "url", "table"), API, ids=[p[0] for p in API])
def test_api_table(client, personas, objects, persona, name, url, table):
    client.force_login(personas.by_name(persona))
    response = client.get(url.format(**objects))
    assert response.status_code == table.get(persona, 404), (name, persona)
    if response.status_code == 404:
        assert response.json() == {"detail": "未找到"}


def _counts():
    return (
        DuesPayment.all_objects.count(),
        DuesBase.all_objects.count(),
        Reduction.all_objects.filter(status="pending").count(),
        ChargeRun.all_objects.count(),
    )


WRITES = [
    ("pay", "/dues/members/{m}/pay/", {"amount": "40", "paid_on": "2024-03-05", "method": "cash"}),
    (
        "base",
        "/dues/members/{m}/base/",
        {"category": "in_service", "effective_month": "2024-03", "base": "5000"},
    ),
    ("void", "/dues/payments/{payment}/void/", {"reason": "录入错误"}),
    ("generate", "/dues/generate/", {"org": "{A}", "month": "2024-07"}),
    (
        "reduction",
        "/dues/members/{m}/reductions/",
        {
            "kind": "exempt",
            "from_month": "2024-07",
            "reason": "困难",
            "branch_discussed_on": "2024-04-01",
        },
    ),
    ("decide", "/dues/reductions/{reduction}/decide/", {"decision": "approve"}),
]


@pytest.mark.parametrize(
    "persona", ["member_a", "secretary_b", "judge", "auditor", "system_admin", "outsider"]
)
@pytest.mark.parametrize(("name", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_404_for_outsiders(client, personas, objects, persona, name, url, data):
    before = _counts()
    client.force_login(personas.by_name(persona))
    data = {k: v.format(**objects) for k, v in data.items()}
    response = client.post(url.format(**objects), data)
    assert response.status_code == 404, (name, persona)
    assert _counts() == before


def test_a_branch_cannot_approve_its_own_reduction(client, personas, objects):
    """R-DUES-08: the committee above decides; the branch secretary gets 404 and the reduction
    stays pending; the unit administrator above approves it."""
    client.force_login(personas.secretary_a)
    url = f"/dues/reductions/{objects['reduction']}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert Reduction.all_objects.get().status == "pending"
    client.force_login(personas.unit_admin)
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assert Reduction.all_objects.get().status == "approved"


@pytest.mark.parametrize(
    "url",
    [
        "/dues/?org=abc",
        "/dues/?org=99999999999999999999",
        "/dues/members/999999/",
        "/dues/runs/999999/",
        "/dues/arrears/?org=-1",
        "/api/dues/members/999999/charges",
        "/api/dues/runs/999999",
    ],
)
def test_bad_ids_are_404(client, personas, url):
    client.force_login(personas.committee_admin)
    assert client.get(url).status_code == 404


def test_api_write_of_outsider_is_404_and_writes_nothing(client, personas, objects):
    client.force_login(personas.secretary_b)
    response = client.post(
        "/api/dues/payments",
        {"member_id": objects["m"], "amount": "40.00", "paid_on": "2024-03-05", "method": "cash"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert DuesPayment.all_objects.count() == 1
    assert Decimal("40.00") == DuesPayment.all_objects.get().amount
