"""Reads of 清廉机关: risk points, warning-education sessions and commitments, always from the
user's visible subtree (member.view to read, integrity.manage to change), and the yearly
figures per unit — in a fixed number of grouped queries whatever the size of the tree.

Two kinds of function live here:

- selectors for request code, which start from a user (`risk_point_list(user, …)`,
  `coverage(user, year, org)`, `access_*`): they answer 404 to outsiders;
- plain figures for other code that runs without a user, e.g. the assessment's auto
  indicators (`commitment_coverage(org, year)`, `risk_points_summary(org, year)`,
  `warning_sessions_count(org, year)`): the caller has already decided that `org` may be read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from dangjian.core.access import can, deny, paths_for, subtree_q
from dangjian.core.permissions import Cap
from dangjian.integrity.models import Commitment, RiskLevel, RiskPoint, WarningSession
from dangjian.members.models import Member, Standing
from dangjian.members.statistics import child_segment
from dangjian.orglife.models import AttendanceStatus, Meeting, MeetingStatus
from dangjian.orgs.models import Org, OrgKind, Unit
from dangjian.orgs.selectors import access_org

#: reading the registers needs member.view (they name people); changing them integrity.manage
READ = Cap.MEMBER_VIEW
MANAGE = Cap.INTEGRITY_MANAGE
#: years the registers accept: from 2000 to next year
YEAR_MIN = 2000
#: the meeting choices of the session form and the person choices of the risk-point form
MEETING_CHOICES_MAX = 200
PEOPLE_CHOICES_MAX = 500
ORG_CHOICES_MAX = 300
LEVELS = [value for value, _ in RiskLevel.choices]


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def parse_year(value, today: dt.date | None = None) -> int | None:
    """A year from a query string, or None when it is absent or not sensible."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    today = today or timezone.localdate()
    return year if YEAR_MIN <= year <= today.year + 1 else None


def year_choices(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year + 1, today.year - 6, -1))


def roster_day(year: int, today: dt.date | None = None) -> dt.date:
    """The day whose roster a year's figures count: the year's last day, or today while the
    year runs."""
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def on_roster_q(day: dt.date, prefix: str = "") -> Q:
    """Members on the roster on `day`: joined the Party by then, not taken off the roster by
    then, and not suspended (停止党籍: no organisational life, no commitment asked)."""
    p = prefix
    return (
        Q(**{f"{p}joined_on__lte": day})
        & (Q(**{f"{p}left_on__isnull": True}) | Q(**{f"{p}left_on__gt": day}))
        & ~Q(**{f"{p}standing": Standing.SUSPENDED})
    )


# ---------------------------------------------------------------------------------------------
# Access


def default_org(user, cap: Cap = READ) -> Org:
    """The top-most org under which the user holds `cap` (404 when there is none)."""
    paths = paths_for(user, cap)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=cap)


def org_from(user, value, cap: Cap = READ) -> Org:
    """The org named by a query parameter (404 when not the user's), else the default."""
    if value not in (None, ""):
        return access_org(user, value, need=cap)
    return default_org(user, cap)


