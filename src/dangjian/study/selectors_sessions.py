"""Reads of study plans, sessions, trainings, exemptions and credit hours, always from what the
user may see: study.manage on the subtree (plans of the orgs above a managed node are read
too: a branch carries out its unit's plan), and a member's own hours and trainings for
himself. Credit hours are derived here, never typed (docs/study.md):

    hours of a member in a year = Σ StudySession.hours of the held (or archived) meetings of
    the year where his attendance is `present` + Σ the length (0.1 h, at most 4) of held 党课
    he attended that carry no study session + Σ hours of his approved trainings (by the year
    they started). A session never recorded as held credits nothing, sign-in or not.

`org_hours` computes that for a whole subtree in SQL (correlated aggregates in integer
tenths of an hour, so SQLite's floats never make 32.0 into 31.999…), ordered shortfall first
and paginated in SQL (`LazyRows`: one COUNT and one page); `member_hours` lists the same
records for one member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import NotSupportedError
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round
from django.utils import timezone

from dangjian.core.access import can, deny, grants_of, paths_for, subtree_q
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.dues.selectors_month import LazyRows
from dangjian.members.models import Member, Standing
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from dangjian.orgs.models import CommitteeSeat, Org, SeatRole, Unit
from dangjian.orgs.selectors import access_org
from dangjian.rules import study as rules
from dangjian.rules.orglife import MeetingKind
from dangjian.study.models import (
    PlanItem,
    StudyExemption,
    StudyForm,
    StudyPlan,
    StudySession,
    Training,
    TrainingStatus,
)

MANAGE = Cap.STUDY_MANAGE
HELD = (MeetingStatus.HELD, MeetingStatus.ARCHIVED)
PRESENT = AttendanceStatus.PRESENT
#: how many plans, pending trainings and unattached 党课 a page lists
LIST_MAX = 200


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def committee_hours() -> int:
    return int(getattr(settings, "STUDY_COMMITTEE_HOURS", rules.COMMITTEE_HOURS))


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the year and of the next one, local time."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def ancestor_paths(path: str) -> list[str]:
    """ "/1/5/12/" → ["/1/", "/1/5/"]."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


# ---------------------------------------------------------------------------------------------
# Access


def study_org(user, value=None, need: Cap = MANAGE) -> Org:
    """The org named by a parameter (404 when not the user's), else the top-most org where
    the user holds `need` (a branch secretary: his branch)."""
    if value not in (None, ""):
        return access_org(user, value, need=need)
    paths = paths_for(user, need)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=need)


def own_member(user) -> Member | None:
    """The member the user is, unless the account is one of the separated administrators
    (三员分立: they see no business data, their own included)."""
    if not getattr(user, "member_id", None) or not user.is_active:
        return None
    if any(g.role in SEPARATED_ROLES for g in grants_of(user)):
        return None
    return user.member


def plan_readable(user, path: str) -> bool:
    """study.manage on the plan's org, or on an org below it (the plan it carries out)."""
    return can(user, MANAGE, path) or any(p.startswith(path) for p in paths_for(user, MANAGE))


def access_plan(user, plan_id) -> StudyPlan:
    """A plan the user may read (`plan.can_edit` says whether he may change it)."""
    pk = _int(plan_id)
    plan = StudyPlan.all_objects.select_related("org").filter(pk=pk).first() if pk else None
    if plan is None or not plan_readable(user, plan.org_path):
        raise deny()
    plan.can_edit = can(user, MANAGE, plan.org_path)
    return plan


def access_plan_item(plan: StudyPlan, item_id) -> PlanItem:
    pk = _int(item_id)
    item = PlanItem.all_objects.filter(pk=pk, plan=plan).first() if pk else None
    if item is None:
        raise deny()
    item.plan = plan
    return item


