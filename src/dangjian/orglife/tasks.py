"""Background tasks of orglife: thin, they take plain values and call one function
(architecture.md habit 7)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from dangjian.orglife.reminders import remind


@task()
def remind_task(day: str = "") -> str:
    """The daily 事前提醒 (`dangjian remind`), for a scheduler that enqueues tasks: `day` is
    "YYYY-MM-DD" or empty for today. Returns the summary line."""
    from dangjian.assessment.reminders import remind_all
    from dangjian.orglife.reminders import lifecycle_summary

    result = remind(dt.date.fromisoformat(day) if day else None)
    return (
        f"{result.summary()}\n{remind_all(result.today).summary()}\n"
        f"{lifecycle_summary(result.today)}"
    )
