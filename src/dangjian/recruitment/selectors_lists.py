"""The lists of 发展党员: candidates, the board per stage, the hub card's counts, the
approvals waiting for the committee above, and the choices of the forms. All start from the
user's visible subtree and read the stored next deadline and counts (never the engine per
row). Import from `dangjian.recruitment.selectors`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from dangjian.core.access import paths_for, subtree_q
from dangjian.orgs.models import Org, OrgKind
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.recruitment.selectors import (
    APPROVE,
    BOARD_PER_STAGE,
    DUE_SOON_DAYS,
    MANAGE,
    ancestor_kinds,
    approves_above,
    organ_fact,
    taken,
)
from dangjian.rules.recruitment_steps import STAGE_LABELS, Stage, step_label

# --- lists ------------------------------------------------------------------------------------


def _visible(user):
    return Candidate.objects.visible_to(user, MANAGE)


def candidate_list(user, org: Org | None = None, stage=None, status=None, q=None):
    """Candidates the user may see (newest first within a branch), filtered by subtree,
    stage, status (default: active; "all" for every status) and a name search."""
    qs = _visible(user).select_related("branch")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if stage:
        qs = qs.filter(stage=stage)
    if status != "all":
        qs = qs.filter(status=status or CandidateStatus.ACTIVE)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("org_path", "name", "id")


@dataclass
class BoardCard:
    candidate: Candidate
    next_due_on: dt.date | None
    next_due_label: str
    days_left: int | None
    overdue: bool
    error_count: int
    warning_count: int


@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list[BoardCard]
    total: int  # the stage's candidates matching the filters (all of them, not only shown)
    all_total: int = 0  # the stage's candidates in scope, filters aside

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


@dataclass
class Board:
    columns: list[BoardColumn]
    total: int
    overdue: int
    with_errors: int
    filtered: bool = False  # a name, due-soon or errors filter is applied


def _card(c: Candidate, today: dt.date) -> BoardCard:
    days = (c.next_due_on - today).days if c.next_due_on else None
    return BoardCard(
        candidate=c,
        next_due_on=c.next_due_on,
        next_due_label=c.next_due_label,
        days_left=days,
        overdue=days is not None and days < 0,
        error_count=c.error_count,
        warning_count=c.warning_count,
    )


def board(
    user,
    org: Org | None,
    today: dt.date,
    *,
    branch: Org | None = None,
    stage=None,
    q: str | None = None,
    due: bool = False,
    errors: bool = False,
) -> Board:
    """The active candidates per stage (a column each, soonest deadline first) with their next
    deadline, days left, overdue flag and error/warning counts, from the stored fields.

    The filters are applied in SQL before the cap of BOARD_PER_STAGE cards per stage: `q` a
    part of the name, `due` a next deadline within DUE_SOON_DAYS days (overdue ones
    included), `errors` at least one error. Each column's `total` counts the matching
    candidates (so "另有 N 人未显示" is exact), `all_total` the stage's candidates in scope; the
    board's totals are the scope's, filters aside. Two queries whatever the number of
    candidates (the cap per stage is a window function)."""
    qs = _visible(user).filter(status=CandidateStatus.ACTIVE)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if branch is not None:
        qs = qs.filter(branch=branch)
    if stage:
        qs = qs.filter(stage=stage)
    match = Q()
    q = (q or "").strip()[:50]
    if q:
        match &= Q(name__contains=q)
    if due:
        match &= Q(next_due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    if errors:
        match &= Q(error_count__gt=0)
    counts = {
        row["stage"]: row
        for row in qs.values("stage")
        .order_by("stage")
        .annotate(
            n=Count("id"),
            matching=Count("id", filter=match) if match else Count("id"),
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
            errors=Count("id", filter=Q(error_count__gt=0)),
        )
    }
    order = (F("next_due_on").asc(nulls_last=True), F("name").asc(), F("id").asc())
    rows = (
        qs.filter(match)
        .annotate(board_rank=Window(RowNumber(), partition_by=[F("stage")], order_by=list(order)))
        .filter(board_rank__lte=BOARD_PER_STAGE)
        .select_related("branch")
        .order_by(*order)
    )
    by_stage: dict[str, list[BoardCard]] = defaultdict(list)
    for c in rows:
        by_stage[c.stage].append(_card(c, today))
    columns = [
        BoardColumn(
            stage=s.value,
            label=STAGE_LABELS[s],
            cards=by_stage.get(s.value, []),
            total=counts.get(s.value, {}).get("matching", 0),
            all_total=counts.get(s.value, {}).get("n", 0),
        )
        for s in Stage
        if s != Stage.FULL and (not stage or s.value == stage)
    ]
    return Board(
        columns=columns,
        total=sum(r["n"] for r in counts.values()),
        overdue=sum(r["overdue"] for r in counts.values()),
        with_errors=sum(r["errors"] for r in counts.values()),
        filtered=bool(match),
    )


@dataclass
class Overview:
    by_stage: dict[str, int]
    active: int
    due_soon: int  # next deadline within DUE_SOON_DAYS days (not yet passed)
    overdue: int
    with_errors: int

    @property
    def stages(self) -> list[tuple[str, str, int]]:
        return [(s.value, STAGE_LABELS[s], self.by_stage.get(s.value, 0)) for s in Stage]


def recruitment_overview(user, today: dt.date, org: Org | None = None) -> Overview:
    """Counts for the hub card: active candidates per stage, due within 14 days, overdue,
    with errors — one grouped query."""
    qs = _visible(user).filter(status=CandidateStatus.ACTIVE)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    rows = list(
        qs.values("stage")
        .order_by("stage")
        .annotate(
            n=Count("id"),
            due_soon=Count("id", filter=Q(next_due_on__gte=today, next_due_on__lte=soon)),
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
            errors=Count("id", filter=Q(error_count__gt=0)),
        )
    )
    return Overview(
        by_stage={r["stage"]: r["n"] for r in rows},
        active=sum(r["n"] for r in rows),
        due_soon=sum(r["due_soon"] for r in rows),
        overdue=sum(r["overdue"] for r in rows),
        with_errors=sum(r["errors"] for r in rows),
    )


class _Row(NamedTuple):
    pk: int
    step: str
    on: dt.date
    passed: bool | None


@dataclass
class PendingApproval:
    candidate: Candidate
    step: str
    label: str
    since: dt.date  # the day of the branch step it waits on
    due_on: dt.date | None  # the candidate's stored next deadline


def _pending_step(done: dict[str, list], organ: bool | None) -> tuple[str, str] | None:
    """The committee / 党组 step the candidate waits for, and the step it waits on."""
    for vote in ("cancellation", "extension"):  # R-DEV-21: the committee approves the decision
        if vote in done and f"{vote}_approval" not in done:
            return f"{vote}_approval", vote
    if "conversion_meeting" in done and "conversion_approval" not in done:
        meeting = done["conversion_meeting"][0]
        reviewed = any(r >= meeting for r in done.get("party_group_review", []))
        if organ is not None and not reviewed:
            return "party_group_review", "conversion_meeting"
        return "conversion_approval", "conversion_meeting"
    if "acceptance" in done and "approval" not in done:
        if "approval_talk" not in done:
            return "approval_talk", "acceptance"
        if organ is not None and "party_group_review" not in done:
            return "party_group_review", "acceptance"
        return "approval", "acceptance"
    if "committee_review" in done and "pre_review" not in done:
        return "pre_review", "committee_review"
    return None


def approvals_pending_for(user, today: dt.date) -> list[PendingApproval]:
    """Candidates waiting for a step of the committee / 党组 above (pre-review, approval talk,
    党组 review, approval, conversion approval) that this user may take (recruit.approve
    strictly above the branch). A fixed number of queries."""
    if not paths_for(user, APPROVE):
        return []
    qs = (
        Candidate.objects.visible_to(user, APPROVE)
        .filter(
            status=CandidateStatus.ACTIVE,
            stage__in=[Stage.ACTIVIST, Stage.PROSPECT, Stage.PROBATIONARY],
        )
        .select_related("branch")
    )
    candidates = [c for c in qs if approves_above(user, c.org_path)]
    if not candidates:
        return []
    done: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = (
        StepEvent.objects.unscoped()
        .filter(candidate__in=candidates)
        .values_list("candidate_id", "id", "step", "on", "passed")
    )
    by_candidate: dict[int, list[_Row]] = defaultdict(list)
    for candidate_id, pk, step, on, passed in rows.order_by("on", "id"):
        by_candidate[candidate_id].append(_Row(pk, step, on, passed))
    for candidate_id, events in by_candidate.items():
        for event in taken(events):  # refused approvals and the decisions they refused: not
            done[candidate_id][event.step].append(event.on)
    kinds = ancestor_kinds(c.org_path for c in candidates)
    out = []
    for c in candidates:
        found = _pending_step(done[c.pk], organ_fact(kinds[c.org_path]))
        if found is None:
            continue
        step, after = found
        out.append(
            PendingApproval(
                candidate=c,
                step=step,
                label=step_label(step),
                since=done[c.pk][after][0],
                due_on=c.next_due_on,
            )
        )
    out.sort(key=lambda p: (p.since, p.candidate.name, p.candidate.pk))
    return out


def branch_choices(user):
    """The branches where the user may create candidates (recruit.manage), for the forms."""
    return (
        Org.objects.visible_to(user, MANAGE)
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .order_by("path")
    )


def people_choices(candidate: Candidate, on: dt.date | None = None):
    """The full members of the candidate's branch on the roster (contacts, introducers:
    R-DEV-05, R-DEV-09, R-GEN-03)."""
    from dangjian.members.models import Category, Member, Standing

    qs = Member.objects.unscoped().filter(
        branch_id=candidate.branch_id,
        category=Category.FULL,
        left_on__isnull=True,
        standing=Standing.NORMAL,
    )
    if on is not None:
        qs = qs.filter(Q(converted_on__isnull=True) | Q(converted_on__lte=on))
    return qs.order_by("name_pinyin", "id")


def assembly_choices(candidate: Candidate, on: dt.date | None = None):
    """The held 支部党员大会 of the candidate's branch (optionally on one day), newest first.
    Only HELD ones: an archived meeting takes no more votes (orglife.vote_record)."""
    from dangjian.orglife.models import Meeting, MeetingStatus

    qs = Meeting.objects.unscoped().filter(
        org_id=candidate.branch_id,
        kind="member_assembly",
        status=MeetingStatus.HELD,  # an archived meeting takes no more votes (orglife)
    )
    if on is None:
        return qs.order_by("-starts_at")[:100]
    return qs.filter(starts_at__date=on).order_by("-starts_at")


def members_of_branch(candidate: Candidate, ids) -> list:
    """Members of the candidate's branch by id (contacts, introducers named by an API
    caller); ids of anyone else are dropped, and the service then refuses the count."""
    from dangjian.members.models import Member

    ids = [i for i in dict.fromkeys(ids or ()) if isinstance(i, int) and 0 < i < 2**62]
    found = Member.objects.unscoped().in_bulk(ids) if ids else {}
    return [found[i] for i in ids if i in found and found[i].branch_id == candidate.branch_id]


def assembly_of(candidate: Candidate, meeting_id):
    """A 支部党员大会 of the candidate's branch by id, or None."""
    from dangjian.orglife.models import Meeting

    if not isinstance(meeting_id, int) or not 0 < meeting_id < 2**62:
        return None
    return (
        Meeting.objects.unscoped()
        .filter(pk=meeting_id, org_id=candidate.branch_id, kind="member_assembly")
        .first()
    )
