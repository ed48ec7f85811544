"""Write paths of organisational life: plan, record, archive and correct a meeting, sign in,
make-up study, resolutions. Each is atomic, checks access (member.manage on the meeting's
org; sign-in: the member's own place on the roster) and writes an audit entry. Planning
notifies the expected members (notify app, `orglife/notices.py`); minutes are checked for
copies from other branches (similarity app). Votes, attachments, talks and appraisals have
their own modules (services_*.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orglife.models import (
    Attendance,
    AttendanceStatus,
    MakeUp,
    Meeting,
    MeetingCorrection,
    MeetingStatus,
    Resolution,
    ResolutionStatus,
    ResolutionUpdate,
)
from dangjian.orglife.selectors import (
    branch_members,
    expected_roster,
    kind_fits_org,
    meeting_by_code,
)
from dangjian.orgs.models import Org
from dangjian.rules.orglife import KIND_LABELS

__all__ = ["expected_roster"]  # re-exported: the roster is part of the write paths' contract

#: sign-in codes: no 0/O, 1/I/L, so a code read aloud or from a screen is typed right
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: sign-in opens this long before the start and closes this long after the end
SIGN_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
SIGN_IN_CLOSES_AFTER = dt.timedelta(minutes=30)
#: a sign-in later than this after the start needs a late reason
LATE_AFTER = dt.timedelta(minutes=15)
#: the years a meeting may be in (the Party's founding to far enough ahead); beyond them a
#: typing slip would also overflow the local-time conversions
YEAR_MIN, YEAR_MAX = 1921, 2200

RECORDED = (AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)
TEXT_LIMITS = {"topic": 200, "place": 200, "agenda": 5000, "minutes": 50000}
CORRECTABLE = (
    "topic",
    "agenda",
    "place",
    "starts_at",
    "ends_at",
    "minutes",
    "convener",
    "chair",
    "chair_delegated_by",
    "recorder",
)
PERSON_FIELDS = ("convener", "chair", "chair_delegated_by", "recorder")
PERSON_LABELS = {
    "convener": "召集人",
    "chair": "主持人",
    "chair_delegated_by": "委托主持人",
    "recorder": "记录人",
}


def _require(actor, path: str) -> None:
    if actor is not None and not can(actor, Cap.MEMBER_MANAGE, path):
        raise deny()


def _locked(meeting: Meeting) -> Meeting:
    """The meeting re-read under a row lock, so two recorders never interleave."""
    return (
        Meeting.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=meeting.pk)
    )


def _not_archived(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.ARCHIVED:
        raise AppError("会议已归档，不能直接修改；如需改正，请办理更正并说明原因。")


def new_sign_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _text(value, field: str, label: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > TEXT_LIMITS.get(field, 200):
        raise AppError(f"{label}过长。", field=field)
    return value


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if starts_at is None or timezone.is_naive(starts_at):
        raise AppError("请填写会议开始时间。", field="starts_at")
    if ends_at is None or timezone.is_naive(ends_at):
        raise AppError("请填写会议结束时间。", field="ends_at")
    for field, moment, label in (("starts_at", starts_at, "开始"), ("ends_at", ends_at, "结束")):
        if not YEAR_MIN <= moment.year <= YEAR_MAX:
            raise AppError(
                f"会议{label}时间无效，应在{YEAR_MIN}年至{YEAR_MAX}年之间。", field=field
            )
    if ends_at <= starts_at:
        raise AppError("结束时间须晚于开始时间。", field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=3):
        raise AppError("会议时长不能超过3天，请检查时间。", field="ends_at")


def _study_length(meeting: Meeting, values: dict, starts_at, ends_at) -> None:
    """A meeting credited as a study session may not become shorter than the hours it
    credits (study's rule: hours at most the length); lower the hours first."""
    if "starts_at" not in values and "ends_at" not in values:
        return
    from dangjian.study.models import StudySession

    credited = (
        StudySession.all_objects.filter(meeting=meeting).values_list("hours", flat=True).first()
    )
    if credited is None:
        return
    length = Decimal(int((ends_at - starts_at).total_seconds())) / 3600
    if length < credited:
        raise AppError(
            f"本次会议已计入学习培训{credited}学时，会议时长不能短于该学时；"
            "如需缩短，请先在学习培训页面调低学时。",
            field="ends_at" if "ends_at" in values else "starts_at",
        )


def _times_changed(meeting: Meeting, diff: dict, old_starts_at: dt.datetime) -> None:
    """Points are dated by the meeting's start: when the time moves, the ledgers of those
    present are rebuilt for the old date's year and the new one's."""
    if "starts_at" not in diff and "ends_at" not in diff:
        return
    from dangjian.study.points_hooks import points_changed

    present = list(
        Attendance.all_objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).values_list(
            "member_id", flat=True
        )
    )
    points_changed(present, old_starts_at)
    if timezone.localtime(old_starts_at).year != timezone.localtime(meeting.starts_at).year:
        points_changed(present, meeting.starts_at)


