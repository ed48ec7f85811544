"""A real worker killed in the middle of a roster write (issue #4 item 6): the task is
retryable, not lost, and nothing of the interrupted write is in the database.

Everything the worker touches runs in real subprocesses (`python -m django …` with the test
settings and the database task backend), because a worker must share the database with the
test and SIGKILL must hit a real process:

- on SQLite the test database is in memory, which no other process can open; the
  subprocesses use a SQLite file of their own in the test's temporary folder (created with
  `migrate`), and the test reads that file directly;
- on PostgreSQL they use the test database itself (pytest-django created and migrated it; the
  test is transactional, so its rows are committed and flushed afterwards).

The steps: a subprocess builds a small tree and uploads, validates and confirms a roster of a
few thousand rows (the write task is queued); worker 1 takes it and is killed with SIGKILL
at one of two points: while it re-validates the file, or inside the write's transaction
(rows already inserted, not committed); `dangjian recover_jobs` gives the job back (ready
again, its lost task result marked failed, audited); the user confirms again; worker 2
writes it all.

How the test knows the worker is inside the write's transaction: the re-validation has
reported every row, and then
- on PostgreSQL, another backend holds the row lock of an INSERT on the members table
  (pg_locks: RowExclusiveLock on members_member);
- on SQLite, the database's write lock is held (a `BEGIN IMMEDIATE` of the test is refused
  at once): after the last progress report the worker writes nothing but that transaction.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROWS = 3000
REPO = Path(__file__).resolve().parents[2]
WRITE_TASK = "dangjian.members.tasks.write_import"
RESULTS = "django_tasks_database_dbtaskresult"  # django_tasks_db's DBTaskResult

pytestmark = pytest.mark.django_db(transaction=True)


# ---------------------------------------------------------------------------------------------
# What the subprocesses run (they import this module after django.setup())


def child_setup(rows: int, folder: str) -> None:
    """Build a small tree and an admin, upload and validate a roster of `rows` rows and
    confirm it: the write task waits in the queue. Prints the job's id."""
    from tests.conftest import PASSWORD
    from tests.core.test_fault_injection import _roster

    from dangjian.accounts.models import RoleGrant, User
    from dangjian.members.imports import import_confirm, import_start, import_validate
    from dangjian.members.models import ImportJob
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    create = org_services.org_create
    root = create(actor=None, parent=None, name="测试工委", kind="working_committee")
    unit = Unit.objects.create(name="甲局", short_name="甲局", sort=1)
    group = create(actor=None, parent=root, name="甲局党组", kind="party_group", unit=unit)
    organ = create(actor=None, parent=group, name="甲局机关党委", kind="organ_committee")
    create(actor=None, parent=organ, name="第一党支部", kind="branch")
    create(actor=None, parent=organ, name="第二党支部", kind="branch")
    admin = User.objects.create_user(username="unit_admin", password=PASSWORD)
    RoleGrant.objects.create(user=admin, org=group, role="unit_admin")

    from django.core.files.uploadedfile import SimpleUploadedFile

    path = _roster(Path(folder), rows)
    job = import_start(
        actor=admin, org=group, uploaded_file=SimpleUploadedFile(path.name, path.read_bytes())
    )
    import_validate(job_id=job.pk)  # here, not by a worker: the test is about the write
    job = ImportJob.objects.unscoped().get(pk=job.pk)
    assert job.status == "ready", (job.message, job.errors[:3])
    import_confirm(actor=admin, job=job)
    print(json.dumps({"job": job.pk}))


def child_confirm(job_id: int) -> None:
    """The user presses "重新导入" on the job's page."""
    from dangjian.accounts.models import User
    from dangjian.members.imports import import_confirm
    from dangjian.members.models import ImportJob

    admin = User.objects.get(username="unit_admin")
    import_confirm(actor=admin, job=ImportJob.objects.unscoped().get(pk=job_id))


# ---------------------------------------------------------------------------------------------
# The test's side


