"""Starting an export and running the large ones in the background.

`export_start` renders a small export in the request and returns the file; a large one
becomes an `ExportJob`, enqueued on commit for the `export_run` task (core/tasks.py), which
calls `export_job_run`. Only the job's owner sees it (`access_export_job`).

Faults: a job whose database connection drops while it renders ends failed (the partial file
removed) and its owner may run it again (`export_job_retry`). A job left running or queued by
a stopped worker is found by its old heartbeat and queued again (`recover_stale_jobs`, run by
`dangjian recover_jobs` and when the job's page is viewed; docs/exports.md).

A run that is only slow is never undone by a recovery: the run holds its claim (the
`started_at` it set when it took the job) and every update it makes (progress, done, failed)
is made only while the job is still running under that claim; once a recovery has taken the
claim over, the run stops and records nothing, and the recovery removes only the partial file
of the claim it took over. A queued job whose task still waits in the queue is left alone."""

import contextlib
import datetime as dt
import io
import logging
import os
import secrets
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dangjian.core.access import deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.exporters.base import FORMATS, Exporter
from dangjian.core.exporters.registry import get_exporter
from dangjian.core.models import ExportJob, ExportStatus
from dangjian.core.retention import purge_expired

logger = logging.getLogger(__name__)

DEFAULT_INLINE_MAX_ROWS = 2000
DEFAULT_STALE_MINUTES = 10