def _people(values: dict, roster_ids: set[int]) -> None:
    """Convener, chair, delegating secretary and recorder must be on the meeting's roster."""
    for field in PERSON_FIELDS:
        person = values.get(field)
        if person is not None and person.pk not in roster_ids:
            raise AppError(f"{PERSON_LABELS[field]}须为本次会议的应到人员。", field=field)
    delegated_by = values.get("chair_delegated_by")
    if delegated_by is not None:
        if values.get("chair") is None:
            raise AppError("委托主持的，请同时选择主持人（R-ORGLIFE-06）。", field="chair")
        if delegated_by.pk == values["chair"].pk:
            raise AppError("委托人与主持人不能是同一人。", field="chair_delegated_by")


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


@transaction.atomic
def meeting_plan(
    *,
    actor,
    org: Org,
    kind: str,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    agenda: str = "",
    convener: Member | None = None,
    chair: Member | None = None,
    chair_delegated_by: Member | None = None,
    recorder: Member | None = None,
) -> Meeting:
    """Plan a meeting and put its expected roster (应到) on it. Notices to the expected
    members are not sent in this part."""
    _require(actor, org.path)
    if kind not in KIND_LABELS:
        raise AppError("请选择会议类型。", field="kind")
    if not org.is_active:
        raise AppError("该组织已撤销，不能安排会议。", field="org")
    why = kind_fits_org(kind, org)
    if why:
        raise AppError(why, field="kind")
    topic = _text(topic, "topic", "会议主题", required=True)
    place = _text(place, "place", "会议地点")
    agenda = _text(agenda, "agenda", "会议议程")
    _check_times(starts_at, ends_at)
    roster = expected_roster(org, kind, _local_day(starts_at))
    if not roster:
        raise AppError("该组织在会议日期没有应到人员，不能安排此类会议。", field="kind")
    people = {
        "convener": convener,
        "chair": chair,
        "chair_delegated_by": chair_delegated_by,
        "recorder": recorder,
    }
    _people(people, {m.pk for m in roster})
    meeting = None
    for _ in range(5):
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    org=org,
                    org_path=org.path,
                    kind=kind,
                    topic=topic,
                    agenda=agenda,
                    place=place,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    sign_in_code=new_sign_in_code(),
                    created_by=actor if getattr(actor, "pk", None) else None,
                    **people,
                )
            break
        except IntegrityError:  # the code was taken: draw another
            continue
    if meeting is None:
        raise AppError("生成签到码失败，请重试。")
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in roster])
    audit(
        actor,
        "orglife.meeting.planned",
        meeting,
        org_path=org.path,
        changes={
            "org": org.pk,
            "kind": kind,
            "topic": topic,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "expected": len(roster),
        },
    )
    # 会议通知 to the expected members with an account, inside this transaction so they
    # commit with the meeting (email after commit)
    from dangjian.orglife.notices import meeting_planned_notices

    meeting_planned_notices(meeting, roster)
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: Meeting,
    attendance: dict[int, tuple[str, str]],
    minutes: str,
    chair: Member | None = None,
    recorder: Member | None = None,
    chair_delegated_by: Member | None = None,
    added: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Record that the meeting was held: each expected member's attendance (present, on
    leave with a reason, absent), the minutes, chair and recorder. Members of the branch who
    joined after planning can be added to the roster with a reason (`added`: member id →
    reason). Recording again before archiving replaces the record."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    _require(actor, meeting.org_path)
    _not_archived(meeting)
    now = now or timezone.now()
    if meeting.starts_at > now:
        raise AppError("会议时间尚未到，不能登记为已召开。")
    minutes = _text(minutes, "minutes", "会议记录", required=True)
    rows = {
        a.member_id: a
        for a in Attendance.objects.unscoped().filter(meeting=meeting).select_related("member")
    }
    new_rows = []
    if added:
        candidates = {m.pk: m for m in branch_members(meeting.org, _local_day(meeting.starts_at))}
        for member_id, reason in added.items():
            if member_id in rows:
                continue
            if member_id not in candidates:
                raise AppError("只能补充本支部在册党员为应到人员。", field=f"status_{member_id}")
            reason = (reason or "").strip()
            if not reason:
                raise AppError(
                    f"补充{candidates[member_id].name}为应到人员，请填写原因。",
                    field=f"reason_{member_id}",
                )
            row = Attendance(
                meeting=meeting, member=candidates[member_id], added_reason=reason[:200]
            )
            new_rows.append(row)
            rows[member_id] = row
    for member_id in attendance:
        if member_id not in rows:
            raise AppError("该人员不在本次会议的应到名单中。", field=f"status_{member_id}")
    for member_id, row in rows.items():
        status, reason = attendance.get(member_id, ("", ""))
        reason = (reason or "").strip()
        if status not in RECORDED:
            raise AppError(
                f"请登记{row.member.name}的出席情况（实到、请假或缺席）。",
                field=f"status_{member_id}",
            )
        if status == AttendanceStatus.LEAVE and not reason:
            raise AppError(f"{row.member.name}请假，请填写请假原因。", field=f"reason_{member_id}")
        if len(reason) > 200:
            raise AppError("原因过长。", field=f"reason_{member_id}")
        row.status = status
        row.reason = reason if status != AttendanceStatus.PRESENT else ""
    people = {"chair": chair, "recorder": recorder, "chair_delegated_by": chair_delegated_by}
    _people(people, set(rows))
    for row in new_rows:
        row.save()
    Attendance.all_objects.bulk_update(  # batches: one CASE over thousands of rows is slow
        [r for r in rows.values() if r not in new_rows], ["status", "reason"], batch_size=500
    )
    was = meeting.status
    meeting.minutes = minutes
    meeting.chair = chair
    meeting.recorder = recorder
    meeting.chair_delegated_by = chair_delegated_by
    meeting.status = MeetingStatus.HELD
    meeting.held_at = meeting.held_at or now
    meeting.save(
        update_fields=[
            "minutes",
            "chair",
            "recorder",
            "chair_delegated_by",
            "status",
            "held_at",
            "updated_at",
        ]
    )
    statuses = [r.status for r in rows.values()]
    audit(
        actor,
        "orglife.meeting.recorded",
        meeting,
        org_path=meeting.org_path,
        changes={
            "status": [was, MeetingStatus.HELD],
            "expected": len(rows),
            "present": statuses.count(AttendanceStatus.PRESENT),
            "leave": statuses.count(AttendanceStatus.LEAVE),
            "absent": statuses.count(AttendanceStatus.ABSENT),
            "added": sorted(r.member_id for r in new_rows),
            "chair": chair,
            "recorder": recorder,
            "chair_delegated_by": chair_delegated_by,
        },
    )
    # 雷同会议记录: compare the minutes with every other branch's (similarity index)
    from dangjian.orglife.copies import check_minutes

    check_minutes(meeting)
    # attendance is what credit hours and member points derive from (study app)
    from dangjian.study.points_hooks import points_changed

    points_changed([r.member_id for r in rows.values()], meeting.starts_at)
    return meeting


