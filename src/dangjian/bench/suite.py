"""The benchmark suite (issue #11): fixed measurements against a generated database
(`dangjian bench generate`), each the median (or p95) of several runs, written to
bench/results/suite-<scale>-<database>.json, bench/results/summary.json (the latest figure of
every measurement) and bench/results/summary.md. Timings are reported, never asserted: a
test runs the suite at the tiny scale so that it cannot rot.

Every measurement leaves the database as it found it (writes run in a transaction that is
rolled back), so the suite can run again on the same data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.bench import roster_file
from dangjian.members.models import Member
from dangjian.orglife import copies
from dangjian.orglife.compliance import compliance_grid
from dangjian.orglife.models import Meeting
from dangjian.orgs.models import Org, OrgKind

RESULTS = Path(__file__).resolve().parents[3] / "bench" / "results"

#: name → (unit, goal, how the value meets the goal: "max" = at most the goal)
GOALS: dict[str, tuple[str, float]] = {
    "compliance_tree_year": ("s", 3.0),
    "compliance_floor_sql": ("s", 3.0),
    "compliance_ratio": ("x", 2.0),
    "member_search_initials_p95": ("ms", 100.0),
    "member_search_id_tail_p95": ("ms", 100.0),
    "home_committee": ("ms", 300.0),
    "org_page_large_unit": ("ms", 300.0),
    "roster_import_20k": ("s", 0.0),  # goal: 1.5 × (read floor + bulk insert), set per run
    "roster_import_ratio": ("x", 1.5),
    "copy_detection_p95": ("ms", 1000.0),
    "dues_month_all": ("s", 60.0),
    "load_p95": ("ms", 300.0),
    "load_errors": ("count", 0.0),
    "load_throughput": ("req/s", 0.0),
    "load_peak_rss": ("MiB", 1024.0),
}


class Recorder:
    def __init__(self, scale: str, runs: int, log: Callable[[str], None]):
        self.scale = scale
        self.runs = runs
        self.log = log
        self.database = connection.vendor
        self.entries: list[dict] = []
        self.details: dict[str, dict] = {}

    def add(
        self, name: str, value: float, *, goal: float | None = None, detail: dict | None = None
    ):
        unit, default_goal = GOALS[name]
        goal = default_goal if goal is None else goal
        # throughput is the one figure that must be high
        meets = value > goal if name == "load_throughput" else value <= goal
        entry = {
            "name": name,
            "scale": self.scale,
            "database": self.database,
            "value": round(value, 3),
            "unit": unit,
            "goal": round(goal, 3),
            "meets": bool(meets),
        }
        self.entries.append(entry)
        if detail:
            self.details[name] = detail
        self.log(
            f"  {name}: {entry['value']} {unit}（目标 {entry['goal']}）"
            + ("达标" if meets else "未达标")
        )


def machine() -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":")[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), ""
            )
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = cur.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_version": version,
    }


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Seconds of each of `runs` calls, after one warm-up call."""
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Rollback(Exception):
    pass


def rolled_back(fn: Callable[[], object]) -> Callable[[], object]:
    """Run `fn` in a transaction that is always undone."""

    def run():
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    return run


# --- the measurements -----------------------------------------------------------------------


def floor_sql(root: Org, year: int) -> str:
    """The compliance answer in one hand-written query: for every branch and group of the
    tree, per kind, the months in which it held a meeting, as a bit mask (what the grid then
    maps to each kind's periods)."""
    if connection.vendor == "postgresql":
        month = "EXTRACT(MONTH FROM m.starts_at AT TIME ZONE 'Asia/Shanghai')::int"
    else:
        month = "CAST(strftime('%m', m.starts_at, '+8 hours') AS INTEGER)"
    return (
        f"SELECT o.id, o.kind, m.kind, SUM(DISTINCT 1 << {month}) FROM orgs_org o "
        "LEFT JOIN orglife_meeting m ON m.org_id = o.id AND m.status IN ('held', 'archived') "
        "AND m.starts_at >= %s AND m.starts_at < %s "
        "WHERE o.path LIKE %s AND o.kind IN ('branch', 'group') AND o.dissolved_on IS NULL "
        "GROUP BY o.id, o.kind, m.kind"
    )


