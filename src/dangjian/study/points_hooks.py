"""Every write that changes what a member's points derive from (attendance, a finished
reading, a submitted test or note, an approved training) calls `points_changed`: the
member's ledger for that year is rebuilt after the commit, by the `refresh_points` task
(at once when no worker runs). The ledger is derived, never typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.utils import timezone

#: set while a bulk writer (the demo, a generator) rebuilds every ledger itself at the end
_paused: ContextVar[bool] = ContextVar("points_paused", default=False)


@contextmanager
def paused() -> Iterator[None]:
    """Queue no rebuild inside the block: its caller rebuilds the ledgers itself afterwards
    (services_points.points_refresh_all). Without it the demo would leave a thousand queued
    rebuilds for the worker."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def points_changed(member_ids: Iterable[int], day: dt.date | dt.datetime) -> None:
    if _paused.get():
        return
    ids = sorted({int(i) for i in member_ids if i})
    if isinstance(day, dt.datetime):  # stored in UTC: the year is the local one
        day = timezone.localtime(day) if timezone.is_aware(day) else day
    if ids:
        transaction.on_commit(partial(_enqueue, ids, day.year))


def _enqueue(member_ids: list[int], year: int) -> None:
    from dangjian.study.tasks import refresh_points

    refresh_points.enqueue(member_ids, year)
