"""Foundation benchmarks at demo size: demo build time and server time of the main pages.

Run with `make bench` (not part of `make test`). Builds the demo city into a throw-away
database (SQLite by default, PostgreSQL when DATABASE_URL is set), then times each page
through Django's test client — server time only, no network — as the median of several runs,
and writes bench/results/foundation-<database>.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.bench.suite import machine  # noqa: E402 (the other scripts import it from here)
from dangjian.demo.city import build_city  # noqa: E402
from dangjian.orgs.models import Org, OrgKind  # noqa: E402
from dangjian.orgs.selectors import subtree_member_counts  # noqa: E402


def time_page(client: Client, url: str) -> dict:
    client.get(url)  # warm caches (templates, grants)
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))], 1),
        "queries": len(ctx),
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    start = time.perf_counter()
    result = build_city()
    build_seconds = time.perf_counter() - start

    client = Client()
    client.force_login(User.objects.get(username="gwadmin"))
    root = Org.objects.unscoped().get(kind=OrgKind.WORKING_COMMITTEE)
    biggest = max(
        Org.objects.unscoped().filter(kind=OrgKind.PARTY_GROUP),
        key=lambda o: subtree_member_counts(o).total,
    )
    pages = {
        "home (工委管理员)": "/",
        "org tree: roots": "/orgs/tree/",
        "org tree: children of the root": f"/orgs/tree/?parent={root.pk}",
        "org tree: opened at a branch": "/orgs/tree/?current="
        + str(Org.objects.unscoped().filter(kind=OrgKind.BRANCH).order_by("-id").first().pk),
        f"org page of the largest unit ({biggest.name})": f"/orgs/{biggest.pk}/",
        "org page of the root": f"/orgs/{root.pk}/",
        "org list, page 1": "/orgs/",
        "member list, page 1": "/members/",
        "member search by initials": "/members/?q=zh",
    }
    measured = {name: time_page(client, url) for name, url in pages.items()}
    report = {
        "machine": machine(),
        "scale": {
            "units": result.units,
            "orgs": result.orgs,
            "branches": result.branches,
            "members": result.members,
        },
        "demo_build_seconds": round(build_seconds, 2),
        "runs": RUNS,
        "pages": measured,
    }
    out = Path(__file__).parent / "results" / f"foundation-{connection.vendor}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written to bench/results/{out.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
