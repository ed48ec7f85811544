"""Background tasks of the work points and tasks: thin, they call one function (architecture.md
habit 7). With the ImmediateBackend they run at once; with django_tasks_db's DatabaseBackend a
worker runs them."""

from __future__ import annotations

import datetime as dt

from django.tasks import task


@task()
def remind_tasks(day: str = "") -> int:
    """The daily task reminders and 督办 escalations (reminders_tasks.remind_tasks) for `day`
    (YYYY-MM-DD, default today)."""
    from dangjian.responsibility.reminders_tasks import remind_tasks as run

    return run(dt.date.fromisoformat(day) if day else None)
