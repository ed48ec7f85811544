"""Votes (表决) at a 支部党员大会 or 支委会: who may vote, the quorum and the passing threshold
come from `rules.orglife` (R-GEN-03, R-ORGLIFE-02/04); the result is kept as a `Vote` and
appended to the meeting's minutes. A vote without a quorum is refused: nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.members.models import Category, Member
from dangjian.orglife.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Vote,
    VoteBody,
)
from dangjian.orglife.services import TEXT_LIMITS, _locked, _not_archived, _require
from dangjian.rules.orglife import assembly_vote, committee_vote, may_vote

MOTION_LIMIT = 500


def category_on(member: Member, day: dt.date) -> str:
    """The member's category (full / probationary) on `day`: a full member converted after
    that day was still probationary then."""
    if member.category == Category.FULL and (
        member.converted_on is None or member.converted_on <= day
    ):
        return Category.FULL
    return Category.PROBATIONARY


def voting_counts(meeting: Meeting) -> tuple[int, int]:
    """(entitled, present_voting) for a vote at `meeting`.

    - 党员大会: the full members on the roster (R-GEN-03: probationary members have no vote),
      and those of them present;
    - 支委会: the committee seats on the roster (the roster of a 支委会 is its seat holders),
      and those present."""
    day = timezone.localtime(meeting.starts_at).date()
    rows = Attendance.objects.unscoped().filter(meeting=meeting).select_related("member")
    entitled = present = 0
    for row in rows:
        if meeting.kind == VoteBody.ASSEMBLY and not may_vote(category_on(row.member, day)):
            continue
        entitled += 1
        present += row.status == AttendanceStatus.PRESENT
    return entitled, present


def minutes_line(vote: Vote) -> str:
    who = "有表决权的党员" if vote.body == VoteBody.ASSEMBLY else "委员"
    return (
        f"表决：{vote.motion}。应到{who}{vote.entitled}人，实到{vote.present_voting}人；"
        f"赞成{vote.yes}票，反对{vote.no}票，弃权{vote.abstain}票；"
        f"{'通过' if vote.passed else '未通过'}。"
    )


def _count(value, field: str, label: str) -> int:
    if isinstance(value, bool):
        raise AppError(f"请填写{label}票数。", field=field)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise AppError(f"请填写{label}票数。", field=field) from None
    if value < 0:
        raise AppError(f"{label}票数不能为负数。", field=field)
    return value


@transaction.atomic
def vote_record(*, actor, meeting: Meeting, motion: str, yes, no, abstain) -> Vote:
    """Record a vote at a held 党员大会 or 支委会 and append its result to the minutes."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    _not_archived(meeting)
    if meeting.kind not in VoteBody.values:
        raise AppError("只有支部党员大会和支部委员会会议可以进行表决。")
    if meeting.status != MeetingStatus.HELD:
        raise AppError("会议尚未登记召开，不能登记表决结果。")
    motion = (motion or "").strip()
    if not motion:
        raise AppError("请填写表决事项。", field="motion")
    if len(motion) > MOTION_LIMIT:
        raise AppError("表决事项过长。", field="motion")
    yes = _count(yes, "yes", "赞成")
    no = _count(no, "no", "反对")
    abstain = _count(abstain, "abstain", "弃权")
    entitled, present = voting_counts(meeting)
    if entitled == 0:
        raise AppError("本次会议没有有表决权的人员，不能表决（R-GEN-03）。")
    if yes + no + abstain > present:
        raise AppError(
            f"赞成、反对、弃权票合计{yes + no + abstain}票，多于实到有表决权的{present}人。",
            field="yes",
        )
    check = assembly_vote if meeting.kind == VoteBody.ASSEMBLY else committee_vote
    try:
        result = check(entitled, present, yes)
    except ValueError as exc:
        raise AppError(str(exc)) from None
    if not result.quorum_met:
        message = result.findings[0].message if result.findings else "未达到法定人数"
        raise AppError(f"未达到法定人数，不能表决：{message}")
    vote = Vote(
        meeting=meeting,
        motion=motion,
        body=meeting.kind,
        entitled=entitled,
        present_voting=present,
        yes=yes,
        no=no,
        abstain=abstain,
        quorum_met=result.quorum_met,
        passed=result.passed,
        findings="\n".join(f.message for f in result.findings),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    line = minutes_line(vote)
    minutes = f"{meeting.minutes.rstrip()}\n{line}" if meeting.minutes.strip() else line
    if len(minutes) > TEXT_LIMITS["minutes"]:
        raise AppError("会议记录已达长度上限，不能再写入表决结果。", field="motion")
    vote.save()
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    audit(
        actor,
        "orglife.vote.recorded",
        meeting,
        org_path=meeting.org_path,
        changes={
            "vote": vote.pk,
            "motion": motion,
            "entitled": entitled,
            "present_voting": present,
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "passed": result.passed,
        },
    )
    return vote


def votes_of(meeting: Meeting) -> list[Vote]:
    return list(Vote.objects.unscoped().filter(meeting=meeting))
