"""A small world for the veterans people tests: 甲局 runs a retiree branch (离退休干部党支部)
with two retirees (李军 with phone, address and a health note; 程培长), two offices; member_a's
member record (李四) is paired with 李军 as the serving cadre; 乙局 has its own retiree and
office. Everything through the services with `actor=None`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone


@dataclass
class World:
    today: dt.date
    retiree_branch: object
    retiree: object
    retiree2: object
    retiree_b: object
    office: object
    office2: object
    office_b: object
    cadre: object
    pairing: object
    group: object


@pytest.fixture(name="world")
def vet_people_world(tree, personas) -> World:
    from dangjian.orgs.services import org_create
    from dangjian.veterans import services_pairings as sp
    from dangjian.veterans import services_people as s

    today = timezone.localdate()
    rb = org_create(
        actor=None,
        parent=tree.organ_a,
        name="离退休干部党支部",
        kind="branch",
        is_retiree_branch=True,
    )
    retiree = s.retiree_create(
        actor=None,
        org=rb,
        name="李军",
        gender="F",
        birth_date=dt.date(1948, 5, 1),
        former_unit="市文联",
        phone="13912345678",
        address="湖北省十堰市茅箭区五堰街道北街1号",
        health_note="高血压，需定期复查",
        living_alone=True,
    )
    retiree2 = s.retiree_create(actor=None, org=rb, name="程培长", gender="M")
    retiree_b = s.retiree_create(actor=None, org=tree.branch_c, name="外单位老同志")
    office = sp.office_create(actor=None, org=tree.party_group_a, name="离休干部处")
    office2 = sp.office_create(actor=None, org=tree.party_group_a, name="退休干部处")
    office_b = sp.office_create(actor=None, org=tree.party_group_b, name="乙局老干部科")
    cadre = tree.members_a[1]
    pairing = sp.pairing_create(
        actor=None, retiree=retiree, cadre=cadre, started_on=today - dt.timedelta(days=100)
    )
    group = s.interest_group_create(actor=None, org=rb, name="诗词")
    s.interest_group_join(actor=None, group=group, retiree=retiree)
    return World(
        today, rb, retiree, retiree2, retiree_b, office, office2, office_b, cadre, pairing, group
    )
