# ruff: noqa: F811  (the fixtures are imported from test_vet_act_fixtures)
"""Services of the teams, studios, care sessions, exemplars and cases: what they write, what
they refuse (a clear Chinese message at the field, nothing written), who may call them, the
audit entries; and the overview figures on constructed data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.http import Http404
from test_vet_act_fixtures import act_today, act_world, make_retiree  # noqa: F401

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.veterans import services_activities as sa
from dangjian.veterans import services_activities_care as sc
from dangjian.veterans.models import (
    Exemplar,
    MediationCase,
    Studio,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)
from dangjian.veterans.selectors_overview import overview

pytestmark = pytest.mark.django_db


def _activity(world, actor=None, **kw):
    args = {
        "actor": actor,
        "team": world.team,
        "title": "义务理发",
        "held_on": world.today,
        "hours": "2",
        "participants": [world.r1],
        "beneficiaries": 10,
    }
    args.update(kw)
    return sa.volunteer_activity_record(**args)


def test_team_create_writes_leader_membership_and_audits(act_world, personas, tree):
    team = sa.team_create(
        actor=personas.unit_admin,
        org=tree.party_group_a,
        name="张湾区银龄志愿服务队",
        founded_on=act_world.today,
        leader=act_world.r3,
    )
    assert team.org_path == tree.party_group_a.path
    assert TeamMembership.objects.filter(team=team, retiree=act_world.r3).count() == 1
    entry = AuditEntry.objects.filter(action="veterans.team.created").order_by("pk").last()
    assert entry.object_id == str(team.pk) and entry.org_path == team.org_path


def test_team_name_twice_is_refused(act_world, tree):
    with pytest.raises(AppError) as e:
        sa.team_create(
            actor=None, org=tree.party_group_a, name="茅箭区银龄志愿服务队", founded_on="2024-01-01"
        )
    assert e.value.field == "name" and "已有" in e.value.message


def test_other_units_admin_gets_404(act_world, personas):
    with pytest.raises(Http404):
        sa.team_member_add(
            actor=personas.unit_admin,
            team=act_world.team_b,
            retiree=act_world.rb,
            joined_on=act_world.today,
        )
    with pytest.raises(Http404):
        sa.team_create(
            actor=personas.secretary_a,
            org=act_world.branch_r,
            name="x",
            founded_on=act_world.today,
        )


def test_membership_twice_is_refused(act_world):
    before = TeamMembership.objects.count()
    with pytest.raises(AppError) as e:
        sa.team_member_add(
            actor=None, team=act_world.team, retiree=act_world.r2, joined_on=act_world.today
        )
    assert e.value.field == "retiree" and "已是本队队员" in e.value.message
    assert TeamMembership.objects.count() == before


def test_member_of_another_unit_is_refused(act_world):
    with pytest.raises(AppError) as e:
        sa.team_member_add(
            actor=None, team=act_world.team, retiree=act_world.rb, joined_on=act_world.today
        )
    assert e.value.field == "retiree" and "不属于本单位" in e.value.message


def test_leave_then_join_again(act_world):
    m = TeamMembership.objects.get(team=act_world.team, retiree=act_world.r2)
    sa.team_member_leave(actor=None, membership=m, left_on=act_world.today)
    again = sa.team_member_add(
        actor=None, team=act_world.team, retiree=act_world.r2, joined_on=act_world.today
    )
    assert again.pk != m.pk
    with pytest.raises(AppError):
        sa.team_member_leave(actor=None, membership=m, left_on=act_world.today)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "须大于0"),
        ("-1", "须大于0"),
        ("24.5", "不能超过24"),
        ("abc", "须为数字"),
        ("1.25", "一位小数"),
    ],
)
def test_bad_hours_are_refused(act_world, hours, message):
    before = VolunteerActivity.objects.unscoped().count()
    with pytest.raises(AppError) as e:
        _activity(act_world, hours=hours)
    assert e.value.field == "hours" and message in e.value.message
    assert VolunteerActivity.objects.unscoped().count() == before


def test_hours_at_the_bounds_are_accepted(act_world):
    assert _activity(act_world, hours="24").hours == D("24.0")
    assert _activity(act_world, hours="0.1").hours == D("0.1")


def test_participant_not_in_team_is_refused(act_world):
    with pytest.raises(AppError) as e:
        _activity(act_world, participants=[act_world.r1, act_world.r3])
    assert e.value.field == "participants" and "王秀英不是本队队员" in e.value.message


def test_future_date_is_refused(act_world):
    with pytest.raises(AppError) as e:
        _activity(act_world, held_on=act_world.today + dt.timedelta(days=1))
    assert e.value.field == "held_on" and "不能晚于今天" in e.value.message


def test_activity_records_participants_and_audits(act_world):
    activity = _activity(act_world, participants=[act_world.r1, act_world.r2])
    assert set(activity.participants.values_list("name", flat=True)) == {"李军", "程培长"}
    entry = (
        AuditEntry.objects.filter(action="veterans.volunteer_activity.recorded")
        .order_by("pk")
        .last()
    )
    assert entry.changes["participants"] == sorted([act_world.r1.pk, act_world.r2.pk])


def test_disband_ends_live_memberships(act_world):
    sa.team_disband(actor=None, team=act_world.team, disbanded_on=act_world.today)
    assert not TeamMembership.objects.filter(team=act_world.team, left_on__isnull=True).exists()
    with pytest.raises(AppError):
        sa.team_member_add(
            actor=None, team=act_world.team, retiree=act_world.r3, joined_on=act_world.today
        )


def test_team_update_records_diff(act_world, personas):
    sa.team_update(actor=personas.unit_admin, team=act_world.team, focus="义务理发")
    entry = AuditEntry.objects.filter(action="veterans.team.updated").order_by("pk").last()
    assert entry.changes == {"focus": ["政策宣讲", "义务理发"]}
    assert VolunteerTeam.objects.unscoped().get(pk=act_world.team.pk).focus == "义务理发"


def test_studio_kind_and_home_place(act_world, tree):
    with pytest.raises(AppError) as e:
        sc.studio_create(
            actor=None, org=tree.party_group_a, kind="shop", name="x", opened_on=act_world.today
        )
    assert e.value.field == "kind"
    with pytest.raises(AppError) as e:
        sc.studio_create(
            actor=None, org=tree.party_group_a, kind="home", name="y", opened_on=act_world.today
        )
    assert e.value.field == "place"
    assert Studio.objects.unscoped().count() == 2
    sc.studio_update(actor=None, studio=act_world.studio, note="以诗育人")
    assert AuditEntry.objects.filter(action="veterans.studio.updated").exists()


def test_exemplar_and_case_update(act_world):
    sc.exemplar_update(actor=None, exemplar=act_world.exemplar, story="新的事迹")
    assert Exemplar.objects.unscoped().get(pk=act_world.exemplar.pk).story == "新的事迹"
    case = MediationCase.objects.unscoped().get(matter="赡养纠纷")
    sc.mediation_case_update(actor=None, case=case, outcome="resolved")
    assert AuditEntry.objects.filter(action="veterans.mediation_case.updated").exists()
    with pytest.raises(AppError) as e:
        sc.mediation_case_record(
            actor=None,
            exemplar=act_world.exemplar,
            handled_on=act_world.today,
            matter="m",
            outcome="resolved",
            parties=1,
        )
    assert e.value.field == "parties"


def test_nul_character_is_refused(act_world):
    with pytest.raises(AppError) as e:
        _activity(act_world, title="a\x00b")
    assert e.value.field == "title"


def test_overview_of_the_unit(act_world, personas):
    o = overview(personas.unit_admin, act_world.today)
    t = o.total
    assert [r.name for r in o.rows] == ["甲局党组"]
    assert (t.teams, t.team_members, t.activities) == (1, 2, 1)
    assert t.hours == D("5.0")  # 2.5 h × 2 participants
    assert t.beneficiaries == 40
    assert (t.studios, t.homes, t.studio_activities, t.studio_attendance) == (1, 1, 1, 30)
    assert (t.care_health, t.care_health_served, t.care_smart, t.care_smart_served) == (
        1,
        25,
        1,
        12,
    )
    assert (t.exemplars, t.cases, t.cases_resolved) == (1, 2, 1)
    # red: the studio activity; silver: the volunteer activity and the two care sessions;
    # gold: the two mediation cases
    assert (t.red, t.silver, t.gold) == (1, 3, 2)
    assert (t.requests_in_time, t.requests_late, t.requests_overdue, t.requests_open) == (
        1,
        1,
        1,
        1,
    )
    assert t.in_time_percent == D("50.0")
    assert (t.pairings, t.contacts) == (1, 1)


def test_overview_of_the_committee_has_a_row_per_unit(act_world, personas):
    o = overview(personas.committee_admin, act_world.today)
    rows = {r.name: r.figures for r in o.rows}
    assert set(rows) == {"甲局党组", "乙局党组"}
    assert rows["乙局党组"].teams == 1 and rows["乙局党组"].hours == D("3.0")
    assert o.total.teams == 2 and o.total.hours == D("8.0")
    assert o.total.beneficiaries == 47


def test_overview_of_separated_roles_is_empty(act_world, personas):
    o = overview(personas.auditor, act_world.today)
    assert o.rows == [] and o.total.teams == 0


def test_overview_queries_do_not_grow(act_world, personas, django_assert_max_num_queries):
    for i in range(5):
        _activity(act_world, title=f"活动{i}", participants=[act_world.r1, act_world.r2])
    with django_assert_max_num_queries(20):
        overview(personas.committee_admin, act_world.today)


def test_a_recorded_leader_who_died_does_not_block_other_changes(act_world):
    from dangjian.veterans.models import Retiree

    Retiree.all_objects.filter(pk=act_world.r1.pk).update(died_on=act_world.today)
    team = sa.team_update(actor=None, team=act_world.team, focus="红色宣讲")
    assert team.focus == "红色宣讲" and team.leader_id == act_world.r1.pk
    with pytest.raises(AppError) as e:
        sa.team_member_add(
            actor=None,
            team=act_world.team,
            retiree=Retiree.all_objects.get(pk=act_world.r1.pk),
            joined_on=act_world.today,
        )
    assert "已去世" in e.value.message


def test_overview_leaves_out_units_without_anything(act_world, personas, tree):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    unit = Unit.objects.create(name="丙局", short_name="丙局", sort=3)
    org_services.org_create(
        actor=None, parent=tree.root, name="丙局党组", kind="party_group", unit=unit
    )
    o = overview(personas.committee_admin, act_world.today)
    assert [r.name for r in o.rows] == ["甲局党组", "乙局党组"]
