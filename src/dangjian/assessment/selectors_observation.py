"""Reads of the on-site observation meeting (现场观摩会): who may see a meeting and as whom
(manager, judge, participant), the route with its clock, the judges' sheets, the results and
the ranking (through `scoring.stop_results` / `unit_observation_scores`), the live progress.

Each function reads a fixed number of queries, whatever the size of the meeting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from dangjian.assessment import scoring
from dangjian.assessment.models import (
    ExchangeSpeech,
    Indicator,
    ObservationJudge,
    ObservationMeeting,
    ObservationStatus,
    ObservationTask,
    Participant,
    Scheme,
    SchemeStatus,
    SchemeTarget,
    ScoreItem,
    ScoreSheet,
    SecretaryContest,
    Stop,
)
from dangjian.core.access import can, deny, grants_of, has_cap_anywhere, subtree_q
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import assessment as rules

MANAGE, JUDGE, PARTICIPANT = "manage", "judge", "participant"
#: the orgs offered as a stop's unit or a task's unit (a select on the page)
ORG_CHOICES_MAX = 500


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


# ---------------------------------------------------------------------------------- access


@dataclass
class Viewer:
    """How the user stands to one meeting."""

    manage: bool = False
    judge: ObservationJudge | None = None
    participant: Participant | None = None

    def has(self, role: str) -> bool:
        return {
            MANAGE: self.manage,
            JUDGE: self.judge is not None,
            PARTICIPANT: self.participant is not None,
        }[role]


def viewer_of(user, meeting: ObservationMeeting) -> Viewer:
    viewer = Viewer(manage=can(user, Cap.ASSESS_MANAGE, meeting.owner_path))
    if getattr(user, "pk", None) and user.is_active:
        viewer.judge = (
            ObservationJudge.objects.unscoped().filter(meeting=meeting, user=user).first()
        )
        viewer.participant = (
            Participant.objects.unscoped().filter(meeting=meeting, user=user).first()
        )
    return viewer


def access_observation(user, meeting_id, *, allow=(MANAGE,)) -> ObservationMeeting:
    """The meeting, when the user is one of `allow` (manager, judge, participant) for it;
    else a 404 that says nothing. The answer's `viewer` says which."""
    meeting_id = _int(meeting_id)
    meeting = (
        ObservationMeeting.objects.unscoped()
        .select_related("owner", "sheet", "contest")
        .filter(pk=meeting_id)
        .first()
        if meeting_id is not None
        else None
    )
    if meeting is None:
        raise deny()
    if tuple(allow) == (MANAGE,):
        viewer = Viewer(manage=can(user, Cap.ASSESS_MANAGE, meeting.owner_path))
    else:
        viewer = viewer_of(user, meeting)
    if not any(viewer.has(role) for role in allow):
        raise deny()
    meeting.viewer = viewer
    return meeting


def _child(model, meeting: ObservationMeeting, child_id, **extra):
    child_id = _int(child_id)
    found = (
        model.objects.unscoped().filter(pk=child_id, meeting=meeting, **extra).first()
        if child_id is not None
        else None
    )
    if found is None:
        raise deny()
    found.meeting = meeting
    return found


def access_stop(meeting: ObservationMeeting, stop_id) -> Stop:
    return _child(Stop, meeting, stop_id)


def access_judge(meeting: ObservationMeeting, judge_id) -> ObservationJudge:
    return _child(ObservationJudge, meeting, judge_id)


def access_participant(meeting: ObservationMeeting, participant_id) -> Participant:
    return _child(Participant, meeting, participant_id)


def access_speech(meeting: ObservationMeeting, speech_id) -> ExchangeSpeech:
    return _child(ExchangeSpeech, meeting, speech_id)


def access_sheet(meeting: ObservationMeeting, stop_id, judge_id) -> ScoreSheet:
    """A judge's sheet for a stop of the meeting."""
    stop_id, judge_id = _int(stop_id), _int(judge_id)
    found = (
        ScoreSheet.objects.unscoped()
        .select_related("stop", "judge")
        .filter(stop_id=stop_id, judge_id=judge_id, stop__meeting=meeting)
        .first()
        if stop_id is not None and judge_id is not None
        else None
    )
    if found is None:
        raise deny()
    found.stop.meeting = meeting
    return found


