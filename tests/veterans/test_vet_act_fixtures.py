"""Fixtures of the teams/studios/care/exemplars tests (no tests here; the test_vet_act_* files
import them): retirees in a retiree branch of 甲局 and one of 乙局, a team of 甲局 with two
members, a studio, a care session, an exemplar with a case, a request answered in time, one
answered late, one overdue; a pairing with a contact. Retirees, offices, pairings and requests
are written directly (their services belong to the people side); the rest through the
services with `actor=None`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD


@dataclass
class ActWorld:
    today: dt.date
    branch_r: object
    branch_rb: object
    r1: object
    r2: object
    r3: object
    rb: object
    team: object
    team_b: object
    activity: object
    studio: object
    home: object
    care: object
    exemplar: object
    case: object


def make_retiree(org, name, **kw):
    from dangjian.veterans.models import Retiree

    return Retiree.all_objects.create(org=org, org_path=org.path, name=name, **kw)


@pytest.fixture
def act_today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def act_world(tree, act_today) -> ActWorld:
    from dangjian.orgs import services as org_services
    from dangjian.veterans import services_activities as sa
    from dangjian.veterans import services_activities_care as sc
    from dangjian.veterans.models import Contact, Office, Pairing, Request

    today = act_today
    year_ago = today - dt.timedelta(days=300)
    branch_r = org_services.org_create(
        actor=None, parent=tree.organ_a, name="离退休干部第一党支部", kind="branch"
    )
    branch_rb = org_services.org_create(
        actor=None, parent=tree.party_group_b, name="乙局离退休党支部", kind="branch"
    )
    r1 = make_retiree(branch_r, "李军")
    r2 = make_retiree(branch_r, "程培长")
    r3 = make_retiree(branch_r, "王秀英")
    rb = make_retiree(branch_rb, "乙局老同志")
    team = sa.team_create(
        actor=None,
        org=tree.party_group_a,
        name="茅箭区银龄志愿服务队",
        focus="政策宣讲",
        founded_on=year_ago,
        leader=r1,
    )
    sa.team_member_add(actor=None, team=team, retiree=r2, joined_on=year_ago)
    team_b = sa.team_create(
        actor=None, org=tree.party_group_b, name="乙局服务队", founded_on=year_ago, leader=rb
    )
    activity = sa.volunteer_activity_record(
        actor=None,
        team=team,
        title="社区政策宣讲",
        held_on=today - dt.timedelta(days=10),
        hours="2.5",
        participants=[r1, r2],
        beneficiaries=40,
    )
    sa.volunteer_activity_record(
        actor=None,
        team=team_b,
        title="乙局活动",
        held_on=today - dt.timedelta(days=5),
        hours=3,
        participants=[rb],
        beneficiaries=7,
    )
    studio = sc.studio_create(
        actor=None,
        org=tree.party_group_a,
        kind="studio",
        name="“诗奶奶”李军工作室",
        leader=r1,
        opened_on=year_ago,
    )
    sc.studio_activity_record(
        actor=None, studio=studio, title="诗词讲座", held_on=today, attendance=30
    )
    home = sc.studio_create(
        actor=None,
        org=tree.party_group_a,
        kind="home",
        name="北街社区老党员之家",
        place="茅箭区五堰街道北街社区",
        opened_on=year_ago,
    )
    care = sc.care_session_record(
        actor=None,
        org=tree.party_group_a,
        kind="health",
        title="健康义诊",
        held_on=today,
        partner="市太和医院",
        served=25,
    )
    sc.care_session_record(
        actor=None, org=tree.party_group_a, kind="smart", title="手机课堂", held_on=today, served=12
    )
    exemplar = sc.exemplar_create(
        actor=None, retiree=r2, title="金牌调解员", named_on=year_ago, story="多年调解邻里纠纷。"
    )
    case = sc.mediation_case_record(
        actor=None,
        exemplar=exemplar,
        handled_on=today,
        matter="宅基地边界纠纷",
        outcome="resolved",
        parties=2,
    )
    sc.mediation_case_record(
        actor=None, exemplar=exemplar, handled_on=today, matter="赡养纠纷", outcome="ongoing"
    )
    office = Office.all_objects.create(
        org=tree.party_group_a, org_path=tree.party_group_a.path, name="离休干部处"
    )
    cadre = tree.members_a[0]
    pairing = Pairing.all_objects.create(
        retiree=r1, org_path=r1.org_path, cadre=cadre, started_on=year_ago
    )
    Contact.all_objects.create(
        pairing=pairing, org_path=r1.org_path, kind="call", contacted_on=today
    )
    raised = today - dt.timedelta(days=30)

    def request(**kw):
        return Request.all_objects.create(
            retiree=r1,
            org_path=r1.org_path,
            kind="need",
            source="cadre",
            content="需求",
            raised_on=raised,
            office=office,
            **kw,
        )

    request(due_on=raised + dt.timedelta(days=10), answered_on=raised, status="answered")
    request(
        due_on=raised + dt.timedelta(days=10),
        answered_on=raised + dt.timedelta(days=11),
        status="closed",
    )
    request(due_on=raised + dt.timedelta(days=10))  # open, overdue
    request(due_on=today + dt.timedelta(days=5))  # open, not overdue
    return ActWorld(
        today,
        branch_r,
        branch_rb,
        r1,
        r2,
        r3,
        rb,
        team,
        team_b,
        activity,
        studio,
        home,
        care,
        exemplar,
        case,
    )


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client
