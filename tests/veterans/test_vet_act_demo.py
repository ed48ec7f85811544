"""The activities demo builder on a small tree with a 老干部局: 53 teams with members and a year
of activities, the two studios and the 老党员之家, care sessions, the two exemplars with cases;
the overview counts them; the same day builds the same data."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.veterans.models import (
    MediationCase,
    Studio,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def lgb(db):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Org, Unit
    from dangjian.veterans.models import Retiree

    create = org_services.org_create
    root = create(actor=None, parent=None, name="市直机关工委", kind="working_committee")
    unit = Unit.objects.create(name="中共十堰市委老干部局", short_name="市委老干部局", sort=1)
    top = create(
        actor=None, parent=root, name="老干部局机关党委", kind="organ_committee", unit=unit
    )
    branch = create(actor=None, parent=top, name="离退休干部第一党支部", kind="branch")
    Org.all_objects.filter(pk=branch.pk).update(is_retiree_branch=True)
    Retiree.all_objects.create(org=branch, org_path=branch.path, name="李军", gender="F")
    return top


def test_build_veterans_activities(lgb):
    from dangjian.demo.veterans_activities import build_veterans_activities

    result = build_veterans_activities(TODAY)
    assert result.teams == 53 == VolunteerTeam.objects.unscoped().count()
    assert result.activities == VolunteerActivity.objects.unscoped().count() > 53 * 10
    assert result.studios == 2 and result.homes == 1 and result.exemplars == 2
    assert result.care_sessions == 24 and result.cases == MediationCase.objects.unscoped().count()
    studio = Studio.objects.unscoped().get(name="“诗奶奶”李军工作室")
    assert studio.leader.name == "李军"
    assert Studio.objects.unscoped().get(name="“剪报爷爷”程培长工作室").leader is None
    home = Studio.objects.unscoped().get(kind="home")
    assert home.place == "茅箭区五堰街道北街社区"
    # every participant is a member of the activity's team, every date within the year
    through = VolunteerActivity.participants.through.objects.all()
    members = set(TeamMembership.objects.values_list("team_id", "retiree_id"))
    assert all(
        (t.volunteeractivity.team_id, t.retiree_id) in members
        for t in through.select_related("volunteeractivity")
    )
    assert not VolunteerActivity.objects.unscoped().filter(held_on__gt=TODAY).exists()


def test_overview_of_the_demo(lgb, django_assert_max_num_queries):
    from dangjian.demo.veterans_activities import build_veterans_activities
    from dangjian.veterans.selectors_overview import overview

    build_veterans_activities(TODAY)
    from dangjian.accounts.models import RoleGrant, User

    admin = User.objects.create_user(username="lgb", password="x", display_name="lgb")
    RoleGrant.objects.create(user=admin, org=lgb, role="unit_admin")
    with django_assert_max_num_queries(20):
        o = overview(admin, TODAY)
    assert o.total.teams == 53 and o.total.studios == 2 and o.total.homes == 1
    assert o.total.hours > 0 and o.total.team_members >= 53 * 4
