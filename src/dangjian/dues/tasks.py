"""Background tasks of the dues app: thin, they take ids and call a service (architecture.md
habit 7). Enqueued on commit; with the ImmediateBackend they run at once, with
django_tasks_db's DatabaseBackend a worker runs them."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from dangjian.dues.services import charge_run_execute


@task()
def charge_run_task(run_id: int) -> None:
    """Generate a month's charges for a run queued by `charge_run_start`."""
    charge_run_execute(run_id=run_id)


@task()
def remind_dues_task(day: str = "") -> int:
    """The dues part of the daily 事前提醒 (R-DUES-14 arrears, pending reductions), for a
    scheduler that enqueues tasks: `day` is "YYYY-MM-DD" or empty for today."""
    from dangjian.dues.reminders import remind_dues

    return remind_dues(dt.date.fromisoformat(day) if day else None)
