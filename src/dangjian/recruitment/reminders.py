"""The 发展党员 part of the daily 事前提醒 (`dangjian remind`):

- refreshes the stored stage, next deadline and finding counts of every active candidate
  (the dates move on: a deadline passes without anyone touching the file);
- a "recruitment_due" to-do for every open "by" deadline due within 14 days or already
  passed, naming its rule: a branch step to the branch's secretaries (without one, the
  organiser; without either, the admins above), a step of the committee / 党组 above
  (Actor.COMMITTEE, PARTY_GROUP, DEPARTMENT) to the holders of recruit.approve on the nearest
  org above the branch that has some;
- a "recruitment_violation" notice to the branch's secretaries for each ERROR finding.

Items are deduplicated per user and key (`notify`'s dedupe_key): a deadline is reminded once
when it comes due and once more when it is overdue; a violation once per rule and step. The
engine runs once per active candidate (a daily job); the reads are a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap, Role
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.recruitment.services_candidates import REFRESH_FIELDS, values_from
from dangjian.rules.recruitment_steps import STEP_BY_CODE, step_label

DUE_SOON_DAYS = sel.DUE_SOON_DAYS
APPROVE_ROLES = sorted(role for role, caps in ROLE_CAPS.items() if Cap.RECRUIT_APPROVE in caps)
BRANCH_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_ORGANIZER)
#: refreshed rows are written in batches of this many
BATCH = 500


def candidate_link(candidate_id: int) -> str:
    """The candidate's page."""
    from django.urls import reverse

    return reverse("recruitment:candidate", kwargs={"candidate_id": candidate_id})


class _Recipients:
    """Grants of the roles involved, loaded once."""

    def __init__(self):
        from dangjian.accounts.models import RoleGrant

        self.by_org: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        rows = RoleGrant.objects.filter(
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
            user__is_active=True,
            role__in=[*BRANCH_ROLES, *APPROVE_ROLES],
        ).values_list("org_id", "role", "user_id", "user__email")
        for org_id, role, user_id, email in rows:
            self.by_org[org_id][role].append((user_id, email or ""))

    @staticmethod
    def _ids(path: str) -> list[int]:
        return [int(x) for x in path.strip("/").split("/") if x]

    def approvers(self, path: str) -> list[tuple[int, str]]:
        """recruit.approve holders on the nearest org strictly above the branch with some."""
        for org_id in reversed(self._ids(path)[:-1]):
            found = [u for role in APPROVE_ROLES for u in self.by_org.get(org_id, {}).get(role, [])]
            if found:
                return list(dict.fromkeys(found))
        return []

    def branch(self, path: str) -> list[tuple[int, str]]:
        """The branch's secretaries; else its 组织委员; else the approvers above."""
        own = self.by_org.get(self._ids(path)[-1], {})
        for role in BRANCH_ROLES:
            if own.get(role):
                return list(dict.fromkeys(own[role]))
        return self.approvers(path)


