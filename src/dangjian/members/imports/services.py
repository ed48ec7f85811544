"""The import's write paths: start (upload), validate, confirm, write.

`import_start` and `import_confirm` run in the request; `import_validate` and `import_write`
are called by the tasks in members/tasks.py (enqueued on commit, so with the ImmediateBackend
they run right after the request's transaction commits, and with the DatabaseBackend in a
worker). The two task-side services never raise: whatever happens ends in a job status and a
Chinese message, and a failed write leaves nothing written. A lost database connection
(the server restarted, the connection dropped) is such a failure too: the write's transaction
is gone with it, and the job records its outcome over a new connection.

A worker killed in the middle of a task cannot record anything: its job stays in a running
status. The running task beats a heartbeat (`heartbeat_at`) as it goes; `recover_stale_jobs`
(the `dangjian recover_jobs` command, and lazily the job's page) returns a job whose heartbeat
is older than `JOB_STALE_MINUTES` to where it can be retried (docs/roster-import.md).

A job that is only slow is never taken from under its task: the write locks the job's row as
the first statement of its transaction (a recovery skips a locked row, and on SQLite the
writer holds the database's write lock), every status a task records is saved only while the
job is still in the status that task claimed, and a job whose task still waits in the queue
is not abandoned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
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
DEFAULT_STALE_MINUTES = 10
#: the message of a job whose write was interrupted; the job page then offers "重新导入"
INTERRUPTED = "上次导入在后台执行时中断（如服务重启），未写入任何数据。请点击“重新导入”再次导入。"


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
    fields.setdefault("heartbeat_at", timezone.now())
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
    """The heartbeat of a task: its progress, saved only while the job is still in the status
    the task claimed (a recovered job is not the task's any more)."""
    status = job.status

    def report(done: int) -> None:
        ImportJob.objects.unscoped().filter(pk=job.pk, status=status).update(
            processed_rows=done, heartbeat_at=timezone.now()
        )

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
    "heartbeat_at",
]


class TakenOver(Exception):
    """The job is no longer in the status this task claimed (`recover_stale_jobs` gave it
    back, or another run finished it): the task stops and records nothing."""


def _save_if(job: ImportJob, expected: str) -> bool:
    """Save the job's outcome only while it is still `expected`; False when it is not."""
    values = {name: getattr(job, name) for name in FIELDS}
    values["message"] = values["message"][: ImportJob._meta.get_field("message").max_length]
    return bool(ImportJob.objects.unscoped().filter(pk=job.pk, status=expected).update(**values))


def _save_outcome(job: ImportJob, expected: str) -> bool:
    """Save the job's outcome, if the job is still in the status `expected` this task claimed
    (False, and nothing saved, when a recovery or another run has taken it meanwhile). When
    the database connection was lost (the failure being recorded may be that very loss),
    reconnect once and save again. Raises if that fails too: the job then stays in its
    running status until `recover_stale_jobs` finds it."""
    job.heartbeat_at = timezone.now()
    try:
        saved = _save_if(job, expected)
    except (IntegrityError, DataError):
        raise
    except Exception:  # the driver's own error too: a closed cursor may raise it unwrapped
        if connection.in_atomic_block:
            raise
        logger.warning("import job %s: database connection lost, reconnecting", job.pk)
        connection.close()
        saved = _save_if(job, expected)
    if not saved:
        logger.warning("import job %s: no longer %s, outcome not recorded", job.pk, expected)
        job.refresh_from_db()
    return saved


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
    _save_outcome(job, ImportStatus.VALIDATING)
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
    _save_outcome(job, ImportStatus.IMPORTING)


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
            # The first statement: the job's row, locked until the write commits, and still
            # to be written. A recovery skips a locked row (on SQLite this transaction holds
            # the database's write lock), so it cannot take the job from a live write; a job
            # it already took (ready again, perhaps confirmed again and written) is left alone.
            locked = (
                ImportJob.objects.unscoped()
                .select_for_update()
                .filter(pk=job.pk, status=ImportStatus.IMPORTING)
                .values_list("pk", flat=True)
                .first()
            )
            if locked is None:
                raise TakenOver
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
            job.finished_at = job.heartbeat_at = timezone.now()
            if not _save_if(job, ImportStatus.IMPORTING):  # cannot be: the row is locked
                raise TakenOver
    except TakenOver:
        logger.warning("import job %s: taken over before its write, nothing written", job.pk)
        job.refresh_from_db()
        return job
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


# ---------------------------------------------------------------------------------------------
# Jobs left by a stopped worker


def stale_after() -> dt.timedelta:
    """How long a running job may go without a heartbeat before it counts as abandoned
    (settings.JOB_STALE_MINUTES, default 10)."""
    return dt.timedelta(minutes=getattr(settings, "JOB_STALE_MINUTES", DEFAULT_STALE_MINUTES))


