"""The timeline of a candidate's page: the 25 standard steps and the extra ones in flow order,
grouped by the five phases, each with its events, state, findings and deadline. Import from
`dangjian.recruitment.selectors`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from dangjian.recruitment.models import Candidate, CandidateStatus
from dangjian.recruitment.selectors import (
    HIGHER_ACTORS,
    TIMES,
    ancestor_kinds,
    engine,
    engine_kwargs,
    events_rows,
    organ_fact,
    taken,
)
from dangjian.rules.recruitment_steps import PHASES, STEPS, Step, step_label

# --- the timeline of the candidate page ----------------------------------------------------


class StepState:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_YET = "not_yet"
    NOT_APPLICABLE = "not_applicable"


STATE_LABELS = {
    StepState.DONE: "已完成",
    StepState.DUE: "待办理",
    StepState.OVERDUE: "已逾期",
    StepState.NOT_YET: "未到",
    StepState.NOT_APPLICABLE: "不适用",
}

#: steps taken only when the case calls for them
OPTIONAL_STEPS = frozenset(
    {"extension", "extension_approval", "cancellation", "cancellation_approval"}
)
#: steps a converted member's file still takes (R-DEV-24: the materials go to his file)
AFTER_CONVERSION = ("archive",)


def due_again(step: str, events: dict) -> bool:
    """A step taken more than once (TIMES) is due again: the 党组 studies the acceptance and
    again the conversion (R-ORG-14, R-DEV-26), so a conversion meeting (the one the engine
    sees: a meeting whose conversion the committee refused is not) with no review on or after
    its day calls for another review."""
    if step not in TIMES:
        return False
    reviews, meeting = events.get(step, []), events.get("conversion_meeting")
    return meeting is not None and not any(meeting <= r for r in reviews)


@dataclass
class TimelineRow:
    step: Step
    label: str  # "第15步 支部大会讨论接收预备党员"
    events: list  # the StepEvents (several for the repeatable steps)
    state: str
    state_label: str
    findings: list = field(default_factory=list)
    deadline: object = None  # the engine's Deadline for the step, if any

    @property
    def code(self) -> str:
        return self.step.code

    @property
    def is_higher(self) -> bool:
        return self.step.actor in HIGHER_ACTORS


@dataclass
class TimelinePhase:
    number: int
    label: str
    rows: list[TimelineRow]


@dataclass
class Timeline:
    phases: list[TimelinePhase]
    findings: list  # all findings, errors first
    deadlines: list
    stage: str
    organ_committee: bool | None

    @property
    def errors(self) -> list:
        return [f for f in self.findings if str(f.level) == "error"]

    @property
    def warnings(self) -> list:
        return [f for f in self.findings if str(f.level) == "warning"]


def _finding_step(finding) -> str | None:
    data = getattr(finding, "data", None) or {}
    return data.get("step") or finding.field


def timeline(candidate: Candidate, today: dt.date) -> Timeline:
    """The 25 standard steps and the extra ones in flow order, grouped by the five phases,
    each with its events, its state, its findings and its deadline."""
    rows = events_rows(candidate)
    organ = organ_fact(ancestor_kinds([candidate.org_path])[candidate.org_path])
    kwargs, events = engine_kwargs(candidate, rows, organ=organ)
    eng = engine()
    findings = eng.check(events, candidate.birth_date, today, **kwargs)
    deadlines = eng.deadlines(events, candidate.birth_date, today, **kwargs)
    by_step: dict[str, list] = defaultdict(list)
    for event in rows:  # all of them, shown as history
        by_step[event.step].append(event)
    taken_steps = {e.step for e in taken(rows)}  # a refused approval is not the step taken
    findings_by_step: dict[str, list] = defaultdict(list)
    for f in findings:
        findings_by_step[_finding_step(f) or ""].append(f)
    deadline_by_step = {}
    for d in sorted(deadlines, key=lambda d: d.due_on):
        deadline_by_step.setdefault(d.step, d)
    active = candidate.status == CandidateStatus.ACTIVE
    converted = candidate.status == CandidateStatus.CONVERTED
    phases = []
    for number, label in PHASES.items():
        out = []
        for step in (s for s in STEPS if s.phase == number):
            done = by_step.get(step.code, [])
            deadline = deadline_by_step.get(step.code)
            again = active and step.code in taken_steps and due_again(step.code, events)
            if step.code in taken_steps and not again:
                state = StepState.DONE
            elif again or (converted and step.code in AFTER_CONVERSION):
                state = StepState.DUE
            elif (
                not active
                or (step.code in OPTIONAL_STEPS and deadline is None)
                or (step.code == "party_group_review" and organ is None)
            ):
                state = StepState.NOT_APPLICABLE
            elif deadline is not None and getattr(deadline, "kind", "by") == "by":
                state = StepState.OVERDUE if deadline.due_on < today else StepState.DUE
            elif deadline is not None and deadline.due_on <= today:
                state = StepState.DUE  # "not before" that day, and the day has come
            else:
                state = StepState.NOT_YET
            out.append(
                TimelineRow(
                    step=step,
                    label=step_label(step.code),
                    events=done,
                    state=state,
                    state_label=STATE_LABELS[state],
                    findings=findings_by_step.get(step.code, []),
                    deadline=deadline,
                )
            )
        phases.append(TimelinePhase(number, label, out))
    order = {"error": 0, "warning": 1}
    return Timeline(
        phases=phases,
        findings=sorted(findings, key=lambda f: order.get(str(f.level), 2)),
        deadlines=sorted(deadlines, key=lambda d: d.due_on),
        stage=eng.stage_of(events),
        organ_committee=organ,
    )