def sign_in_row(user, code) -> Participant:
    """The caller's row on the list of the meeting whose sign-in code is `code` (with its
    meeting), as the sign-in page shows it before he confirms. The same refusals as
    `services_observation.participant_sign_in`; it writes nothing and says nothing about the
    meeting to someone not on its list."""
    code = (code or "").strip().upper()[:8]
    meetings = ObservationMeeting.objects.unscoped().select_related("owner")
    meeting = meetings.filter(sign_in_code=code).first() if code else None
    if meeting is None:
        raise AppError("签到码无效，请核对后重新扫码。", field="code")
    if meeting.status == ObservationStatus.CLOSED:
        raise AppError("观摩会已结束，不能再签到。", field="code")
    row = (
        Participant.objects.unscoped().filter(meeting=meeting, user=user).first()
        if getattr(user, "pk", None) and user.is_active
        else None
    )
    if row is None:
        raise AppError("您不在本次观摩会的参会人员名单中，不能签到。请联系会务人员。", field="code")
    row.meeting = meeting
    return row


def sheet_indicator(meeting: ObservationMeeting, indicator_id) -> Indicator | None:
    """An item of the meeting's score sheet, or None."""
    indicator_id = _int(indicator_id)
    if indicator_id is None or meeting.sheet_id is None:
        return None
    return Indicator.objects.filter(
        pk=indicator_id, scheme_id=meeting.sheet_id, is_category=False
    ).first()


def access_task(user, task_id) -> ObservationTask:
    """A task, for the meeting's managers and the responsible unit's ASSESS_SUBMIT holders."""
    task_id = _int(task_id)
    task = (
        ObservationTask.objects.unscoped()
        .select_related("meeting", "meeting__owner", "org")
        .filter(pk=task_id)
        .first()
        if task_id is not None
        else None
    )
    if task is None or not (
        can(user, Cap.ASSESS_MANAGE, task.meeting.owner_path)
        or can(user, Cap.ASSESS_SUBMIT, task.org.path)
    ):
        raise deny()
    return task


# ---------------------------------------------------------------------------------- lists


