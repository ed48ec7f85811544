"""Reads of organisational life, always from the user's visible subtree (or from a meeting
the caller already obtained through `access_meeting`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Member, Standing
from dangjian.orglife.models import (
    Attendance,
    AttendanceStatus,
    MakeUp,
    Meeting,
    MeetingCorrection,
    MeetingStatus,
    Resolution,
)
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole
from dangjian.rules.orglife import MeetingKind

#: kinds held by a branch with all its members (支部工作条例 第五章; R-ORGLIFE-01/07/08/09/10)
BRANCH_KINDS = frozenset(
    {
        MeetingKind.MEMBER_ASSEMBLY,
        MeetingKind.PARTY_LESSON,
        MeetingKind.THEME_DAY,
        MeetingKind.LIFE_MEETING,
        MeetingKind.MEMBER_APPRAISAL,
    }
)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def access_meeting(user, meeting_id, need: Cap = Cap.MEMBER_VIEW) -> Meeting:
    meeting_id = _int(meeting_id)
    if meeting_id is None:
        raise deny()
    meeting = Meeting.objects.unscoped().select_related("org").filter(pk=meeting_id).first()
    if meeting is None or not can(user, need, meeting.org_path):
        raise deny()
    return meeting


def access_makeup(meeting: Meeting, makeup_id) -> MakeUp:
    """A make-up of a meeting the caller already accessed."""
    makeup_id = _int(makeup_id)
    found = (
        MakeUp.objects.unscoped()
        .select_related("member")
        .filter(pk=makeup_id, meeting=meeting)
        .first()
        if makeup_id is not None
        else None
    )
    if found is None:
        raise deny()
    return found


def access_resolution(meeting: Meeting, resolution_id) -> Resolution:
    resolution_id = _int(resolution_id)
    found = (
        Resolution.objects.unscoped().filter(pk=resolution_id, meeting=meeting).first()
        if resolution_id is not None
        else None
    )
    if found is None:
        raise deny()
    return found


def kind_fits_org(kind: str, org: Org) -> str | None:
    """Why `org` cannot hold a meeting of `kind` (a Chinese message), or None."""
    if kind in BRANCH_KINDS and org.kind != OrgKind.BRANCH:
        return "该类会议由党支部召开，请选择党支部。"
    if kind == MeetingKind.GROUP_MEETING and org.kind != OrgKind.GROUP:
        return "党小组会由党小组召开，请选择党小组。"
    if kind == MeetingKind.COMMITTEE_MEETING and org.kind == OrgKind.GROUP:
        return "党小组没有委员会，不能召开委员会会议。"
    return None  # a study session (学习培训) may be held by any org, for its whole subtree


def _active_on(on_date: dt.date) -> Q:
    """Members on the roster on that day: not left before it (a member who leaves on the
    meeting day is no longer expected), and not suspended (停止党籍: no organisational life)."""
    return (Q(member__left_on__isnull=True) | Q(member__left_on__gt=on_date)) & ~Q(
        member__standing=Standing.SUSPENDED
    )


def expected_roster(org: Org, kind: str, on_date: dt.date) -> list[Member]:
    """Who is expected (应到) at a meeting of `kind` held by `org` on `on_date`.

    - branch kinds: the members registered on the branch (a member transferred within the
      system is on the receiving branch once the transfer is accepted; until then, R-EDU-12,
      on the sending one);
    - 支委会 (any body with a committee): the holders of its seats on that day, 党小组组长
      excepted;
    - 党小组会: the holders of seats on the group (its leader and the members recorded on it).
    Members who left the roster before the day, or are suspended, are not expected.
    The caller has already obtained `org` through an access check."""
    if kind in BRANCH_KINDS:
        members = Member.objects.unscoped().filter(branch=org)
        left = Q(left_on__isnull=True) | Q(left_on__gt=on_date)
        return list(
            members.filter(left, joined_on__lte=on_date)
            .exclude(standing=Standing.SUSPENDED)
            .order_by("name_pinyin", "id")
        )
    if kind in (MeetingKind.COMMITTEE_MEETING, MeetingKind.GROUP_MEETING):
        seats = CommitteeSeat.objects.unscoped().filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on_date),
            _active_on(on_date),
            org=org,
            started_on__lte=on_date,
        )
        if kind == MeetingKind.COMMITTEE_MEETING:
            seats = seats.exclude(role=SeatRole.GROUP_LEADER)
        ids = set(seats.values_list("member_id", flat=True))
        return list(Member.objects.unscoped().filter(pk__in=ids).order_by("name_pinyin", "id"))
    if kind == MeetingKind.STUDY_SESSION:  # everyone on the roster of the subtree
        members = Member.objects.unscoped().filter(org_path__startswith=org.path)
        left = Q(left_on__isnull=True) | Q(left_on__gt=on_date)
        return list(
            members.filter(left, joined_on__lte=on_date)
            .exclude(standing=Standing.SUSPENDED)
            .order_by("name_pinyin", "id")
        )
    return []


def roster_base(org: Org) -> Org:
    """The branch whose members may be added late to a meeting of `org`: the org itself, or
    the branch of a 党小组."""
    if org.kind == OrgKind.GROUP and org.parent_id:
        return Org.objects.unscoped().get(pk=org.parent_id)
    return org


def branch_members(org: Org, on_date: dt.date) -> list[Member]:
    """Active members of the branch (or subtree) behind `org`, for adding late to a roster."""
    base = roster_base(org)
    return list(
        Member.objects.unscoped()
        .filter(subtree_q("org_path", base.path))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on_date))
        .exclude(standing=Standing.SUSPENDED)
        .order_by("name_pinyin", "id")[:1000]
    )


def meeting_list(
    user,
    *,
    org: Org | None = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
):
    qs = Meeting.objects.visible_to(user, Cap.MEMBER_VIEW).select_related("org")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        tz = timezone.get_current_timezone()
        start = dt.datetime(year, 1, 1, tzinfo=tz)
        end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return qs.order_by("-starts_at", "-id")


def attendance_counts(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """{meeting id: {"expected", "present", "leave", "absent"}} for a page of meetings, in
    one grouped query."""
    counts: dict[int, Counter] = {m.pk: Counter() for m in meetings}
    if not counts:
        return {}
    rows = (
        Attendance.objects.unscoped()
        .filter(meeting__in=list(counts))
        .order_by()
        .values("meeting_id", "status")
        .annotate(n=Count("id"))
        .values_list("meeting_id", "status", "n")
    )  # counted in SQL: a study session's roster may be a whole unit
    for meeting_id, status, n in rows:
        counts[meeting_id][status] += n
    return {
        mid: {
            "expected": sum(c.values()),
            "present": c[AttendanceStatus.PRESENT],
            "leave": c[AttendanceStatus.LEAVE],
            "absent": c[AttendanceStatus.ABSENT],
        }
        for mid, c in counts.items()
    }


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    )


def makeups_of(meeting: Meeting) -> list[MakeUp]:
    return list(MakeUp.objects.unscoped().filter(meeting=meeting).select_related("member"))


def resolutions_of(meeting: Meeting) -> list[Resolution]:
    return list(
        Resolution.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("owner")
        .prefetch_related("updates")
    )


def corrections_of(meeting: Meeting) -> list[MeetingCorrection]:
    return list(MeetingCorrection.objects.unscoped().filter(meeting=meeting).select_related("by"))


def my_attendance(user, meeting: Meeting) -> Attendance | None:
    """The signed-in user's own row on a meeting's roster, through the user's member link."""
    if not getattr(user, "member_id", None):
        return None
    return Attendance.objects.unscoped().filter(meeting=meeting, member_id=user.member_id).first()


def meeting_by_code(code: str) -> Meeting | None:
    """A meeting by its sign-in code; callers decide access by the roster (`sign_in`)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 8:
        return None
    return (
        Meeting.objects.unscoped()
        .select_related("org")
        .filter(sign_in_code=code)
        .exclude(status=MeetingStatus.ARCHIVED)
        .first()
    )