def _refresh(today: dt.date) -> list[tuple[Candidate, list, list]]:
    """Refresh every active candidate; (candidate, findings, deadlines) for each."""
    candidates = list(
        Candidate.objects.unscoped().filter(status=CandidateStatus.ACTIVE).order_by("id")
    )
    if not candidates:
        return []
    rows: dict[int, list[StepEvent]] = defaultdict(list)
    events = (
        StepEvent.objects.unscoped()
        .filter(candidate__status=CandidateStatus.ACTIVE)
        .prefetch_related("people")
        .order_by("on", "id")
    )
    for event in events:
        rows[event.candidate_id].append(event)
    kinds = sel.ancestor_kinds(c.org_path for c in candidates)
    calendar = sel.work_calendar()
    eng = sel.engine()
    changed, out = [], []
    for c in candidates:
        organ = sel.organ_fact(kinds[c.org_path])
        kwargs, events_map = sel.engine_kwargs(c, rows[c.pk], organ=organ, calendar=calendar)
        findings = eng.check(events_map, c.birth_date, today, **kwargs)
        deadlines = eng.deadlines(events_map, c.birth_date, today, **kwargs)
        nxt = next((d for d in deadlines if d.kind == "by"), None)
        values = values_from(c, eng.stage_of(events_map), nxt, findings)
        if any(getattr(c, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(c, key, value)
            c.updated_at = timezone.now()
            changed.append(c)
        out.append((c, findings, deadlines))
    Candidate.all_objects.bulk_update(changed, [*REFRESH_FIELDS, "updated_at"], batch_size=BATCH)
    return out


def _due_drafts(c: Candidate, deadlines: list, today: dt.date, who: _Recipients) -> list[Draft]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    drafts = []
    seen = set()
    for d in deadlines:
        # one per step, rule and day: R-DEV-17's six-month limit is not hidden behind its
        # three-month one
        if d.kind != "by" or d.due_on > soon or (d.step, d.rule_id, d.due_on) in seen:
            continue
        seen.add((d.step, d.rule_id, d.due_on))
        step = STEP_BY_CODE.get(d.step)
        overdue = d.due_on < today
        state = "overdue" if overdue else "due_soon"
        when = f"{d.due_on:%Y-%m-%d}"
        title = (
            f"发展党员期限已过：{c.name}·{d.label}（{when}）"
            if overdue
            else f"发展党员期限将到：{c.name}·{d.label}（{when}前）"
        )
        body = (
            f"{c.branch.name}的{c.name}：{step_label(d.step)}"
            f"{'应于' + when + '前办理，已逾期' if overdue else '应于' + when + '前办理'}"
            f"（{d.rule_id}）。请办理并在发展党员档案中登记。"
        )
        higher = step is not None and step.actor in sel.HIGHER_ACTORS
        to = who.approvers(c.org_path) if higher else who.branch(c.org_path)
        for user_id, email in to:
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.RECRUITMENT_DUE,
                    title=title[:200],
                    body=body,
                    link=candidate_link(c.pk),
                    rule_id=d.rule_id,
                    org_id=c.branch_id,
                    org_path=c.org_path,
                    topic=f"recruitment:{c.pk}",
                    dedupe_key=(
                        f"{NotificationKind.RECRUITMENT_DUE}:{c.pk}:{d.step}:{d.rule_id}:"
                        f"{d.due_on:%Y%m%d}:{state}"
                    ),
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def _violation_drafts(c: Candidate, findings: list, who: _Recipients) -> list[Draft]:
    drafts = []
    seen = set()
    for f in findings:
        if str(f.level) != "error" or (f.rule_id, f.field) in seen:
            continue
        seen.add((f.rule_id, f.field))
        for user_id, email in who.branch(c.org_path):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.RECRUITMENT_VIOLATION,
                    title=f"发展党员违规：{c.name}（{f.rule_id}）"[:200],
                    body=f"{c.branch.name}的{c.name}：{f.message}",
                    link=candidate_link(c.pk),
                    rule_id=f.rule_id,
                    org_id=c.branch_id,
                    org_path=c.org_path,
                    topic=f"recruitment:{c.pk}",
                    dedupe_key=(
                        f"{NotificationKind.RECRUITMENT_VIOLATION}:{c.pk}:{f.rule_id}:"
                        f"{f.field or ''}"
                    ),
                    email=email,
                )
            )
    return drafts


def remind_recruitment(today: dt.date | None = None) -> int:
    """Refresh the active candidates and create the 发展党员 to-dos and notices for `today`;
    returns how many items were created (those already sent are not counted)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        cases = _refresh(today)
        if not cases:
            return 0
        branch_ids = {c.branch_id for c, _, _ in cases}
        from dangjian.orgs.models import Org

        branches = Org.objects.unscoped().in_bulk(branch_ids)
        who = _Recipients()
        drafts: list[Draft] = []
        for c, findings, deadlines in cases:
            c.branch = branches[c.branch_id]
            drafts += _due_drafts(c, deadlines, today, who)
            drafts += _violation_drafts(c, findings, who)
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "recruitment.reminders.created",
                changes={"today": today, "created": created.created, "candidates": len(cases)},
            )
    return created.created
