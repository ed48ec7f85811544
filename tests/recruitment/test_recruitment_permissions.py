"""Who may open which page of 发展党员 (docs/access.md, the permission table): every persona of
tests/conftest.py against every page, for a candidate of branch A. The branch's secretary
manages it, the sibling branch's secretary gets 404 (never 403: the candidate's existence is
not confirmed), the unit and committee admins manage and also take the committee's steps;
members, the judge, the three separated admins and an outsider see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.recruitment.models import StepEvent
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

ADMINS = {"committee_admin", "unit_admin"}
MANAGERS = ADMINS | {"secretary_a"}
ANY_MANAGER = MANAGERS | {"secretary_b"}


def expected(allowed: set[str], ok: int = 200) -> dict[str, int]:
    return {name: ok if name in allowed else 404 for name in PERSONA_NAMES}


# (name, method, url builder, data, expected status per persona)
PAGES = [
    ("board", "get", lambda c, e: reverse("recruitment:board"), None, expected(ANY_MANAGER)),
    ("new", "get", lambda c, e: reverse("recruitment:new"), None, expected(ANY_MANAGER)),
    (
        "candidate",
        "get",
        lambda c, e: reverse("recruitment:candidate", args=[c.pk]),
        None,
        expected(MANAGERS),
    ),
    (
        "branch step form",
        "get",
        lambda c, e: reverse("recruitment:step", args=[c.pk, "activist"]),
        None,
        expected(MANAGERS),
    ),
    (
        "committee step form",
        "get",
        lambda c, e: reverse("recruitment:step", args=[c.pk, "pre_review"]),
        None,
        expected(ADMINS),
    ),
    (
        "record a step",
        "post",
        lambda c, e: reverse("recruitment:step", args=[c.pk, "activist"]),
        {"on": "2099-01-01"},  # refused at the field (400) when allowed at all
        expected(MANAGERS, 400),
    ),
    (
        "correct",
        "get",
        lambda c, e: reverse("recruitment:correct", args=[e.pk]),
        None,
        expected(MANAGERS),
    ),
    (
        "delete a step",
        "post",
        lambda c, e: reverse("recruitment:delete_step", args=[e.pk]),
        {"reason": "误登记"},
        expected(MANAGERS, 302),
    ),
    (
        "withdraw",
        "get",
        lambda c, e: reverse("recruitment:withdraw", args=[c.pk]),
        None,
        expected(MANAGERS),
    ),
    (
        "document",
        "get",
        lambda c, e: reverse("recruitment:document", args=[c.pk, "publicity_notice"]),
        None,
        expected(MANAGERS),
    ),
    (
        "templates",
        "get",
        lambda c, e: reverse("recruitment:templates"),
        None,
        expected(ADMINS),
    ),
    (
        "built-in template",
        "get",
        lambda c, e: reverse("recruitment:template_builtin", args=["assembly_list"]),
        None,
        expected(ADMINS),
    ),
    (
        "export",
        "post",
        lambda c, e: reverse("recruitment:export"),
        {"org": "", "stage": ""},
        expected(ANY_MANAGER),
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "url", "data", "table"), PAGES, ids=[p[0] for p in PAGES]
)
def test_permission_table(
    client, tree, personas, candidate_factory, name, method, url, data, table
):
    candidate = candidate_factory(upto="talk")
    event = StepEvent.objects.unscoped().get(candidate=candidate, step="talk")
    target = url(candidate, event)
    got = {}
    for persona in PERSONA_NAMES:
        client.force_login(personas.by_name(persona))
        response = getattr(client, method)(target, data or {})
        got[persona] = response.status_code
        if response.status_code == 302 and name == "delete a step":
            # the step is gone: put one back (test set-up) for the next persona
            event = StepEvent.all_objects.create(candidate=candidate, step="talk", on=event.on)
            target = url(candidate, event)
        client.logout()
    assert got == table


def test_anonymous_is_sent_to_login(client, tree, candidate_factory):
    candidate = candidate_factory()
    for target in (
        reverse("recruitment:board"),
        reverse("recruitment:candidate", args=[candidate.pk]),
        reverse("recruitment:document", args=[candidate.pk, "publicity_notice"]),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_units_candidate_is_404_to_the_unit_admin(
    client, tree, personas, candidate_factory
):
    other = candidate_factory(branch=tree.branch_c)
    client.force_login(personas.unit_admin)
    assert client.get(reverse("recruitment:candidate", args=[other.pk])).status_code == 404
    client.force_login(personas.committee_admin)
    assert client.get(reverse("recruitment:candidate", args=[other.pk])).status_code == 200


def test_secretary_cannot_record_the_approval_of_his_own_candidate(
    client, tree, personas, candidate_factory
):
    candidate = candidate_factory(upto="acceptance")
    client.force_login(personas.secretary_a)
    response = client.post(
        reverse("recruitment:step", args=[candidate.pk, "approval"]),
        {"on": "2023-08-01", "passed": "yes"},
    )
    assert response.status_code == 404
    assert not StepEvent.objects.unscoped().filter(candidate=candidate, step="approval").exists()
