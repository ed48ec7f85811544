"""清廉机关 write paths: risk points, warning-education sessions, commitments — access, bad
input (a Chinese message at the field, nothing written), one commitment per member and
year, derived values, and the audit entry of every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone
from tests.integrity.conftest import make_risk, make_session, plan_meeting, sign

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.integrity import services
from dangjian.integrity.models import Commitment, RiskPoint, WarningSession
from dangjian.members.models import Member

RISK = {
    "post": "政府采购岗",
    "risk": "采购需求量身定制，指定品牌",
    "level": "high",
    "measures": "采购需求集体审议；公开招标",
    "owner_name": "李处长",
}


def _actions(prefix="integrity."):
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- risk points ------------------------------------------------------------------------------


def test_risk_point_create_stores_and_audits(tree, personas, year):
    point = services.risk_point_create(
        actor=personas.secretary_a, org=tree.branch_a, year=year, **RISK
    )
    point.refresh_from_db()
    assert (point.org_id, point.org_path, point.year) == (
        tree.branch_a.pk,
        tree.branch_a.path,
        year,
    )
    assert (point.post, point.level, point.owner_name) == ("政府采购岗", "high", "李处长")
    assert point.created_by == personas.secretary_a
    entry = AuditEntry.objects.get(action="integrity.risk_point.created")
    assert entry.object_id == str(point.pk) and entry.org_path == tree.branch_a.path
    assert entry.changes["post"] == "政府采购岗" and entry.changes["org"] == tree.branch_a.pk


def test_risk_point_owner_name_comes_from_the_member(tree, personas, year):
    owner = tree.members_a[2]
    point = services.risk_point_create(
        actor=personas.secretary_a,
        org=tree.branch_a,
        year=year,
        **{**RISK, "owner_name": "随便写的"},
        owner=owner,
    )
    assert point.owner == owner and point.owner_name == owner.name == "王五"


def test_risk_point_missing_everything_is_told_field_by_field(tree, personas, year):
    with pytest.raises(AppError) as exc:
        services.risk_point_create(
            actor=personas.secretary_a,
            org=tree.branch_a,
            year=year,
            post=" ",
            risk="",
            level="extreme",
            measures="",
            owner_name="",
        )
    fields = dict(exc.value.errors)
    assert fields == {
        "post": "请填写岗位。",
        "risk": "请填写风险描述。",
        "level": "请选择风险等级（高、中、低）。",
        "measures": "请填写防控措施。",
        "owner_name": "请填写责任人。",
    }
    assert exc.value.field == "post"
    assert RiskPoint.all_objects.count() == 0 and _actions() == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1999, "年度须在2000年至"),
        (None, "请填写年度。"),
        ("二〇二五", "年度须为四位数字。"),
    ],
)
def test_risk_point_year_must_be_sensible(tree, value, message):
    with pytest.raises(AppError) as exc:
        services.risk_point_create(actor=None, org=tree.branch_a, year=value, **RISK)
    assert exc.value.field == "year" and exc.value.message.startswith(message)


def test_risk_point_year_after_next_is_refused(tree, year):
    with pytest.raises(AppError) as exc:
        services.risk_point_create(actor=None, org=tree.branch_a, year=year + 2, **RISK)
    assert exc.value.message == f"年度须在2000年至{year + 1}年之间。"


def test_risk_point_text_too_long(tree, year):
    with pytest.raises(AppError) as exc:
        services.risk_point_create(
            actor=None, org=tree.branch_a, year=year, **{**RISK, "post": "岗" * 101}
        )
    assert exc.value.field == "post" and "100" in exc.value.message


@pytest.mark.parametrize(
    ("persona", "target", "allowed"),
    [
        ("committee_admin", "branch_c", True),
        ("unit_admin", "branch_b", True),
        ("unit_admin", "branch_c", False),
        ("secretary_a", "branch_a", True),
        ("secretary_a", "branch_b", False),
        ("secretary_a", "organ_a", False),
        ("member_a", "branch_a", False),
        ("judge", "branch_a", False),
        ("auditor", "branch_a", False),
    ],
)
def test_risk_point_needs_integrity_manage(tree, personas, year, persona, target, allowed):
    actor = personas.by_name(persona)
    org = getattr(tree, target)
    if allowed:
        assert services.risk_point_create(actor=actor, org=org, year=year, **RISK).pk
    else:
        with pytest.raises(Http404):
            services.risk_point_create(actor=actor, org=org, year=year, **RISK)
        assert RiskPoint.all_objects.count() == 0


def test_risk_point_owner_outside_the_actors_view(tree, personas, year):
    with pytest.raises(AppError) as exc:
        services.risk_point_create(
            actor=personas.secretary_b,
            org=tree.branch_b,
            year=year,
            **RISK,
            owner=tree.members_a[2],
        )
    assert exc.value.field == "owner"


def test_risk_point_on_a_dissolved_org_or_a_group(tree, personas, year):
    from dangjian.orgs.models import Org

    Org.all_objects.filter(pk=tree.branch_b.pk).update(dissolved_on=dt.date(year - 1, 1, 1))
    tree.branch_b.refresh_from_db()
    with pytest.raises(AppError) as exc:
        services.risk_point_create(actor=None, org=tree.branch_b, year=year, **RISK)
    assert exc.value.field == "org" and "撤销" in exc.value.message


def test_same_risk_twice_is_refused(tree, year):
    services.risk_point_create(actor=None, org=tree.branch_a, year=year, **RISK)
    with pytest.raises(AppError) as exc:
        services.risk_point_create(actor=None, org=tree.branch_a, year=year, **RISK)
    assert exc.value.field == "risk"
    # another year is a new register
    services.risk_point_create(actor=None, org=tree.branch_a, year=year - 1, **RISK)
    assert RiskPoint.all_objects.count() == 2


def test_risk_point_update_audits_the_difference(tree, personas, year):
    point = make_risk(tree.branch_a, year)
    services.risk_point_update(
        actor=personas.secretary_a, risk_point=point, level="medium", measures="三人复核"
    )
    point.refresh_from_db()
    assert (point.level, point.measures) == ("medium", "三人复核")
    entry = AuditEntry.objects.get(action="integrity.risk_point.updated")
    assert entry.changes == {
        "level": ["high", "medium"],
        "measures": ["双人复核；每季度抽查", "三人复核"],
    }
    # nothing changed: no entry
    services.risk_point_update(actor=personas.secretary_a, risk_point=point, level="medium")
    assert _actions().count("integrity.risk_point.updated") == 1


def test_risk_point_update_refuses_bad_input_and_outsiders(tree, personas, year):
    point = make_risk(tree.branch_a, year)
    with pytest.raises(AppError) as exc:
        services.risk_point_update(actor=personas.secretary_a, risk_point=point, measures="  ")
    assert exc.value.field == "measures"
    with pytest.raises(Http404):
        services.risk_point_update(actor=personas.secretary_b, risk_point=point, level="low")
    # moving it to a branch the secretary does not manage
    with pytest.raises(Http404):
        services.risk_point_update(actor=personas.secretary_a, risk_point=point, org=tree.branch_b)
    point.refresh_from_db()
    assert (point.level, point.org_id) == ("high", tree.branch_a.pk)
    with pytest.raises(AppError):
        services.risk_point_update(actor=None, risk_point=point, created_by=None)


def test_risk_point_retire_once(tree, personas, year, today):
    point = make_risk(tree.branch_a, year)
    services.risk_point_retire(actor=personas.unit_admin, risk_point=point, reason="岗位撤并")
    point.refresh_from_db()
    assert point.retired_on == today
    entry = AuditEntry.objects.get(action="integrity.risk_point.retired")
    assert entry.changes["reason"] == "岗位撤并"
    with pytest.raises(AppError) as exc:
        services.risk_point_retire(actor=personas.unit_admin, risk_point=point)
    assert "已于" in exc.value.message
    with pytest.raises(AppError) as exc:
        services.risk_point_update(actor=personas.unit_admin, risk_point=point, level="low")
    assert exc.value.message == "该风险点已停用，不能修改。"


def test_risk_point_retire_in_the_future_is_refused(tree, year, today):
    point = make_risk(tree.branch_a, year)
    with pytest.raises(AppError) as exc:
        services.risk_point_retire(
            actor=None, risk_point=point, retired_on=today + dt.timedelta(days=1)
        )
    assert exc.value.field == "retired_on"
    point.refresh_from_db()
    assert point.retired_on is None


# --- warning-education sessions ---------------------------------------------------------------


def test_session_linked_to_a_meeting_takes_its_date_topic_and_present_count(
    tree, personas, held_meeting, meeting_start
):
    session = services.warning_session_create(
        actor=personas.secretary_a, org=tree.branch_a, form="film", meeting=held_meeting
    )
    session.refresh_from_db()
    assert session.attendees == 3  # 实到 of the meeting, not typed
    assert session.held_on == meeting_start.date()
    assert session.title == "观看警示教育片《零容忍》"
    entry = AuditEntry.objects.get(action="integrity.warning_session.created")
    assert entry.changes["meeting"] == held_meeting.pk and entry.changes["attendees"] == 3


def test_session_explicit_attendees_win(tree, held_meeting):
    session = services.warning_session_create(
        actor=None, org=tree.branch_a, form="film", meeting=held_meeting, attendees=12
    )
    assert session.attendees == 12


def test_session_may_link_a_meeting_of_the_subtree(tree, personas, held_meeting):
    session = services.warning_session_create(
        actor=personas.unit_admin, org=tree.organ_a, form="lecture", meeting=held_meeting
    )
    assert session.meeting == held_meeting and session.org == tree.organ_a


def test_session_refuses_a_meeting_outside_the_org(tree, personas, held_meeting):
    with pytest.raises(AppError) as exc:
        services.warning_session_create(
            actor=personas.unit_admin, org=tree.branch_b, form="film", meeting=held_meeting
        )
    assert exc.value.field == "meeting"
    assert WarningSession.all_objects.count() == 0


def test_session_refuses_a_planned_meeting_and_a_second_link(tree, held_meeting, meeting_start):
    planned = plan_meeting(tree.branch_a, meeting_start + dt.timedelta(days=400), topic="计划中")
    with pytest.raises(AppError) as exc:
        services.warning_session_create(actor=None, org=tree.branch_a, form="film", meeting=planned)
    assert exc.value.field == "meeting" and "尚未登记召开" in exc.value.message
    services.warning_session_create(
        actor=None, org=tree.branch_a, form="film", meeting=held_meeting
    )
    with pytest.raises(AppError) as exc:
        services.warning_session_create(
            actor=None, org=tree.branch_a, form="case", meeting=held_meeting
        )
    assert exc.value.message == "该会议已登记为一次警示教育。"
    assert WarningSession.all_objects.count() == 1


def test_session_date_must_match_the_meeting(tree, held_meeting, meeting_start):
    with pytest.raises(AppError) as exc:
        services.warning_session_create(
            actor=None,
            org=tree.branch_a,
            form="film",
            meeting=held_meeting,
            held_on=meeting_start.date() - dt.timedelta(days=1),
        )
    assert exc.value.field == "held_on" and "一致" in exc.value.message


def test_session_without_a_meeting_needs_everything(tree, today):
    with pytest.raises(AppError) as exc:
        services.warning_session_create(actor=None, org=tree.branch_a, form="")
    assert dict(exc.value.errors) == {
        "held_on": "请填写日期。",
        "title": "请填写主题。",
        "form": "请选择教育形式。",
        "attendees": "请填写参加人次（关联会议时自动取会议实到人数）。",
    }
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, today + dt.timedelta(days=1))
    assert exc.value.field == "held_on"
    with pytest.raises(AppError) as exc:
        make_session(tree.branch_a, today, attendees=0)
    assert exc.value.field == "attendees"
    assert WarningSession.all_objects.count() == 0


def test_session_outsider_is_404(tree, personas, today):
    with pytest.raises(Http404):
        services.warning_session_create(
            actor=personas.secretary_b,
            org=tree.branch_a,
            form="case",
            title="通报",
            held_on=today,
            attendees=5,
        )


def test_session_update_and_delete(tree, personas, held_meeting, today):
    session = make_session(tree.branch_a, today, attendees=8)
    # linking a meeting brings its date and 实到 along
    services.warning_session_update(
        actor=personas.secretary_a, session=session, meeting=held_meeting
    )
    session.refresh_from_db()
    assert session.meeting == held_meeting and session.attendees == 3
    assert session.held_on == timezone.localdate(held_meeting.starts_at)
    entry = AuditEntry.objects.get(action="integrity.warning_session.updated")
    assert entry.changes["attendees"] == [8, 3]
    with pytest.raises(Http404):
        services.warning_session_delete(actor=personas.secretary_b, session=session)
    services.warning_session_delete(actor=personas.secretary_a, session=session)
    assert WarningSession.all_objects.count() == 0
    deleted = AuditEntry.objects.get(action="integrity.warning_session.deleted")
    assert deleted.changes["title"] == "案例通报会"


# --- commitments ------------------------------------------------------------------------------


def test_member_signs_his_own_once_a_year(tree, personas, year, today):
    c = services.commitment_sign(actor=personas.member_a)
    assert (c.member, c.year, c.signed_on) == (tree.members_a[1], year, today)
    assert (c.org, c.org_path) == (tree.branch_a, tree.branch_a.path)
    assert "廉洁从政" in c.text and c.recorded_by == personas.member_a
    with pytest.raises(AppError) as exc:
        services.commitment_sign(actor=personas.member_a)
    assert exc.value.code == "duplicate"
    assert exc.value.message == (
        f"李四{year}年度的廉洁承诺已于{today:%Y-%m-%d}签订，每人每年只签订一次。"
    )
    assert Commitment.all_objects.count() == 1
    assert _actions() == ["integrity.commitment.signed"]


def test_member_signs_only_this_year(personas, year):
    with pytest.raises(AppError) as exc:
        services.commitment_sign(actor=personas.member_a, year=year - 1)
    assert exc.value.field == "year"
    assert Commitment.all_objects.count() == 0


def test_an_account_without_member_cannot_sign(personas):
    with pytest.raises(AppError) as exc:
        services.commitment_sign(actor=personas.judge)
    assert "未关联党员" in exc.value.message


def test_a_member_cannot_sign_for_another(tree, personas):
    with pytest.raises(Http404):
        services.commitment_sign(actor=personas.member_a, member=tree.members_a[2])
    # naming himself is signing his own
    assert services.commitment_sign(actor=personas.member_a, member=tree.members_a[1]).pk


def test_manager_records_for_a_member_of_his_subtree(tree, personas, year):
    signed_on = dt.date(year - 1, 12, 28)
    c = services.commitment_sign(
        actor=personas.secretary_a, member=tree.members_a[2], year=year, signed_on=signed_on
    )
    assert (c.member, c.signed_on, c.recorded_by) == (
        tree.members_a[2],
        signed_on,
        personas.secretary_a,
    )
    assert _actions() == ["integrity.commitment.recorded"]
    with pytest.raises(Http404):
        services.commitment_sign(actor=personas.secretary_b, member=tree.members_a[3], year=year)
    with pytest.raises(AppError) as exc:
        services.commitment_sign(
            actor=personas.unit_admin, member=tree.members_a[2], year=year, signed_on=signed_on
        )
    assert exc.value.code == "duplicate"


@pytest.mark.parametrize(
    ("delta_days", "year_offset", "field"),
    [(1, 0, "signed_on"), (None, -3, "signed_on"), (0, 5, "year")],
)
def test_manager_record_dates(tree, personas, year, today, delta_days, year_offset, field):
    signed_on = today + dt.timedelta(days=delta_days) if delta_days is not None else today
    with pytest.raises(AppError) as exc:
        services.commitment_sign(
            actor=personas.secretary_a,
            member=tree.members_a[2],
            year=year + year_offset,
            signed_on=signed_on,
        )
    assert exc.value.field == field
    assert Commitment.all_objects.count() == 0


def test_suspended_or_departed_member_cannot_sign(tree, personas, year, today):
    Member.all_objects.filter(pk=tree.members_a[2].pk).update(standing="suspended")
    Member.all_objects.filter(pk=tree.members_a[3].pk).update(left_on=today - dt.timedelta(days=3))
    for m in (tree.members_a[2], tree.members_a[3]):
        m.refresh_from_db()
        with pytest.raises(AppError) as exc:
            services.commitment_sign(actor=personas.secretary_a, member=m, year=year)
        assert exc.value.field == "member"
    assert Commitment.all_objects.count() == 0


def test_bulk_record_for_a_branch(tree, personas, year, today):
    members = tree.members_a[2:5]
    created = services.commitment_sign_bulk(
        actor=personas.secretary_a,
        branch=tree.branch_a,
        members=members,
        year=year,
        signed_on=today,
    )
    assert len(created) == 3
    rows = Commitment.all_objects.filter(year=year).order_by("member_id")
    assert [c.member_id for c in rows] == sorted(m.pk for m in members)
    assert {c.signed_on for c in rows} == {today}
    assert {c.org_id for c in rows} == {tree.branch_a.pk}
    entry = AuditEntry.objects.get(action="integrity.commitment.recorded")
    assert sorted(entry.changes["members"]) == sorted(m.pk for m in members)
    assert entry.changes["count"] == 3


def test_bulk_is_all_or_nothing(tree, personas, year, today):
    sign(tree.members_a[3], year)
    with pytest.raises(AppError) as exc:
        services.commitment_sign_bulk(
            actor=personas.secretary_a,
            branch=tree.branch_a,
            members=tree.members_a[2:5],
            year=year,
            signed_on=today,
        )
    assert exc.value.code == "duplicate" and exc.value.field == "members"
    assert "赵六" in exc.value.message
    assert Commitment.all_objects.count() == 1


def test_bulk_refuses_other_branches_members_groups_and_empty(tree, personas, year, today):
    kwargs = {"actor": personas.unit_admin, "year": year, "signed_on": today}
    with pytest.raises(AppError) as exc:
        services.commitment_sign_bulk(
            branch=tree.branch_a, members=[tree.members_a[2], tree.members_b[1]], **kwargs
        )
    assert "不是第一党支部的党员" in exc.value.message
    with pytest.raises(AppError) as exc:
        services.commitment_sign_bulk(branch=tree.organ_a, members=tree.members_a[2:3], **kwargs)
    assert exc.value.field == "org"
    with pytest.raises(AppError) as exc:
        services.commitment_sign_bulk(branch=tree.branch_a, members=[], **kwargs)
    assert exc.value.message == "请选择已签订的党员。"
    with pytest.raises(Http404):
        services.commitment_sign_bulk(
            actor=personas.secretary_b,
            branch=tree.branch_a,
            members=tree.members_a[2:3],
            year=year,
            signed_on=today,
        )
    assert Commitment.all_objects.count() == 0


def test_concurrent_duplicate_hits_the_constraint_and_reads_the_same(tree, year, today):
    sign(tree.members_a[2], year)
    twin = Commitment(
        member=tree.members_a[2],
        org=tree.branch_a,
        org_path=tree.branch_a.path,
        year=year,
        signed_on=today,
    )
    with pytest.raises(AppError) as exc:
        services._insert([twin])
    assert exc.value.code == "duplicate"
    assert Commitment.all_objects.count() == 1


def test_revoke_needs_a_manager_and_a_reason(tree, personas, year):
    c = services.commitment_sign(actor=personas.member_a)
    with pytest.raises(Http404):
        services.commitment_revoke(actor=personas.member_a, commitment=c, reason="误签")
    with pytest.raises(AppError) as exc:
        services.commitment_revoke(actor=personas.secretary_a, commitment=c, reason=" ")
    assert exc.value.field == "reason"
    services.commitment_revoke(actor=personas.secretary_a, commitment=c, reason="误登记")
    assert Commitment.all_objects.count() == 0
    entry = AuditEntry.objects.get(action="integrity.commitment.revoked")
    assert entry.changes["reason"] == "误登记" and entry.changes["year"] == year
    # signing again after a revocation is allowed
    assert services.commitment_sign(actor=personas.member_a).pk