def access_risk_point(user, risk_point_id, need: Cap = READ) -> RiskPoint:
    pk = _int(risk_point_id)
    found = (
        RiskPoint.objects.unscoped()
        .select_related("org", "org__unit", "owner")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_session(user, session_id, need: Cap = READ) -> WarningSession:
    pk = _int(session_id)
    found = (
        WarningSession.objects.unscoped().select_related("org", "meeting").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_commitment(user, commitment_id, need: Cap = READ) -> Commitment:
    """A commitment: its own member may read it (need=READ); otherwise `need` on its org."""
    pk = _int(commitment_id)
    found = (
        Commitment.objects.unscoped()
        .select_related("member", "org", "recorded_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    own = need == READ and getattr(user, "member_id", None) == found.member_id
    if not own and not can(user, need, found.org_path):
        raise deny()
    return found


def my_member(user) -> Member | None:
    """The member record linked to the account (None without one)."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return None
    return Member.objects.unscoped().select_related("branch").filter(pk=member_id).first()


# ---------------------------------------------------------------------------------------------
# Lists


def units_for(user) -> list[Unit]:
    """The units (单位) that own an org the user may read: the register's unit filter."""
    visible = Org.objects.visible_to(user, READ).filter(unit__isnull=False).values("unit_id")
    return list(Unit.objects.filter(pk__in=visible).order_by("sort", "id"))


def risk_point_list(
    user,
    *,
    org: Org | None = None,
    unit_id: int | None = None,
    year: int | None = None,
    level: str = "",
    q: str = "",
    status: str = "active",
):
    """廉政风险点台账: the risk points the user may read, filtered. `status`: "active" (not
    retired), "retired" or "" (all)."""
    qs = RiskPoint.objects.visible_to(user, READ).select_related("org", "org__unit", "owner")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if unit_id:
        qs = qs.filter(org__unit_id=unit_id)
    if year:
        qs = qs.filter(year=year)
    if level in LEVELS:
        qs = qs.filter(level=level)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(post__icontains=q) | Q(risk__icontains=q))
    if status == "active":
        qs = qs.filter(retired_on__isnull=True)
    elif status == "retired":
        qs = qs.filter(retired_on__isnull=False)
    return qs.order_by("org_path", "-year", "post", "id")


def session_list(user, *, org: Org | None = None, year: int | None = None):
    """警示教育 the user may read, latest first."""
    qs = WarningSession.objects.visible_to(user, READ).select_related("org", "meeting")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if year:
        qs = qs.filter(held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31))
    return qs.order_by("-held_on", "-id")


def manageable_orgs(user, base: Org) -> list[Org]:
    """Orgs of `base`'s subtree where the user may keep risk points and sessions (the form's
    choices), nearest first by path; 党小组 keep none."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(subtree_q("path", base.path), dissolved_on__isnull=True)
        .exclude(kind=OrgKind.GROUP)
        .order_by("depth", "path")[:ORG_CHOICES_MAX]
    )


def people_of(base: Org, day: dt.date | None = None) -> list[Member]:
    """Members on the roster in `base`'s subtree (the owner choices of a risk point)."""
    day = day or timezone.localdate()
    return list(
        Member.objects.unscoped()
        .filter(subtree_q("org_path", base.path))
        .filter(on_roster_q(day))
        .order_by("name_pinyin", "id")[:PEOPLE_CHOICES_MAX]
    )


def meetings_for_sessions(user, org: Org, include: Meeting | None = None) -> list[Meeting]:
    """Held meetings of `org`'s subtree the user may see, latest first, each with its
    `present` count: the choices for linking a warning-education session."""
    qs = (
        Meeting.objects.visible_to(user, READ)
        .filter(subtree_q("org_path", org.path))
        .filter(status__in=[MeetingStatus.HELD, MeetingStatus.ARCHIVED])
        .select_related("org")
        .annotate(
            present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT))
        )
        .order_by("-starts_at", "-id")
    )
    found = list(qs[:MEETING_CHOICES_MAX])
    if include is not None and include.pk not in {m.pk for m in found}:
        extra = qs.filter(pk=include.pk).first()
        if extra is not None:
            found.append(extra)
    return found


def present_count(meeting: Meeting) -> int:
    """实到 of a meeting: the people of a session held as that meeting (derived, never typed)."""
    return (
        Meeting.objects.unscoped()
        .filter(pk=meeting.pk)
        .aggregate(n=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)))[
            "n"
        ]
        or 0
    )


def session_for_meeting(meeting: Meeting, exclude_id: int | None = None) -> WarningSession | None:
    qs = WarningSession.objects.unscoped().filter(meeting=meeting)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.first()


@dataclass
class CommitmentRow:
    member: Member
    commitment: Commitment | None
    on_roster: bool = True


