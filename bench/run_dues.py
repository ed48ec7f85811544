"""Dues (issue #7) at 1,000,000 members.

Builds the demo city into a throw-away database (SQLite by default, PostgreSQL when
DATABASE_URL is set), adds synthetic members on its branches until the roster holds
BENCH_MEMBERS (default 1,000,000), gives every member without one a dues base (inserted in
one statement: the bench times the charges, not the typing of bases), then times:

- generating one month's charges for the whole city (`charges_generate` from the root: every
  member, bases and reductions read per chunk, charges bulk-inserted), and a rerun that finds
  every charge already there;
- the branch secretary's month list and arrears pages on a demo branch;
- recording a payment (median of BENCH_RUNS).

Writes bench/results/dues-<database>.json. Not part of `make test`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TARGET = int(os.environ.get("BENCH_MEMBERS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.demo.city import build_city  # noqa: E402
from dangjian.dues import services as dues  # noqa: E402
from dangjian.dues.models import DuesCharge  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.orgs.models import Org  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402
from run_search import fill  # noqa: E402


def give_bases(month: dt.date) -> float:
    """One base for every member who has none: 4,000 yuan → 40.00 a month (R-DUES-03)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO dues_duesbase (member_id, org_path, category, effective_month, items,"
            " income_tax, base, fixed_amount, monthly_amount, note, created_at)"
            " SELECT m.id, m.org_path, 'in_service', %s, '[]', 0, 4000, NULL, 40, '', %s"
            " FROM members_member m WHERE NOT EXISTS"
            " (SELECT 1 FROM dues_duesbase b WHERE b.member_id = m.id)",
            [month, "2026-01-01 00:00:00"],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def time_url(client: Client, url: str) -> dict:
    client.get(url)
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "queries": len(ctx),
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    today = dt.date.today()
    month = today.replace(day=1)
    t = time.perf_counter()
    build_city(today)
    city_s = time.perf_counter() - t
    fill_s = fill(TARGET)
    bases_s = give_bases(dt.date(2026, 1, 1))
    members = Member.objects.unscoped().count()
    root = Org.objects.unscoped().get(parent=None)
    admin = User.objects.get(username="gwadmin")

    # next month: nobody has a charge for it yet (this month's are the demo's, with payments)
    month = (month + dt.timedelta(days=32)).replace(day=1)
    t = time.perf_counter()
    run = dues.charges_generate(actor=admin, org=root, month=month)
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    rerun = dues.charges_generate(actor=admin, org=root, month=month)
    rerun_s = time.perf_counter() - t

    secretary = User.objects.get(username="zbsj")
    branch = secretary.grants.get().org
    client = Client()
    client.force_login(secretary)
    pages = {
        "month_list": time_url(client, f"/dues/?org={branch.pk}&month={today:%Y-%m}"),
        "arrears": time_url(client, f"/dues/arrears/?org={branch.pk}"),
    }

    charges = list(
        DuesCharge.all_objects.filter(branch=branch, month=month, status="due").select_related(
            "member"
        )[: RUNS + 1]
    )
    samples = []
    for charge in charges:
        t = time.perf_counter()
        dues.payment_record(
            actor=admin,
            member=charge.member,
            amount=charge.amount,
            paid_on=today,
            method="cash",
            months=[month],
        )
        samples.append((time.perf_counter() - t) * 1000)

    result = {
        "machine": machine(),
        "database": connection.vendor,
        "members": members,
        "build_city_s": round(city_s, 1),
        "fill_members_s": round(fill_s, 1),
        "insert_bases_s": round(bases_s, 1),
        "month": month.isoformat(),
        "charges_generate_s": round(generate_s, 1),
        "charges_created": run.created_count,
        "charges_per_s": round(run.created_count / generate_s) if generate_s else None,
        "charges_rerun_s": round(rerun_s, 1),
        "rerun_created": rerun.created_count,
        "pages": pages,
        "payment_record_median_ms": round(statistics.median(samples), 1) if samples else None,
        "payment_amount": str(charges[0].amount) if charges else str(Decimal(0)),
    }
    out = Path(__file__).parent / "results" / f"dues-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