def inline_max_rows() -> int:
    """Exports up to this many rows are rendered in the request; larger ones in the background
    (settings.EXPORT_INLINE_MAX_ROWS)."""
    return getattr(settings, "EXPORT_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS)


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


# ---------------------------------------------------------------------------------------------
# Services: start an export, run a job; reads: the user's jobs


@dataclass
class ExportOutcome:
    """Either the file itself (small exports) or the job that will produce it."""

    job: ExportJob | None = None
    content: bytes = b""
    filename: str = ""
    content_type: str = ""


def _audit_export(actor, exporter: Exporter, fmt: str, rows: int, job=None) -> None:
    changes = {"identifier": exporter.identifier, "format": fmt, "rows": rows}
    if job is not None:
        changes["job"] = job.pk
    changes.update(exporter.audit_changes())
    audit(
        actor,
        exporter.audit_action or f"{exporter.identifier}.exported",
        exporter.audit_object(),
        org_path=exporter.scope_path(),
        changes=changes,
    )


def export_start(*, actor, identifier: str, params: dict, fmt: str) -> ExportOutcome:
    """Start an export for `actor`: rendered at once when small (≤ EXPORT_INLINE_MAX_ROWS
    weighted rows), otherwise an `ExportJob` run by the `export_run` task after commit.
    Every export that produces a file writes one audit entry."""
    cls = get_exporter(identifier)
    if not cls.available_to(actor):
        raise deny()
    if fmt not in cls.formats:
        raise AppError("请选择导出格式。", field="fmt")
    exporter = cls(actor, params)
    total = exporter.count()
    if total * cls.cost <= inline_max_rows():
        buffer = io.BytesIO()
        rows = exporter.write(fmt, buffer)
        with transaction.atomic():
            _audit_export(actor, exporter, fmt, rows)
        return ExportOutcome(
            content=buffer.getvalue(),
            filename=exporter.filename(fmt),
            content_type=FORMATS[fmt][1],
        )
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=actor,
            identifier=cls.identifier,
            title=exporter.title()[:200],
            params=exporter.params,
            fmt=fmt,
            org_path=exporter.scope_path(),
            total=total,
            download_name=exporter.filename(fmt)[:255],
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    return ExportOutcome(job=job)


def _enqueue(job_id: int) -> None:
    from dangjian.core.tasks import export_run

    export_run.enqueue(job_id)


class TakenOver(Exception):
    """The run's claim on its job was taken over by `recover_stale_jobs`: the run stops."""


def claim_stamp(started_at: dt.datetime) -> str:
    """The claim of a run in the names of its files: a recovery removes the partial file of
    the claim it took over, never another run's."""
    return started_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Render a queued job into its file (called by the `export_run` task). The exporter is
    built again for the job's owner, so it holds what the owner may see now."""
    job = ExportJob.objects.unscoped().select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return job  # gone, or already taken by another worker
    now = timezone.now()
    taken = (
        ExportJob.objects.unscoped()
        .filter(pk=job.pk, status=ExportStatus.QUEUED)
        .update(status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now)
    )
    if not taken:
        return job  # a second copy of the task (a recovered job queued twice)
    job.status, job.started_at, job.heartbeat_at = ExportStatus.RUNNING, now, now
    # this run's claim: every update below is made only while the job is still this run's
    claim = ExportJob.objects.unscoped().filter(
        pk=job.pk, status=ExportStatus.RUNNING, started_at=now
    )
    folder = export_dir()
    purge_expired(folder)
    name = f"{job.pk}-{claim_stamp(now)}-{secrets.token_hex(4)}.{job.fmt}"
    partial_path = folder / f"{name}.part"

    def progress(done: int, total: int) -> None:
        if not claim.update(done=done, total=total, heartbeat_at=timezone.now()):
            raise TakenOver

    try:
        folder.mkdir(parents=True, exist_ok=True)
        exporter = get_exporter(job.identifier)(job.user, job.params)
        with open(partial_path, "wb") as out:
            rows = exporter.write(job.fmt, out, progress)
        os.replace(partial_path, folder / name)
        with transaction.atomic():
            finished = timezone.now()
            size = (folder / name).stat().st_size
            done = claim.update(
                status=ExportStatus.DONE,
                finished_at=finished,
                heartbeat_at=finished,
                done=rows,
                total=rows,
                file_name=name,
                size=size,
            )
            if not done:
                raise TakenOver
            job.status, job.finished_at, job.heartbeat_at = ExportStatus.DONE, finished, finished
            job.done = job.total = rows
            job.file_name, job.size = name, size
            _audit_export(job.user, exporter, job.fmt, rows, job=job)
    except TakenOver:
        logger.warning("export job %s: taken over by a recovery, this run stops", job.pk)
        partial_path.unlink(missing_ok=True)
        (folder / name).unlink(missing_ok=True)
        job.refresh_from_db()
    except (AppError, Http404) as exc:
        _fail(
            job,
            claim,
            partial_path,
            exc.message if isinstance(exc, AppError) else "导出范围已不可见。",
        )
    except Exception:
        logger.exception("export job %s failed", job.pk)
        (folder / name).unlink(missing_ok=True)  # renamed, but the job could not record it
        _fail(job, claim, partial_path, "导出失败：系统出错，请稍后重试或联系管理员。")
    return job


def _fail(job: ExportJob, claim, partial_path: Path, message: str) -> None:
    """Record the failure, only while the job is still this run's (`claim`); when the
    database connection was lost (the failure may be that very loss), reconnect once and
    record it again. If that fails too the job stays running until `recover_stale_jobs`
    finds it."""
    partial_path.unlink(missing_ok=True)
    finished = timezone.now()
    values = {
        "status": ExportStatus.FAILED,
        "finished_at": finished,
        "heartbeat_at": finished,
        "error": message[:500],
    }
    try:
        recorded = claim.update(**values)
    except (IntegrityError, DataError):
        raise
    except Exception:  # the driver's own error too: a closed cursor may raise it unwrapped
        if connection.in_atomic_block:
            raise
        logger.warning("export job %s: database connection lost, reconnecting", job.pk)
        connection.close()
        recorded = claim.update(**values)
    if recorded:
        for key, value in values.items():
            setattr(job, key, value)
    else:
        logger.warning("export job %s: taken over by a recovery, failure not recorded", job.pk)
        job.refresh_from_db()


def export_job_retry(*, actor, job: ExportJob) -> ExportJob:
    """Run a failed job again for its owner (already access-checked): "重新生成"."""
    with transaction.atomic():
        taken = (
            ExportJob.objects.unscoped()
            .filter(pk=job.pk, user=actor, status=ExportStatus.FAILED)
            .update(
                status=ExportStatus.QUEUED,
                done=0,
                error="",
                file_name="",
                size=0,
                started_at=None,
                finished_at=None,
                heartbeat_at=timezone.now(),
            )
        )
        if not taken:
            raise AppError("该导出当前不能重新生成：它正在生成或已经完成。")
        audit(
            actor,
            "core.export.job.retried",
            job,
            org_path=job.org_path,
            changes={"identifier": job.identifier, "format": job.fmt, "error": job.error},
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    job.refresh_from_db()
    return job


def export_job_downloaded(*, actor, job: ExportJob, ip: str | None = None) -> None:
    """Record the download of a finished job's file (every download is audited)."""
    with transaction.atomic():
        audit(
            actor,
            "core.export.downloaded",
            job,
            org_path=job.org_path,
            changes={
                "identifier": job.identifier,
                "format": job.fmt,
                "rows": job.total,
                "file": job.download_name,
            },
            ip=ip,
        )


# ---------------------------------------------------------------------------------------------
# Jobs left by a stopped worker


def stale_after() -> dt.timedelta:
    """How long a queued or running job may go without a heartbeat before it counts as
    abandoned (settings.JOB_STALE_MINUTES, default 10)."""
    return dt.timedelta(minutes=getattr(settings, "JOB_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def recover_stale_jobs(
    *, job_ids: list[int] | None = None, older_than: dt.timedelta | None = None, wait: bool = True
) -> list[ExportJob]:
    """Queue abandoned jobs again: a running job whose worker stopped (the partial file of
    its claim is removed) and a queued job whose task was lost; a queued job whose task still
    waits in the queue is not abandoned. Audited as `core.export.job.recovered`. `wait=False`
    (a page view): on SQLite, skipped for now when another transaction holds the database."""
    from dangjian.core.tasks import export_run
    from dangjian.members.imports.services import busy, task_waiting, without_waiting

    now = timezone.now()
    cutoff = now - (stale_after() if older_than is None else older_than)
    stale = ExportJob.objects.unscoped().filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
    )
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    recovered = []
    for job in stale.order_by("pk"):
        if job.status == ExportStatus.QUEUED and task_waiting([export_run.module_path], job.pk):
            continue  # only queued: a worker will take it
        try:
            with contextlib.nullcontext() if wait else without_waiting():
                taken = _recover(job, now, export_run.module_path)
        except OperationalError as exc:
            if not busy(exc):
                raise
            logger.info("export job %s: the database is busy, not recovered now", job.pk)
            continue
        if taken:
            recovered.append(job)
    return recovered


def _remove_partial(job_id: int, started_at: dt.datetime) -> None:
    for leftover in export_dir().glob(f"{job_id}-{claim_stamp(started_at)}-*.part"):
        leftover.unlink(missing_ok=True)


def _recover(job: ExportJob, now: dt.datetime, task_path: str) -> bool:
    from dangjian.members.imports.services import fail_lost_task_results

    before = job.status
    fields = {"status": ExportStatus.QUEUED, "done": 0, "started_at": None, "heartbeat_at": now}
    with transaction.atomic():
        still = (
            ExportJob.objects.unscoped()
            .select_for_update(skip_locked=True)
            .filter(
                pk=job.pk, status=before, heartbeat_at=job.heartbeat_at, started_at=job.started_at
            )
        )
        if still.values_list("pk", flat=True).first() is None:
            return False  # alive after all, or another recovery was quicker
        ExportJob.objects.unscoped().filter(pk=job.pk).update(**fields)
        if before == ExportStatus.RUNNING and job.started_at is not None:
            # the claim taken over: its run, if alive, stops at its next update
            transaction.on_commit(partial(_remove_partial, job.pk, job.started_at))
        lost = fail_lost_task_results([task_path], job.pk)
        audit(
            None,
            "core.export.job.recovered",
            job,
            org_path=job.org_path,
            changes={
                "identifier": job.identifier,
                "status": [before, ExportStatus.QUEUED],
                "heartbeat_at": job.heartbeat_at,
                "lost_tasks": lost,
            },
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    for key, value in fields.items():
        setattr(job, key, value)
    logger.warning("export job %s: recovered from %s, queued again", job.pk, before)
    return True


def access_export_job(user, job_id) -> ExportJob:
    """A job of this user; 404 for anyone else's (an owner's file is nobody else's)."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise deny() from None
    if user is None or not user.is_authenticated:
        raise deny()
    job = ExportJob.objects.unscoped().filter(pk=job_id, user=user).first()
    if job is None:
        raise deny()
    return job


def export_jobs_of(user, limit: int = 50) -> list[ExportJob]:
    return list(ExportJob.objects.unscoped().filter(user=user)[:limit])


def export_file(job: ExportJob) -> Path | None:
    """The finished file of a job (already access-checked), or None when it is not there."""
    if job.status != ExportStatus.DONE or not job.file_name:
        return None
    path = export_dir() / Path(job.file_name).name
    return path if path.is_file() else None