def _count_of(model):
    """Rows of `model` per meeting, as a correlated subquery (joins of three children would
    multiply each other)."""
    rows = (
        model.all_objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def observation_list(user, *, status: str = "", year: int | None = None):
    """The meetings the user manages, newest first, with their counts."""
    qs = (
        ObservationMeeting.objects.visible_to(user, Cap.ASSESS_MANAGE)
        .select_related("owner")
        .annotate(
            n_stops=_count_of(Stop),
            n_judges=_count_of(ObservationJudge),
            n_participants=_count_of(Participant),
        )
        .order_by("-starts_at", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(starts_at__year=year)
    return qs


def my_observations(user) -> list[ObservationMeeting]:
    """Meetings the user judges or attends (not closed ones older than a year)."""
    if not getattr(user, "pk", None):
        return []
    qs = (
        ObservationMeeting.objects.unscoped()
        .filter(Q(judges__user=user) | Q(participants__user=user))
        .select_related("owner")
        .distinct()
        .order_by("-starts_at", "-id")
    )
    meetings = list(qs[:50])
    judged = set(
        ObservationJudge.objects.unscoped()
        .filter(user=user, meeting__in=[m.pk for m in meetings])
        .values_list("meeting_id", flat=True)
    )
    for m in meetings:
        m.is_judge = m.pk in judged
    return meetings


def my_judgeships(user) -> list[ObservationJudge]:
    """The user's judge rows (newest meeting first) with their meetings and stops."""
    if not getattr(user, "pk", None):
        return []
    return list(
        ObservationJudge.objects.unscoped()
        .filter(user=user)
        .select_related("meeting")
        .prefetch_related("stops")
        .order_by("-meeting__starts_at", "-id")[:50]
    )


def may_open_list(user) -> bool:
    if has_cap_anywhere(user, Cap.ASSESS_MANAGE):
        return True
    if not getattr(user, "pk", None):
        return False
    return (
        ObservationJudge.objects.unscoped().filter(user=user).exists()
        or Participant.objects.unscoped().filter(user=user).exists()
    )


# ---------------------------------------------------------------------------------- route


@dataclass
class RouteRow:
    stop: Stop
    arrives_at: dt.datetime
    leaves_at: dt.datetime
    judges: int = 0


def route_of(meeting: ObservationMeeting, assigned: dict[int, int] | None = None) -> list[RouteRow]:
    """The stops in order with the clock: each stop starts when the previous one's planned
    minutes are over, from the meeting's start. Two queries."""
    stops = list(
        Stop.objects.unscoped().filter(meeting=meeting).select_related("org").order_by("order")
    )
    if assigned is None:
        assigned = assigned_counts(meeting)
    rows, clock = [], meeting.starts_at
    for stop in stops:
        leaves = clock + dt.timedelta(minutes=stop.planned_minutes)
        rows.append(RouteRow(stop, clock, leaves, assigned.get(stop.pk, 0)))
        clock = leaves
    return rows


def assigned_counts(meeting: ObservationMeeting) -> dict[int, int]:
    through = ObservationJudge.stops.through
    return dict(
        through.objects.filter(stop__meeting=meeting)
        .values("stop_id")
        .annotate(n=Count("id"))
        .values_list("stop_id", "n")
    )


def judges_of(meeting: ObservationMeeting) -> list[ObservationJudge]:
    """The judges with their assigned stops (`assigned`, in route order). Two queries."""
    judges = list(
        ObservationJudge.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("user")
        .prefetch_related("stops")
        .order_by("id")
    )
    for judge in judges:
        judge.assigned = sorted(judge.stops.all(), key=lambda s: s.order)
        judge.assigned_ids = {s.pk for s in judge.assigned}
    return judges


@dataclass
class ParticipantCounts:
    total: int = 0
    signed_in: int = 0


def participants_of(meeting: ObservationMeeting) -> list[Participant]:
    return list(
        Participant.objects.unscoped()
        .filter(meeting=meeting)
        .order_by(
            "signed_in_at",
            "id",
        )
    )


def participant_counts(meeting: ObservationMeeting) -> ParticipantCounts:
    row = (
        Participant.objects.unscoped()
        .filter(meeting=meeting)
        .aggregate(total=Count("id"), signed_in=Count("id", filter=Q(signed_in_at__isnull=False)))
    )
    return ParticipantCounts(row["total"], row["signed_in"])


def speeches_of(meeting: ObservationMeeting) -> list[ExchangeSpeech]:
    return list(
        ExchangeSpeech.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("org")
        .order_by("order", "id")
    )


def tasks_of(meeting: ObservationMeeting) -> list[ObservationTask]:
    return list(
        ObservationTask.objects.unscoped()
        .filter(meeting=meeting)
        .select_related("org")
        .order_by("due_on", "id")
    )


# ---------------------------------------------------------------------------------- sheet


@dataclass
class SheetLine:
    indicator: Indicator
    heading: str  # the category it sits under ("" for a top-level item)


def sheet_lines(scheme_id: int | None) -> list[SheetLine]:
    """The score sheet's items in tree order (category by category), one query."""
    if scheme_id is None:
        return []
    nodes = list(Indicator.objects.filter(scheme_id=scheme_id).order_by("order", "id"))
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    lines: list[SheetLine] = []

    def walk(parent_id, heading):
        for node in children.get(parent_id, []):
            if node.is_category:
                walk(node.pk, f"{heading} · {node.title}" if heading else node.title)
            else:
                lines.append(SheetLine(node, heading))

    walk(None, "")
    return lines


def sheet_max(meeting: ObservationMeeting) -> Decimal:
    """The most a stop can score: the sheet's maximum, or 100 for one overall mark."""
    return scoring.scheme_max(meeting.sheet)


@dataclass
class JudgeCard:
    """One assigned stop on the judge's page: the stop, his sheet (or None), his items."""

    stop: Stop
    sheet: ScoreSheet | None
    points: dict[int, Decimal] = field(default_factory=dict)  # indicator id → points

    @property
    def submitted(self) -> bool:
        return self.sheet is not None and self.sheet.submitted_at is not None


def judge_cards(judge: ObservationJudge) -> list[JudgeCard]:
    """The judge's assigned stops in route order with what he has scored. Three queries."""
    stops = list(judge.stops.select_related("org").order_by("order"))
    sheets = {
        s.stop_id: s for s in ScoreSheet.objects.unscoped().filter(judge=judge, stop__in=stops)
    }
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for sheet_id, indicator_id, value in (
        ScoreItem.objects.unscoped()
        .filter(sheet__in=list(sheets.values()))
        .values_list("sheet_id", "indicator_id", "points")
    ):
        points[sheet_id][indicator_id] = value
    cards = []
    for stop in stops:
        sheet = sheets.get(stop.pk)
        cards.append(JudgeCard(stop, sheet, points.get(sheet.pk, {}) if sheet else {}))
    return cards


# ---------------------------------------------------------------------------------- results


@dataclass
class JudgeScore:
    judge: ObservationJudge
    total: Decimal
    outlier: Decimal | None  # signed distance from the others when flagged


@dataclass
class StopRow:
    """A stop's result: the submitted sheets (judge by judge), the aggregate, the flags,
    and the progress (assigned judges, submitted, being scored)."""

    result: scoring.StopResult
    scores: list[JudgeScore]
    assigned: int
    submitted: int
    in_progress: int
    trimmed: bool

    @property
    def stop(self) -> Stop:
        return self.result.stop


def _trimmed(count: int, trim_min: int) -> bool:
    # the note beside the aggregate; the arithmetic itself is rules.stop_score (R-LOCAL-09)
    return bool(trim_min) and count >= max(trim_min, 3)


def results_of(
    meeting: ObservationMeeting,
    judges: list[ObservationJudge] | None = None,
    assigned: dict[int, int] | None = None,
) -> list[StopRow]:
    """Per stop, in route order: the submitted judges' totals, the score (trimmed mean or
    plain mean per the meeting's setting), the flagged judges, and the progress."""
    results = scoring.stop_results(meeting)
    if judges is None:
        judges = list(ObservationJudge.objects.unscoped().filter(meeting=meeting))
    by_id = {j.pk: j for j in judges}
    if assigned is None:
        assigned = assigned_counts(meeting)
    pending = dict(
        ScoreSheet.objects.unscoped()
        .filter(stop__meeting=meeting, submitted_at__isnull=True)
        .values("stop_id")
        .annotate(n=Count("id"))
        .values_list("stop_id", "n")
    )
    rows = []
    for result in results:
        scores = [
            JudgeScore(by_id[jid], total, result.outliers.get(jid))
            for jid, total in sorted(result.judge_totals.items())
            if jid in by_id
        ]
        rows.append(
            StopRow(
                result=result,
                scores=scores,
                assigned=assigned.get(result.stop.pk, 0),
                submitted=len(result.judge_totals),
                in_progress=pending.get(result.stop.pk, 0),
                trimmed=_trimmed(len(result.judge_totals), meeting.trim_min_judges),
            )
        )
    return rows


@dataclass
class RankRow:
    rank: int
    org: Org
    score: Decimal  # on a 100-point scale: the mean of the unit's stop scores
    stops: int


def ranking_of(meeting: ObservationMeeting, rows: list[StopRow]) -> list[RankRow]:
    """Units ranked by the mean of their stops' scores (100-point scale; equal scores share a
    rank). Only stops with submitted sheets count."""
    scores = scoring.unit_observation_scores([meeting])
    orgs: dict[int, Org] = {}
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        orgs[row.stop.org_id] = row.stop.org
        if row.result.score is not None:
            counts[row.stop.org_id] += 1
    ranks = rules.competition_ranks(scores)
    out = [RankRow(ranks[oid], orgs[oid], score, counts[oid]) for oid, score in scores.items()]
    out.sort(key=lambda r: (r.rank, r.org.path))
    return out


def unsubmitted_count(rows: list[StopRow]) -> int:
    return sum(r.in_progress for r in rows)


# ---------------------------------------------------------------------------------- choices


def owner_choices(user) -> list[Org]:
    """The orgs a user may run a meeting for: where he holds ASSESS_MANAGE (his grants)."""
    ids = sorted({g.org_id for g in grants_of(user) if Cap.ASSESS_MANAGE in g.caps})
    return list(Org.objects.unscoped().filter(pk__in=ids, dissolved_on__isnull=True))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _paths_above(owners) -> list[str]:
    return sorted({p for owner in owners for p in _ancestor_paths(owner.path)})


def sheet_choices(user, owners: list[Org]) -> list[Scheme]:
    """Score sheets (schemes for stops) a meeting of `owners` may use: PUBLISHED ones only (a
    draft may still change under live scoring), of those the user manages and those of the
    bodies above the owners. Superiors' drafts are never listed (not even their names)."""
    paths = _paths_above(owners)
    published = Q(target=SchemeTarget.STOP, status=SchemeStatus.PUBLISHED)
    qs = Scheme.objects.visible_to(user, Cap.ASSESS_MANAGE).filter(published)
    above = Scheme.objects.unscoped().filter(published, owner_path__in=paths)
    return list((qs | above).distinct().order_by("-year", "name", "id")[:200])


def contest_choices(user, owners: list[Org]) -> list[SecretaryContest]:
    """Contests a meeting of `owners` may feed: only those the user manages (ASSESS_MANAGE on
    the contest's owner), run by an owner, a body above one or an org below one."""
    if not owners:
        return []
    line = Q(owner_path__in=_paths_above(owners))
    for owner in owners:
        line |= subtree_q("owner_path", owner.path)
    qs = SecretaryContest.objects.visible_to(user, Cap.ASSESS_MANAGE).filter(line)
    return list(qs.order_by("-year", "name", "id")[:200])


def unit_choices(meeting: ObservationMeeting) -> list[Org]:
    """Orgs in the meeting owner's subtree that can show at a stop or take a task."""
    return list(
        Org.objects.unscoped()
        .filter(subtree_q("path", meeting.owner_path), dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("path")[:ORG_CHOICES_MAX]
    )


def is_live(meeting: ObservationMeeting) -> bool:
    return meeting.status == ObservationStatus.LIVE
