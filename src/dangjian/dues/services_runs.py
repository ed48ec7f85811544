"""The background generation of a month's charges: `charge_run_start` queues a ChargeRun
and enqueues `dues.tasks.charge_run_task` on commit; `charge_run_execute` is the task's body
(it calls `charges_generate`, which reports progress on the run chunk by chunk)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core.access import can
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.dues.models import ChargeRun, RunStatus
from dangjian.dues.services_charges import charges_generate, progress
from dangjian.dues.services_common import month_of, require, user_or_none
from dangjian.orgs.models import Org
from dangjian.rules import dues as rules

log = logging.getLogger(__name__)

MANAGE = Cap.DUES_MANAGE


def _stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=getattr(settings, "JOB_STALE_MINUTES", 10))


def active_run(org: Org, month: dt.date) -> ChargeRun | None:
    """A run of the same org and month still queued or running (and not abandoned)."""
    stale = _stale_before()
    return (
        ChargeRun.all_objects.filter(
            org=org, month=month, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
        .filter(Q(heartbeat_at__gte=stale) | Q(heartbeat_at__isnull=True, created_at__gte=stale))
        .first()
    )


@transaction.atomic
def charge_run_start(*, actor, org: Org, month, today: dt.date | None = None) -> ChargeRun:
    """Queue the generation of `month`'s charges for `org`'s subtree; the task runs when this
    transaction commits (at once with the immediate backend, else on a worker)."""
    require(actor, MANAGE, org.path)
    today = today or timezone.localdate()
    if org.dissolved_on is not None:
        raise AppError("该组织已撤销。", field="org")
    month = month_of(month)
    if month > rules.add_month_starts(rules.month_start(today), 1):
        raise AppError("最多只能提前生成下个月的应缴。", field="month")
    # serialise starts for the org: the row lock (PostgreSQL) or the write lock (SQLite)
    Org.all_objects.select_for_update().filter(pk=org.pk).values_list("pk").first()
    if active_run(org, month) is not None:
        raise AppError(f"{org.name}{month:%Y年%m月}的应缴正在生成中，请等待完成。", field="month")
    run = ChargeRun.all_objects.create(
        org=org,
        org_path=org.path,
        month=month,
        status=RunStatus.QUEUED,
        created_by=user_or_none(actor),
        heartbeat_at=timezone.now(),
    )
    audit(
        actor, "dues.run.started", run, org_path=org.path, changes={"org": org.pk, "month": month}
    )
    transaction.on_commit(partial(_enqueue, run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from dangjian.dues.tasks import charge_run_task

    charge_run_task.enqueue(run_id)


def charge_run_execute(*, run_id: int) -> ChargeRun | None:
    """The body of the background task: generate the run's charges as the user who started
    it (rights checked again: they may have changed meanwhile); a failure is recorded on the
    run, never raised into the worker."""
    from dangjian.accounts.models import User

    run = ChargeRun.all_objects.select_related("org", "created_by").filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    actor = None
    if run.created_by_id:
        actor = User.objects.filter(pk=run.created_by_id, is_active=True).first()
        if actor is None or not can(actor, MANAGE, run.org.path):
            progress(
                run,
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                error="发起生成的用户已无权管理该组织的党费，未生成。",
            )
            return run
    try:
        return charges_generate(actor=actor, org=run.org, month=run.month, run=run)
    except AppError as exc:
        progress(run, status=RunStatus.FAILED, finished_at=timezone.now(), error=exc.message[:500])
    except Exception:
        log.exception("charge run %s failed", run.pk)
        progress(
            run,
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error="生成时系统出错，已生成的应缴保留，可重新生成（不会重复）。",
        )
    return run
