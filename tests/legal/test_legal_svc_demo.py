"""The demo builder of legal services on a small tree holding a 十堰市司法局: deterministic, the
promised volumes, every aid state, the coverage with a few places and townships uncovered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.legal.models import AidStatus, Lawyer, LegalAidCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def sfj(db):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    root = org_services.org_create(
        actor=None, parent=None, name="中共十堰市直属机关工委", kind="working_committee"
    )
    unit = Unit.objects.create(name="十堰市司法局", short_name="市司法局", sort=1)
    return org_services.org_create(
        actor=None, parent=root, name="中共十堰市司法局党组", kind="party_group", unit=unit
    )


def test_build_legal(sfj):
    from dangjian.demo.legal import build_legal
    from dangjian.legal.selectors_services import pending_q

    today = timezone.localdate()
    result = build_legal(today)
    assert result.firms == 12 and result.lawyers == 60
    assert 0 < result.party_lawyers < 60
    assert result.villages_total >= 34
    assert result.villages_covered == result.villages_total - 3
    assert result.adviser_posts == 1 + 8 + 25 and result.advisers_covered == 34 - 3
    assert result.aid_cases == 40 and result.activities >= 20
    statuses = set(LegalAidCase.all_objects.values_list("status", flat=True))
    assert statuses == set(AidStatus.values)
    assert LegalAidCase.all_objects.filter(pending_q(today, "overdue")).exists()
    assert Lawyer.all_objects.filter(org_path=sfj.path).count() == 60


def test_build_legal_without_the_bureau_is_empty(db):
    from dangjian.demo.legal import build_legal

    assert build_legal(dt.date(2026, 1, 5)).lawyers == 0
