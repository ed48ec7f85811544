"""民主评议党员 (R-ORGLIFE-10/11): one grade per full member on the roster of a held
member_appraisal meeting. Probationary members take part but are not rated (the common
practice, C3): a grade for one is refused. More than a third rated 优秀 is a warning shown
with the grades ("一般不超过"), not a refusal."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.members.models import Category, Member
from dangjian.orglife.models import AppraisalGrade, Attendance, Meeting, MeetingStatus
from dangjian.orglife.services import _locked, _not_archived, _require
from dangjian.orglife.services_votes import category_on
from dangjian.rules.base import Finding
from dangjian.rules.orglife import APPRAISAL_GRADES, MeetingKind, appraisal_findings

GRADES = dict(APPRAISAL_GRADES)
NOTE_LIMIT = 500


def _day(meeting: Meeting):
    return timezone.localtime(meeting.starts_at).date()


def participants(meeting: Meeting) -> tuple[list[Member], list[Member]]:
    """(rated, not rated) members of the roster: full members on the meeting day are rated;
    probationary members take part without a grade."""
    day = _day(meeting)
    rated, not_rated = [], []
    rows = (
        Attendance.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    )
    for row in rows:
        (rated if category_on(row.member, day) == Category.FULL else not_rated).append(row.member)
    return rated, not_rated


def grades_of(meeting: Meeting) -> dict[int, AppraisalGrade]:
    return {
        g.member_id: g
        for g in AppraisalGrade.objects.unscoped().filter(meeting=meeting).select_related("member")
    }


def findings_of(meeting: Meeting) -> list[Finding]:
    """R-ORGLIFE-11 over the grades given so far."""
    return appraisal_findings({mid: g.grade for mid, g in grades_of(meeting).items()})


def summary_of(meeting: Meeting) -> list[tuple[str, int]]:
    counts = Counter(g.grade for g in grades_of(meeting).values())
    return [(label, counts[code]) for code, label in APPRAISAL_GRADES]


@transaction.atomic
def appraisal_record(
    *, actor, meeting: Meeting, grades: dict[int, tuple[str, str]]
) -> list[Finding]:
    """Set the grades of a held 民主评议 meeting: member id → (grade, note); an empty grade
    leaves (or makes) the member not yet rated. Returns the R-ORGLIFE-11 findings."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    _not_archived(meeting)
    if meeting.kind != MeetingKind.MEMBER_APPRAISAL:
        raise AppError("只有民主评议党员会议可以评定等次。")
    if meeting.status != MeetingStatus.HELD:
        raise AppError("会议尚未登记召开，不能评定等次。")
    rated, not_rated = participants(meeting)
    rated_ids = {m.pk: m for m in rated}
    probationary = {m.pk: m for m in not_rated}
    existing = grades_of(meeting)
    clean: dict[int, tuple[str, str]] = {}
    for member_id, (grade, note) in grades.items():
        grade, note = (grade or "").strip(), (note or "").strip()
        if member_id in probationary and grade:
            raise AppError(
                f"{probationary[member_id].name}是预备党员，参加民主评议但不评定等次"
                "（R-ORGLIFE-11）。",
                field=f"grade_{member_id}",
            )
        if member_id in probationary:
            continue
        if member_id not in rated_ids:
            raise AppError("该人员不在本次民主评议的参评党员名单中。", field=f"grade_{member_id}")
        if grade and grade not in GRADES:
            raise AppError("请选择评议等次。", field=f"grade_{member_id}")
        if len(note) > NOTE_LIMIT:
            raise AppError("备注过长。", field=f"note_{member_id}")
        clean[member_id] = (grade, note)
    changed: dict[str, list] = {}
    by = actor if getattr(actor, "pk", None) else None
    for member_id, (grade, note) in clean.items():
        old = existing.get(member_id)
        if not grade:
            if old is not None:
                changed[str(member_id)] = [old.grade, None]
                old.delete()
            continue
        if old is None:
            AppraisalGrade.objects.create(
                meeting=meeting, member=rated_ids[member_id], grade=grade, note=note, graded_by=by
            )
            changed[str(member_id)] = [None, grade]
        elif (old.grade, old.note) != (grade, note):
            if old.grade != grade:
                changed[str(member_id)] = [old.grade, grade]
            old.grade, old.note, old.graded_by = grade, note, by
            old.save(update_fields=["grade", "note", "graded_by", "graded_at"])
    found = findings_of(meeting)
    if changed:
        audit(
            actor,
            "orglife.appraisal.graded",
            meeting,
            org_path=meeting.org_path,
            changes={"grades": changed, "warnings": [f.message for f in found]},
        )
    return found
