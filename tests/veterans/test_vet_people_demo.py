"""The veterans people demo builder on a small tree holding the 老干部局 with two retiree
branches (the city itself is built by the lead's city tests): ~60 retirees with 李军 and
程培长, members linked, the three interest groups, offices, pairings with some cadres overdue,
requests in every state; deterministic."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.conftest import _member

from dangjian.rules import veterans as rules
from dangjian.veterans.models import Contact, InterestGroup, Office, Pairing, Request, Retiree
from dangjian.veterans.selectors_people import pairing_dues, with_states

pytestmark = pytest.mark.django_db


@pytest.fixture
def lgb(db):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    create = org_services.org_create
    root = create(actor=None, parent=None, name="十堰市直机关工委", kind="working_committee")
    unit = Unit.objects.create(name="中共十堰市委老干部局", short_name="市委老干部局")
    top = create(
        actor=None, parent=root, name="中共十堰市委老干部局党组", kind="party_group", unit=unit
    )
    branch = create(actor=None, parent=top, name="机关第一党支部", kind="branch")
    r1 = create(
        actor=None, parent=top, name="离退休干部第一党支部", kind="branch", is_retiree_branch=True
    )
    r2 = create(
        actor=None, parent=top, name="离退休干部第二党支部", kind="branch", is_retiree_branch=True
    )
    digits = "甲乙丙丁戊己庚辛壬癸子丑"
    for i in range(12):
        _member(branch, f"在职{digits[i]}")
    for i in range(10):
        _member(r1 if i % 2 else r2, f"离退{digits[i]}", born=1945, retired=True)
    return top


def test_build_veterans_people(lgb):
    from dangjian.demo.veterans_people import build_veterans_people

    today = timezone.localdate()
    result = build_veterans_people(today)
    assert result.retirees == Retiree.all_objects.count() == 60
    assert result.offices == Office.all_objects.count() == 3
    assert result.groups == 3
    assert set(InterestGroup.all_objects.values_list("name", flat=True)) == {
        "诗词",
        "书画",
        "花鼓船歌",
    }
    assert Retiree.all_objects.filter(name__in=["李军", "程培长"]).count() == 2
    assert Retiree.all_objects.filter(member__isnull=False).count() == 10
    assert result.pairings == Pairing.all_objects.count() == 24
    assert result.contacts == Contact.all_objects.count() > 50
    pairings = list(Pairing.all_objects.select_related("retiree"))
    pairing_dues(pairings, today)
    assert any(p.overdue for p in pairings) and not all(p.overdue for p in pairings)
    assert result.requests == Request.all_objects.count()
    states = {r.state for r in with_states(list(Request.all_objects.all()), today)}
    assert states == set(rules.REQUEST_STATE_LABELS)
    statuses = set(Request.all_objects.values_list("status", flat=True))
    assert statuses == {"open", "answered", "fed_back", "closed"}
    sats = set(Request.all_objects.exclude(satisfaction="").values_list("satisfaction", flat=True))
    assert sats == {"satisfied", "fairly", "dissatisfied"}
    assert Request.all_objects.filter(escalated_at__isnull=False).count() == 2
    assert Request.all_objects.filter(source="family").exclude(family_name="").exists()