def branch_commitments(branch: Org, year: int, today: dt.date | None = None):
    """The branch's members on the year's roster, each with the year's commitment or None,
    then commitments signed in the branch by people no longer on its roster. Two queries.
    The caller obtained `branch` through an access check."""
    day = roster_day(year, today)
    members = list(
        Member.objects.unscoped()
        .filter(branch=branch)
        .filter(on_roster_q(day))
        .order_by("name_pinyin", "id")
    )
    ids = [m.pk for m in members]
    commitments = (
        Commitment.objects.unscoped()
        .filter(Q(member_id__in=ids) | Q(org=branch), year=year)
        .select_related("member", "recorded_by")
        .order_by("member__name_pinyin", "id")
    )
    by_member = {c.member_id: c for c in commitments}
    rows = [CommitmentRow(m, by_member.pop(m.pk, None)) for m in members]
    rows += [CommitmentRow(c.member, c, on_roster=False) for c in by_member.values()]
    return rows


def my_commitments(user) -> list[Commitment]:
    """The signed-in member's own commitments, latest year first."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return []
    return list(
        Commitment.objects.unscoped()
        .filter(member_id=member_id)
        .select_related("org", "recorded_by")
        .order_by("-year")
    )


def commitment_list(user, *, org: Org | None = None, year: int | None = None):
    """Commitments the user may read (export and API)."""
    qs = Commitment.objects.visible_to(user, READ).select_related("member", "org", "recorded_by")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("org_path", "member__name_pinyin", "id")


def roster_with_commitments(user, org: Org, year: int, today: dt.date | None = None):
    """Every member on the year's roster in `org`'s subtree (scoped by the user), with the
    year's commitment's signing date or None: the commitment list export. One query."""
    day = roster_day(year, today)
    signed = Commitment.objects.unscoped().filter(member=OuterRef("pk"), year=year)
    return (
        Member.objects.visible_to(user, READ)
        .filter(subtree_q("org_path", org.path))
        .filter(on_roster_q(day))
        .select_related("branch", "branch__unit")
        .annotate(signed_on=signed.values("signed_on")[:1])
        .order_by("org_path", "name_pinyin", "id")
    )


# ---------------------------------------------------------------------------------------------
# Figures: per unit (the overview), and plain ones for other code


def _rate(signed: int, members: int) -> Decimal | None:
    if not members:
        return None
    return (Decimal(signed) * 100 / Decimal(members)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class UnitRow:
    """One line of the overview: a direct child of the org (a unit below the 工委, a branch
    below a 机关党委), or the org itself ("本级") for what is registered on it."""

    org: Org | None
    members: int = 0
    signed: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    sessions: int = 0
    person_times: int = 0

    @property
    def name(self) -> str:
        return self.org.name if self.org is not None else "本级"

    @property
    def rate(self) -> Decimal | None:
        """签订率 in percent (one decimal), None without members."""
        return _rate(self.signed, self.members)

    @property
    def rate_value(self) -> int:
        """The rate as a whole number for a <progress> bar."""
        rate = self.rate
        return int(rate.to_integral_value(ROUND_HALF_UP)) if rate is not None else 0

    @property
    def risks(self) -> int:
        return self.high + self.medium + self.low

    def add(self, other: UnitRow) -> None:
        for name in ("members", "signed", "high", "medium", "low", "sessions", "person_times"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Overview:
    org: Org
    year: int
    day: dt.date
    rows: list[UnitRow] = field(default_factory=list)
    total: UnitRow = field(default_factory=lambda: UnitRow(None))


def _member_figures(org: Org, year: int, day: dt.date, by_child: bool):
    signed = Exists(Commitment.objects.unscoped().filter(member=OuterRef("pk"), year=year))
    qs = (
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path))
        .filter(on_roster_q(day))
        .annotate(is_signed=signed)
    )
    figures = {"members": Count("id"), "signed": Count("id", filter=Q(is_signed=True))}
    if not by_child:
        return qs.aggregate(**figures)
    return qs.annotate(child=child_segment(org)).values("child").annotate(**figures).order_by()


def _risk_figures(org: Org, year: int, by_child: bool):
    qs = RiskPoint.objects.unscoped().filter(
        subtree_q("org_path", org.path), year=year, retired_on__isnull=True
    )
    if by_child:
        qs = qs.annotate(child=child_segment(org)).values("child", "level")
    else:
        qs = qs.values("level")
    return qs.annotate(n=Count("id")).order_by()


def _session_figures(org: Org, year: int, by_child: bool):
    qs = WarningSession.objects.unscoped().filter(
        subtree_q("org_path", org.path),
        held_on__gte=dt.date(year, 1, 1),
        held_on__lte=dt.date(year, 12, 31),
    )
    figures = {"n": Count("id"), "people": Sum("attendees")}
    if not by_child:
        return qs.aggregate(**figures)
    return qs.annotate(child=child_segment(org)).values("child").annotate(**figures).order_by()


def coverage(user, year: int, org: Org | None = None, today: dt.date | None = None) -> Overview:
    """The 清廉机关 overview of `org` (by default the user's top-most readable org) for `year`:
    per direct child (a unit below the 工委) and in total — members on the year's roster,
    commitments signed and the rate, active risk points by level, warning-education sessions
    and their person-times (参加人次).

    Four grouped queries (members, risk points, sessions, the child orgs) whatever the size
    of the tree: each figure is a GROUP BY on the path segment below `org`, never a loop over
    orgs. The caller obtained `org` with member.view (`org_from`)."""
    if org is None:
        org = default_org(user, READ)
    elif not can(user, READ, org.path):
        raise deny()
    day = roster_day(year, today)
    rows: dict[str, UnitRow] = {}

    def row(child: str) -> UnitRow:
        return rows.setdefault(child, UnitRow(None))

    for r in _member_figures(org, year, day, by_child=True):
        row(r["child"]).members, row(r["child"]).signed = r["members"], r["signed"]
    for r in _risk_figures(org, year, by_child=True):
        if r["level"] in LEVELS:
            setattr(row(r["child"]), r["level"], r["n"])
    for r in _session_figures(org, year, by_child=True):
        row(r["child"]).sessions, row(r["child"]).person_times = r["n"], r["people"] or 0

    ids = {int(c) for c in rows if c.isdigit()}
    children = (
        Org.objects.unscoped()
        .filter(Q(parent=org, dissolved_on__isnull=True) | Q(pk__in=ids))
        .order_by("sort", "id")
    )
    overview = Overview(org=org, year=year, day=day)
    for child in children:
        line = rows.pop(str(child.pk), UnitRow(None))
        line.org = child
        overview.rows.append(line)
    own = rows.pop("", None)
    if own is not None:
        overview.rows.insert(0, own)
    for line in overview.rows:
        overview.total.add(line)
    return overview


def commitment_coverage(org: Org, year: int, today: dt.date | None = None) -> tuple[int, int]:
    """(signed, members) of `org`'s subtree for `year`: members on the year's roster (the
    year's last day, or today while it runs) and how many of them signed that year's
    commitment. One query. For code without a user (assessment auto indicators)."""
    figures = _member_figures(org, year, roster_day(year, today), by_child=False)
    return figures["signed"] or 0, figures["members"] or 0


def risk_points_summary(org: Org, year: int) -> dict:
    """Active (not retired) risk points of `org`'s subtree registered for `year`, by level:
    {"high": n, "medium": n, "low": n, "total": n}. One query."""
    out = dict.fromkeys(LEVELS, 0)
    for r in _risk_figures(org, year, by_child=False):
        if r["level"] in out:
            out[r["level"]] = r["n"]
    out["total"] = sum(out[level] for level in LEVELS)
    return out


def warning_sessions_count(org: Org, year: int) -> int:
    """Warning-education sessions held in `org`'s subtree in `year`. One query."""
    return _session_figures(org, year, by_child=False)["n"] or 0


def warning_sessions_people(org: Org, year: int) -> int:
    """Person-times (参加人次) of the year's warning-education sessions in the subtree."""
    return _session_figures(org, year, by_child=False)["people"] or 0
