"""Compliance of organisational life (issue #5): the time to compute the whole grid.

1. Builds the demo city (with its 2022 and this year's meetings) into a throw-away database
   (SQLite by default, PostgreSQL when DATABASE_URL is set) and times
   `compliance_grid(root, year)` for the whole city, for 2022 and for this year, and the
   compliance page through Django's test client as the 工委 admin.
2. Adds synthetic branches under new units until the tree holds BENCH_BRANCHES (default
   100,000) branches, each with BENCH_MEETINGS_PER_BRANCH (default 12) held meetings of this
   year spread over the kinds, and times the grid for the whole tree again.

Writes bench/results/compliance-<database>.json. Not part of `make test`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET = int(os.environ.get("BENCH_BRANCHES", "100000"))
PER_BRANCH = int(os.environ.get("BENCH_MEETINGS_PER_BRANCH", "12"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.demo.city import build_city  # noqa: E402
from dangjian.orglife.compliance import compliance_grid  # noqa: E402
from dangjian.orglife.models import Meeting  # noqa: E402
from dangjian.orgs.models import Org, OrgKind, Unit  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402

KINDS = ["member_assembly", "party_lesson", "theme_day", "life_meeting", "member_appraisal"]


def timed(fn, runs: int = RUNS) -> dict:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(seconds), 3), "runs": runs}


def grow(root: Org, today: dt.date, target: int) -> dict:
    """Synthetic units (a 党组 each) with 100 branches apiece, and their meetings."""
    rng = random.Random(11)
    have = Org.objects.unscoped().filter(kind=OrgKind.BRANCH).count()
    need = max(0, target - have)
    started = time.perf_counter()
    next_org = (Org.objects.unscoped().aggregate(m=Max("pk"))["m"] or 0) + 1
    next_unit = (Unit.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    tz = timezone.get_current_timezone()
    codes = iter(range(1_000_000, 9_999_999))  # "B" + 7 digits: the field holds 8
    made = 0
    with transaction.atomic():
        while made < need:
            unit = Unit.objects.create(
                pk=next_unit, name=f"合成单位{next_unit}", short_name=f"合成{next_unit}"
            )
            top = Org(
                pk=next_org,
                parent=root,
                path=f"{root.path}{next_org}/",
                depth=root.depth + 1,
                name=f"合成单位{next_unit}党组",
                kind=OrgKind.PARTY_GROUP,
                unit=unit,
            )
            next_unit += 1
            next_org += 1
            branches = []
            for _ in range(min(100, need - made)):
                branches.append(
                    Org(
                        pk=next_org,
                        parent_id=top.pk,
                        path=f"{top.path}{next_org}/",
                        depth=top.depth + 1,
                        name=f"合成第{next_org}党支部",
                        kind=OrgKind.BRANCH,
                        unit=unit,
                    )
                )
                next_org += 1
            Org.all_objects.bulk_create([top, *branches])
            meetings = []
            for branch in branches:
                for _ in range(PER_BRANCH):
                    day = dt.date(today.year, 1, 1) + dt.timedelta(
                        days=rng.randrange(0, (today - dt.date(today.year, 1, 1)).days)
                    )
                    starts = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
                    meetings.append(
                        Meeting(
                            org_id=branch.pk,
                            org_path=branch.path,
                            kind=rng.choice(KINDS),
                            topic="合成会议",
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(hours=1),
                            status="held",
                            sign_in_code=f"B{next(codes)}",
                        )
                    )
            Meeting.all_objects.bulk_create(meetings, batch_size=5000)
            made += len(branches)
    return {"branches_added": made, "seconds": round(time.perf_counter() - started, 1)}


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    today = timezone.localdate()
    city = build_city(today)
    root = Org.objects.unscoped().get(parent__isnull=True)
    results: dict = {"machine": machine(), "database": connection.vendor}
    branches = Org.objects.unscoped().filter(kind=OrgKind.BRANCH).count()
    results["demo_city"] = {
        "branches": branches,
        "meetings": city.meetings,
        "grid_2022": timed(lambda: compliance_grid(root, 2022, today)),
        "grid_this_year": timed(lambda: compliance_grid(root, today.year, today)),
    }
    client = Client()
    client.force_login(User.objects.get(username="gwadmin"))
    results["demo_city"]["page_this_year"] = timed(lambda: client.get("/compliance/").content)
    print(json.dumps(results["demo_city"], ensure_ascii=False))
    results["grow"] = grow(root, today, TARGET)
    total = Org.objects.unscoped().filter(kind=OrgKind.BRANCH).count()
    results["large"] = {
        "branches": total,
        "meetings": Meeting.objects.unscoped().count(),
        "grid_this_year": timed(lambda: compliance_grid(root, today.year, today), runs=RUNS),
    }
    print(json.dumps(results["large"], ensure_ascii=False))
    out = Path(__file__).parent / "results" / f"compliance-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
