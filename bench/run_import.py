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

import datetime as dt
import json
import os
import random
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
from openpyxl import Workbook  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from dangjian.accounts.models import RoleGrant, User  # noqa: E402
from dangjian.members import imports  # noqa: E402
from dangjian.members.imports.columns import HEADERS  # noqa: E402
from dangjian.members.models import ImportJob, ImportStatus, Member  # noqa: E402
from dangjian.orgs import services as org_services  # noqa: E402
from dangjian.orgs.models import Unit  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402

BRANCHES = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志军文辉海燕小东春林云飞鹏宇浩然晨阳子涵欣怡思远嘉"  # noqa: E501
EDUCATION = ["大学本科毕业", "硕士研究生毕业", "大学专科毕业", "21", "14", "普通高中毕业"]
POSTS = ["公务员", "0110", "参照公务员法管理人员", "事业单位管理人员", "离退休人员"]


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


def people(count: int) -> list[dict]:
    """Distinct valid people: ID numbers unique by (birth day, sequence)."""
    rng = random.Random(20240701)
    out = []
    for i in range(count):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i // 400) * 7 + rng.randrange(7))
        sex = "male" if i % 2 else "female"
        seq = (i % 400) * 2 + (1 if sex == "male" else 0)
        body = f"420302{birth:%Y%m%d}{seq:03d}"
        joined = dt.date(birth.year + 20 + rng.randrange(15), rng.randrange(1, 13), 1)
        probationary = rng.random() < 0.05 and joined.year >= 2000
        out.append(
            {
                "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                "sex": sex,
                "id": body + ric.calc_check_digit(body + "0"),
                "birth": birth,
                "joined": joined,
                "probationary": probationary,
                "branch": f"第{i % BRANCHES + 1}党支部",
                "education": rng.choice(EDUCATION),
                "post": rng.choice(POSTS),
            }
        )
    return out


def write_roster(path: Path, persons: list[dict], phone_base: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员信息")
    sheet.append(list(HEADERS))
    for i, p in enumerate(persons):
        converted = None if p["probationary"] else p["joined"].replace(year=p["joined"].year + 1)
        sheet.append(
            [
                p["name"],
                "男" if p["sex"] == "male" else "女",
                "汉族",
                p["id"],
                p["birth"],
                p["education"],
                "预备党员" if p["probationary"] else "正式党员",
                p["branch"],
                p["joined"],
                converted,
                p["post"],
                str(phone_base + i),
                f"湖北省十堰市茅箭区人民北路{i % 500 + 1}号",
                "正常",
                "否",
                None,
                "否",
                None,
                None,
                "离退休" if p["post"] == "离退休人员" else "在职",
                "科员",
            ]
        )
    workbook.save(path)


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
    persons = people(ROWS)
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
