"""Permission table for the transfer pages: every URL × every persona × the targets of
tests/core/test_permission_table.py (A = branch A, B = sibling branch B, P = a member of
branch B seen from the unit's top node, C = branch C in the other unit). Outsiders get 404,
never 403."""

import pytest
from django.utils import timezone
from tests.conftest import PERSONA_NAMES

from dangjian.members import transfers
from dangjian.members.services import member_update

pytestmark = pytest.mark.usefixtures("shared_tree")

TODAY = timezone.localdate()
TARGETS = ["A", "B", "P", "C"]
NONE = (404, 404, 404, 404)


def _table(committee_admin, unit_admin, secretary_a, secretary_b):
    """member_a, the judge, the auditor, the security admin and the outsider manage no
    members anywhere: always 404."""
    return {
        "committee_admin": committee_admin,
        "unit_admin": unit_admin,
        "secretary_a": secretary_a,
        "member_a": NONE,
        "secretary_b": secretary_b,
        "auditor": NONE,
        "security_admin": NONE,
        "judge": NONE,
        "system_admin": NONE,  # 三员分立: the org tree and settings, no members
        "outsider": NONE,
    }


# member.manage on the member's own branch (start a transfer, 减少, record a contact)
MEMBER_MANAGE = _table(
    (200, 200, 200, 200), (200, 200, 200, 404), (200, 404, 404, 404), (404, 200, 200, 404)
)

# Transfers within the system, one per target: A → B, B → A, P (a B member) → C, C → A.
WITHIN_TO = {"A": "branch_b", "B": "branch_a", "P": "branch_c", "C": "branch_a"}
# accept / return: the receiving side (member.manage on to_path)
RECEIVING = _table(
    (200, 200, 200, 200), (200, 200, 404, 200), (404, 200, 404, 200), (200, 404, 404, 404)
)
# cancel, and accept / return of a transfer to outside the system: the sending side
SENDING = _table(
    (200, 200, 200, 200), (200, 200, 200, 404), (200, 404, 404, 404), (404, 200, 200, 404)
)


def _member(tree, key):
    return {
        "A": tree.members_a[2],
        "B": tree.members_b[1],
        "P": tree.members_b[2],
        "C": tree.members_c[0],
    }[key]


def _transfer(tree, key, kind):
    member = _member(tree, key)
    if kind == "within":
        to_org = getattr(tree, WITHIN_TO[key])
        return transfers.transfer_start(
            actor=None, member=member, on=TODAY, reason="工作调动", to_org=to_org
        )
    return transfers.transfer_start(
        actor=None,
        member=member,
        on=TODAY,
        reason="调往外省",
        to_org_name="外省某党支部",
        letter_number="L-001",
    )


MEMBER_PAGES = [
    ("transfer start", "/members/transfers/start/{id}/"),
    ("member leave", "/members/transfers/leave/{id}/"),
    ("member contact", "/members/transfers/contact/{id}/"),
]


@pytest.mark.parametrize(
    ("name", "url", "persona", "target", "expected"),
    [
        pytest.param(name, url, p, t, MEMBER_MANAGE[p][i], id=f"{name}-{p}-{t}")
        for name, url in MEMBER_PAGES
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_member_pages(client, tree, personas, name, url, persona, target, expected):
    member = _member(tree, target)
    if name == "member contact":  # the page is for mobile members
        member_update(actor=None, member=member, mobile=True, mobile_destination="深圳")
    client.force_login(personas.by_name(persona))
    assert client.get(url.format(id=member.pk)).status_code == expected


TRANSFER_PAGES = [
    ("accept", "get", "/members/transfers/{id}/accept/", "within", RECEIVING, 200),
    ("return", "get", "/members/transfers/{id}/return/", "within", RECEIVING, 200),
    ("accept outside", "get", "/members/transfers/{id}/accept/", "outside", SENDING, 200),
    ("return outside", "get", "/members/transfers/{id}/return/", "outside", SENDING, 200),
    ("cancel", "post", "/members/transfers/{id}/cancel/", "within", SENDING, 302),
    ("cancel outside", "post", "/members/transfers/{id}/cancel/", "outside", SENDING, 302),
]


@pytest.mark.parametrize(
    ("name", "method", "url", "kind", "persona", "target", "expected"),
    [
        pytest.param(
            name,
            method,
            url,
            kind,
            p,
            t,
            ok if table[p][i] == 200 else table[p][i],
            id=f"{name}-{p}-{t}",
        )
        for name, method, url, kind, table, ok in TRANSFER_PAGES
        for p in PERSONA_NAMES
        for i, t in enumerate(TARGETS)
    ],
)
def test_transfer_pages(client, tree, personas, name, method, url, kind, persona, target, expected):
    transfer = _transfer(tree, target, kind)
    client.force_login(personas.by_name(persona))
    response = getattr(client, method)(url.format(id=transfer.pk))
    assert response.status_code == expected
    if method == "post":
        transfer.refresh_from_db()
        assert transfer.status == ("cancelled" if expected == 302 else "pending")


LIST_ALLOWED = {"committee_admin", "unit_admin", "secretary_a", "secretary_b"}


@pytest.mark.parametrize("tab", ["", "?tab=incoming", "?tab=outgoing", "?tab=history"])
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_transfer_list_page(client, personas, persona, tab):
    client.force_login(personas.by_name(persona))
    expected = 200 if persona in LIST_ALLOWED else 404
    assert client.get(f"/members/transfers/{tab}").status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/members/transfers/",
        "/members/transfers/start/1/",
        "/members/transfers/1/accept/",
        "/members/transfers/1/return/",
        "/members/transfers/leave/1/",
        "/members/transfers/contact/1/",
    ],
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_cancel_is_post_only(client, tree, personas):
    transfer = _transfer(tree, "A", "within")
    client.force_login(personas.secretary_a)
    assert client.get(f"/members/transfers/{transfer.pk}/cancel/").status_code == 405
    transfer.refresh_from_db()
    assert transfer.status == "pending"


def test_receiving_secretary_sees_the_transfer_not_the_sending_branch(client, tree, personas):
    """secretary_b can accept a transfer into branch B, but cannot otherwise see branch A's
    members: not the incoming member's page before acceptance, nor anyone else's."""
    transfer = _transfer(tree, "A", "within")
    member = transfer.member
    client.force_login(personas.secretary_b)
    html = client.get("/members/transfers/").content.decode()
    assert member.name in html and f"/members/transfers/{transfer.pk}/accept/" in html
    assert f'href="/members/{member.pk}/"' not in html  # no link to a page it cannot open
    assert client.get(f"/members/{member.pk}/").status_code == 404
    assert client.get(f"/members/{tree.members_a[0].pk}/").status_code == 404
    assert client.get(f"/members/transfers/start/{member.pk}/").status_code == 404
    response = client.post(f"/members/transfers/{transfer.pk}/accept/", {"on": TODAY.isoformat()})
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    assert client.get(f"/members/{member.pk}/").status_code == 200
    assert client.get(f"/members/{tree.members_a[0].pk}/").status_code == 404
    client.force_login(personas.secretary_a)
    assert client.get(f"/members/{member.pk}/").status_code == 404
