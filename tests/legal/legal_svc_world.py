"""The world of the legal-services tests: 甲局党组 plays the 司法局 — two firms (one with its
Party branch), three lawyers (two Party members), three places of which two have a lawyer, a
service log, posts at each level (the county one uncovered), aid cases in several states and
activities; 乙局党组 has its own firm, lawyer and case (another unit: 404 for 甲局's admin).
Everything through the services with `actor=None`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone


@dataclass
class LegalWorld:
    today: dt.date
    org: object
    firm: object
    firm2: object
    lawyer: object
    lawyer2: object
    lawyer3: object
    villages: list
    assignment: object
    post_city: object
    post_county: object
    post_town: object
    adviser: object
    case_applied: object
    case_overdue: object
    case_accepted: object
    case_assigned: object
    activity: object
    other_firm: object
    other_lawyer: object
    other_case: object


@pytest.fixture
def lw(tree) -> LegalWorld:
    from dangjian.cocreation import services as cs
    from dangjian.legal import services_aid as sa
    from dangjian.legal import services_lawyers as sl
    from dangjian.legal import services_villages as sv

    today = timezone.localdate()
    ago = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    org = tree.party_group_a
    villages = [
        cs.community_create(actor=None, name=n, kind=k, district="郧阳区", township="谭家湾镇")
        for n, k in [("龙泉村", "village"), ("凤凰村", "village"), ("北街社区", "community")]
    ]
    firm = sl.firm_create(
        actor=None, org=org, name="汉江律师事务所", district="茅箭区", party_branch=tree.branch_a
    )
    firm2 = sl.firm_create(actor=None, org=org, name="武当律师事务所", district="张湾区")
    lawyer = sl.lawyer_create(
        actor=None,
        firm=firm,
        name="周明",
        licence_no="14203201510000001",
        is_party_member=True,
        phone="13800001234",
    )
    lawyer2 = sl.lawyer_create(
        actor=None, firm=firm, name="吴芳", licence_no="14203201510000002", is_party_member=True
    )
    lawyer3 = sl.lawyer_create(actor=None, firm=firm2, name="郑磊", licence_no="14203201510000003")
    assignment = sv.village_lawyer_assign(
        actor=None, community=villages[0], lawyer=lawyer, started_on=ago(100)
    )
    sv.village_lawyer_assign(actor=None, community=villages[2], lawyer=lawyer2, started_on=ago(50))
    sv.service_log_record(
        actor=None, assignment=assignment, kind="consultation", served_on=ago(10), count=3
    )
    sv.service_log_record(actor=None, assignment=assignment, kind="visit", served_on=ago(5))
    post_city = sv.adviser_post_create(actor=None, org=org, name="十堰市人民政府", level="city")
    post_county = sv.adviser_post_create(
        actor=None, org=org, name="郧阳区人民政府", level="county", district="郧阳区"
    )
    post_town = sv.adviser_post_create(
        actor=None, org=org, name="谭家湾镇人民政府", level="township", district="郧阳区"
    )
    adviser = sv.adviser_appoint(actor=None, post=post_city, lawyer=lawyer, started_on=ago(200))
    sv.adviser_appoint(actor=None, post=post_town, lawyer=lawyer3, started_on=ago(30))

    def case(no, applied, category="elderly"):
        return sa.aid_case_create(
            actor=None,
            org=org,
            case_no=no,
            applicant_name="张秀英",
            applicant_category=category,
            matter="追索赡养费",
            applied_on=applied,
        )

    case_applied = case("（2026）鄂0302法援1号", today)
    case_overdue = case("（2026）鄂0302法援2号", ago(10), "migrant")
    case_accepted = sa.aid_case_accept(
        actor=None, case=case("（2026）鄂0302法援3号", ago(3)), accepted_on=ago(2)
    )
    case_assigned = case("（2026）鄂0302法援4号", ago(20), "disabled")
    sa.aid_case_accept(actor=None, case=case_assigned, accepted_on=ago(18))
    case_assigned = sa.aid_case_assign(
        actor=None, case=case_assigned, lawyer=lawyer2, assigned_on=ago(16)
    )
    activity = sa.activity_record(
        actor=None,
        org=org,
        kind="pufa",
        title="民法典进村入户",
        held_on=ago(7),
        place="龙泉村",
        lawyers=[lawyer, lawyer2],
        participants=120,
    )
    sa.activity_record(
        actor=None,
        org=org,
        kind="training",
        title="青年律师培训",
        held_on=ago(20),
        lawyers=[lawyer3],
        participants=45,
    )
    other_firm = sl.firm_create(actor=None, org=tree.party_group_b, name="乙方律师事务所")
    other_lawyer = sl.lawyer_create(
        actor=None, firm=other_firm, name="钱坤", licence_no="14203201510000009"
    )
    other_case = sa.aid_case_create(
        actor=None,
        org=tree.party_group_b,
        case_no="乙-1",
        applicant_name="李某",
        applicant_category="minor",
        matter="抚养费",
        applied_on=ago(1),
    )
    return LegalWorld(
        today,
        org,
        firm,
        firm2,
        lawyer,
        lawyer2,
        lawyer3,
        villages,
        assignment,
        post_city,
        post_county,
        post_town,
        adviser,
        case_applied,
        case_overdue,
        case_accepted,
        case_assigned,
        activity,
        other_firm,
        other_lawyer,
        other_case,
    )
