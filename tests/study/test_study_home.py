"""The study hub /study/: a member's own summary, the managers' way into each area, and a
404 for anyone who is neither (the three separated administrators, an account without a
member record or a grant)."""

from __future__ import annotations

import pytest

from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

# persona → (status, sees the member summary, sees the management links)
EXPECTED = {
    "committee_admin": (200, False, True),
    "unit_admin": (200, False, True),
    "secretary_a": (200, True, True),
    "member_a": (200, True, False),
    "secretary_b": (200, True, True),
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_hub_per_persona(client, personas, persona, django_assert_max_num_queries):
    user = personas.by_name(persona)
    client.force_login(user)
    status, mine, manages = EXPECTED.get(persona, (404, False, False))
    if status == 200 and getattr(user, "member_id", None) and not mine:
        mine = True  # an admin account linked to a member record sees his own summary too
    with django_assert_max_num_queries(14):
        response = client.get("/study/")
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert ('data-testid="study-mine"' in html) is mine
    assert ('data-testid="study-manage"' in html) is manages
    assert ('data-testid="nav-study"' in html) is True


def test_hub_needs_login(client):
    response = client.get("/study/")
    assert response.status_code == 302
