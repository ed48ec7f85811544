"""Starting an export and running the large ones in the background.

`export_start` renders a small export in the request and returns the file; a large one
becomes an `ExportJob`, enqueued on commit for the `export_run` task (core/tasks.py), which
calls `export_job_run`. Only the job's owner sees it (`access_export_job`)."""

import io
import logging
import os
import secrets
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
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


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Render a queued job into its file (called by the `export_run` task). The exporter is
    built again for the job's owner, so it holds what the owner may see now."""
    job = ExportJob.objects.unscoped().select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return job  # gone, or already taken by another worker
    job.status, job.started_at = ExportStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    folder = export_dir()
    purge_expired(folder)
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.fmt}"
    partial_path = folder / f"{name}.part"

    def progress(done: int, total: int) -> None:
        ExportJob.objects.unscoped().filter(pk=job.pk).update(done=done, total=total)

    try:
        folder.mkdir(parents=True, exist_ok=True)
        exporter = get_exporter(job.identifier)(job.user, job.params)
        with open(partial_path, "wb") as out:
            rows = exporter.write(job.fmt, out, progress)
        os.replace(partial_path, folder / name)
        with transaction.atomic():
            job.status, job.finished_at = ExportStatus.DONE, timezone.now()
            job.done = job.total = rows
            job.file_name, job.size = name, (folder / name).stat().st_size
            job.save(update_fields=["status", "finished_at", "done", "total", "file_name", "size"])
            _audit_export(job.user, exporter, job.fmt, rows, job=job)
    except (AppError, Http404) as exc:
        _fail(job, partial_path, exc.message if isinstance(exc, AppError) else "导出范围已不可见。")
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _fail(job, partial_path, "导出失败：系统出错，请稍后重试或联系管理员。")
    return job


def _fail(job: ExportJob, partial_path: Path, message: str) -> None:
    partial_path.unlink(missing_ok=True)
    job.status, job.finished_at, job.error = ExportStatus.FAILED, timezone.now(), message[:500]
    job.save(update_fields=["status", "finished_at", "error"])


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
