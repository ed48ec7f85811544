"""Reads of 发展党员: the one access function for a candidate, the engine's view of a
candidate (events and facts, findings, deadlines, the timeline of the 25 steps), and the
lists the pages show (board, list, hub overview, approvals waiting for the committee above).

Who may read: recruit.manage on the candidate's branch (the branch's secretary and 组织委员,
the admins above), or recruit.approve held strictly above it (R-DEV-12/17/22, R-ORG-14).
Lists start from `Candidate.objects.visible_to(user, RECRUIT_MANAGE)`; the board and the
overview read the stored `next_due_on` / counts (kept current by `services.candidate_refresh`
and the daily `reminders.remind_recruitment`), never the engine per row.

The engine (`dangjian.rules.recruitment`) and the working-day calendar
(`dangjian.core.workcalendar`) are imported lazily, so this module loads on its own."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from dangjian.core.access import can, deny, paths_for
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, OrgKind
from dangjian.recruitment.models import Candidate, StepEvent
from dangjian.rules.recruitment_steps import (
    STEP_BY_CODE,
    Actor,
    Step,
)

MANAGE = Cap.RECRUIT_MANAGE
APPROVE = Cap.RECRUIT_APPROVE
#: the actors whose steps the higher committee / 党组 / organisation department take
HIGHER_ACTORS = frozenset({Actor.COMMITTEE, Actor.PARTY_GROUP, Actor.DEPARTMENT})
#: a deadline within this many days is "due soon" on the hub card and in the reminders
DUE_SOON_DAYS = 14
#: the board shows at most this many candidates per stage (the counts are always complete)
BOARD_PER_STAGE = 200
#: an override is stored on the event as "R-DEV-07：理由" (the model has one text column)
_OVERRIDE_RE = re.compile(r"^(R-[A-Z]+-\d+)：(.*)$", re.S)
#: a failed approval of the committee above is not the step taken (a failed political review
#: or pre-review is: the engine reads its result from the facts)
RESULT_STEPS = ("approval", "conversion_approval", "extension_approval", "cancellation_approval")
#: a 支部大会 decision the committee above refused is not taken either: the branch may decide
#: again (after a refused conversion: extend the probation or cancel it, R-DEV-21)
REFUSED_BY = {
    "conversion_meeting": "conversion_approval",
    "extension": "extension_approval",
    "cancellation": "cancellation_approval",
}
#: steps taken more than once though the step table says once: the 党组 studies the
#: acceptance and again the conversion (R-ORG-14, R-DEV-26)
TIMES = {"party_group_review": 2}


# --- the engine and the calendar (lazily: both are written alongside this app) --------------


def engine():
    from dangjian.rules import recruitment

    return recruitment


def work_calendar():
    from dangjian.core.workcalendar import work_calendar as calendar

    return calendar()


# --- who may do what ----------------------------------------------------------------------


def approves_above(user, path: str) -> bool:
    """Does the user hold recruit.approve on an org strictly above the node at `path`?"""
    return any(path.startswith(p) and p != path for p in paths_for(user, APPROVE))


def may_record(user, candidate: Candidate, step: Step) -> bool:
    """Branch steps need recruit.manage on the branch; the committee's, the 党组's and the
    organisation department's need recruit.approve strictly above it (a branch secretary
    cannot approve his own candidate)."""
    if step.actor in HIGHER_ACTORS:
        return approves_above(user, candidate.org_path)
    return can(user, MANAGE, candidate.org_path)


def may_read(user, candidate: Candidate) -> bool:
    return can(user, MANAGE, candidate.org_path) or approves_above(user, candidate.org_path)


def access_candidate(user, candidate_id, need: Cap = MANAGE) -> Candidate:
    """The candidate, or 404 for outsiders. With `need=RECRUIT_MANAGE` (reading, recording
    branch steps) holders of recruit.approve above the branch are let in too; with
    `need=RECRUIT_APPROVE` only those strictly above the branch."""
    try:
        candidate_id = int(candidate_id)
    except (TypeError, ValueError):
        raise deny() from None
    if not 0 < candidate_id < 2**62:
        raise deny()
    candidate = (
        Candidate.objects.unscoped()
        .select_related("branch", "member")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise deny()
    if need == APPROVE:
        allowed = approves_above(user, candidate.org_path)
    elif need == MANAGE:
        allowed = may_read(user, candidate)
    else:
        allowed = can(user, need, candidate.org_path)
    if not allowed:
        raise deny()
    return candidate


def access_event(user, event_id, need: Cap = MANAGE) -> StepEvent:
    """One step event of a candidate the user may read (404 otherwise)."""
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise deny() from None
    if not 0 < event_id < 2**62:
        raise deny()
    event = (
        StepEvent.objects.unscoped()
        .select_related("candidate", "candidate__branch", "candidate__member")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise deny()
    access_candidate(user, event.candidate_id, need=need)
    return event


# --- the engine's view of one candidate ----------------------------------------------------


def events_rows(candidate: Candidate) -> list[StepEvent]:
    """The candidate's step events in date order, with the people named on them."""
    return list(
        StepEvent.objects.unscoped()
        .filter(candidate=candidate)
        .prefetch_related("people")
        .order_by("on", "id")
    )


