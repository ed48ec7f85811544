"""Write paths of organisational life: roster, plan, record, archive/correct, sign-in,
make-up study and resolutions, each audited; refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone
from tests.conftest import _member

from dangjian.core.errors import AppError, UnscopedQuery
from dangjian.core.models import AuditEntry
from dangjian.members.services import member_leave, member_update
from dangjian.orglife import services
from dangjian.orglife.models import (
    Attendance,
    MakeUp,
    Meeting,
    MeetingCorrection,
    Resolution,
    ResolutionUpdate,
)
from dangjian.orglife.selectors import expected_roster
from dangjian.orgs.models import CommitteeSeat
from dangjian.orgs.services import org_create

TZ = timezone.get_current_timezone()
START = dt.datetime(2025, 5, 10, 9, 0, tzinfo=TZ)
END = START + dt.timedelta(hours=2)


def plan(tree, actor=None, kind="member_assembly", org=None, start=START, **kw):
    return services.meeting_plan(
        actor=actor,
        org=org or tree.branch_a,
        kind=kind,
        topic=kw.pop("topic", "学习党章"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        **kw,
    )


def all_present(meeting):
    return {
        a.member_id: ("present", "") for a in Attendance.objects.unscoped().filter(meeting=meeting)
    }


def names(members):
    return sorted(m.name for m in members)


def _seat(org, member, role, started=dt.date(2024, 1, 1), ended=None):
    return CommitteeSeat.all_objects.create(
        org=org, member=member, role=role, started_on=started, ended_on=ended
    )


# --- roster -----------------------------------------------------------------------------------


def test_scoped_manager_refuses_meetings_without_scope(tree):
    plan(tree)
    with pytest.raises(UnscopedQuery):
        list(Meeting.objects.filter(kind="member_assembly"))
    with pytest.raises(UnscopedQuery):
        Attendance.objects.count()
    assert Meeting.objects.unscoped().count() == 1


@pytest.mark.parametrize(
    "kind", ["member_assembly", "party_lesson", "theme_day", "life_meeting", "member_appraisal"]
)
def test_branch_kinds_expect_the_branch_roster(tree, kind):
    roster = expected_roster(tree.branch_a, kind, dt.date(2025, 5, 10))
    assert names(roster) == names(tree.members_a)


def test_roster_leaves_out_members_who_left_or_were_suspended(tree):
    gone, suspended = tree.members_a[2], tree.members_a[3]
    member_leave(actor=None, member=gone, on=dt.date(2025, 5, 1), reason="transferred_out")
    member_update(
        actor=None,
        member=suspended,
        standing="suspended",
        suspension_ground="other",
        standing_reason="其他",
        effective_on=dt.date(2025, 4, 1),
    )
    on_meeting_day = names(expected_roster(tree.branch_a, "theme_day", dt.date(2025, 5, 10)))
    assert gone.name not in on_meeting_day and suspended.name not in on_meeting_day
    # before leaving, the member was still expected
    before = names(expected_roster(tree.branch_a, "theme_day", dt.date(2025, 4, 30)))
    assert gone.name in before
    # leaving on the meeting day: no longer expected
    assert gone.name not in names(expected_roster(tree.branch_a, "theme_day", dt.date(2025, 5, 1)))


def test_roster_follows_an_accepted_transfer(tree):
    from dangjian.members.services import move_to_branch

    moved = tree.members_a[2]
    move_to_branch(moved, tree.branch_b, actor=None, on=dt.date(2025, 5, 1), reason="转接")
    assert moved.name not in names(
        expected_roster(tree.branch_a, "theme_day", dt.date(2025, 5, 10))
    )
    assert moved.name in names(expected_roster(tree.branch_b, "theme_day", dt.date(2025, 5, 10)))


def test_committee_roster_is_the_seat_holders_on_the_day(tree):
    a = tree.members_a
    _seat(tree.branch_a, a[0], "secretary")
    _seat(tree.branch_a, a[1], "organization")
    _seat(tree.branch_a, a[2], "publicity", ended=dt.date(2025, 3, 1))  # ended before
    _seat(tree.branch_a, a[3], "discipline", started=dt.date(2025, 6, 1))  # starts after
    roster = expected_roster(tree.branch_a, "committee_meeting", dt.date(2025, 5, 10))
    assert names(roster) == names([a[0], a[1]])
    member_leave(actor=None, member=a[1], on=dt.date(2025, 5, 2), reason="died")
    roster = expected_roster(tree.branch_a, "committee_meeting", dt.date(2025, 5, 10))
    assert names(roster) == [a[0].name]


def test_group_roster_is_the_group_and_group_meetings_need_a_group(tree):
    group = org_create(actor=None, parent=tree.branch_a, name="第一党小组", kind="group")
    a = tree.members_a
    _seat(group, a[1], "group_leader")
    _seat(group, a[2], "member")
    roster = expected_roster(group, "group_meeting", dt.date(2025, 5, 10))
    assert names(roster) == names([a[1], a[2]])
    with pytest.raises(AppError, match="党小组会由党小组召开"):
        plan(tree, kind="group_meeting")
    with pytest.raises(AppError, match="由党支部召开"):
        plan(tree, kind="theme_day", org=group)
    meeting = plan(tree, kind="group_meeting", org=group)
    assert meeting.attendances.count() == 2


# --- plan -------------------------------------------------------------------------------------


def test_plan_creates_the_meeting_its_roster_and_an_audit_entry(tree, personas):
    meeting = plan(tree, personas.secretary_a, place="三楼会议室", chair=tree.members_a[0])
    assert meeting.status == "planned"
    assert len(meeting.sign_in_code) == services.CODE_LENGTH
    assert set(meeting.sign_in_code) <= set(services.CODE_ALPHABET)
    rows = list(Attendance.objects.unscoped().filter(meeting=meeting))
    assert {r.member_id for r in rows} == {m.pk for m in tree.members_a}
    assert {r.status for r in rows} == {"expected"}
    entry = AuditEntry.objects.get(action="orglife.meeting.planned")
    assert entry.actor == personas.secretary_a
    assert entry.org_path == tree.branch_a.path
    assert entry.changes["expected"] == 5


def test_plan_refuses_outsiders_and_bad_input_and_writes_nothing(tree, personas):
    with pytest.raises(Http404):
        plan(tree, personas.secretary_b)
    with pytest.raises(Http404):
        plan(tree, personas.member_a)
    with pytest.raises(AppError, match="结束时间须晚于开始时间"):
        services.meeting_plan(
            actor=None, org=tree.branch_a, kind="theme_day", topic="x", starts_at=END, ends_at=START
        )
    with pytest.raises(AppError, match="请填写会议主题"):
        plan(tree, topic="  ")
    with pytest.raises(AppError, match="请选择会议类型"):
        plan(tree, kind="picnic")
    with pytest.raises(AppError, match="主持人须为本次会议的应到人员"):
        plan(tree, chair=tree.members_b[0])
    with pytest.raises(AppError, match="没有应到人员"):
        plan(tree, kind="committee_meeting")  # branch A has no seats yet
    assert Meeting.objects.unscoped().count() == 0
    assert Attendance.objects.unscoped().count() == 0
    assert not AuditEntry.objects.filter(action__startswith="orglife.").exists()


# --- record -----------------------------------------------------------------------------------


def test_record_marks_held_with_attendance_minutes_chair_and_recorder(tree, personas):
    a = tree.members_a
    meeting = plan(tree, personas.secretary_a)
    attendance = all_present(meeting)
    attendance[a[3].pk] = ("leave", "出差")
    attendance[a[4].pk] = ("absent", "")
    services.meeting_record(
        actor=personas.secretary_a,
        meeting=meeting,
        attendance=attendance,
        minutes="会议学习了党章。",
        chair=a[1],
        chair_delegated_by=a[0],
        recorder=a[2],
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.held_at is not None
    assert meeting.chair == a[1] and meeting.chair_delegated_by == a[0]
    statuses = dict(
        Attendance.objects.unscoped().filter(meeting=meeting).values_list("member_id", "status")
    )
    assert statuses[a[3].pk] == "leave" and statuses[a[4].pk] == "absent"
    assert list(statuses.values()).count("present") == 3
    entry = AuditEntry.objects.get(action="orglife.meeting.recorded")
    assert entry.changes["present"] == 3 and entry.changes["leave"] == 1
    assert entry.changes["absent"] == 1 and entry.changes["expected"] == 5


def test_record_refuses_a_meeting_in_the_future(tree):
    start = timezone.now() + dt.timedelta(days=2)
    meeting = plan(tree, start=start)
    with pytest.raises(AppError, match="会议时间尚未到，不能登记为已召开"):
        services.meeting_record(
            actor=None, meeting=meeting, attendance=all_present(meeting), minutes="记录"
        )
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_record_rules_leave_reason_every_member_non_roster_row(tree):
    a = tree.members_a
    meeting = plan(tree)
    attendance = all_present(meeting)
    attendance[a[3].pk] = ("leave", " ")
    with pytest.raises(AppError, match="请假，请填写请假原因") as exc:
        services.meeting_record(actor=None, meeting=meeting, attendance=attendance, minutes="记")
    assert exc.value.field == f"reason_{a[3].pk}"
    missing = all_present(meeting)
    del missing[a[2].pk]
    with pytest.raises(AppError, match="出席情况") as exc:
        services.meeting_record(actor=None, meeting=meeting, attendance=missing, minutes="记")
    assert exc.value.field == f"status_{a[2].pk}"
    stranger = all_present(meeting) | {tree.members_b[0].pk: ("present", "")}
    with pytest.raises(AppError, match="不在本次会议的应到名单中") as exc:
        services.meeting_record(actor=None, meeting=meeting, attendance=stranger, minutes="记")
    assert exc.value.field == f"status_{tree.members_b[0].pk}"
    with pytest.raises(AppError, match="请填写会议记录"):
        services.meeting_record(
            actor=None, meeting=meeting, attendance=all_present(meeting), minutes=""
        )
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    assert set(Attendance.objects.unscoped().values_list("status", flat=True)) == {"expected"}
    assert not AuditEntry.objects.filter(action="orglife.meeting.recorded").exists()


def test_record_adds_a_late_joiner_with_a_reason(tree):
    meeting = plan(tree)
    late = _member(tree.branch_a, "孙新")  # registered after planning
    attendance = all_present(meeting) | {late.pk: ("present", "")}
    with pytest.raises(AppError, match="不在本次会议的应到名单中"):
        services.meeting_record(actor=None, meeting=meeting, attendance=attendance, minutes="记")
    with pytest.raises(AppError, match="请填写原因"):
        services.meeting_record(
            actor=None, meeting=meeting, attendance=attendance, minutes="记", added={late.pk: ""}
        )
    with pytest.raises(AppError, match="只能补充本支部在册党员"):
        services.meeting_record(
            actor=None,
            meeting=meeting,
            attendance=attendance | {tree.members_b[0].pk: ("present", "")},
            minutes="记",
            added={late.pk: "新转入", tree.members_b[0].pk: "来旁听"},
        )
    services.meeting_record(
        actor=None, meeting=meeting, attendance=attendance, minutes="记", added={late.pk: "新转入"}
    )
    row = Attendance.objects.unscoped().get(meeting=meeting, member=late)
    assert row.status == "present" and row.added_reason == "新转入"
    assert Attendance.objects.unscoped().filter(meeting=meeting).count() == 6


def test_record_refuses_outsiders(tree, personas):
    meeting = plan(tree)
    for who in (personas.secretary_b, personas.member_a, personas.auditor):
        with pytest.raises(Http404):
            services.meeting_record(
                actor=who, meeting=meeting, attendance=all_present(meeting), minutes="记"
            )


# --- archive and correct ----------------------------------------------------------------------


def _held(tree, actor=None):
    meeting = plan(tree, actor)
    services.meeting_record(
        actor=actor, meeting=meeting, attendance=all_present(meeting), minutes="原记录"
    )
    return meeting


def test_archive_then_only_corrections_change_the_meeting(tree, personas):
    sec = personas.secretary_a
    planned = plan(tree)
    with pytest.raises(AppError, match="尚未登记召开，不能归档"):
        services.meeting_archive(actor=sec, meeting=planned)
    meeting = _held(tree, sec)
    with pytest.raises(AppError, match="未归档的会议可直接修改"):
        services.meeting_correct(actor=sec, meeting=meeting, reason="笔误", minutes="新")
    services.meeting_archive(actor=sec, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "archived" and meeting.archived_at is not None
    with pytest.raises(AppError, match="已归档，不能直接修改"):
        services.meeting_record(
            actor=sec, meeting=meeting, attendance=all_present(meeting), minutes="改写"
        )
    with pytest.raises(AppError, match="请填写更正原因"):
        services.meeting_correct(actor=sec, meeting=meeting, reason="", minutes="新记录")
    correction = services.meeting_correct(
        actor=sec, meeting=meeting, reason="记录笔误", minutes="新记录", place="二楼"
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "新记录" and meeting.place == "二楼"
    assert correction.changes["minutes"] == ["原记录", "新记录"]
    assert correction.changes["place"] == ["", "二楼"]
    assert correction.reason == "记录笔误" and correction.by == sec
    assert MeetingCorrection.objects.unscoped().count() == 1
    for action in ("orglife.meeting.archived", "orglife.meeting.corrected"):
        assert AuditEntry.objects.get(action=action).org_path == tree.branch_a.path
    with pytest.raises(Http404):
        services.meeting_correct(actor=personas.secretary_b, meeting=meeting, reason="x", place="y")


def test_correction_cannot_move_the_meeting_into_the_future(tree):
    meeting = _held(tree)
    services.meeting_archive(actor=None, meeting=meeting)
    later = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(AppError, match="会议时间尚未到"):
        services.meeting_correct(
            actor=None,
            meeting=meeting,
            reason="改期",
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
        )
    assert MeetingCorrection.objects.unscoped().count() == 0


# --- sign-in ----------------------------------------------------------------------------------


def _sign(personas, meeting, minutes, late_reason="", who="member_a"):
    return services.sign_in(
        user=personas.by_name(who),
        code=meeting.sign_in_code.lower(),
        now=meeting.starts_at + dt.timedelta(minutes=minutes),
        late_reason=late_reason,
    )


@pytest.mark.parametrize("minutes", [-30, 0, 15, 150])  # window edges: −30 … end (120) + 30
def test_sign_in_inside_the_window(tree, personas, minutes):
    meeting = plan(tree)
    row = _sign(personas, meeting, minutes, late_reason="堵车" if minutes > 15 else "")
    assert row.status == "present"
    assert row.signed_in_at == meeting.starts_at + dt.timedelta(minutes=minutes)
    entry = AuditEntry.objects.get(action="orglife.attendance.signed_in")
    assert entry.actor == personas.member_a and entry.org_path == tree.branch_a.path


@pytest.mark.parametrize(
    ("seconds", "message"),
    [(-30 * 60 - 1, "签到尚未开始"), (150 * 60 + 1, "签到已结束")],
)
def test_sign_in_outside_the_window(tree, personas, seconds, message):
    meeting = plan(tree)
    with pytest.raises(AppError, match=message):
        services.sign_in(
            user=personas.member_a,
            code=meeting.sign_in_code,
            now=meeting.starts_at + dt.timedelta(seconds=seconds),
            late_reason="迟到",
        )
    assert not Attendance.objects.unscoped().filter(status="present").exists()


def test_sign_in_late_needs_a_reason(tree, personas):
    meeting = plan(tree)
    with pytest.raises(AppError, match="请填写迟到原因") as exc:
        _sign(personas, meeting, 16)
    assert exc.value.field == "late_reason"
    row = _sign(personas, meeting, 16, late_reason="接待来访")
    assert row.late_reason == "接待来访"


def test_sign_in_twice_unknown_code_and_not_on_roster(tree, personas):
    meeting = plan(tree)
    _sign(personas, meeting, 0)
    with pytest.raises(AppError, match="您已签到"):
        _sign(personas, meeting, 5)
    with pytest.raises(AppError, match="签到码无效"):
        services.sign_in(user=personas.member_a, code="ZZZZZZ", now=meeting.starts_at)
    with pytest.raises(AppError, match="签到码无效"):  # same answer as a wrong code
        _sign(personas, meeting, 0, who="secretary_b")
    with pytest.raises(AppError, match="签到码无效"):  # same answer as a wrong code
        _sign(personas, meeting, 0, who="committee_admin")  # no member link
    assert AuditEntry.objects.filter(action="orglife.attendance.signed_in").count() == 1


def test_sign_in_refused_once_archived(tree, personas):
    meeting = _held(tree)
    services.meeting_archive(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="签到码无效"):
        _sign(personas, meeting, 0)


# --- make-up study and resolutions ------------------------------------------------------------


def test_makeup_for_an_absent_member(tree, personas):
    sec = personas.secretary_a
    a = tree.members_a
    meeting = plan(tree)
    with pytest.raises(AppError, match="尚未登记召开"):
        services.makeup_assign(actor=sec, meeting=meeting, member=a[4], due_on=dt.date(2025, 6, 1))
    services.meeting_record(
        actor=sec,
        meeting=meeting,
        attendance=all_present(meeting) | {a[4].pk: ("absent", "")},
        minutes="记",
    )
    with pytest.raises(AppError, match="只能为缺席或请假的党员布置补学"):
        services.makeup_assign(actor=sec, meeting=meeting, member=a[1], due_on=dt.date(2025, 6, 1))
    with pytest.raises(AppError, match="不能早于会议日期"):
        services.makeup_assign(actor=sec, meeting=meeting, member=a[4], due_on=dt.date(2025, 5, 1))
    makeup = services.makeup_assign(
        actor=sec, meeting=meeting, member=a[4], due_on=dt.date(2025, 6, 1)
    )
    with pytest.raises(AppError, match="已为该党员布置过"):
        services.makeup_assign(actor=sec, meeting=meeting, member=a[4], due_on=dt.date(2025, 6, 1))
    with pytest.raises(AppError, match="请填写补学情况"):
        services.makeup_complete(actor=sec, makeup=makeup, note="")
    services.makeup_complete(actor=sec, makeup=makeup, note="自学会议精神并提交心得")
    makeup.refresh_from_db()
    assert makeup.completed_at is not None
    with pytest.raises(AppError, match="已登记完成"):
        services.makeup_complete(actor=sec, makeup=makeup, note="again")
    with pytest.raises(Http404):
        services.makeup_assign(
            actor=personas.secretary_b, meeting=meeting, member=a[4], due_on=dt.date(2025, 6, 1)
        )
    assert MakeUp.objects.unscoped().count() == 1
    assert AuditEntry.objects.filter(action="orglife.makeup.assigned").count() == 1
    assert AuditEntry.objects.filter(action="orglife.makeup.completed").count() == 1


def test_resolutions_are_tracked_to_completion(tree, personas):
    sec = personas.secretary_a
    a = tree.members_a
    meeting = _held(tree, sec)
    with pytest.raises(AppError, match="责任人须为本次会议的应到人员"):
        services.resolution_add(actor=sec, meeting=meeting, text="整改", owner=tree.members_b[0])
    res = services.resolution_add(
        actor=sec, meeting=meeting, text="完成学习心得", owner=a[1], due_on=dt.date(2025, 6, 30)
    )
    services.resolution_progress(actor=sec, resolution=res, note="已完成一半")
    with pytest.raises(AppError, match="撤销决议，请填写原因"):
        services.resolution_close(actor=sec, resolution=res, status="dropped")
    services.resolution_close(actor=sec, resolution=res, note="全部完成")
    res.refresh_from_db()
    assert res.status == "done" and res.completed_at is not None
    assert ResolutionUpdate.objects.unscoped().filter(resolution=res).count() == 2
    with pytest.raises(AppError, match="已办结或撤销"):
        services.resolution_progress(actor=sec, resolution=res, note="再记")
    with pytest.raises(Http404):
        services.resolution_add(actor=personas.secretary_b, meeting=meeting, text="x")
    for verb in ("added", "progressed", "closed"):
        assert AuditEntry.objects.filter(action=f"orglife.resolution.{verb}").count() == 1
    assert Resolution.objects.unscoped().count() == 1