def measure_compliance(rec: Recorder, root: Org, today: dt.date) -> None:
    year = today.year
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(dt.date(year, 1, 1), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min, tzinfo=tz)
    sql = floor_sql(root, year)

    def floor():
        with connection.cursor() as cur:
            cur.execute(sql, [start, end, root.path + "%"])
            return cur.fetchall()

    grid = compliance_grid(root, year, today)
    grid_s = statistics.median(timed(lambda: compliance_grid(root, year, today), rec.runs))
    floor_s = statistics.median(timed(floor, rec.runs))
    detail = {"rows": len(grid.rows), "totals": grid.totals()}
    rec.add("compliance_tree_year", grid_s, detail=detail)
    rec.add("compliance_floor_sql", floor_s, detail={"rows": len(floor())})
    rec.add("compliance_ratio", grid_s / floor_s if floor_s else 0.0)


def page_timings(client: Client, urls: list[str]) -> tuple[list[float], list[int]]:
    samples, queries = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            samples.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"{url}: {response.status_code}")
        queries.append(len(ctx))
    return samples, queries


def measure_search(rec: Recorder, client: Client) -> None:
    rng = random.Random(5)
    total = Member.objects.unscoped().count()
    probes = []
    for _ in range(max(20, rec.runs * 4)):
        offset = rng.randrange(total)
        probes.append(
            Member.objects.unscoped().order_by("id").values_list("name_initials", "id_tail")[offset]
        )
    client.get("/members/?q=w", HTTP_HOST="127.0.0.1")  # warm-up
    urls = [f"/members/?q={ini}&page={1 + i % 2}" for i, (ini, _t) in enumerate(probes)]
    samples, queries = page_timings(client, urls)
    rec.add(
        "member_search_initials_p95",
        p95(samples),
        detail={
            "median_ms": round(statistics.median(samples), 1),
            "queries_max": max(queries),
            "searches": len(urls),
        },
    )
    urls = [f"/members/?q={tail}" for _ini, tail in probes]
    samples, queries = page_timings(client, urls)
    rec.add(
        "member_search_id_tail_p95",
        p95(samples),
        detail={
            "median_ms": round(statistics.median(samples), 1),
            "queries_max": max(queries),
            "searches": len(urls),
        },
    )


def largest_unit_top(root: Org) -> Org:
    from django.db.models import Count

    top_ids = dict(Org.objects.unscoped().filter(parent=root).values_list("path", "pk"))
    counts = {}
    for path, n in (
        Member.objects.unscoped()
        .values("org_path")
        .annotate(n=Count("id"))
        .values_list("org_path", "n")
    ):
        top = "/".join(path.split("/")[:3]) + "/"
        counts[top] = counts.get(top, 0) + n
    biggest = max((p for p in counts if p in top_ids), key=counts.get)
    return Org.objects.unscoped().get(pk=top_ids[biggest])


def measure_pages(rec: Recorder, client: Client, big: Org) -> None:
    """The median of `runs` visits after the first; the first, with an empty cache, is
    reported too: the home page keeps its scope-wide figures a few minutes
    (DANGJIAN_SCOPE_SUMMARY_SECONDS), so that is what one visitor in a few minutes waits."""
    from django.core.cache import cache

    for name, url in (("home_committee", "/"), ("org_page_large_unit", f"/orgs/{big.pk}/")):
        cache.clear()
        samples, queries = page_timings(client, [url] * (rec.runs + 1))
        rec.add(
            name,
            statistics.median(samples[1:]),
            detail={
                "url": url,
                "queries": queries[-1],
                "first_visit_ms": round(samples[0], 1),
                "kept_seconds": settings.SCOPE_SUMMARY_SECONDS,
            },
        )


