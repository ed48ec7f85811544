"""Roster import of 20,000 rows: validation and write through the real functions.

Generates a valid roster file (BENCH_IMPORT_ROWS rows, default 20,000) with openpyxl's
write-only mode, as a unit admin would fill the template, into a throw-away database (SQLite by
default; with DATABASE_URL that PostgreSQL database, which it **empties first**). Then times:

1. `import_start`: the checks of the upload (archive, zip bomb, row count) and storing it;
2. `import_validate`: the whole file read with python-calamine, every row converted and checked
   against R-INFO-03, duplicates looked up in the database;
3. `import_write`: re-validation and the one transaction that writes the members (sealed
   sensitive items, pinyin keys), their audit entries and the job;

and the same again for a second file with the same people and a new phone number each, written
with "更新已有党员信息" (20,000 updates). The tasks run inline (the DummyBackend only records
the enqueue; the services are called as the tasks call them). Writes
bench/results/import-<database>.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "20000"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")
os.environ["DANGJIAN_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from dangjian.accounts.models import RoleGrant, User  # noqa: E402
from dangjian.members import imports  # noqa: E402
from dangjian.members.models import ImportJob, ImportStatus, Member  # noqa: E402
from dangjian.orgs import services as org_services  # noqa: E402
from dangjian.orgs.models import Unit  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402

from dangjian.bench.roster_file import people, write_roster  # noqa: E402

BRANCHES = 40


def build_tree():
    root = org_services.org_create(
        actor=None, parent=None, name="基准工委", kind="working_committee"
    )
    unit = Unit.objects.create(name="基准局", short_name="基准局")
    group = org_services.org_create(
        actor=None, parent=root, name="基准局党组", kind="party_group", unit=unit
    )
    organ = org_services.org_create(
        actor=None, parent=group, name="基准局机关党委", kind="organ_committee"
    )
    branches = [
        org_services.org_create(actor=None, parent=organ, name=f"第{i + 1}党支部", kind="branch")
        for i in range(BRANCHES)
    ]
    admin = User.objects.create_user(username="bench_admin", password="Bench-Passw0rd")
    RoleGrant.objects.create(user=admin, org=group, role="unit_admin")
    return group, branches, admin


def run_import(path: Path, org, admin, *, update_existing: bool) -> dict:
    timings = {}
    with open(path, "rb") as f:
        start = time.perf_counter()
        job = imports.import_start(actor=admin, org=org, uploaded_file=File(f, name=path.name))
        timings["upload_checks_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    job = imports.import_validate(job_id=job.pk)
    timings["validate_s"] = round(time.perf_counter() - start, 2)
    assert job.status == ImportStatus.READY, (job.status, job.message, job.errors[:3])
    imports.import_confirm(actor=admin, job=job, update_existing=update_existing)
    start = time.perf_counter()
    job = imports.import_write(job_id=job.pk, actor_id=admin.pk)
    timings["write_s"] = round(time.perf_counter() - start, 2)
    assert job.status == ImportStatus.DONE, (job.status, job.message)
    timings["total_s"] = round(sum(timings.values()), 2)
    timings.update(
        rows=job.total_rows,
        created=job.created_count,
        updated=job.updated_count,
        file_bytes=path.stat().st_size,
    )
    return timings


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    group, _branches, admin = build_tree()
    folder = Path(tempfile.mkdtemp(prefix="dangjian-bench-import-"))
    persons = people(ROWS, BRANCHES)
    start = time.perf_counter()
    first = folder / "roster.xlsx"
    write_roster(first, persons, 13000000000)
    second = folder / "roster-new-phones.xlsx"
    write_roster(second, persons, 15000000000)
    generate = round(time.perf_counter() - start, 2)

    new = run_import(first, group, admin, update_existing=False)
    update = run_import(second, group, admin, update_existing=True)
    assert Member.objects.unscoped().count() == ROWS
    report = {
        "machine": machine(),
        "rows": ROWS,
        "generate_two_files_s": generate,
        "new_members": new,
        "update_existing_members": update,
        "jobs": ImportJob.objects.unscoped().count(),
    }
    out = Path(__file__).parent / "results" / f"import-{connection.vendor}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written to bench/results/{out.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