@transaction.atomic
def meeting_archive(*, actor, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Archive a held meeting: from now on it changes only through `meeting_correct`."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    _not_archived(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise AppError("会议尚未登记召开，不能归档。")
    meeting.status = MeetingStatus.ARCHIVED
    meeting.archived_at = now or timezone.now()
    meeting.save(update_fields=["status", "archived_at", "updated_at"])
    audit(
        actor,
        "orglife.meeting.archived",
        meeting,
        org_path=meeting.org_path,
        changes={"status": [MeetingStatus.HELD, MeetingStatus.ARCHIVED]},
    )
    return meeting


def _plain(value):
    if isinstance(value, Member):
        return {"id": value.pk, "name": value.name}
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value


PLANNED_FIELDS = ("topic", "place", "agenda", "starts_at", "ends_at", *PERSON_FIELDS)


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, **changes) -> Meeting:
    """Change a planned meeting (topic, place, agenda, times, convener, chair, recorder).
    A held meeting is changed by recording it again; an archived one only by a correction."""
    meeting = _locked(meeting)
    _require(actor, meeting.org_path)
    if meeting.status != MeetingStatus.PLANNED:
        raise AppError(
            "会议已召开，请通过“登记召开情况”修改；已归档的会议须办理更正。", field="status"
        )
    unknown = sorted(set(changes) - set(PLANNED_FIELDS))
    if unknown:
        raise AppError("不能修改该项。", field=unknown[0])
    values = {}
    for field, value in changes.items():
        if field in TEXT_LIMITS:
            label = Meeting._meta.get_field(field).verbose_name
            value = _text(value, field, label, required=field == "topic")
        values[field] = value
    starts_at = values.get("starts_at", meeting.starts_at)
    ends_at = values.get("ends_at", meeting.ends_at)
    _check_times(starts_at, ends_at)
    _study_length(meeting, values, starts_at, ends_at)
    old_starts_at = meeting.starts_at
    roster_ids = set(
        Attendance.objects.unscoped().filter(meeting=meeting).values_list("member_id", flat=True)
    )
    _people({f: values.get(f, getattr(meeting, f)) for f in PERSON_FIELDS}, roster_ids)
    diff = {}
    for field, value in values.items():
        old = getattr(meeting, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(meeting, field, value)
    if diff:
        meeting.save(update_fields=[*values, "updated_at"])
        audit(actor, "orglife.meeting.updated", meeting, org_path=meeting.org_path, changes=diff)
        _times_changed(meeting, diff, old_starts_at)
    return meeting


@transaction.atomic
def meeting_correct(
    *, actor, meeting: Meeting, reason: str, now: dt.datetime | None = None, **changes
) -> MeetingCorrection | None:
    """Correct an archived meeting. The old and new values and the reason are kept
    (`MeetingCorrection`); nothing else can change an archived meeting. Returns None when
    nothing differs."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.ARCHIVED:
        raise AppError("只有已归档的会议需要办理更正；未归档的会议可直接修改。")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"not correctable: {sorted(unknown)}")
    reason = (reason or "").strip()
    if not reason:
        raise AppError("请填写更正原因。", field="reason")
    if len(reason) > 500:
        raise AppError("更正原因过长。", field="reason")
    values = {}
    for field, value in changes.items():
        if field in TEXT_LIMITS:
            label = Meeting._meta.get_field(field).verbose_name
            value = _text(value, field, label, required=field in ("topic", "minutes"))
        values[field] = value
    starts_at = values.get("starts_at", meeting.starts_at)
    ends_at = values.get("ends_at", meeting.ends_at)
    _check_times(starts_at, ends_at)
    if starts_at > (now or timezone.now()):
        raise AppError("会议时间尚未到，不能登记为已召开。", field="starts_at")
    _study_length(meeting, values, starts_at, ends_at)
    old_starts_at = meeting.starts_at
    roster_ids = set(
        Attendance.objects.unscoped().filter(meeting=meeting).values_list("member_id", flat=True)
    )
    _people({f: values.get(f, getattr(meeting, f)) for f in PERSON_FIELDS}, roster_ids)
    diff = {}
    for field, value in values.items():
        old = getattr(meeting, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(meeting, field, value)
    if not diff:
        return None
    meeting.save(update_fields=[*values, "updated_at"])
    correction = MeetingCorrection.objects.create(
        meeting=meeting,
        changes=diff,
        reason=reason,
        by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor,
        "orglife.meeting.corrected",
        meeting,
        org_path=meeting.org_path,
        changes={"reason": reason, "fields": sorted(diff), "correction": correction.pk},
    )
    if "minutes" in diff:
        from dangjian.orglife.copies import check_minutes

        check_minutes(meeting)
    # a correction changes no attendance (that is recorded before archiving), but a moved
    # date moves the points of those present
    _times_changed(meeting, diff, old_starts_at)
    return correction


@transaction.atomic
def sign_in(
    *, user, code: str, now: dt.datetime | None = None, late_reason: str = ""
) -> Attendance:
    """A member signs in by the meeting's short code (typed, or from its QR code) within the
    window: from SIGN_IN_OPENS_BEFORE before the start to SIGN_IN_CLOSES_AFTER after the end.
    Later than LATE_AFTER after the start, a late reason is required."""
    now = now or timezone.now()
    meeting = meeting_by_code(code)
    if meeting is None:
        raise AppError("签到码无效，请核对后重新输入。", field="code")
    member_id = getattr(user, "member_id", None)
    row = (
        Attendance.objects.unscoped()
        .select_for_update()
        .filter(meeting=meeting, member_id=member_id)
        .first()
        if member_id
        else None
    )
    if row is None:
        # the same answer as an unknown code: a guess must not confirm that a meeting exists
        raise AppError("签到码无效，请核对后重新输入。", field="code")
    if row.signed_in_at is not None or row.status == AttendanceStatus.PRESENT:
        raise AppError("您已签到。", field="code")
    if now < meeting.starts_at - SIGN_IN_OPENS_BEFORE:
        raise AppError("签到尚未开始：会议开始前30分钟开放签到。", field="code")
    if now > meeting.ends_at + SIGN_IN_CLOSES_AFTER:
        raise AppError("签到已结束：会议结束30分钟后不能再签到。", field="code")
    late_reason = (late_reason or "").strip()
    if now > meeting.starts_at + LATE_AFTER and not late_reason:
        raise AppError("会议已开始超过15分钟，请填写迟到原因。", field="late_reason")
    if len(late_reason) > 200:
        raise AppError("迟到原因过长。", field="late_reason")
    row.status = AttendanceStatus.PRESENT
    row.reason = ""
    row.signed_in_at = now
    row.late_reason = late_reason if now > meeting.starts_at + LATE_AFTER else ""
    row.save(update_fields=["status", "reason", "signed_in_at", "late_reason"])
    audit(
        user,
        "orglife.attendance.signed_in",
        meeting,
        org_path=meeting.org_path,
        changes={"member": member_id, "at": now, "late_reason": row.late_reason},
    )
    from dangjian.study.points_hooks import points_changed

    points_changed([member_id], meeting.starts_at)
    return row


@transaction.atomic
def makeup_assign(
    *, actor, meeting: Meeting, member: Member, due_on: dt.date, note: str = ""
) -> MakeUp:
    """补学 for a member who was absent (or on leave) from a held meeting."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.PLANNED:
        raise AppError("会议尚未登记召开，不能布置补学。")
    row = Attendance.objects.unscoped().filter(meeting=meeting, member=member).first()
    if row is None or row.status not in (AttendanceStatus.ABSENT, AttendanceStatus.LEAVE):
        raise AppError("只能为缺席或请假的党员布置补学。", field="member")
    if due_on is None or due_on < _local_day(meeting.starts_at):
        raise AppError("补学期限不能早于会议日期。", field="due_on")
    if MakeUp.objects.unscoped().filter(meeting=meeting, member=member).exists():
        raise AppError("已为该党员布置过本次会议的补学。", field="member")
    makeup = MakeUp.objects.create(
        meeting=meeting,
        member=member,
        due_on=due_on,
        note=(note or "").strip()[:2000],
        assigned_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor,
        "orglife.makeup.assigned",
        meeting,
        org_path=meeting.org_path,
        changes={"makeup": makeup.pk, "member": member.pk, "due_on": due_on},
    )
    return makeup


@transaction.atomic
def makeup_complete(*, actor, makeup: MakeUp, note: str, now: dt.datetime | None = None) -> MakeUp:
    meeting = makeup.meeting
    _require(actor, meeting.org_path)
    makeup = MakeUp.all_objects.select_for_update().get(pk=makeup.pk)
    if makeup.completed_at is not None:
        raise AppError("该补学已登记完成。")
    note = (note or "").strip()
    if not note:
        raise AppError("请填写补学情况（学习内容、方式）。", field="note")
    if len(note) > 2000:
        raise AppError("补学情况过长。", field="note")
    makeup.completed_at = now or timezone.now()
    makeup.note = note
    makeup.save(update_fields=["completed_at", "note"])
    audit(
        actor,
        "orglife.makeup.completed",
        meeting,
        org_path=meeting.org_path,
        changes={"makeup": makeup.pk, "member": makeup.member_id},
    )
    return makeup


@transaction.atomic
def resolution_add(
    *,
    actor,
    meeting: Meeting,
    text: str,
    owner: Member | None = None,
    due_on: dt.date | None = None,
) -> Resolution:
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.PLANNED:
        raise AppError("会议尚未登记召开，不能登记决议。")
    _not_archived(meeting)
    text = (text or "").strip()
    if not text:
        raise AppError("请填写决议内容。", field="text")
    if len(text) > 2000:
        raise AppError("决议内容过长。", field="text")
    if owner is not None and not (
        Attendance.objects.unscoped().filter(meeting=meeting, member=owner).exists()
    ):
        raise AppError("责任人须为本次会议的应到人员。", field="owner")
    if due_on is not None and due_on < _local_day(meeting.starts_at):
        raise AppError("完成期限不能早于会议日期。", field="due_on")
    resolution = Resolution.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)
    audit(
        actor,
        "orglife.resolution.added",
        meeting,
        org_path=meeting.org_path,
        changes={"resolution": resolution.pk, "owner": owner, "due_on": due_on},
    )
    return resolution


