"""The 考核评比 hub and its nav entry: who sees them, what waits for whom, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.assessment import services_observation as obs
from dangjian.assessment import services_review as reviews
from dangjian.assessment import services_schemes as schemes

pytestmark = pytest.mark.django_db

HUB = "/assessment/"


@pytest.mark.parametrize(
    "persona, status, nav",
    [
        ("committee_admin", 200, True),
        ("unit_admin", 200, True),
        ("secretary_a", 200, True),
        ("member_a", 200, True),
        ("secretary_b", 200, True),
        ("judge", 200, True),
        # 三员分立: no business data for the three separated administrators
        ("auditor", 404, False),
        ("security_admin", 404, False),
        ("system_admin", 404, False),
        ("outsider", 404, False),
    ],
)
def test_permission_table(client, personas, persona, status, nav):
    user = personas.by_name(persona)
    client.force_login(user)
    assert client.get(HUB).status_code == status
    home = client.get("/").content.decode()
    assert ('data-testid="nav-assessment"' in home) is nav


@pytest.fixture
def work(tree, personas):
    """A published unit scheme (甲局 and 乙局 assessed), a live observation meeting where the
    judge persona scores, and an open review where member_a votes."""
    scheme = schemes.scheme_from_template(
        actor=None, owner=tree.root, year=2026, template_code="five_basics"
    )
    schemes.scheme_update(actor=None, scheme=scheme, self_due=dt.date(2026, 12, 1))
    schemes.scheme_publish(actor=None, scheme=scheme)
    meeting = obs.observation_create(
        actor=None, owner=tree.root, title="第四次观摩会", starts_at=timezone.now()
    )
    obs.stop_add(actor=None, meeting=meeting, org=tree.party_group_a, place="甲局门口")
    obs.judge_add(actor=None, meeting=meeting, user=personas.judge, name="评委甲")
    obs.observation_start(actor=None, meeting=meeting)
    review = reviews.review_create(actor=None, owner=tree.root, year=2026, title="年度述职评议")
    reviews.report_add(actor=None, review=review, org=tree.party_group_a, secretary_name="甲书记")
    reviews.voters_set(actor=None, review=review, users=[personas.member_a])
    reviews.review_open(actor=None, review=review)
    return scheme, meeting, review


def test_what_waits_for_whom(client, personas, work):
    _scheme, meeting, review = work
    client.force_login(personas.unit_admin)
    page = client.get(HUB).content.decode()
    assert page.count('data-testid="hub-fill"') == 1  # 甲局's own assessment, not 乙局's
    assert 'data-testid="hub-review"' not in page  # nothing submitted yet

    client.force_login(personas.judge)
    page = client.get(HUB).content.decode()
    assert f"/observation/{meeting.pk}/judge/" in page
    assert 'data-testid="hub-fill"' not in page

    client.force_login(personas.member_a)
    page = client.get(HUB).content.decode()
    assert f"/reviews/{review.pk}/" in page and 'data-testid="hub-ballot"' in page
    assert 'data-testid="hub-my-commitment"' in page
    assert "第四次观摩会" not in page  # not his meeting

    client.force_login(personas.committee_admin)
    page = client.get(HUB).content.decode()
    for section in ("hub-schemes", "hub-meetings", "hub-reviews"):
        assert f'data-testid="{section}"' in page


def test_hub_queries_are_bounded(client, personas, work, django_assert_max_num_queries):
    client.force_login(personas.committee_admin)
    with django_assert_max_num_queries(25):
        assert client.get(HUB).status_code == 200
