"""Assessment (issue #6): how long the derived scores take.

Builds the demo city (with its 2022 contest and this year's scheme) into a throw-away database
(SQLite by default, PostgreSQL when DATABASE_URL is set) and times, each the median of
BENCH_RUNS runs:

- `scheme_refresh_auto` of this year's unit scheme (every unit, every auto indicator from the
  records) and of a 标准化 branch scheme published to every branch of the city;
- the results page of that branch scheme, the hub and the 2022 contest page as the 工委 admin;
- the contest standings computed live;
- a large observation meeting (BENCH_STOPS stops × BENCH_JUDGES judges × 4 items): saving one
  item score, `stop_results`, and the live board fragment;
- casting a ballot in a review of BENCH_REPORTS reports (median over BENCH_BALLOTS voters).

Writes bench/results/assessment-<database>.json. Not part of `make test`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
STOPS = int(os.environ.get("BENCH_STOPS", "30"))
JUDGES = int(os.environ.get("BENCH_JUDGES", "9"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "20"))
BALLOTS = int(os.environ.get("BENCH_BALLOTS", "200"))
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.accounts.models import RoleGrant, User  # noqa: E402
from dangjian.assessment import scoring  # noqa: E402
from dangjian.assessment import services_assess as assess  # noqa: E402
from dangjian.assessment import services_observation as obs  # noqa: E402
from dangjian.assessment import services_review as reviews  # noqa: E402
from dangjian.assessment import services_schemes as schemes  # noqa: E402
from dangjian.assessment.models import Assessment, Scheme, SecretaryContest  # noqa: E402
from dangjian.assessment.selectors_contest import compute_standings  # noqa: E402
from dangjian.demo.city import build_city  # noqa: E402
from dangjian.orgs.models import Org, OrgKind  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from run_foundation import machine  # noqa: E402


def timed(fn, runs: int = RUNS) -> dict:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(seconds), 4), "runs": runs}


def users(prefix: str, n: int, root: Org, role: str) -> list[User]:
    """Accounts inside the tree (judges and voters must belong to it), each with a grant."""
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", display_name=f"{prefix}{i}", password=unusable)
            for i in range(n)
        ]
    )
    made = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    RoleGrant.objects.bulk_create([RoleGrant(user=u, org=root, role=role) for u in made])
    return made


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    build_city(today)
    results: dict = {
        "machine": machine(),
        "database": connection.vendor,
        "demo_build_s": round(time.perf_counter() - started, 1),
    }
    root = Org.objects.unscoped().get(parent__isnull=True)
    admin = User.objects.get(username="gwadmin")
    client = Client()
    client.force_login(admin)

    unit_scheme = Scheme.all_objects.get(year=today.year, target="unit")
    results["unit_scheme"] = {
        "assessments": Assessment.all_objects.filter(scheme=unit_scheme).count(),
        "refresh_auto": timed(lambda: schemes_refresh(unit_scheme, admin)),
    }
    branch_scheme = schemes.scheme_from_template(
        actor=admin, owner=root, year=today.year, template_code="standard_branch"
    )
    schemes.scheme_publish(actor=admin, scheme=branch_scheme)
    results["branch_scheme"] = {
        "assessments": Assessment.all_objects.filter(scheme=branch_scheme).count(),
        "refresh_auto": timed(lambda: schemes_refresh(branch_scheme, admin)),
        "results_page": timed(
            lambda: client.get(f"/assessment/schemes/{branch_scheme.pk}/results/").content
        ),
    }
    contest = SecretaryContest.all_objects.get(year=2022)
    results["contest_2022"] = {
        "standings_live": timed(lambda: compute_standings(contest)),
        "page": timed(lambda: client.get(f"/contests/{contest.pk}/").content),
    }
    results["hub_page"] = timed(lambda: client.get("/assessment/").content)
    print(json.dumps(results, ensure_ascii=False))

    # a large observation meeting
    sheet = schemes.scheme_create(
        actor=admin, owner=root, year=today.year, name="大型评分表", target="stop"
    )
    items = [
        schemes.indicator_add(
            actor=admin, scheme=sheet, title=f"评分项{i}", max_points="25", method="manual"
        )
        for i in range(4)
    ]
    schemes.scheme_publish(actor=admin, scheme=sheet)
    meeting = obs.observation_create(
        actor=admin, owner=root, title="大型观摩会", starts_at=timezone.now(), sheet=sheet
    )
    units = list(Org.objects.unscoped().filter(parent=root, kind=OrgKind.PARTY_GROUP)[:STOPS])
    stops = [
        obs.stop_add(actor=admin, meeting=meeting, org=units[i % len(units)], place=f"点位{i}")
        for i in range(STOPS)
    ]
    judges = users("bench_judge_", JUDGES, root, "judge")
    for n, user in enumerate(judges):
        obs.judge_add(actor=admin, meeting=meeting, user=user, name=f"评委{n}")
    obs.observation_start(actor=admin, meeting=meeting)
    saves = []
    for j, user in enumerate(judges):
        for stop in stops:
            for item in items:
                start = time.perf_counter()
                obs.score_item_save(actor=user, stop=stop, indicator=item, points=15 + (j % 10))
                saves.append(time.perf_counter() - start)
            obs.sheet_submit(actor=user, stop=stop)
    results["observation_large"] = {
        "stops": STOPS,
        "judges": JUDGES,
        "item_save_median_s": round(statistics.median(saves), 4),
        "stop_results": timed(lambda: scoring.stop_results(meeting)),
        "live_board": timed(lambda: client.get(f"/observation/{meeting.pk}/live/board/").content),
        "detail_page": timed(lambda: client.get(f"/observation/{meeting.pk}/").content),
    }

    # ballots
    review = reviews.review_create(actor=admin, owner=root, year=today.year, title="基准述职评议")
    reports = [
        reviews.report_add(actor=admin, review=review, org=org, secretary_name=f"书记{i}")
        for i, org in enumerate(
            Org.objects.unscoped().filter(parent=root, kind=OrgKind.PARTY_GROUP)[:REPORTS]
        )
    ]
    voters = users("bench_voter_", BALLOTS, root, "member")
    reviews.voters_set(actor=admin, review=review, users=voters)
    reviews.review_open(actor=admin, review=review)
    casts = []
    for n, voter in enumerate(voters):
        grades = {
            r.pk: ("good", "fairly_good", "average", "poor")[(n + i) % 4]
            for i, r in enumerate(reports)
        }
        start = time.perf_counter()
        reviews.ballot_cast(actor=voter, review=review, grades=grades)
        casts.append(time.perf_counter() - start)
    results["ballots"] = {
        "reports": len(reports),
        "voters": len(voters),
        "cast_median_s": round(statistics.median(casts), 4),
        "review_page": timed(lambda: client.get(f"/reviews/{review.pk}/").content),
    }
    print(json.dumps({k: results[k] for k in ("observation_large", "ballots")}, ensure_ascii=False))
    out = Path(__file__).parent / "results" / f"assessment-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out}")
    return 0


def schemes_refresh(scheme, admin):
    assess.scheme_refresh_auto(actor=admin, scheme=scheme)


if __name__ == "__main__":
    sys.exit(main())
