"""Roster search at 1,000,000 members.

Builds the demo city into a throw-away database (SQLite by default, PostgreSQL when
DATABASE_URL is set), adds synthetic members on its branches until the roster holds
BENCH_MEMBERS (default 1,000,000) rows, then times the member list page (server time through
Django's test client: the count, one page of 30 rows and the template) for each kind of
search, as the committee admin (the whole city) and as a unit admin, and writes
bench/results/search-<database>.json.

The synthetic rows carry real search keys (pinyin, initials, ID tail, ID digest); their
sealed columns hold one sealed value reused, which the list never opens.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET = int(os.environ.get("BENCH_MEMBERS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from dangjian.accounts.models import User  # noqa: E402
from dangjian.core import crypto  # noqa: E402
from dangjian.core.masking import mask_id_number  # noqa: E402
from dangjian.demo.city import SURNAMES, build_city  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.members.pinyin import pinyin_keys  # noqa: E402
from dangjian.orgs.models import Org, OrgKind  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402

GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红梅鹏辉健斌宇浩凯"


def synthetic_rows(count: int, branches: list[Org], start_id: int):
    rng = random.Random(7)
    names = {}
    digests = set(Member.objects.unscoped().values_list("id_digest", flat=True))
    count += len(digests)
    sealed = crypto.encrypt("420302199001011234")
    i = -1
    while len(digests) < count:
        i += 1
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        keys = names.get(name)
        if keys is None:
            keys = names[name] = pinyin_keys(name)
        branch = branches[i % len(branches)]
        male = rng.random() < 0.55
        birth = f"{rng.randint(1940, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"4203{rng.randint(0, 99):02d}{birth}{(i % 500) * 2 + male:03d}"
        number = body + ric.calc_check_digit(body + "0")
        digest = crypto.digest(number)
        if digest in digests:
            continue  # the database keeps ID numbers unique
        digests.add(digest)
        yield (
            start_id + i,
            name,
            keys[0],
            keys[1],
            "male" if male else "female",
            "01",
            sealed,
            mask_id_number(number),
            number[-4:],
            digest,
            f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
            "21",
            "full",
            branch.pk,
            branch.path,
            "2010-07-01",
            "2011-07-01",
            "0110",
        )


COLUMNS = (
    "id, name, name_pinyin, name_initials, sex, ethnicity, id_number_sealed, id_number_masked,"
    " id_tail, id_digest, birth_date, education, category, branch_id, org_path, joined_on,"
    " converted_on, post"
)
DEFAULTS = {
    "phone_sealed": "",
    "phone_masked": "",
    "address_sealed": "",
    "address_masked": "",
    "standing": "normal",
    "is_lost_contact": False,
    "is_mobile": False,
    "mobile_destination": "",
    "standing_reason": "",
    "suspension_ground": "",
    "probation_extension_months": 0,
    "employment": "in_service",
    "unit_post": "",
    "source": "other",
    "left_reason": "",
    "abroad_purpose": "",
}


def fill(target: int) -> float:
    have = Member.objects.unscoped().count()
    missing = target - have
    if missing <= 0:
        return 0.0
    branches = list(Org.objects.unscoped().filter(kind=OrgKind.BRANCH, dissolved_on=None))
    start_id = (Member.objects.unscoped().order_by("-id").values_list("id", flat=True).first()) + 1
    extra_cols = ", ".join(DEFAULTS)
    ph = "%s" if connection.vendor == "postgresql" else "?"
    n_cols = COLUMNS.count(",") + 1 + len(DEFAULTS) + 2
    sql = (
        f"INSERT INTO members_member ({COLUMNS}, {extra_cols}, created_at, updated_at) "
        f"VALUES ({', '.join([ph] * n_cols)})"
    )
    now = "2022-11-01 00:00:00"
    started = time.perf_counter()
    batch = []
    with transaction.atomic(), connection.cursor() as cur:
        raw = cur.cursor if connection.vendor == "sqlite" else cur
        for row in synthetic_rows(missing, branches, start_id):
            batch.append((*row, *DEFAULTS.values(), now, now))
            if len(batch) == 20000:
                raw.executemany(sql, batch)
                batch.clear()
        if batch:
            raw.executemany(sql, batch)
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
        response = client.get(url)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "queries": len(ctx),
        "rows": response.context["page"].paginator.count,
    }


def main() -> int:
    setup_test_environment()  # so responses carry their template context (row counts)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    build_city()
    fill_seconds = fill(TARGET)
    total = Member.objects.unscoped().count()
    probe = Member.objects.unscoped().order_by("id")[total // 2]
    number_probe = probe.id_tail
    searches = {
        "first page, no search": "/members/",
        "page 1000": "/members/?page=1000",
        "initials zsf": "/members/?q=zsf",
        "initials w": "/members/?q=w",
        "full pinyin zhangwei": "/members/?q=zhangwei",
        "name prefix 王": "/members/?q=%E7%8E%8B",
        "name prefix 欧阳": "/members/?q=%E6%AC%A7%E9%98%B3",
        "ID tail": f"/members/?q={number_probe}",
        "probationary filter": "/members/?category=probationary",
        "women, sorted by join date": "/members/?sex=female&sort=joined",
    }
    results = {}
    for username in ("gwadmin", "sfjadmin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        results[username] = {name: time_url(client, url) for name, url in searches.items()}
    out = {
        "machine": machine(),
        "members": total,
        "fill_seconds": round(fill_seconds, 1),
        "runs": RUNS,
        "pages": results,
    }
    path = Path(__file__).parent / "results" / f"search-{connection.vendor}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
