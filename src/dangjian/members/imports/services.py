"""The import's write paths: start (upload), validate, confirm, write.

`import_start` and `import_confirm` run in the request; `import_validate` and `import_write`
are called by the tasks in members/tasks.py (enqueued on commit, so with the ImmediateBackend
they run right after the request's transaction commits, and with the DatabaseBackend in a
worker). The two task-side services never raise: whatever happens ends in a job status and a
Chinese message, and a failed write leaves nothing written.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.imports import files
from dangjian.members.imports.checking import Outcome, check_file
from dangjian.members.imports.writing import write_rows
from dangjian.members.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

RUNNING = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def _require(actor, path: str) -> None:
    if actor is not None and not can(actor, Cap.MEMBER_MANAGE, path):
        raise deny()


def import_start(*, actor, org, uploaded_file) -> ImportJob:
    """Accept a roster file for `org`'s subtree: refuse what is not a workable .xlsx before
    reading a cell (name, size, archive, zip bomb, row count), keep it under
    DATA_DIR/imports with a random name, create the job and enqueue its validation."""
    _require(actor, org.path)
    if not org.is_active:
        raise AppError("导入范围：该组织已撤销。", field="org")
    name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1][:255]
    files.check_upload(name, uploaded_file.size)
    stored = files.store(uploaded_file)
    try:
        with files.opened(stored) as path:
            facts = files.inspect(path)
        files.check_rows(facts)
        with transaction.atomic():
            job = ImportJob.objects.create(
                org=org,
                org_path=org.path,
                created_by=actor if getattr(actor, "pk", None) else None,
                original_name=name,
                stored_name=stored,
                size=uploaded_file.size,
                total_rows=max(facts.rows - 1, 0),
            )
            audit(
                actor,
                "members.import.uploaded",
                job,
                org_path=org.path,
                changes={"file": name, "size": uploaded_file.size, "org": org.pk},
            )
            transaction.on_commit(partial(_enqueue_validation, job.pk))
    except BaseException:
        files.remove(stored)
        raise
    return job


def _enqueue_validation(job_id: int) -> None:
    from dangjian.members.tasks import validate_import

    validate_import.enqueue(job_id)


def _enqueue_write(job_id: int, actor_id: int | None) -> None:
    from dangjian.members.tasks import write_import

    write_import.enqueue(job_id, actor_id)


def _job(job_id: int) -> ImportJob | None:
    return (
        ImportJob.objects.unscoped().select_related("org", "created_by").filter(pk=job_id).first()
    )


def _claim(job: ImportJob, source: str, target: str, **fields) -> bool:
    """Move the job from one status to the next unless someone else already did."""
    taken = (
        ImportJob.objects.unscoped()
        .filter(pk=job.pk, status=source)
        .update(status=target, **fields)
    )
    if taken:
        job.status = target
        for key, value in fields.items():
            setattr(job, key, value)
    return bool(taken)


def _progress(job: ImportJob):
    def report(done: int) -> None:
        ImportJob.objects.unscoped().filter(pk=job.pk).update(processed_rows=done)

    return report


def _store_outcome(job: ImportJob, outcome: Outcome) -> None:
    job.total_rows = outcome.total_rows or job.total_rows
    job.processed_rows = outcome.total_rows
    job.error_count = outcome.error_count
    job.errors = outcome.errors
    job.new_count = outcome.new_count
    job.existing_count = outcome.existing_count


FIELDS = [
    "status",
    "total_rows",
    "processed_rows",
    "new_count",
    "existing_count",
    "created_count",
    "updated_count",
    "error_count",
    "errors",
    "message",
    "finished_at",
]


def import_validate(*, job_id: int) -> ImportJob | None:
    """Validate the whole file of an uploaded job: status → invalid (with the report) or
    ready (with the counts of new and existing members). Writes no member."""
    job = _job(job_id)
    if job is None or not _claim(job, ImportStatus.UPLOADED, ImportStatus.VALIDATING):
        return job  # gone, or already taken by another worker
    try:
        outcome = check_file(
            job, actor=job.created_by, today=timezone.localdate(), progress=_progress(job)
        )
        _store_outcome(job, outcome)
        if outcome.ok:
            job.status = ImportStatus.READY
            job.message = (
                f"校验通过：共{outcome.total_rows}行，新增党员{job.new_count}人"
                + (f"，系统中已有{job.existing_count}人" if job.existing_count else "")
                + "。"
            )
        else:
            job.status = ImportStatus.INVALID
            job.message = (
                outcome.message or f"校验未通过：发现{outcome.error_count}处问题，未导入任何数据。"
            )
            if outcome.message:
                files.remove(job.stored_name)  # nothing in it can be reported cell by cell
    except Exception:
        logger.exception("import job %s: validation failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = "校验时系统出错，未导入任何数据。请重新上传；如仍失败，请联系系统管理员。"
    job.finished_at = timezone.now() if job.status != ImportStatus.READY else None
    job.save(update_fields=FIELDS)
    return job


@transaction.atomic
def import_confirm(*, actor, job: ImportJob, update_existing: bool = False) -> ImportJob:
    """The user confirms a validated file: the write is enqueued. Members already in the
    system are updated only when `update_existing` is chosen."""
    _require(actor, job.org_path)
    if not _claim(
        job,
        ImportStatus.READY,
        ImportStatus.IMPORTING,
        update_existing=bool(update_existing and job.existing_count),
        processed_rows=0,
    ):
        raise AppError("该导入当前不能确认：它已在导入、已完成或未通过校验。")
    audit(
        actor,
        "members.import.confirmed",
        job,
        org_path=job.org_path,
        changes={"file": job.original_name, "update_existing": job.update_existing},
    )
    transaction.on_commit(partial(_enqueue_write, job.pk, getattr(actor, "pk", None)))
    return job


def _fail(job: ImportJob, message: str, outcome: Outcome | None = None) -> None:
    if outcome is not None:
        _store_outcome(job, outcome)
    job.status = ImportStatus.FAILED
    job.message = message[:500]
    job.created_count = job.updated_count = 0
    job.finished_at = timezone.now()
    job.save(update_fields=FIELDS)


def import_write(*, job_id: int, actor_id: int | None) -> ImportJob | None:
    """Re-validate the file against the database as it is now, then write every row in one
    transaction (members, their history, audit entries, the job's counts), or nothing."""
    from dangjian.accounts.models import User

    job = _job(job_id)
    if job is None or job.status != ImportStatus.IMPORTING:
        return job
    actor = User.objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    if actor_id and (actor is None or not can(actor, Cap.MEMBER_MANAGE, job.org_path)):
        _fail(job, "确认导入的用户已无权管理该范围的党员，未写入任何数据。")
        return job
    try:
        outcome = check_file(job, actor=actor, today=timezone.localdate(), progress=_progress(job))
        if not outcome.ok:
            _fail(
                job,
                (outcome.message or f"校验通过后数据发生了变化，发现{outcome.error_count}处问题")
                + "；未写入任何数据，请按问题修改后重新上传。",
                outcome,
            )
            return job
        if (outcome.new_count, outcome.existing_count) != (job.new_count, job.existing_count):
            # what the user confirmed is no longer what would be written
            _fail(
                job,
                f"校验通过后系统中的党员发生了变化（新增{job.new_count}人变为{outcome.new_count}人，"
                f"已有{job.existing_count}人变为{outcome.existing_count}人），未写入任何数据，"
                "请重新上传校验后再确认。",
            )
            return job
        with transaction.atomic():
            written = write_rows(
                actor=actor, job=job, rows=outcome.rows, update_existing=job.update_existing
            )
            _store_outcome(job, outcome)
            job.status = ImportStatus.DONE
            job.created_count = written.created
            job.updated_count = written.updated
            parts = [f"新增党员{written.created}人"]
            if written.updated or written.unchanged:
                parts.append(f"更新{written.updated}人")
            if written.unchanged:
                parts.append(f"{written.unchanged}人信息无变化")
            if written.skipped:
                parts.append(f"系统中已有的{written.skipped}人未更新")
            job.message = "导入完成：" + "，".join(parts) + "。"
            job.finished_at = timezone.now()
            job.save(update_fields=FIELDS)
    except AppError as exc:
        _fail(job, exc.message)
        return job
    except IntegrityError:
        logger.warning("import job %s: conflict while writing", job.pk, exc_info=True)
        _fail(
            job,
            "写入时与其他操作冲突（可能同时登记了相同公民身份号码的党员），未写入任何数据，请重新上传校验。",
        )
        return job
    except Exception:
        logger.exception("import job %s: write failed", job.pk)
        _fail(job, "导入时系统出错，未写入任何数据。请稍后重新上传；如仍失败，请联系系统管理员。")
        return job
    files.remove(job.stored_name)  # written: the clear-text copy is no longer needed
    return job
