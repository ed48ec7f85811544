"""Fault injection (issue #4 item 6): the database connection dropped for real in the middle of
a multi-row write leaves no partial data and the write succeeds when tried again; a job left
running by a stopped worker is found by its old heartbeat and made retryable; every download
of an export job's file is audited.

The drop tests use `tests.faults.drop_connection_after` and therefore `transactional_db`
(a real drop destroys the transaction the `db` fixture wraps each test in). The worker killed
with SIGKILL is in test_worker_kill.py.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone
from tests.faults import drop_connection_after
from tests.members.test_import_support import roster_row, write_xlsx

from dangjian.core.exporters import export_dir, export_start
from dangjian.core.exporters.jobs import claim_stamp
from dangjian.core.exporters.jobs import recover_stale_jobs as recover_exports
from dangjian.core.models import AuditEntry, ExportJob, ExportStatus
from dangjian.members import transfers
from dangjian.members.imports import import_confirm, import_start
from dangjian.members.imports.services import INTERRUPTED
from dangjian.members.imports.services import recover_stale_jobs as recover_imports
from dangjian.members.models import (
    ImportJob,
    ImportStatus,
    Member,
    MemberChange,
    Transfer,
    TransferStatus,
)
from dangjian.members.services import member_update

TODAY = timezone.localdate()
#: what a statement on a dropped connection raises: Django's error, or on SQLite the driver's
#: own when Django closes the cursor of the closed connection after the failed statement
DB_ERRORS = (DatabaseError, sqlite3.Error)
FAILED_WRITE = "导入时系统出错，未写入任何数据。请稍后重新上传；如仍失败，请联系系统管理员。"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文"


def _names(n: int) -> list[str]:
    return [
        SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[i % 7]
        for i in range(n)
    ]


def _roster(tmp_path: Path, n: int, name="roster.xlsx") -> Path:
    rows = [
        roster_row(person, "第一党支部" if i % 2 else "第二党支部", born=1970 + i % 30)
        for i, person in enumerate(_names(n))
    ]
    return write_xlsx(tmp_path / name, rows)


def _upload(actor, org, path: Path) -> ImportJob:
    """Upload through the service; with the ImmediateBackend the validation runs at commit."""
    job = import_start(
        actor=actor, org=org, uploaded_file=SimpleUploadedFile(path.name, path.read_bytes())
    )
    job.refresh_from_db()
    return job


def _writes_of_import(job: ImportJob) -> tuple[int, int, int]:
    """Members, their history rows and audit entries an import job has written."""
    imported = AuditEntry.objects.filter(
        action="members.member.imported", changes__import_job=job.pk
    ).count()
    completed = AuditEntry.objects.filter(
        action="members.import.completed", object_id=str(job.pk)
    ).count()
    return (
        Member.objects.unscoped().filter(name__in=_names(job.total_rows)).count(),
        MemberChange.objects.unscoped().filter(reason__contains=job.original_name).count(),
        imported + completed,
    )


# ---------------------------------------------------------------------------------------------
# The connection dropped in the middle of the roster write


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("rows", "passed", "before"),
    [
        # 600 rows are inserted in two batches of 500: the second batch meets the drop
        (600, 1, 'INSERT INTO "members_member"'),
        # every member row is written; the drop comes before their audit entries
        (4, 1, 'INSERT INTO "core_auditentry"'),  # the one passed: the confirmation's entry
    ],
    ids=["between-member-batches", "before-the-audit-entries"],
)
def test_a_connection_dropped_in_the_import_write_leaves_nothing(
    tree, personas, tmp_path, rows, passed, before
):
    admin = personas.unit_admin
    path = _roster(tmp_path, rows)
    job = _upload(admin, tree.party_group_a, path)
    assert job.status == ImportStatus.READY, job.errors
    members_before = Member.objects.unscoped().count()

    with drop_connection_after(passed, match=before) as fault:
        import_confirm(actor=admin, job=job)  # the write task runs at commit
    assert fault.dropped and fault.dropped_before.startswith(before)
    if rows > 500:  # the first batch had gone to the database before the drop
        assert sum(s.startswith('INSERT INTO "members_member"') for s in fault.statements) == 2

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert (
        job.message
        == "导入时系统出错，未写入任何数据。请稍后重新上传；如仍失败，请联系系统管理员。"
    )
    assert (job.created_count, job.updated_count) == (0, 0)
    assert Member.objects.unscoped().count() == members_before
    assert _writes_of_import(job) == (0, 0, 0)

    # the same file, uploaded again, imports in full
    again = _upload(admin, tree.party_group_a, path)
    assert again.status == ImportStatus.READY
    import_confirm(actor=admin, job=again)
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE, again.message
    assert again.created_count == rows
    assert Member.objects.unscoped().count() == members_before + rows
    assert (
        AuditEntry.objects.filter(
            action="members.member.imported", changes__import_job=again.pk
        ).count()
        == rows
    )


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_the_write_revalidates_fails_the_job_cleanly(
    tree, personas, tmp_path
):
    """Dropped outside any transaction (a progress update): the job still records its failure
    over a new connection."""
    admin = personas.unit_admin
    job = _upload(admin, tree.party_group_a, _roster(tmp_path, 3))
    with drop_connection_after(0, match='FROM "members_member"') as fault:
        import_confirm(actor=admin, job=job)
    assert fault.dropped
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "未写入任何数据" in job.message
    assert _writes_of_import(job) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# The connection dropped in other multi-row writes: a transfer accepted, a member updated


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_in_a_transfer_acceptance_leaves_nothing(tree, personas):
    """transfer_accept moves the member (member row, history row), then closes the transfer
    and writes the audit entry: dropped after the move, none of it stays."""
    member = tree.members_a[2]
    transfer = transfers.transfer_start(
        actor=personas.secretary_a, member=member, on=TODAY, reason="工作调动", to_org=tree.branch_b
    )
    history = MemberChange.objects.unscoped().filter(member=member).count()
    audits = AuditEntry.objects.count()

    dropped = drop_connection_after(0, match='UPDATE "members_transfer"')
    with dropped as fault, pytest.raises(DB_ERRORS):
        transfers.transfer_accept(actor=personas.secretary_b, transfer=transfer, on=TODAY)
    assert fault.dropped
    assert any(s.startswith('UPDATE "members_member"') for s in fault.statements)  # had moved

    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.branch_id == tree.branch_a.pk and member.org_path == tree.branch_a.path
    assert transfer.status == TransferStatus.PENDING
    assert MemberChange.objects.unscoped().filter(member=member).count() == history
    assert AuditEntry.objects.count() == audits

    accepted = transfers.transfer_accept(actor=personas.secretary_b, transfer=transfer, on=TODAY)
    member.refresh_from_db()
    assert accepted.status == TransferStatus.ACCEPTED and member.branch_id == tree.branch_b.pk
    assert MemberChange.objects.unscoped().filter(member=member).count() == history + 1
    assert AuditEntry.objects.filter(action="members.transfer.accepted").count() == 1
    assert Transfer.all_objects.filter(status=TransferStatus.PENDING).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_in_a_member_update_leaves_nothing(tree, personas):
    """member_update writes the member, its history (category, standing) and the audit entry:
    dropped before the audit entry, neither the member nor the history changes."""
    member = tree.members_a[4]  # probationary
    history = MemberChange.objects.unscoped().filter(member=member).count()
    audits = AuditEntry.objects.count()
    change = {"category": "full", "converted_on": TODAY, "unit_post": "副科长"}

    dropped = drop_connection_after(0, match='INSERT INTO "core_auditentry"')
    with dropped as fault, pytest.raises(DB_ERRORS):
        member_update(actor=personas.secretary_a, member=member, **change)
    assert fault.dropped
    assert any(s.startswith('INSERT INTO "members_memberchange"') for s in fault.statements)

    member.refresh_from_db()
    assert (member.category, member.converted_on, member.unit_post) == ("probationary", None, "")
    assert MemberChange.objects.unscoped().filter(member=member).count() == history
    assert AuditEntry.objects.count() == audits

    member_update(actor=personas.secretary_a, member=member, **change)
    member.refresh_from_db()
    assert (member.category, member.unit_post) == ("full", "副科长")
    assert MemberChange.objects.unscoped().filter(member=member).count() == history + 1
    assert AuditEntry.objects.filter(action="members.member.updated").count() == 1


# ---------------------------------------------------------------------------------------------
# The connection dropped while an export job renders


def _files_of(job: ExportJob) -> list[str]:
    folder = export_dir()
    return sorted(p.name for p in folder.glob(f"{job.pk}-*")) if folder.is_dir() else []


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_an_export_renders_fails_it_and_it_can_run_again(
    tree, personas, settings, client, tmp_path
):
    settings.EXPORT_INLINE_MAX_ROWS = 3  # the roster (10 members) becomes a job
    settings.DATA_DIR = tmp_path  # an exports folder of its own
    admin = personas.unit_admin
    # the last progress report comes while the file is still being written
    with drop_connection_after(0, match='UPDATE "core_exportjob" SET "done"') as fault:
        outcome = export_start(actor=admin, identifier="members.roster", params={}, fmt="xlsx")
    assert fault.dropped
    job = outcome.job
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "导出失败：系统出错，请稍后重试或联系管理员。"
    assert _files_of(job) == [] and not job.file_name  # no half-written file is left
    assert not AuditEntry.objects.filter(action="members.roster.exported").exists()

    client.force_login(admin)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'data-testid="export-retry"' in page and "重新生成" in page
    response = client.post(f"/exports/{job.pk}/")  # 重新生成 (the task runs at commit)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.total == 8  # what 甲局 sees
    assert _files_of(job) == [job.file_name]
    assert AuditEntry.objects.filter(action="core.export.job.retried", object_id=str(job.pk))
    assert AuditEntry.objects.filter(action="members.roster.exported").count() == 1
    # a finished job is not run again
    response = client.post(f"/exports/{job.pk}/", HTTP_REFERER=f"/exports/{job.pk}/")
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown[-1] == "该导出当前不能重新生成：它正在生成或已经完成。"


# ---------------------------------------------------------------------------------------------
# Stale jobs (a stopped worker): recovered by the command and when the job page is viewed


def _age(model, job, minutes: int) -> None:
    then = timezone.now() - dt.timedelta(minutes=minutes)
    model.objects.unscoped().filter(pk=job.pk).update(heartbeat_at=then)


@pytest.mark.django_db
def test_an_interrupted_import_write_is_offered_again_on_its_page(
    tree, personas, tmp_path, client, django_capture_on_commit_callbacks
):
    admin = personas.unit_admin
    with django_capture_on_commit_callbacks(execute=True):
        job = _upload(admin, tree.party_group_a, _roster(tmp_path, 3))
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    # confirmed, but the worker that took the write stopped: no callbacks run
    import_confirm(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING and job.heartbeat_at is not None

    assert recover_imports() == []  # a fresh heartbeat: someone is working on it
    client.force_login(admin)
    assert "重新导入" not in client.get(f"/members/import/{job.pk}/").content.decode()

    _age(ImportJob, job, 11)
    page = client.get(f"/members/import/{job.pk}/").content.decode()  # recovered lazily
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.message == INTERRUPTED
    assert "重新导入" in page and 'data-testid="confirm-import"' in page
    entry = AuditEntry.objects.get(action="members.import.job.recovered")
    assert entry.object_id == str(job.pk) and entry.changes["status"] == ["importing", "ready"]
    assert entry.actor is None and entry.org_path == job.org_path

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/members/import/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 3


@pytest.mark.django_db
def test_an_interrupted_validation_is_queued_again_by_the_command(
    tree, personas, tmp_path, django_capture_on_commit_callbacks, capsys
):
    job = _upload(personas.unit_admin, tree.party_group_a, _roster(tmp_path, 2))
    assert job.status == ImportStatus.UPLOADED  # the test's transaction holds the task back
    ImportJob.objects.unscoped().filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    _age(ImportJob, job, 30)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_jobs")
    job.refresh_from_db()
    assert job.status == ImportStatus.READY  # validated again
    assert "已恢复导入任务1个、导出任务0个" in capsys.readouterr().out
    changes = AuditEntry.objects.get(action="members.import.job.recovered").changes
    assert changes["status"] == ["validating", "uploaded"]


# db_worker closes the connection when done: a real transaction, not the test's wrapping one
@pytest.mark.django_db(transaction=True)
def test_a_stale_export_is_queued_again_and_its_lost_task_result_marked_failed(
    tree, personas, settings, client, django_capture_on_commit_callbacks, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    settings.EXPORT_INLINE_MAX_ROWS = 3
    settings.DATA_DIR = tmp_path  # an exports folder of its own
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = personas.unit_admin
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(actor=admin, identifier="members.roster", params={}, fmt="csv").job
    # a worker takes the task and starts the job, then dies
    result = DBTaskResult.objects.get()
    result.claim("worker-that-died")
    claimed = timezone.now()
    ExportJob.objects.unscoped().filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=claimed
    )
    export_dir().mkdir(parents=True, exist_ok=True)
    leftover = export_dir() / f"{job.pk}-{claim_stamp(claimed)}-01234567.csv.part"
    leftover.write_bytes(b"half")
    # another claim's partial file (a later run of the same job) is not the recovery's to remove
    other = (
        export_dir()
        / f"{job.pk}-{claim_stamp(claimed + dt.timedelta(seconds=1))}-89abcdef.csv.part"
    )
    other.write_bytes(b"other")
    _age(ExportJob, job, 11)

    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/exports/{job.pk}/progress/").status_code == 200
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED and not leftover.exists() and other.exists()
    other.unlink()
    result.refresh_from_db()
    assert result.status == "FAILED"
    assert result.exception_class_path.endswith("WorkerLost")
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # queued again
    entry = AuditEntry.objects.get(action="core.export.job.recovered")
    assert entry.changes["status"] == ["running", "queued"] and entry.changes["lost_tasks"] == 1
    assert recover_exports() == []  # given back once; the new heartbeat is fresh

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and _files_of(job) == [job.file_name]


# ---------------------------------------------------------------------------------------------
# A job that is slow but alive is not recovered from under its task; a queued one is left alone


def _recovered(action="members.import.job.recovered") -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.mark.django_db(transaction=True)
def test_a_recovery_while_the_import_writes_leaves_the_job_to_the_write(
    tree, personas, tmp_path, client, settings
):
    """The write task is paused inside its transaction (after its first members are
    inserted) while the job's page is polled with every job counting as stale: the recovery
    the page attempts neither takes the job (on PostgreSQL its row is locked: skipped; on
    SQLite the write holds the database: skipped at once) nor fails the page; the write then
    finishes. Before the fix the job was given back from under the write (PostgreSQL) or the
    page answered 500 ("database is locked", SQLite)."""
    admin = personas.unit_admin
    job = _upload(admin, tree.party_group_a, _roster(tmp_path, 4))
    assert job.status == ImportStatus.READY
    settings.JOB_STALE_MINUTES = 0  # any heartbeat older than now is stale
    if connection.vendor == "sqlite":
        # SQLite has one writer at a time: every request saves its session (the idle timeout),
        # which must wait for the write, as any write does; this test is about the recovery
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    client.force_login(admin)

    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def pause_in_the_write(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "members_member"') and not inside.is_set():
            inside.set()
            release.wait(timeout=60)
        return result

    def confirm_and_write():  # another connection: the worker's
        try:
            with connection.execute_wrapper(pause_in_the_write):
                import_confirm(actor=admin, job=ImportJob.objects.unscoped().get(pk=job.pk))
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
            inside.set()
        finally:
            connection.close()

    writer = threading.Thread(target=confirm_and_write)
    writer.start()
    try:
        assert inside.wait(timeout=60) and not failures, failures
        for url in (f"/members/import/{job.pk}/progress/", f"/members/import/{job.pk}/"):
            response = client.get(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, url
        status = ImportJob.objects.unscoped().values_list("status", flat=True).get(pk=job.pk)
        assert status == ImportStatus.IMPORTING
    finally:
        release.set()
        writer.join(timeout=60)
    assert not failures, failures
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 4, job.message
    assert _recovered() == 0
    assert _writes_of_import(job)[0] == 4


@pytest.mark.django_db(transaction=True)
def test_a_write_whose_job_was_recovered_meanwhile_writes_nothing_and_records_nothing(
    tree, personas, tmp_path
):
    """The write task is still re-validating when a recovery gives the job back (ready, 重新导入):
    the write finds its job taken as its transaction starts and stops; it neither writes nor
    overwrites the recovered status; the user's second confirmation imports the file."""
    admin = personas.unit_admin
    job = _upload(admin, tree.party_group_a, _roster(tmp_path, 3))
    assert job.status == ImportStatus.READY
    fired = []

    def recover_during_revalidation(execute, sql, params, many, context):
        if sql.startswith('UPDATE "members_importjob" SET "processed_rows"') and not fired:
            fired.append(sql)
            assert recover_imports(job_ids=[job.pk], older_than=dt.timedelta(0))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recover_during_revalidation):
        import_confirm(actor=admin, job=job)  # the write task runs at commit
    assert fired
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.message == INTERRUPTED
    assert (job.processed_rows, job.created_count) == (0, 0)
    assert _writes_of_import(job) == (0, 0, 0)
    assert _recovered() == 1

    import_confirm(actor=admin, job=job)  # 重新导入: the kept file is written
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 3, job.message


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("when", ["before", "after"])
def test_an_export_recovered_from_under_its_run_does_not_undo_the_next_run(
    tree, personas, settings, tmp_path, when
):
    """A recovery takes the claim of a live export run at its progress report (the run was
    only slow) and the job is rendered again by a second run, here at once. The first run
    then stops: `before` its report, which no longer matches its claim; `after` it, when its
    partial file (removed by the recovery) cannot be renamed. Either way it records nothing:
    the second run's file and "done" stay. Before the fix the first run wrote "failed" over
    them."""
    settings.EXPORT_INLINE_MAX_ROWS = 3  # the roster (10 members) becomes a job
    settings.DATA_DIR = tmp_path  # an exports folder of its own
    admin = personas.unit_admin
    fired = []

    def recover_at_the_first_report(execute, sql, params, many, context):
        first = sql.startswith('UPDATE "core_exportjob" SET "done"') and not fired
        if first:
            fired.append(sql)
            if when == "before":
                assert recover_exports(older_than=dt.timedelta(0))
        result = execute(sql, params, many, context)
        if first and when == "after":
            assert recover_exports(older_than=dt.timedelta(0))
        return result

    with connection.execute_wrapper(recover_at_the_first_report):
        job = export_start(actor=admin, identifier="members.roster", params={}, fmt="csv").job
    assert fired
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.error == "" and job.total == 8
    assert _files_of(job) == [job.file_name]  # the second run's; nothing of the first
    assert AuditEntry.objects.filter(action="members.roster.exported").count() == 1
    assert _recovered("core.export.job.recovered") == 1