def split_override(text: str) -> tuple[str, str]:
    """(rule id, reason) of a stored override, or ("", text) when no rule is named."""
    match = _OVERRIDE_RE.match(text or "")
    return (match.group(1), match.group(2)) if match else ("", text or "")


def not_taken(rows: list[StepEvent]) -> set[int]:
    """The ids of the events that do not count as the step taken: an approval of the committee
    above that did not pass (RESULT_STEPS), and a 支部大会 decision such a refusal (on or after
    its day) overturned (REFUSED_BY). They stay on the page as history; the engine, the
    "already recorded" check and the timeline's state ignore them."""
    refused: dict[str, list] = {}
    out = set()
    for event in rows:
        if event.step in RESULT_STEPS and event.passed is False:
            out.add(event.pk)
            refused.setdefault(event.step, []).append(event.on)
    for event in rows:
        approval = REFUSED_BY.get(event.step)
        if approval and any(event.on <= day for day in refused.get(approval, ())):
            out.add(event.pk)
    return out


def taken(rows: list[StepEvent]) -> list[StepEvent]:
    """The events that count as the step taken (see `not_taken`)."""
    skip = not_taken(rows)
    return [e for e in rows if e.pk not in skip]


def events_of(candidate: Candidate, rows: list[StepEvent] | None = None) -> dict:
    """The `events` mapping of the engine: step code → date; the repeatable steps
    (assessment, probation_assessment) and those taken more than once (TIMES) → the list of
    their dates. An approval of the committee above that did not pass, and the branch
    decision it refused, are left out (`not_taken`); a failed political review or pre-review
    stays, its result goes to `facts_of`."""
    rows = events_rows(candidate) if rows is None else rows
    out: dict = {}
    for event in taken(rows):
        step = STEP_BY_CODE.get(event.step)
        if step is None:
            continue
        if step.repeatable or event.step in TIMES:
            out.setdefault(event.step, []).append(event.on)
        else:
            out[event.step] = event.on
    for dates in out.values():
        if isinstance(dates, list):
            dates.sort()
    return out


def organ_fact(kinds) -> bool | None:
    """R-ORG-14 from the kinds of the bodies above a branch: True where a 机关党委 approves
    (its approval goes to the 党组 first), False where the unit has none (the 党组 reviews,
    the 机关工委 approves), None outside a 机关 (no 党组 above)."""
    kinds = set(kinds)
    if OrgKind.ORGAN_COMMITTEE in kinds:
        return True
    if OrgKind.PARTY_GROUP in kinds:
        return False
    return None


def ancestor_kinds(paths) -> dict[str, set[str]]:
    """For each branch path, the kinds of the orgs above it: one query for all of them."""
    ids_by_path = {p: [int(x) for x in p.strip("/").split("/")[:-1] if x] for p in set(paths)}
    wanted = {i for ids in ids_by_path.values() for i in ids}
    kinds = dict(Org.objects.unscoped().filter(pk__in=wanted).values_list("pk", "kind"))
    return {p: {kinds[i] for i in ids if i in kinds} for p, ids in ids_by_path.items()}


