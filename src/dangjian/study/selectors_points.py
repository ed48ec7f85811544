"""Reads of study notes (心得体会) and member points (党员积分), always from what the user may
see: STUDY_MANAGE on the subtree for other members' notes, points and rankings; a member's
own notes and points for himself. Every list runs in a fixed number of queries.

- access: `access_note`, `access_member_points`, `points_org`, `manage_orgs`,
  `note_session`; the user's own member is selectors_sessions.own_member (never one of the
  separated administrators, 三员分立);
- notes: `notes_for`, `note_copies`, `attended_sessions`, `visible_materials`;
- points: `member_points`, `my_points`, `ranking`;
- the scheme: `scheme_versions`, `schemes_data`, `scheme_in_force`, `scheme_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from dangjian.core.access import can, deny, has_cap_anywhere, paths_for, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Employment, Member, Standing
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.rules import study as rules
from dangjian.study.models import (
    CopiedNote,
    Material,
    PointEntry,
    PointScheme,
    StudyNote,
    StudySession,
)
from dangjian.study.selectors_sessions import own_member

MANAGE = Cap.STUDY_MANAGE
ZERO = Decimal("0")
#: the org picker's length
ORG_CHOICES_MAX = 300
#: how many suspected copies a note's page puts side by side (the rest: listed)
COPIES_SIDE_BY_SIDE = 5
#: the choices of the note form
SESSION_CHOICES_MAX = 50
MATERIAL_CHOICES_MAX = 100

NOTE_SOURCE = "study.note"
MEETING_SOURCE = "orglife.meeting"
#: ledger source type → what the member's page calls it
SOURCE_LABELS = {
    MEETING_SOURCE: "会议",
    "study.training": "培训",
    "study.reading": "学习资料",
    "study.quiz_attempt": "自测",
    NOTE_SOURCE: "心得体会",
}


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The local year as [start, end) aware datetimes."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


# ---------------------------------------------------------------------------------------------
# Access


def manage_orgs(user, current: Org | None = None) -> list[Org]:
    """The orgs whose study the user manages (the org picker), top-most first."""
    orgs = list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("depth", "path")[:ORG_CHOICES_MAX]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs = sorted([*orgs, current], key=lambda o: (o.depth, o.path))
    return orgs


def points_org(user, value=None) -> Org:
    """The org named by a parameter (404 when not the user's), else the top-most org on which
    the user holds study.manage."""
    if value not in (None, ""):
        if _int(value) is None:  # "abc", "-1", a number past the column: 404, never a 500
            raise deny()
        return access_org(user, value, need=MANAGE)
    paths = paths_for(user, MANAGE)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=MANAGE)


def access_note(user, note_id) -> StudyNote:
    """A note its author or a holder of study.manage on its org may read; 404 otherwise."""
    pk = _int(note_id)
    note = (
        StudyNote.all_objects.select_related(
            "member", "member__branch", "session__meeting", "material", "submitted_by"
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if note is None:
        raise deny()
    if can(user, MANAGE, note.org_path):
        return note
    if getattr(own_member(user), "pk", None) == note.member_id:
        return note
    raise deny()


def access_member_points(user, member_id) -> Member:
    """A member whose points the user may read: himself, or study.manage on his org."""
    pk = _int(member_id)
    member = Member.all_objects.select_related("branch").filter(pk=pk).first() if pk else None
    if member is None:
        raise deny()
    if getattr(own_member(user), "pk", None) == member.pk:
        return member
    if not can(user, MANAGE, member.org_path):
        raise deny()
    return member


# ---------------------------------------------------------------------------------------------
# Notes


def notes_for(
    user,
    *,
    org: Org | None = None,
    year: int | None = None,
    copied_only: bool = False,
    mine: bool = False,
    session: StudySession | None = None,
) -> QuerySet:
    """Notes the user may list, newest first: a manager's subtree (narrowed to `org`), or his
    own (`mine`, and always for a member without study.manage). 404 for users who are
    neither. `session` (from `note_session`) keeps the notes written on that study session.
    Each note carries `copy_count` and `top_similarity`."""
    manager = has_cap_anywhere(user, MANAGE)
    if manager and not mine:
        qs = StudyNote.objects.visible_to(user, MANAGE)
        if org is not None:
            qs = qs.filter(subtree_q("org_path", org.path))
    else:
        member = own_member(user)
        if member is None:
            raise deny()
        qs = StudyNote.objects.unscoped().filter(member_id=member.pk)
    if session is not None:
        qs = qs.filter(session_id=session.pk)
    if year:
        start, end = year_bounds(year)
        qs = qs.filter(submitted_at__gte=start, submitted_at__lt=end)
    if copied_only:
        qs = qs.filter(Exists(CopiedNote.all_objects.filter(note=OuterRef("pk"))))
    return (
        qs.annotate(copy_count=Count("copies"), top_similarity=Max("copies__similarity"))
        .select_related("member", "member__branch", "session__meeting", "material")
        .order_by("-submitted_at", "-id")
    )


def note_session(user, value) -> StudySession | None:
    """The study session a notes list is narrowed to (`?session=`, the session page's link):
    None when the value is missing or not an id (the filter is ignored); 404 for a session
    the user may not look at. A manager of its org or of an org below it (whose members were
    there) may; so may a member who was present."""
    pk = _int(value)
    if pk is None:
        return None
    session = StudySession.all_objects.select_related("meeting").filter(pk=pk).first()
    if session is None:
        raise deny()
    path = session.org_path
    if can(user, MANAGE, path) or any(p.startswith(path) for p in paths_for(user, MANAGE)):
        return session
    member = own_member(user)
    if (
        member is not None
        and Attendance.all_objects.filter(
            meeting_id=session.meeting_id, member=member, status=AttendanceStatus.PRESENT
        ).exists()
    ):
        return session
    raise deny()


@dataclass
class CopyView:
    """One suspected copy of a note as the viewer may see it: the source's text and the
    shared passages only where he may read the source."""

    copy: CopiedNote
    visible: bool
    title: str = ""
    who: str = ""
    org_name: str = ""
    when: dt.datetime | None = None
    left: list = field(default_factory=list)  # the note, cut into (text, shared?) pieces
    right: list = field(default_factory=list)  # the source
    url: str = ""

    @property
    def percent(self) -> int:
        return round(self.copy.similarity * 100)

    @property
    def kind_label(self) -> str:
        return "心得体会" if self.copy.source_type == NOTE_SOURCE else "会议记录"


def _source_visible(user, copy: CopiedNote) -> bool:
    if copy.source_type == NOTE_SOURCE:
        return can(user, MANAGE, copy.source_path)
    if copy.source_type == MEETING_SOURCE:
        return can(user, Cap.MEMBER_VIEW, copy.source_path)
    return False


def note_copies(user, note: StudyNote) -> list[CopyView]:
    """The note's suspected copies, most similar first, for a manager of the note (others get
    []). A source outside what the viewer may read is only "另一组织的文本" and its
    similarity; the first COPIES_SIDE_BY_SIDE readable ones come with the shared passages
    marked. Three queries at most, whatever the number of copies."""
    from django.urls import reverse

    from dangjian.orglife.copies import marked

    if not can(user, MANAGE, note.org_path):
        return []
    copies = list(
        CopiedNote.all_objects.filter(note=note).order_by("-similarity", "source_type", "id")
    )
    views = [CopyView(c, _source_visible(user, c)) for c in copies]
    note_ids = [v.copy.source_id for v in views if v.visible and v.copy.source_type == NOTE_SOURCE]
    meeting_ids = [
        v.copy.source_id for v in views if v.visible and v.copy.source_type == MEETING_SOURCE
    ]
    notes = (
        StudyNote.all_objects.select_related("member", "member__branch").in_bulk(note_ids)
        if note_ids
        else {}
    )
    meetings = Meeting.all_objects.select_related("org").in_bulk(meeting_ids) if meeting_ids else {}
    shown = 0
    for v in views:
        if not v.visible:
            continue
        text = ""
        if v.copy.source_type == NOTE_SOURCE and v.copy.source_id in notes:
            src = notes[v.copy.source_id]
            v.title, v.who, v.org_name = src.title, src.member.name, src.member.branch.name
            v.when, text = src.submitted_at, src.text
            v.url = reverse("study:note", args=[src.pk])
        elif v.copy.source_type == MEETING_SOURCE and v.copy.source_id in meetings:
            src = meetings[v.copy.source_id]
            v.title, v.org_name = f"{src.get_kind_display()} {src.topic}", src.org.name
            v.when, text = src.starts_at, src.minutes
            v.url = reverse("orglife:detail", args=[src.pk])
        else:  # the source is gone (withdrawn, deleted)
            v.visible = False
            continue
        if shown < COPIES_SIDE_BY_SIDE:
            v.left, v.right = marked(note.text, text)
            shown += 1
    return views


def attended_sessions(member: Member, *, limit: int = SESSION_CHOICES_MAX) -> list:
    """The study sessions the member was present at, newest first (the note form's choices)."""
    return list(
        StudySession.all_objects.filter(
            meeting__attendances__member=member,
            meeting__attendances__status=AttendanceStatus.PRESENT,
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-id")[:limit]
    )


def ancestor_paths(path: str) -> list[str]:
    """ "/1/5/12/" → ["/1/", "/1/5/", "/1/5/12/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def visible_materials(member: Member, *, limit: int = MATERIAL_CHOICES_MAX) -> list[Material]:
    """Active materials of the member's branch and the orgs above it, newest first."""
    return list(
        Material.all_objects.filter(
            is_active=True, org_path__in=ancestor_paths(member.org_path)
        ).order_by("-created_at", "-id")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# The scheme


def scheme_versions() -> list[PointScheme]:
    """Every stored version with its rules, the latest first (two queries)."""
    return list(
        PointScheme.objects.select_related("created_by")
        .prefetch_related("rules")
        .order_by("-effective_from", "-version")
    )


def as_data(scheme: PointScheme) -> rules.PointSchemeData:
    return rules.PointSchemeData(
        name=scheme.name,
        version=scheme.version,
        effective_from=scheme.effective_from,
        baseline=scheme.baseline,
        rules=tuple(
            rules.PointRuleData(r.action, r.points, r.daily_cap, r.yearly_cap)
            for r in sorted(scheme.rules.all(), key=lambda r: r.action)
        ),
    )


def schemes_data(versions: list[PointScheme] | None = None) -> list[rules.PointSchemeData]:
    """The stored versions as the rules' plain values (for award_points)."""
    return [as_data(s) for s in (scheme_versions() if versions is None else versions)]


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def scheme_in_force(schemes: list[rules.PointSchemeData], year: int) -> rules.PointSchemeData:
    """The version that sets `year`'s baseline: the one in force on December 31 (or today,
    for the current year, so that a version saved for later does not apply early)."""
    today = timezone.localdate()
    on = min(year_end(year), today) if year == today.year else year_end(year)
    return rules.scheme_for(schemes, on)


@dataclass
class RuleRow:
    action: str
    label: str
    points: Decimal | None  # None: the scheme gives nothing for it
    daily_cap: Decimal
    yearly_cap: Decimal
    has_source: bool


#: actions no record feeds yet (the veterans module will feed 志愿服务)
NO_SOURCE = frozenset({"volunteer"})


def scheme_rows(scheme: rules.PointSchemeData) -> list[RuleRow]:
    """Every action of POINT_ACTIONS in order, with what this version gives for it."""
    out = []
    for action, label in rules.POINT_ACTIONS.items():
        r = scheme.rule_for(action)
        out.append(
            RuleRow(
                action,
                label,
                r.points if r else None,
                r.daily_cap if r else ZERO,
                r.yearly_cap if r else ZERO,
                action not in NO_SOURCE,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# A member's points


@dataclass
class PointLine:
    entry: PointEntry
    label: str
    source: str  # what the record was ("会议：支部党员大会 …"), "" when unknown
    cut: str | None  # "daily" / "yearly"

    @property
    def cut_label(self) -> str:
        return rules.CAP_LABELS.get(self.cut or "", "")


@dataclass
class MemberPoints:
    member: Member
    year: int
    scheme: rules.PointSchemeData
    total: Decimal
    lines: list[PointLine]  # newest first
    excluded: str | None  # "retired" / "mobile" / "suspended"
    by_action: list[tuple[str, Decimal]]

    @property
    def baseline(self) -> int:
        return self.scheme.baseline

    @property
    def met(self) -> bool:
        return self.excluded is None and self.total >= self.baseline

    @property
    def percent(self) -> int:
        return rules.percent_of(self.total, self.baseline)

    @property
    def short(self) -> Decimal:
        return max(Decimal(self.baseline) - self.total, ZERO)

    @property
    def excluded_label(self) -> str:
        return EXCLUSION_LABELS.get(self.excluded or "", "")


#: rules.study's reasons, and 停止党籍: no organisational life, so no points either
EXCLUSION_LABELS = {
    **rules.EXCLUSION_LABELS,
    "suspended": "停止党籍期间不参加党员积分（R-LOCAL-08）",
}


def exclusion_of(member: Member, year: int) -> str | None:
    """Why the member takes no part in `year`'s points (None: he does); the same members
    as `taking_part_q` leaves out."""
    if member.standing == Standing.SUSPENDED:
        return "suspended"
    return rules.points_exclusion(
        retired=member.employment == Employment.RETIRED,
        is_mobile=member.is_mobile,
        mobile_since=member.mobile_since,
        year=year,
    )


def _describe(entries: list[PointEntry]) -> dict[tuple[str, int], str]:
    """What each entry's record was: one query per source type present."""
    from dangjian.study.models import QuizAttempt, ReadingProgress, Training

    ids: dict[str, list[int]] = defaultdict(list)
    for e in entries:
        ids[e.source_type].append(e.source_id)
    out: dict[tuple[str, int], str] = {}
    if ids.get(MEETING_SOURCE):
        for m in Meeting.all_objects.filter(pk__in=ids[MEETING_SOURCE]).only("kind", "topic"):
            out[(MEETING_SOURCE, m.pk)] = f"{m.get_kind_display()}：{m.topic}"
    if ids.get("study.training"):
        for pk, title in Training.all_objects.filter(pk__in=ids["study.training"]).values_list(
            "pk", "title"
        ):
            out[("study.training", pk)] = title
    if ids.get("study.reading"):
        for pk, title in ReadingProgress.all_objects.filter(
            pk__in=ids["study.reading"]
        ).values_list("pk", "material__title"):
            out[("study.reading", pk)] = title
    if ids.get("study.quiz_attempt"):
        for pk, title in QuizAttempt.all_objects.filter(
            pk__in=ids["study.quiz_attempt"]
        ).values_list("pk", "quiz__title"):
            out[("study.quiz_attempt", pk)] = title
    if ids.get(NOTE_SOURCE):
        for pk, title in StudyNote.all_objects.filter(pk__in=ids[NOTE_SOURCE]).values_list(
            "pk", "title"
        ):
            out[(NOTE_SOURCE, pk)] = title
    return out


def member_points(member: Member, year: int, *, describe: bool = True) -> MemberPoints:
    """The member's ledger for `year` (already access-checked), with the cap that cut each
    entry. A fixed number of queries: the versions, the entries, one per source type."""
    schemes = schemes_data()
    entries = list(
        PointEntry.all_objects.filter(member=member, year=year).order_by(
            "occurred_on", "action", "source_type", "source_id"
        )
    )
    awards = [
        rules.Award(
            rules.PointEvent(e.action, e.source_type, e.source_id, e.occurred_on),
            e.points,
            e.capped_from,
        )
        for e in entries
    ]
    cuts = rules.cap_reasons(awards, schemes)
    sources = _describe(entries) if describe else {}
    lines = [
        PointLine(
            e,
            rules.POINT_ACTIONS.get(e.action, e.action),
            sources.get((e.source_type, e.source_id), ""),
            cut,
        )
        for e, cut in zip(entries, cuts, strict=True)
    ]
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        sums[e.action] += e.points
    return MemberPoints(
        member=member,
        year=year,
        scheme=scheme_in_force(schemes, year),
        total=sum((e.points for e in entries), ZERO),
        lines=list(reversed(lines)),
        excluded=exclusion_of(member, year),
        by_action=[(label, sums[a]) for a, label in rules.POINT_ACTIONS.items() if a in sums],
    )


def my_points(user, year: int) -> MemberPoints | None:
    """The user's own points (None when his account is not a member's)."""
    member = own_member(user)
    if member is None:
        return None
    return member_points(member, year)


# ---------------------------------------------------------------------------------------------
# Rankings


def taking_part_q(year: int) -> Q:
    """Members who take part in `year`'s points: on the roster during the year, neither
    retired nor a mobile member long away (R-LOCAL-08, rules.points_exclusion in SQL), nor
    suspended (停止党籍: no organisational life; the study hours leave them out too)."""
    on_roster = Q(joined_on__lte=year_end(year)) & (
        Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1))
    )
    excluded = (
        Q(employment=Employment.RETIRED)
        | Q(is_mobile=True, mobile_since__lt=rules.mobile_cutoff(year))
        | Q(standing=Standing.SUSPENDED)
    )
    return on_roster & ~excluded


def _total(year: int):
    sums = (
        PointEntry.all_objects.filter(member=OuterRef("pk"), year=year)
        .order_by()
        .values("member")
        .annotate(s=Sum("points"))
        .values("s")
    )
    money = DecimalField(max_digits=8, decimal_places=1)
    return Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money)


@dataclass
class Ranking:
    org: Org
    year: int
    scheme: rules.PointSchemeData
    rows: QuerySet  # members with `total` and `rank` (over all taking part), best first
    all_rows: QuerySet  # the same without the `met` filter (the chart)
    taking_part: int
    met_count: int
    excluded_count: int

    @property
    def baseline(self) -> int:
        return self.scheme.baseline


def ranking(user, org: Org, year: int, *, met: bool | None = None) -> Ranking:
    """The members of `org`'s subtree (already access-checked with study.manage) who take
    part in `year`'s points, with their total and rank (1 for the most; ties share a rank),
    best first. `met` keeps those who reached the year's baseline (True) or not (False); the
    ranks stay those of the whole list. Queries: the versions (2), one for the counts, and
    the rows as paginated."""
    schemes = schemes_data()
    scheme = scheme_in_force(schemes, year)
    in_org = Member.objects.unscoped().filter(subtree_q("org_path", org.path))
    part = taking_part_q(year)
    counted = in_org.annotate(total=_total(year)).aggregate(
        taking_part=Count("pk", filter=part),
        met=Count("pk", filter=part & Q(total__gte=scheme.baseline)),
        excluded=Count(
            "pk",
            filter=~part
            & Q(joined_on__lte=year_end(year))
            & (Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1))),
        ),
    )
    rows = (
        in_org.filter(part)
        .annotate(total=_total(year))
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .select_related("branch")
        .order_by("-total", "name_pinyin", "id")
    )
    # with RANK(), "total ≥ baseline" is "rank ≤ the number who reached it": a filter on the
    # window keeps every row's rank that of the whole list
    chosen = rows
    if met is True:
        chosen = rows.filter(rank__lte=counted["met"])
    elif met is False:
        chosen = rows.filter(rank__gt=counted["met"])
    return Ranking(
        org=org,
        year=year,
        scheme=scheme,
        rows=chosen,
        all_rows=rows,
        taking_part=counted["taking_part"],
        met_count=counted["met"],
        excluded_count=counted["excluded"],
    )


def top(rows: QuerySet, n: int = 10) -> dict:
    """The chart's data: the first `n` of a ranking."""
    best = list(rows[:n])
    return {"names": [m.name for m in best], "totals": [float(m.total) for m in best]}
