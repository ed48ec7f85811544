"""The work-point part of the daily 事前提醒 (`dangjian remind`):

- **due soon**: an open task whose deadline is at most RESPONSIBILITY_DUE_SOON_DAYS days away
  (the due day included) and not yet reported complete: a to-do (`task_due`) to the unit's
  administrators (resp.manage granted on the unit's top org itself);
- **overdue**: from the day after the deadline, an open task not reported complete: one more
  to-do (`task_due`) to the same people;
- **escalation**: a 督办 still unresolved `escalate_after_days` after it was sent goes to the
  unit's secretary (the account of the member holding the current 书记 seat of the unit's top
  org, or failing that of its 机关党委) as a to-do (`task_escalation`), and is marked
  `escalated_at` (once). A unit without such an account: its administrators get it instead.

Tasks of unpublished points are skipped. Items are deduplicated per user (`task_due:soon:<task>
:<deadline>`, `task_due:overdue:<task>:<deadline>`, `task_escalation:<督办>`), so the job may run
any number of times a day; a 督办 resolved (a report, a closing) while the job runs is not
escalated: the candidates are locked and the update checks them again. A fixed number of
queries plus the inserts and one audit entry per escalation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility.models import Supervision, Task, TaskStatus
from dangjian.responsibility.services_tasks import link_to, topic_of
from dangjian.rules import responsibility as rules

PUBLISHED = Q(point__isnull=True) | Q(point__published_at__isnull=False)


def _task_drafts(today: dt.date) -> list[Draft]:
    soon_end = today + dt.timedelta(days=settings.RESPONSIBILITY_DUE_SOON_DAYS)
    tasks = list(
        Task.objects.unscoped()
        .filter(PUBLISHED, status=TaskStatus.OPEN, progress__lt=100, due_on__lte=soon_end)
        .select_related("org")
        .order_by("due_on", "id")
    )
    if not tasks:
        return []
    admins = sel.unit_admins({t.org_id for t in tasks})
    drafts = []
    for task in tasks:
        overdue = today > task.due_on
        if overdue:
            title = f"任务已逾期：{task.title}"
            body = (
                f"{task.org.name}的任务“{task.title}”已于{task.due_on:%Y年%m月%d日}到期，"
                f"当前进度{task.progress}%，尚未办结。请抓紧推进并报告进展。"
            )
            key = f"task_due:overdue:{task.pk}:{task.due_on:%Y%m%d}"
        else:
            days = (task.due_on - today).days
            when = "今天到期" if days == 0 else f"还有{days}天到期"
            title = f"任务即将到期：{task.title}"
            body = (
                f"{task.org.name}的任务“{task.title}”将于{task.due_on:%Y年%m月%d日}到期"
                f"（{when}），当前进度{task.progress}%。"
                + (f"佐证材料：{task.evidence_asked}。" if task.evidence_asked else "")
                + "请按时完成并报告进展。"
            )
            key = f"task_due:soon:{task.pk}:{task.due_on:%Y%m%d}"
        for user_id, email in admins.get(task.org_id, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.TASK_DUE,
                    title=title[:200],
                    body=body,
                    link=link_to("task", task.pk),
                    org_id=task.org_id,
                    org_path=task.org_path,
                    topic=topic_of(task),
                    dedupe_key=key,
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


#: a 督办 that may still escalate: unresolved, not escalated, its task open
ESCALABLE = Q(resolved_at__isnull=True, escalated_at__isnull=True, task__status=TaskStatus.OPEN)


def _escalate(now: dt.datetime) -> list[Supervision]:
    """Mark escalated (`escalated_at = now`) the unresolved, not yet escalated 督办 of open
    tasks whose delay has passed, and return them. The candidates are locked (rows another
    transaction holds, a report or a closing resolving them, are skipped: PostgreSQL; SQLite
    has no row locks and ignores this), and the update checks again that each is still
    unresolved and its task open, so a 督办 resolved while the job runs is never escalated
    nor sent to the secretary. The shortest delay is one day, so older than a day is the SQL
    pre-filter; the rule decides. Three queries."""
    candidates = Supervision.objects.filter(ESCALABLE, sent_at__lte=now - dt.timedelta(days=1))
    features = connection.features
    if features.has_select_for_update:
        candidates = candidates.select_for_update(
            skip_locked=features.has_select_for_update_skip_locked,
            of=("self",) if features.has_select_for_update_of else (),
        )
    due = [
        s
        for s in candidates.select_related("task", "task__org").order_by("sent_at", "id")
        if rules.escalation_due(
            s.sent_at, s.escalate_after_days, s.resolved_at, s.escalated_at, now
        )
    ]
    if not due:
        return []
    ids = [s.pk for s in due]
    Supervision.objects.filter(ESCALABLE, pk__in=ids).update(escalated_at=now)
    marked = set(
        Supervision.objects.filter(pk__in=ids, escalated_at=now).values_list("pk", flat=True)
    )
    escalated = [s for s in due if s.pk in marked]
    for s in escalated:
        s.escalated_at = now
    return escalated


def _escalation_drafts(supervisions: list[Supervision]) -> list[Draft]:
    unit_ids = {s.task.org_id for s in supervisions}
    secretaries = sel.unit_secretaries(unit_ids)
    admins = sel.unit_admins(unit_ids)
    drafts = []
    for s in supervisions:
        task = s.task
        people = secretaries.get(task.org_id) or admins.get(task.org_id, [])
        for user_id, email in people:
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.TASK_ESCALATION,
                    title=f"督办升级：{task.title}"[:200],
                    body=(
                        f"{timezone.localtime(s.sent_at):%Y年%m月%d日}对{task.org.name}的任务"
                        f"“{task.title}”发出的督办（{s.note}）已超过{s.escalate_after_days}天"
                        f"未报告进展，提请单位书记督促落实。限期反馈：{s.respond_by:%Y年%m月%d日}；"
                        f"当前进度{task.progress}%。"
                    ),
                    link=link_to("task", task.pk),
                    org_id=task.org_id,
                    org_path=task.org_path,
                    topic=topic_of(task),
                    dedupe_key=f"task_escalation:{s.pk}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def _default_now(today: dt.date | None) -> dt.datetime:
    """The job's instant: now; for another day than today, the end of that day (a run for a
    past or future day sees everything up to its end)."""
    now = timezone.now()
    if today is None or today == timezone.localdate(now):
        return now
    end = dt.datetime.combine(today, dt.time(23, 59, 59))
    return timezone.make_aware(end)


def remind_tasks(today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Create the day's task reminders and escalate the 督办 that are due; returns how many
    notifications were created (items sent before are not counted)."""
    now = now or _default_now(today)
    today = today or timezone.localdate(now)
    with transaction.atomic():
        escalating = _escalate(now)
        drafts = _task_drafts(today) + _escalation_drafts(escalating)
        created = notifications_create(drafts) if drafts else None
        for s in escalating:
            audit(
                None,
                "responsibility.supervision.escalated",
                s.task,
                org_path=s.task.org_path,
                changes={"supervision": s.pk, "sent_at": s.sent_at, "escalated_at": now},
            )
        count = created.created if created else 0
        if count:
            audit(
                None,
                "responsibility.reminders.created",
                changes={"today": today, "created": count, "escalated": len(escalating)},
            )
    return count