class Shared:
    """The database the subprocesses and the test share, and how to start a subprocess."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dangjian.settings_test",
            "DANGJIAN_TESTING": "1",
            "DANGJIAN_DATA_DIR": str(folder),
            "DANGJIAN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        }
        if connection.vendor == "sqlite":
            self.env.pop("DATABASE_URL", None)
            self.path = folder / "dangjian.sqlite3"
            self.env["DANGJIAN_SQLITE_PATH"] = str(self.path)
            self.run("-m", "django", "migrate", "-v0")
        else:
            db = connection.settings_dict
            auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
            host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
            self.env["DATABASE_URL"] = f"postgres://{auth}@{host}/{db['NAME']}"

    def run(self, *args: str, timeout: int = 120) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def call(self, function: str, *args) -> str:
        code = (
            "import django; django.setup(); "
            f"from tests.core.test_worker_kill import {function}; {function}(*{args!r})"
        )
        return self.run("-c", code)

    def worker(self, log: Path, *extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "django", "db_worker"),
                *("--no-reload", "--no-startup-delay", "--interval", "0.1", *extra),
            ],
            env=self.env,
            cwd=self.folder,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def one(self, sql: str, params=()):
        """The first row of a query (SQL with %s placeholders) on the shared database."""
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchone()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def test_the_result_table_is_django_tasks_dbs():
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult._meta.db_table == RESULTS


def _job(shared: Shared, job_id: int) -> tuple:
    return shared.one(
        "SELECT status, processed_rows, total_rows, created_count, message "
        "FROM members_importjob WHERE id = %s",
        [job_id],
    )


def _write_tasks(shared: Shared) -> list[str]:
    """Statuses of the queue's write tasks, grouped: ready, running, successful, failed."""
    rows = []
    for status in ("READY", "RUNNING", "SUCCESSFUL", "FAILED"):
        (count,) = shared.one(
            f"SELECT count(*) FROM {RESULTS} WHERE task_path = %s AND status = %s",
            [WRITE_TASK, status],
        )
        rows += [status] * count
    return rows


def _count(shared: Shared, sql: str, params=()) -> int:
    return shared.one(sql, params)[0]


def _members(shared: Shared) -> int:
    return _count(shared, "SELECT count(*) FROM members_member")


def _audits(shared: Shared, action: str) -> int:
    return _count(shared, "SELECT count(*) FROM core_auditentry WHERE action = %s", [action])


def _writing(shared: Shared) -> bool:
    """Whether a connection other than the test's is inside a write transaction that has
    inserted members (PostgreSQL), or holds the database's write lock (SQLite)."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(shared.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'members_member'::regclass "
            "AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def _in(shared: Shared, job_id: int, point: str) -> bool:
    status, processed, total, *_ = _job(shared, job_id)
    if status != "importing" or _write_tasks(shared) != ["RUNNING"]:
        return False
    if point == "revalidating":  # progress reported, not all of it
        return 0 < processed < total
    return processed == total and _writing(shared)


@pytest.mark.parametrize("point", ["revalidating", "writing"])
def test_a_worker_killed_in_the_middle_of_an_import_leaves_it_retryable(tmp_path, point):
    shared = Shared(tmp_path)
    job_id = json.loads(shared.call("child_setup", ROWS, str(tmp_path)).splitlines()[-1])["job"]
    assert _job(shared, job_id)[0] == "importing" and _write_tasks(shared) == ["READY"]

    log = tmp_path / "worker1.log"
    worker = shared.worker(log)
    try:
        deadline = time.monotonic() + 60
        while True:  # until the write task is at the point where it is killed
            if _in(shared, job_id, point):
                break
            status = _job(shared, job_id)[0]
            assert status == "importing", f"the write ended before the kill: {status}"
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    # killed: the job is stuck in "importing", its task result in "running", nothing written
    status, processed, total, created, _ = _job(shared, job_id)
    assert (status, created) == ("importing", 0) and 0 < processed <= total == ROWS
    assert _write_tasks(shared) == ["RUNNING"]
    assert _members(shared) == 0
    assert _audits(shared, "members.member.imported") == 0

    # given back (the worker start and the job's page do this too, after JOB_STALE_MINUTES)
    out = shared.run("-m", "django", "recover_jobs", "--older-than", "0")
    assert "已恢复导入任务1个" in out
    status, processed, _, _, message = _job(shared, job_id)
    assert (status, processed) == ("ready", 0) and "重新导入" in message
    assert _write_tasks(shared) == ["FAILED"]
    (error,) = shared.one(
        f"SELECT exception_class_path FROM {RESULTS} WHERE task_path = %s AND status = %s",
        [WRITE_TASK, "FAILED"],
    )
    assert error.endswith("WorkerLost")
    assert _audits(shared, "members.import.job.recovered") == 1
    out = shared.run("-m", "django", "recover_jobs", "--older-than", "0")
    assert "已恢复导入任务0个" in out  # only once

    # the user imports again; a second worker writes every row
    shared.call("child_confirm", job_id)
    assert _write_tasks(shared) == ["READY", "FAILED"]
    log = tmp_path / "worker2.log"
    worker = shared.worker(log, "--batch")
    try:
        assert worker.wait(timeout=120) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    status, _, _, created, message = _job(shared, job_id)
    assert (status, created) == ("done", ROWS), message
    assert _members(shared) == ROWS
    assert _audits(shared, "members.member.imported") == ROWS
    assert _write_tasks(shared) == ["SUCCESSFUL", "FAILED"]