def _open_resolution(resolution: Resolution) -> Resolution:
    resolution = Resolution.all_objects.select_for_update().get(pk=resolution.pk)
    if resolution.status != ResolutionStatus.OPEN:
        raise AppError("该决议已办结或撤销。")
    return resolution


@transaction.atomic
def resolution_progress(*, actor, resolution: Resolution, note: str) -> ResolutionUpdate:
    meeting = resolution.meeting
    _require(actor, meeting.org_path)
    resolution = _open_resolution(resolution)
    note = (note or "").strip()
    if not note:
        raise AppError("请填写进展情况。", field="note")
    if len(note) > 2000:
        raise AppError("进展情况过长。", field="note")
    update = ResolutionUpdate.objects.create(
        resolution=resolution, note=note, by=actor if getattr(actor, "pk", None) else None
    )
    resolution.save(update_fields=["updated_at"])
    audit(
        actor,
        "orglife.resolution.progressed",
        meeting,
        org_path=meeting.org_path,
        changes={"resolution": resolution.pk, "update": update.pk},
    )
    return update


@transaction.atomic
def resolution_close(
    *,
    actor,
    resolution: Resolution,
    status: str = ResolutionStatus.DONE,
    note: str = "",
    now: dt.datetime | None = None,
) -> Resolution:
    """Close a resolution as done (已办结) or dropped (已撤销, which needs a reason)."""
    meeting = resolution.meeting
    _require(actor, meeting.org_path)
    resolution = _open_resolution(resolution)
    if status not in (ResolutionStatus.DONE, ResolutionStatus.DROPPED):
        raise AppError("请选择办结或撤销。", field="status")
    note = (note or "").strip()
    if status == ResolutionStatus.DROPPED and not note:
        raise AppError("撤销决议，请填写原因。", field="note")
    if len(note) > 2000:
        raise AppError("说明过长。", field="note")
    resolution.status = status
    resolution.completed_at = now or timezone.now()
    resolution.save(update_fields=["status", "completed_at", "updated_at"])
    if note:
        ResolutionUpdate.objects.create(
            resolution=resolution, note=note, by=actor if getattr(actor, "pk", None) else None
        )
    audit(
        actor,
        "orglife.resolution.closed",
        meeting,
        org_path=meeting.org_path,
        changes={"resolution": resolution.pk, "status": status},
    )
    return resolution