def facts_of(
    candidate: Candidate, rows: list[StepEvent] | None = None, *, organ: object = ...
) -> dict:
    """The `facts` of the engine, from the events and the candidate (see rules.recruitment)."""
    rows = events_rows(candidate) if rows is None else rows
    if organ is ...:
        organ = organ_fact(ancestor_kinds([candidate.org_path])[candidate.org_path])
    facts: dict = {
        "leaving_on": candidate.leaving_on,
        "organ_committee": organ,
        "overrides": {},
        "extension_count": 0,
    }
    skip = not_taken(rows)
    for event in rows:
        if event.pk in skip and event.step == "extension":
            continue  # refused by the committee above: the probation was not extended
        if event.override_reason:
            rule_id, reason = split_override(event.override_reason)
            if rule_id:
                facts["overrides"][rule_id] = reason
        if event.step == "prospect_publicity" and event.end_on:
            facts["publicity_end"] = event.end_on
        elif event.step == "training":
            if event.days is not None:
                facts["training_days"] = event.days
            if event.hours is not None:
                facts["training_hours"] = event.hours
        elif event.step == "political_review" and event.passed is not None:
            facts["political_review_passed"] = event.passed
        elif event.step == "pre_review" and event.passed is not None:
            facts["pre_review_passed"] = event.passed
        elif event.step == "extension":
            facts["extension_count"] += 1
            facts["extension_months"] = event.months or 0
        elif event.step in ("contacts", "introducers"):
            facts[event.step] = len(event.people.all())
    return facts


def engine_kwargs(candidate: Candidate, rows=None, *, organ: object = ..., calendar=None):
    rows = events_rows(candidate) if rows is None else rows
    return {
        "facts": facts_of(candidate, rows, organ=organ),
        "ruleset": settings.RECRUITMENT_RULESET,
        "calendar": calendar if calendar is not None else work_calendar(),
        "publicity_workdays": settings.RECRUITMENT_PUBLICITY_WORKDAYS,
    }, events_of(candidate, rows)


def candidate_findings(candidate: Candidate, today: dt.date, rows=None) -> list:
    """The engine's findings (each with rule_id, level, message, field) for the candidate."""
    kwargs, events = engine_kwargs(candidate, rows)
    return engine().check(events, candidate.birth_date, today, **kwargs)


def candidate_deadlines(candidate: Candidate, today: dt.date, rows=None) -> list:
    """The engine's deadlines (step, due_on, rule_id, label, kind by/not_before, level)."""
    kwargs, events = engine_kwargs(candidate, rows)
    return engine().deadlines(events, candidate.birth_date, today, **kwargs)


def derived(candidate: Candidate, today: dt.date, rows=None, *, organ=..., calendar=None):
    """What `candidate_refresh` stores: (stage, next deadline or None, findings)."""
    rows = events_rows(candidate) if rows is None else rows
    kwargs, events = engine_kwargs(candidate, rows, organ=organ, calendar=calendar)
    eng = engine()
    findings = eng.check(events, candidate.birth_date, today, **kwargs)
    nxt = eng.next_deadline(events, candidate.birth_date, today, **kwargs)
    return eng.stage_of(events), nxt, findings


# the timeline and the lists live in their own modules (re-exported: import from here)
from dangjian.recruitment.selectors_lists import (  # noqa: E402
    Board,
    BoardCard,
    BoardColumn,
    Overview,
    PendingApproval,
    approvals_pending_for,
    assembly_choices,
    assembly_of,
    board,
    branch_choices,
    candidate_list,
    members_of_branch,
    people_choices,
    recruitment_overview,
)
from dangjian.recruitment.selectors_timeline import (  # noqa: E402
    AFTER_CONVERSION,
    OPTIONAL_STEPS,
    STATE_LABELS,
    StepState,
    Timeline,
    TimelinePhase,
    TimelineRow,
    due_again,
    timeline,
)

__all__ = [
    "AFTER_CONVERSION",
    "APPROVE",
    "BOARD_PER_STAGE",
    "DUE_SOON_DAYS",
    "HIGHER_ACTORS",
    "MANAGE",
    "OPTIONAL_STEPS",
    "STATE_LABELS",
    "Board",
    "BoardCard",
    "BoardColumn",
    "Overview",
    "PendingApproval",
    "StepState",
    "Timeline",
    "TimelinePhase",
    "TimelineRow",
    "access_candidate",
    "access_event",
    "ancestor_kinds",
    "approvals_pending_for",
    "approves_above",
    "assembly_choices",
    "assembly_of",
    "board",
    "branch_choices",
    "candidate_deadlines",
    "candidate_findings",
    "candidate_list",
    "derived",
    "due_again",
    "engine",
    "engine_kwargs",
    "events_of",
    "events_rows",
    "facts_of",
    "may_read",
    "may_record",
    "members_of_branch",
    "not_taken",
    "organ_fact",
    "people_choices",
    "recruitment_overview",
    "split_override",
    "taken",
    "timeline",
    "work_calendar",
]