@pytest.mark.django_db
def test_jobs_waiting_in_the_queue_are_not_queued_again(
    tree, personas, tmp_path, settings, client, django_capture_on_commit_callbacks
):
    """Jobs whose task is still in the queue (no worker has taken it yet) are not abandoned,
    however long they wait: the page's polling neither queues them again nor audits a
    recovery. Once a worker took the task and died, they are recovered."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_INLINE_MAX_ROWS = 3
    settings.DATA_DIR = tmp_path
    admin = personas.unit_admin
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(admin, tree.party_group_a, _roster(tmp_path, 2))
        export = export_start(actor=admin, identifier="members.roster", params={}, fmt="csv").job
    assert upload.status == ImportStatus.UPLOADED
    # a confirmed write waiting for a worker: the job says "importing" from the confirmation on
    confirmed = ImportJob.objects.unscoped().create(
        org=tree.party_group_a,
        org_path=tree.party_group_a.path,
        created_by=admin,
        original_name="waiting.xlsx",
        stored_name="waiting.xlsx",
        status=ImportStatus.READY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(actor=admin, job=confirmed)
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    for model, job in ((ImportJob, upload), (ImportJob, confirmed), (ExportJob, export)):
        _age(model, job, 60)

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            for url in (
                f"/members/import/{upload.pk}/progress/",
                f"/members/import/{confirmed.pk}/progress/",
                f"/exports/{export.pk}/progress/",
            ):
                assert client.get(url).status_code == 200
            assert recover_imports() == [] and recover_exports() == []
    assert DBTaskResult.objects.count() == 3
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    assert _recovered() == _recovered("core.export.job.recovered") == 0
    statuses = [ImportJob.objects.unscoped().get(pk=j.pk).status for j in (upload, confirmed)]
    assert statuses == [ImportStatus.UPLOADED, ImportStatus.IMPORTING]

    # a worker takes the tasks and dies: now they are abandoned
    for result in DBTaskResult.objects.all():
        result.claim("worker-that-died")
    assert [j.pk for j in recover_imports()] == sorted([upload.pk, confirmed.pk])
    assert [j.pk for j in recover_exports()] == [export.pk]
    assert _recovered() == 2 and _recovered("core.export.job.recovered") == 1


# ---------------------------------------------------------------------------------------------
# Every download of an export job's file is audited


@pytest.mark.django_db
def test_downloading_an_export_jobs_file_is_audited(
    tree, personas, settings, client, django_capture_on_commit_callbacks, tmp_path
):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    settings.DATA_DIR = tmp_path  # an exports folder of its own
    admin = personas.unit_admin
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(actor=admin, identifier="members.roster", params={}, fmt="csv").job
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    client.force_login(admin)
    for _ in range(2):
        response = client.get(f"/exports/{job.pk}/download/", REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    entries = AuditEntry.objects.filter(action="core.export.downloaded", object_id=str(job.pk))
    assert entries.count() == 2  # every download, not only the first
    entry = entries.first()
    assert entry.actor == admin and entry.ip == "10.1.2.3" and entry.org_path == job.org_path
    assert entry.changes == {
        "identifier": "members.roster",
        "format": "csv",
        "rows": 8,
        "file": job.download_name,
    }
    # someone else's job: 404 and no entry
    client.force_login(personas.committee_admin)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert entries.count() == 2