def measure_import(rec: Recorder, root: Org, admin: User) -> None:
    from dangjian.members import imports
    from dangjian.members.models import ImportStatus
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "20000" if rec.scale != "tiny" else "200"))
    runs = min(rec.runs, 3)
    folder = Path(tempfile.mkdtemp(prefix="dangjian-import-"))
    path = folder / "roster.xlsx"
    branches = 20
    people = roster_file.people(rows, branches)
    roster_file.write_roster(path, people)
    totals, floors = [], []
    for _ in range(runs):
        # the floor: reading the file alone, and the same number of rows in one bulk insert
        t = time.perf_counter()
        read = roster_file.read_all(path)
        read_s = time.perf_counter() - t
        insert_s = roster_file.bulk_insert_floor(read)
        floors.append(read_s + insert_s)
        result = {}

        def one_import(result=result):
            unit = Unit.objects.create(name="基准导入局", short_name="基准导入局")
            group = org_services.org_create(
                actor=None, parent=root, name="基准导入局党组", kind="party_group", unit=unit
            )
            for i in range(branches):
                org_services.org_create(
                    actor=None, parent=group, name=f"第{i + 1}党支部", kind="branch"
                )
            RoleGrant.objects.create(user=admin, org=group, role="unit_admin")
            t0 = time.perf_counter()
            with open(path, "rb") as f:
                job = imports.import_start(
                    actor=admin, org=group, uploaded_file=File(f, name=path.name)
                )
            job = imports.import_validate(job_id=job.pk)
            if job.status != ImportStatus.READY:
                raise AssertionError((job.status, job.message, job.errors[:3]))
            imports.import_confirm(actor=admin, job=job, update_existing=False)
            job = imports.import_write(job_id=job.pk, actor_id=admin.pk)
            if job.status != ImportStatus.DONE:
                raise AssertionError((job.status, job.message))
            result["s"] = time.perf_counter() - t0
            result["created"] = job.created_count

        rolled_back(one_import)()
        totals.append(result["s"])
    total = statistics.median(totals)
    floor = statistics.median(floors)
    rec.add(
        "roster_import_20k",
        total,
        goal=1.5 * floor,
        detail={
            "rows": rows,
            "floor_s": round(floor, 2),
            "created": result.get("created"),
            "runs": runs,
        },
    )
    rec.add("roster_import_ratio", total / floor if floor else 0.0)