class WorkerLost(RuntimeError):
    """Recorded on the task result of a task whose worker stopped while running it."""


def fail_lost_task_results(task_paths: list[str], object_id: int) -> int:
    """Mark the queue's result rows of these tasks for this object that still say "running"
    as failed: their worker is gone (django_tasks_db never finishes them by itself)."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    lost = DBTaskResult.objects.running().filter(
        task_path__in=task_paths, args_kwargs__args__0=object_id
    )
    count = 0
    for result in lost:
        result.set_failed(WorkerLost("后台任务执行中断（执行进程已停止），任务已恢复为可重试。"))
        count += 1
    return count


def task_waiting(task_paths: list[str], object_id: int) -> bool:
    """Whether a task for this object still waits in the queue, not yet taken by a worker
    (django_tasks_db's result row says "ready"): its job is not abandoned, only queued."""
    if not apps.is_installed("django_tasks_db"):
        return False
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path__in=task_paths, args_kwargs__args__0=object_id
    ).exists()


@contextlib.contextmanager
def without_waiting():
    """Within: on SQLite, a statement that needs the database's write lock while another
    connection holds it (a write in progress) fails at once ("database is locked") instead of
    waiting for it. For the recovery attempted when a job's page is viewed: a page never
    waits for a long write. (PostgreSQL needs nothing: the recovery skips locked rows.)"""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def busy(exc: OperationalError) -> bool:
    """Whether the error says another connection holds the lock (SQLite)."""
    return "locked" in str(exc).lower()


def _task_paths() -> list[str]:
    from dangjian.members.tasks import validate_import, write_import

    return [validate_import.module_path, write_import.module_path]


def _queued_task_paths(status: str) -> list[str]:
    """The task a job in this status waits for while it is only queued (none while a worker
    runs one: validating)."""
    from dangjian.members.tasks import validate_import, write_import

    if status == ImportStatus.UPLOADED:
        return [validate_import.module_path]
    if status == ImportStatus.IMPORTING:
        return [write_import.module_path]
    return []


def recover_stale_jobs(
    *, job_ids: list[int] | None = None, older_than: dt.timedelta | None = None, wait: bool = True
) -> list[ImportJob]:
    """Return abandoned jobs to where they can go on: a job whose write was interrupted
    (importing) becomes ready again, for the user to import again; an upload whose validation
    never ended (uploaded, validating) is queued for validation again. Nothing of an
    interrupted write is in the database (one transaction), so no clean-up is needed.
    Audited as `members.import.job.recovered` (no actor: the system does it).

    Not abandoned, and left alone: a job whose task still waits in the queue, and a job whose
    write is in progress (its row is locked: skipped on PostgreSQL; on SQLite the write holds
    the database's write lock, so the recovery is skipped when that lock does not come within
    the busy timeout). `wait=False` (a page view) does not wait for it at all: the recovery is
    skipped for now and tried again at the next view."""
    now = timezone.now()
    cutoff = now - (stale_after() if older_than is None else older_than)
    stale = ImportJob.objects.unscoped().filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status__in=RUNNING,
    )
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    recovered = []
    for job in stale.order_by("pk"):
        if task_waiting(_queued_task_paths(job.status), job.pk):
            continue  # only queued: a worker will take it
        try:
            with contextlib.nullcontext() if wait else without_waiting():
                taken = _recover(job, now)
        except OperationalError as exc:
            if not busy(exc):
                raise
            logger.info("import job %s: a write holds the database, not recovered now", job.pk)
            continue
        if taken:
            recovered.append(job)
    return recovered


def _recover(job: ImportJob, now) -> bool:
    before = job.status
    target = ImportStatus.READY if before == ImportStatus.IMPORTING else ImportStatus.UPLOADED
    fields = {"status": target, "heartbeat_at": now, "processed_rows": 0}
    if target == ImportStatus.READY:
        fields["message"] = INTERRUPTED
    with transaction.atomic():
        still = (
            ImportJob.objects.unscoped()
            .select_for_update(skip_locked=True)  # a live write holds its job's row
            .filter(pk=job.pk, status=before, heartbeat_at=job.heartbeat_at)
        )
        if still.values_list("pk", flat=True).first() is None:
            return False  # the worker is alive after all, or another recovery was quicker
        ImportJob.objects.unscoped().filter(pk=job.pk).update(**fields)
        lost = fail_lost_task_results(_task_paths(), job.pk)
        audit(
            None,
            "members.import.job.recovered",
            job,
            org_path=job.org_path,
            changes={
                "file": job.original_name,
                "status": [before, target],
                "heartbeat_at": job.heartbeat_at,
                "lost_tasks": lost,
            },
        )
        if target == ImportStatus.UPLOADED:
            transaction.on_commit(partial(_enqueue_validation, job.pk))
    for key, value in fields.items():
        setattr(job, key, value)
    logger.warning("import job %s: recovered from %s to %s", job.pk, before, target)
    return True
