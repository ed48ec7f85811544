"""The demo's 四张清单: for 十堰市司法局, seven domains × four kinds, every list published with a
few items that cite a legal basis; deterministic; nothing when the city has no 司法局."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.demo.legal_lists import build_lenient_lists
from dangjian.legal import selectors_lists as sel
from dangjian.legal.models import LenientItem, LenientList

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def sfj(db):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    root = org_services.org_create(
        actor=None, parent=None, name="十堰市直机关工委", kind="working_committee"
    )
    unit = Unit.objects.create(name="十堰市司法局", short_name="市司法局", sort=1)
    return org_services.org_create(
        actor=None, parent=root, name="中共十堰市司法局党组", kind="party_group", unit=unit
    )


def _content():
    return list(
        LenientItem.all_objects.order_by(
            "lenient_list__domain", "lenient_list__kind", "seq"
        ).values_list("lenient_list__domain", "lenient_list__kind", "seq", "conduct", "conditions")
    )


def test_seven_domains_four_kinds_all_published(sfj):
    result = build_lenient_lists(TODAY)
    lists = LenientList.all_objects.filter(org=sfj)
    assert result.lists == lists.count() == 28
    assert lists.values("domain").distinct().count() == 7
    assert not lists.filter(is_published=False).exists()
    assert result.items == LenientItem.all_objects.count()
    assert 28 * 2 <= result.items <= 28 * 4
    for item in LenientItem.all_objects.select_related("lenient_list"):
        assert item.legal_basis.strip()
        if item.lenient_list.kind == "no_coercion":
            assert "《中华人民共和国行政强制法》第十六条" in item.legal_basis
        else:
            assert "《中华人民共和国行政处罚法》" in item.legal_basis
    page = sel.public_items(on_date=TODAY)
    assert page.paginator.count == result.items
    # run again: nothing twice
    assert build_lenient_lists(TODAY).lists == 0


def test_deterministic(sfj):
    build_lenient_lists(TODAY)
    first = _content()
    LenientItem.all_objects.all().delete()
    LenientList.all_objects.all().delete()
    build_lenient_lists(TODAY)
    assert _content() == first


def test_no_sfj_no_lists(tree):
    assert build_lenient_lists(TODAY).lists == 0
    assert not LenientList.all_objects.exists()