def measure_copies(rec: Recorder) -> None:
    from dangjian.similarity.models import TextFingerprint
    from dangjian.similarity.synthetic import copy_of, minutes

    rng = random.Random(9)
    indexed = TextFingerprint.all_objects.count()
    hosts = list(
        Meeting.objects.unscoped()
        .filter(kind="committee_meeting")
        .order_by("id")
        .values_list("pk", flat=True)[:2000]
    )
    sources = list(
        TextFingerprint.all_objects.order_by("id").values_list("source_id", flat=True)[
            :: max(1, indexed // 500)
        ]
    )
    n = max(10, rec.runs * 8)
    samples, found = [], 0
    for i in range(n):
        meeting = Meeting.objects.unscoped().get(pk=hosts[i % len(hosts)])
        if i % 2 and sources:
            original = Meeting.objects.unscoped().get(pk=sources[rng.randrange(len(sources))])
            meeting.minutes = copy_of(rng, original.minutes, org="基准支部")
        else:
            meeting.minutes = minutes(rng, org="基准支部")
        box = {}

        def check(meeting=meeting, box=box):
            t = time.perf_counter()
            box["pairs"] = copies.check_minutes(meeting)
            box["s"] = time.perf_counter() - t

        rolled_back(check)()
        samples.append(box["s"] * 1000)
        found += bool(box["pairs"]) and i % 2 == 1
    rec.add(
        "copy_detection_p95",
        p95(samples),
        detail={
            "indexed_minutes": indexed,
            "median_ms": round(statistics.median(samples), 1),
            "checks": n,
            "planted_copies_found": f"{found}/{n // 2}",
        },
    )


def measure_dues(rec: Recorder, root: Org, admin: User, today: dt.date) -> None:
    from dangjian.dues.services_charges import charges_generate

    month = today.replace(day=1)
    members = Member.objects.unscoped().count()
    # a province's run takes minutes: measured once there, the median of up to three elsewhere
    runs = 1 if members > 200_000 else min(rec.runs, 3)
    made = {}

    def generate():
        t = time.perf_counter()
        run = charges_generate(actor=admin, org=root, month=month)
        made["s"] = time.perf_counter() - t
        made["created"] = getattr(run, "created_count", None)

    seconds = []
    for _ in range(runs):
        rolled_back(generate)()
        seconds.append(made["s"])
    rec.add(
        "dues_month_all",
        statistics.median(seconds),
        detail={
            "members": Member.objects.unscoped().count(),
            "created": made["created"],
            "runs": runs,
        },
    )


MEASUREMENTS = ("compliance", "search", "pages", "import", "copies", "dues")


def run_suite(
    *,
    scale: str,
    runs: int = 5,
    only: set[str] | None = None,
    results_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    folder = Path(results_dir) if results_dir else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    rec = Recorder(scale, runs, log)
    root = Org.objects.unscoped().get(parent__isnull=True, kind=OrgKind.WORKING_COMMITTEE)
    admin = User.objects.get(username="gwadmin")
    today = (
        Meeting.objects.unscoped()
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    today = timezone.localtime(today).date() if today else timezone.localdate()
    client = Client()
    client.force_login(admin)
    # the pages are timed as signed in; two-factor sign-in is not what is measured
    otp_off = override_settings(OTP_REQUIRED=False)
    otp_off.enable()
    selected = [m for m in MEASUREMENTS if not only or m in only]
    started = time.perf_counter()
    for name in selected:
        log(f"测量 {name} …")
        if name == "compliance":
            measure_compliance(rec, root, today)
        elif name == "search":
            measure_search(rec, client)
        elif name == "pages":
            measure_pages(rec, client, largest_unit_top(root))
        elif name == "import":
            measure_import(rec, root, admin)
        elif name == "copies":
            measure_copies(rec)
        elif name == "dues":
            measure_dues(rec, root, admin, today)
    otp_off.disable()
    report = {
        "scale": scale,
        "database": rec.database,
        "machine": machine(),
        "data": data_counts(),
        "runs": runs,
        "at": timezone.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "measurements": rec.entries,
        "details": rec.details,
    }
    write_results(folder, report)
    return report


def record_load(load: dict, *, scale: str, results_dir: str | Path | None = None) -> list[dict]:
    """The load test's figures (bench/run_load.py's report) as summary entries."""
    folder = Path(results_dir) if results_dir else RESULTS
    rec = Recorder(scale, 1, lambda _m: None)
    rec.database = load["database"]
    queue = load.get("queue") or {}
    detail = {
        "users": load["users"],
        "seconds": load["seconds"],
        "requests": load["requests"],
        "p50_ms": load.get("p50_ms"),
        "p99_ms": load.get("p99_ms"),
        "app_processes": load.get("app_processes"),
        "queue": queue,
    }
    rec.add("load_p95", float(load["p95_ms"] or 0), detail=detail)
    # a task taken twice by the two workers counts as an error as much as a failed request
    twice = int(queue.get("tasks", 0)) - int(queue.get("ran_once", 0))
    rec.add("load_errors", float(load["failures"] + max(0, twice)))
    rec.add("load_throughput", float(load["rps"]))
    rec.add("load_peak_rss", float(load["peak_rss_mib"]))
    merge_summary(folder, rec.entries)
    return rec.entries


def data_counts() -> dict:
    from dangjian.orglife.models import Attendance
    from dangjian.similarity.models import TextFingerprint

    return {
        "members": Member.objects.unscoped().count(),
        "branches": Org.objects.unscoped().filter(kind=OrgKind.BRANCH).count(),
        "orgs": Org.objects.unscoped().count(),
        "meetings": Meeting.objects.unscoped().count(),
        "attendance": Attendance.objects.unscoped().count(),
        "minutes_indexed": TextFingerprint.all_objects.count(),
    }


def write_results(folder: Path, report: dict) -> None:
    """The run's own file, and the latest figure of every measurement in summary.json/.md."""
    name = f"suite-{report['scale']}-{report['database']}.json"
    path = folder / name
    previous = json.loads(path.read_text()) if path.exists() else {}
    merged = {
        **previous,
        **{k: v for k, v in report.items() if k not in ("measurements", "details")},
    }
    by_name = {m["name"]: m for m in previous.get("measurements", [])}
    by_name.update({m["name"]: m for m in report["measurements"]})
    merged["measurements"] = list(by_name.values())
    merged["details"] = {**previous.get("details", {}), **report["details"]}
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    merge_summary(folder, report["measurements"])


def merge_summary(folder: Path, entries: list[dict]) -> list[dict]:
    path = folder / "summary.json"
    current = json.loads(path.read_text()) if path.exists() else []
    key = lambda e: (e["name"], e["scale"], e["database"])  # noqa: E731
    table = {key(e): e for e in current}
    table.update({key(e): e for e in entries})
    ordered = sorted(table.values(), key=lambda e: (e["scale"], e["database"], e["name"]))
    path.write_text(json.dumps(ordered, ensure_ascii=False, indent=2) + "\n")
    lines = [
        "# Benchmark summary",
        "",
        "The latest figure of every measurement (`make bench`; docs/performance.md says how).",
        "",
        "| measurement | scale | database | value | goal | meets |",
        "|---|---|---|---|---|---|",
    ]
    for e in ordered:
        lines.append(
            f"| {e['name']} | {e['scale']} | {e['database']} | {e['value']} {e['unit']} "
            f"| {'>' if e['name'] == 'load_throughput' else '≤'} {e['goal']} {e['unit']} "
            f"| {'yes' if e['meets'] else '**no**'} |"
        )
    (folder / "summary.md").write_text("\n".join(lines) + "\n")
    return ordered