def access_session(user, session_id, need: Cap = MANAGE) -> StudySession:
    pk = _int(session_id)
    session = (
        StudySession.all_objects.select_related("meeting", "meeting__org", "plan_item")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if session is None or not can(user, need, session.org_path):
        raise deny()
    return session


def access_training(user, training_id, need: Cap | None = MANAGE) -> Training:
    """A training: `need=None` lets the member himself read his own too. Managers are those
    of the member's branch now (a transferred member's trainings follow him; the stored
    org_path is where it was entered)."""
    pk = _int(training_id)
    found = (
        Training.all_objects.select_related("member", "member__branch", "decided_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    if need is None and getattr(user, "member_id", None) == found.member_id and user.is_active:
        return found
    if not can(user, need or MANAGE, found.member.org_path):
        raise deny()
    return found


def access_exemption(user, exemption_id) -> StudyExemption:
    """An exemption, kept by the managers of the member's branch now (as a training)."""
    pk = _int(exemption_id)
    found = (
        StudyExemption.all_objects.select_related("member").filter(pk=pk).first() if pk else None
    )
    if found is None or not can(user, MANAGE, found.member.org_path):
        raise deny()
    return found


def access_study_member(user, member_id, need: Cap | None = MANAGE) -> Member:
    """A member whose study records the user keeps (`need=None`: or the member himself)."""
    pk = _int(member_id)
    member = Member.all_objects.select_related("branch").filter(pk=pk).first() if pk else None
    if member is None:
        raise deny()
    if need is None and getattr(user, "member_id", None) == member.pk and user.is_active:
        return member
    if not can(user, need or MANAGE, member.org_path):
        raise deny()
    return member


# ---------------------------------------------------------------------------------------------
# Plans


def plans_for(user, year: int, org: Org | None = None) -> list[StudyPlan]:
    """The year's plans the user may read (his subtree's and those of the orgs above it),
    narrowed to `org`'s subtree and chain when given; with `items` and `held` counts."""
    paths = paths_for(user, MANAGE)
    if not paths:
        return []
    where = Q(pk__in=[])
    for p in paths:
        where |= subtree_q("org_path", p)
    above = {a for p in paths for a in ancestor_paths(p)}
    if above:
        where |= Q(org_path__in=sorted(above))
    qs = StudyPlan.all_objects.filter(where, year=year)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path) | Q(org_path__in=ancestor_paths(org.path)))
    plans = list(
        qs.select_related("org")
        .annotate(
            item_count=Count("items", distinct=True),
            held_count=Count("items__sessions", distinct=True),
        )
        .order_by("org_path", "id")[:LIST_MAX]
    )
    for plan in plans:
        plan.can_edit = can(user, MANAGE, plan.org_path)
    return plans


@dataclass
class PlanLine:
    item: PlanItem
    sessions: list[StudySession] = field(default_factory=list)

    @property
    def held(self) -> list[StudySession]:
        return [s for s in self.sessions if s.meeting.status in HELD]

    @property
    def held_hours(self) -> Decimal:
        return sum((s.hours for s in self.held), Decimal(0))


def plan_lines(user, plan: StudyPlan) -> list[PlanLine]:
    """The plan's items in month order, each with the sessions that carry it out (those the
    user may see): planned vs held. Two queries."""
    items = list(PlanItem.all_objects.filter(plan=plan).order_by("month", "id"))
    lines = {i.pk: PlanLine(i) for i in items}
    sessions = (
        StudySession.objects.visible_to(user, MANAGE)
        .filter(plan_item__in=list(lines))
        .select_related("meeting", "meeting__org")
        .order_by("meeting__starts_at", "id")
    )
    for s in sessions:
        lines[s.plan_item_id].sessions.append(s)
    return list(lines.values())


def plan_items_for(org: Org, year: int) -> list[PlanItem]:
    """The lines of the year's plans of `org` and the orgs above it: what a session of `org`
    may carry out (the caller has checked `org`)."""
    paths = [*ancestor_paths(org.path), org.path]
    return list(
        PlanItem.all_objects.filter(plan__org_path__in=paths, plan__year=year)
        .select_related("plan", "plan__org")
        .order_by("plan__org_path", "month", "id")
    )


# ---------------------------------------------------------------------------------------------
# Sessions


def session_list(user, *, org: Org | None = None, year: int | None = None, form: str = ""):
    """The sessions the user keeps, newest first (a queryset: the page paginates it)."""
    qs = StudySession.objects.visible_to(user, MANAGE).select_related(
        "meeting", "meeting__org", "plan_item"
    )
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if year:
        start, end = year_bounds(year)
        qs = qs.filter(meeting__starts_at__gte=start, meeting__starts_at__lt=end)
    if form in StudyForm.values:
        qs = qs.filter(form=form)
    return qs.order_by("-meeting__starts_at", "-id")


def lessons_without_session(user, org: Org, year: int, limit: int = 20) -> list[Meeting]:
    """Held 党课 of `org`'s subtree in the year that are not (yet) credited as a study
    session (they credit their length; attaching them sets their form and hours), and held
    学习培训 meetings without their study row (planned through orglife before it stopped
    offering the kind: they credit nothing until attached)."""
    if not can(user, MANAGE, org.path):
        raise deny()
    start, end = year_bounds(year)
    return list(
        Meeting.all_objects.filter(
            subtree_q("org_path", org.path),
            kind__in=[MeetingKind.PARTY_LESSON, MeetingKind.STUDY_SESSION],
            status__in=HELD,
            starts_at__gte=start,
            starts_at__lt=end,
            study_session__isnull=True,
        )
        .select_related("org")
        .order_by("-starts_at", "-id")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Credit hours in SQL


class LengthTenths(Func):
    """A meeting's length in tenths of an hour, half-up, from whole seconds
    (`rules.length_tenths`), as an integer on SQLite and PostgreSQL alike."""

    arity = 2
    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        (start_sql, start_params), (end_sql, end_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            seconds = (
                f"(CAST(strftime('%%s', {end_sql}) AS INTEGER) - "
                f"CAST(strftime('%%s', {start_sql}) AS INTEGER))"
            )
        elif connection.vendor == "postgresql":
            seconds = f"FLOOR(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})))::bigint"
        else:  # pragma: no cover - the project runs on SQLite or PostgreSQL
            raise NotSupportedError("credit hours need SQLite or PostgreSQL")
        return f"(({seconds} + 180) / 360)", [*end_params, *start_params]


def _tenths(expression) -> Cast:
    return Cast(Round(expression * 10), BigIntegerField())


def _member_sum(qs, expression) -> Coalesce:
    """Σ `expression` over `qs` (rows of one member, `member_id=OuterRef("pk")`), 0 if none."""
    total = qs.order_by().values("member_id").annotate(total=Sum(expression)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


def hours_queryset(where: Q, year: int):
    """Members of the rows `where` selects (on the roster at the year's end or still on it,
    joined by then, not suspended), annotated with `earned_t` (tenths of an hour), `committee`,
    `exempt`, `concentrated`, `required_t`, `shortfall_t` and `needs_concentrated`."""
    start, end = year_bounds(year)
    last_day = dt.date(year, 12, 31)
    present = Attendance.all_objects.filter(
        member_id=OuterRef("pk"),
        status=PRESENT,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    )
    held_sessions = present.filter(meeting__study_session__isnull=False, meeting__status__in=HELD)
    sessions = _member_sum(
        held_sessions,
        _tenths(F("meeting__study_session__hours")),
    )
    lessons = _member_sum(
        present.filter(
            meeting__kind=MeetingKind.PARTY_LESSON,
            meeting__status__in=HELD,
            meeting__study_session__isnull=True,
        ),
        Least(
            LengthTenths(F("meeting__starts_at"), F("meeting__ends_at")),
            Value(rules.PARTY_LESSON_MAX_HOURS * 10),
        ),
    )
    approved = Training.all_objects.filter(
        member_id=OuterRef("pk"), status=TrainingStatus.APPROVED, started_on__year=year
    )
    trainings = _member_sum(approved, _tenths(F("hours")))
    seat = CommitteeSeat.all_objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)),
        member_id=OuterRef("pk"),
        started_on__lte=last_day,
    ).exclude(role=SeatRole.GROUP_LEADER)
    exemption = StudyExemption.all_objects.filter(member_id=OuterRef("pk"), year=year)
    concentrated = ExpressionWrapper(
        Exists(approved.filter(is_concentrated=True))
        | Exists(held_sessions.filter(meeting__study_session__form=StudyForm.COURSE)),
        output_field=BooleanField(),
    )
    committee_t = committee_hours() * 10
    return (
        Member.all_objects.filter(where)
        .filter(joined_on__lte=last_day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=last_day))
        .exclude(standing=Standing.SUSPENDED)
        .annotate(
            earned_t=sessions + lessons + trainings,
            committee=Exists(seat),
            exempt=Exists(exemption),
            concentrated=concentrated,
        )
        .annotate(
            required_t=Case(
                When(exempt=True, then=Value(0)),
                When(committee=True, then=Value(committee_t)),
                default=Value(rules.MEMBER_HOURS * 10),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            shortfall_t=Greatest(F("required_t") - F("earned_t"), Value(0)),
            needs_concentrated=Case(
                When(Q(committee=True, exempt=False, concentrated=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


SHORT = Q(shortfall_t__gt=0) | Q(needs_concentrated=True)


@dataclass
class HoursRow:
    member: Member
    year: int
    standing: rules.HoursStanding
    committee: bool
    exempt: bool
    exemption_id: int | None = None

    @property
    def short(self) -> bool:
        return not self.standing.met and self.standing.required > 0


def _standing(earned_t: int, *, committee: bool, exempt: bool, concentrated: bool):
    return rules.standing(
        Decimal(earned_t) / 10,
        is_committee_member=committee,
        exempt=exempt,
        has_concentrated=concentrated,
        committee_hours=committee_hours(),
    )


def _hours_rows(members: list[Member], year: int) -> list[HoursRow]:
    """The rows of one page (one more query: the page's exemptions, for the revoke button)."""
    exempt_ids = [m.pk for m in members if m.exempt]
    exemptions = dict(
        StudyExemption.all_objects.filter(member_id__in=exempt_ids, year=year).values_list(
            "member_id", "pk"
        )
        if exempt_ids
        else []
    )
    return [
        HoursRow(
            member=m,
            year=year,
            standing=_standing(
                m.earned_t, committee=m.committee, exempt=m.exempt, concentrated=m.concentrated
            ),
            committee=m.committee,
            exempt=m.exempt,
            exemption_id=exemptions.get(m.pk),
        )
        for m in members
    ]


@dataclass
class HoursSummary:
    members: int = 0
    short: int = 0
    exempt: int = 0
    committee: int = 0
    buckets: list[int] = field(default_factory=list)  # rules.hours_bucket_bounds
    labels: tuple[str, ...] = rules.HOURS_BUCKET_LABELS

    @property
    def met(self) -> int:
        return self.members - self.short - self.exempt

    def chart(self) -> dict:
        return {"units": list(self.labels), "counts": self.buckets}


def org_hours(user, org: Org, year: int, *, only_short: bool = False) -> LazyRows:
    """Every member of `org`'s subtree with required, earned, shortfall, exempt and committee
    flags, the short first (most short first), then by name: a LazyRows of HoursRow (a page
    costs one query for its members and one for their exemptions)."""
    if not can(user, MANAGE, org.path):
        raise deny()
    qs = hours_queryset(subtree_q("org_path", org.path), year).select_related("branch")
    if only_short:
        qs = qs.filter(SHORT)
    qs = qs.order_by("-shortfall_t", "-needs_concentrated", "name_pinyin", "id")
    return LazyRows(qs, lambda members: _hours_rows(members, year))


def hours_summary(user, org: Org, year: int) -> HoursSummary:
    """Counts over the whole subtree and the distribution of earned hours: one query that
    reads four figures per member (counting in SQL would make SQLite evaluate every member's
    sums once per count), the standing by `rules.standing` as everywhere else."""
    if not can(user, MANAGE, org.path):
        raise deny()
    qs = hours_queryset(subtree_q("org_path", org.path), year).order_by()
    top = committee_hours()
    summary = HoursSummary(
        buckets=[0] * len(rules.hours_bucket_bounds(top)), labels=rules.hours_bucket_labels(top)
    )
    for earned_t, committee, exempt, concentrated in qs.values_list(
        "earned_t", "committee", "exempt", "concentrated"
    ).iterator(chunk_size=2000):
        state = _standing(earned_t, committee=committee, exempt=exempt, concentrated=concentrated)
        summary.members += 1
        summary.exempt += bool(exempt)
        summary.committee += bool(committee)
        summary.short += bool(not exempt and not state.met)
        summary.buckets[rules.hours_bucket(state.earned, top)] += 1
    return summary


# ---------------------------------------------------------------------------------------------
# One member's hours


@dataclass
class HoursItem:
    on: dt.date
    title: str
    org_name: str
    label: str  # the form (集中学习 …), 党课, or the training's kind
    hours: Decimal
    meeting_id: int | None = None
    session_id: int | None = None


@dataclass
class MemberHours:
    member: Member
    year: int
    sessions: list[HoursItem]
    lessons: list[HoursItem]
    trainings: list[Training]  # every status; only the approved count
    committee: bool
    exemption: StudyExemption | None
    concentrated: bool
    standing: rules.HoursStanding

    @property
    def training_hours(self) -> Decimal:
        return sum(
            (t.hours for t in self.trainings if t.status == TrainingStatus.APPROVED), Decimal(0)
        )

    def findings(self, today: dt.date):
        return rules.shortfall_findings(self.standing, today=today, year=self.year)


def member_hours(member: Member, year: int) -> MemberHours:
    """The records behind one member's hours for the year (the caller checked access): the
    same sums as `org_hours`, itemised. Five queries."""
    start, end = year_bounds(year)
    present = (
        Attendance.all_objects.filter(
            member=member, status=PRESENT, meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        .select_related("meeting", "meeting__org", "meeting__study_session")
        .order_by("meeting__starts_at", "meeting_id")
    )
    sessions, lessons, concentrated = [], [], False
    for a in present:
        meeting = a.meeting
        session = getattr(meeting, "study_session", None)
        on = timezone.localtime(meeting.starts_at).date()
        if session is not None:
            if meeting.status not in HELD:  # never recorded as held: nothing yet
                continue
            concentrated = concentrated or session.form == StudyForm.COURSE
            sessions.append(
                HoursItem(
                    on,
                    meeting.topic,
                    meeting.org.name,
                    session.get_form_display(),
                    session.hours,
                    meeting.pk,
                    session.pk,
                )
            )
        elif meeting.kind == MeetingKind.PARTY_LESSON and meeting.status in HELD:
            seconds = int((meeting.ends_at - meeting.starts_at).total_seconds())
            credit = rules.lesson_credit(seconds)
            lessons.append(
                HoursItem(on, meeting.topic, meeting.org.name, "党课", credit, meeting.pk)
            )
    trainings = list(
        Training.all_objects.filter(member=member, started_on__year=year)
        .select_related("decided_by")
        .order_by("started_on", "id")
    )
    approved = [t for t in trainings if t.status == TrainingStatus.APPROVED]
    concentrated = concentrated or any(t.is_concentrated for t in approved)
    last_day = dt.date(year, 12, 31)
    committee = (
        CommitteeSeat.all_objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)),
            member=member,
            started_on__lte=last_day,
        )
        .exclude(role=SeatRole.GROUP_LEADER)
        .exists()
    )
    exemption = StudyExemption.all_objects.filter(member=member, year=year).first()
    earned = (
        sum((i.hours for i in sessions), Decimal(0))
        + sum((i.hours for i in lessons), Decimal(0))
        + sum((t.hours for t in approved), Decimal(0))
    )
    return MemberHours(
        member=member,
        year=year,
        sessions=sessions,
        lessons=lessons,
        trainings=trainings,
        committee=committee,
        exemption=exemption,
        concentrated=concentrated,
        standing=rules.standing(
            earned,
            is_committee_member=committee,
            exempt=exemption is not None,
            has_concentrated=concentrated,
            committee_hours=committee_hours(),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Trainings


def _trainings_of_members(user, org: Org | None):
    """Trainings of the members now in the user's subtree (or `org`'s): a transferred
    member's trainings go with him to his new branch."""
    paths = paths_for(user, MANAGE)
    where = Q(pk__in=[])
    for p in paths:
        where |= subtree_q("member__org_path", p)
    qs = Training.all_objects.filter(where)
    if org is not None:
        qs = qs.filter(subtree_q("member__org_path", org.path))
    return qs


def trainings_pending(user, org: Org | None = None) -> list[Training]:
    """Trainings waiting for approval of the members in the user's subtree (or `org`'s),
    oldest first; each with `own` set where it is the user's own (he may not decide it)."""
    qs = _trainings_of_members(user, org).filter(status=TrainingStatus.SUBMITTED)
    found = list(
        qs.select_related("member", "member__branch").order_by("created_at", "id")[:LIST_MAX]
    )
    for t in found:
        t.own = t.member_id == getattr(user, "member_id", None)
    return found


def trainings_decided(user, org: Org | None = None, limit: int = 50) -> list[Training]:
    """The latest decided trainings of the members in the user's subtree (or `org`'s); each
    with `can_revoke` where an approval may be withdrawn by the user (not his own)."""
    qs = _trainings_of_members(user, org).exclude(status=TrainingStatus.SUBMITTED)
    found = list(
        qs.select_related("member", "member__branch", "decided_by").order_by("-decided_at", "-id")[
            :limit
        ]
    )
    me = getattr(user, "member_id", None)
    for t in found:
        t.can_revoke = t.status == TrainingStatus.APPROVED and t.member_id != me
    return found


# ---------------------------------------------------------------------------------------------
# Person-times and sessions per unit (the seed's "19 场, 1395 人次")


@dataclass
class StatsRow:
    name: str
    unit_id: int | None
    sessions: int = 0
    person_times: int = 0


def study_stats(user, org: Org, first: dt.date, last: dt.date) -> list[StatsRow]:
    """Per unit of `org`'s subtree: the study sessions its orgs held between `first` and
    `last` (both included) and the present attendances at them (人次), then the total. A
    session is a held meeting with a StudySession (a 专题党课 created or attached as study
    included); a 党课 never attached is not counted here. Three queries."""
    if not can(user, MANAGE, org.path):
        raise deny()
    start, end = day_bounds(first, last)
    held = Q(
        subtree_q("meeting__org_path", org.path),
        meeting__status__in=HELD,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    )
    sessions = dict(
        StudySession.all_objects.filter(held)
        .values_list("meeting__org__unit_id")
        .annotate(n=Count("id"))
        .values_list("meeting__org__unit_id", "n")
    )
    present = dict(
        Attendance.all_objects.filter(
            Q(subtree_q("meeting__org_path", org.path)),
            status=PRESENT,
            meeting__status__in=HELD,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            meeting__study_session__isnull=False,
        )
        .values_list("meeting__org__unit_id")
        .annotate(n=Count("id"))
        .values_list("meeting__org__unit_id", "n")
    )
    unit_ids = set(sessions) | set(present)
    units = Unit.objects.in_bulk([u for u in unit_ids if u is not None])
    rows = [
        StatsRow(
            units[u].name if u in units else "未归属单位",
            u,
            sessions.get(u, 0),
            present.get(u, 0),
        )
        for u in unit_ids
    ]
    rows.sort(key=lambda r: (r.unit_id is None, getattr(units.get(r.unit_id), "sort", 0), r.name))
    total = StatsRow("合计", None, sum(r.sessions for r in rows), sum(r.person_times for r in rows))
    return [*rows, total]
