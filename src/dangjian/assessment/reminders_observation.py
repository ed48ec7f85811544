"""Reminders of the tasks an observation meeting set (观摩会任务): the daily job calls
`remind_observation_tasks(today)`.

An open task due within REMIND_DAYS days, or overdue, gives every user who holds
ASSESS_SUBMIT on the responsible unit (a grant on the unit or above it: its secretaries and
admins) a to-do item (`assessment_task`) linking to the task's page, where he marks it done.
Items are deduplicated per user × task × stage (due soon, overdue), so a daily run tells each
person once before the deadline and once after it. Role grants are loaded once: a fixed
number of queries whatever the number of tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from dangjian.assessment.models import ObservationTask, TaskStatus
from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create

REMIND_DAYS = 7


def _submitters() -> dict[str, list[tuple[int, str]]]:
    """org path → [(user id, email)] of the active ASSESS_SUBMIT grants on that org."""
    from dangjian.accounts.models import RoleGrant

    roles = [role for role, caps in ROLE_CAPS.items() if Cap.ASSESS_SUBMIT in caps]
    by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        org__dissolved_on__isnull=True,
        user__is_active=True,
        role__in=roles,
    ).values_list("org__path", "user_id", "user__email")
    for path, user_id, email in rows:
        by_path[path].append((user_id, email or ""))
    return by_path


def _recipients(path: str, by_path) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    for grant_path, users in by_path.items():
        if path.startswith(grant_path):
            for user_id, email in users:
                found.setdefault(user_id, email)
    return sorted(found.items())


@transaction.atomic
def remind_observation_tasks(today: dt.date) -> int:
    """To-do items for open tasks due by `today + REMIND_DAYS` (overdue ones included).
    Returns the number of items created (0 when everyone was already told)."""
    horizon = today + dt.timedelta(days=REMIND_DAYS)
    tasks = list(
        ObservationTask.objects.unscoped()
        .filter(status=TaskStatus.OPEN, due_on__lte=horizon)
        .select_related("meeting", "org")
        .order_by("due_on", "id")
    )
    if not tasks:
        return 0
    by_path = _submitters()
    drafts = []
    for task in tasks:
        overdue = task.due_on < today
        stage = "overdue" if overdue else "due"
        if overdue:
            title = f"观摩会任务已逾期：{task.title}"
            when = f"完成时限 {task.due_on:%Y年%m月%d日}，已逾期 {(today - task.due_on).days} 天"
        else:
            days = (task.due_on - today).days
            title = f"观摩会任务即将到期：{task.title}"
            left = "今天到期" if days == 0 else f"还有 {days} 天"
            when = f"完成时限 {task.due_on:%Y年%m月%d日}（{left}）"
        body = f"{task.meeting.title}明确由{task.org.name}落实：{task.title}。{when}。"
        link = reverse("observation:task", kwargs={"task_id": task.pk})
        for user_id, email in _recipients(task.org.path, by_path):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ASSESSMENT_TASK,
                    title=title,
                    body=body,
                    link=link,
                    org_id=task.org_id,
                    org_path=task.org.path,
                    topic=f"observation_task:{task.pk}",
                    dedupe_key=f"observation_task:{task.pk}:{stage}",
                    is_todo=True,
                    email=email,
                )
            )
    result = notifications_create(drafts)
    if result.created:
        audit(
            None,
            "assessment.task.reminded",
            None,
            changes={
                "today": today,
                "tasks": len(tasks),
                "created": result.created,
                "existing": result.existing,
            },
        )
    return result.created
