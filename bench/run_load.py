"""The load test (issue #11): the production layout under locust, then the shared task queue.

Starts `dangjian serve_prod` (2 gunicorn processes, 2 db_workers by default) on the database of
DATABASE_URL, or on the SQLite file of DANGJIAN_DATA_DIR, waits until it answers, runs
bench/locustfile.py headless (BENCH_LOAD_USERS users, default 50, for BENCH_LOAD_SECONDS,
default 180), and samples the resident memory of every gunicorn process from /proc every half
second. Then the queue check: it enqueues 200 `core.tasks.echo` tasks while the db_workers run,
waits until all are done and reads django_tasks_db's result rows: every task succeeded, was
claimed exactly once and returned its argument, and more than one worker took some.

Prints one JSON object and writes it to --out: users, seconds, requests, failures, rps,
p50_ms, p95_ms, p99_ms (locust's Aggregated row), by_name (the same per request name),
peak_rss_mib (the largest app process) and rss_mib (each), queue {tasks, ran_once,
workers_used, by_worker}. Every process it started is stopped, also on error.

With --warmup S (BENCH_LOAD_WARMUP) the load runs S seconds longer and the statistics start
after them: the steady state without the burst of first sign-ins (PBKDF2, slow on purpose); what
the warm-up did, failures included, is reported apart under "warmup".

The database must hold the accounts of BENCH_USERS (default "gwadmin,sfjadmin,zbsj", the demo
city's) with password BENCH_PASSWORD (default the demo's). For the load test only, two-factor
sign-in is off and the sign-in lockout, password expiry and API rate limit are out of reach
(DANGJIAN_OTP_REQUIRED=0 and friends, unless the environment sets them).

    DANGJIAN_DATA_DIR=var .venv/bin/python bench/run_load.py --users 10 --seconds 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/run_load.py \\
        --out bench/results/load-postgresql.json
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
DEMO_USERS = "gwadmin,sfjadmin,zbsj"
DEMO_PASSWORD = "Demo2022dj"

# for the load test only: simulated users share a few accounts from one address
LOAD_SETTINGS = {
    "DANGJIAN_OTP_REQUIRED": "0",
    "DANGJIAN_LOGIN_MAX_FAILURES": "1000000",
    "DANGJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
    "DANGJIAN_PASSWORD_MAX_AGE_DAYS": "0",
    "DANGJIAN_API_RATE_LIMIT_PER_MINUTE": "1000000",
}


T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[run_load {time.monotonic() - T0:6.1f} s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- memory of the app processes ----------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and brackets: the fields follow the last ")"
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class RssSampler(threading.Thread):
    """Every `interval` seconds, the RSS of each gunicorn process below `root` (and of the task
    workers, apart); keeps each process's peak."""

    def __init__(self, root: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.app: dict[str, float] = {}
        self.tasks: dict[str, float] = {}
        self.samples = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def sample(self) -> None:
        tree = _children_map()
        todo, seen = list(tree.get(self.root, [])), []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo.extend(tree.get(pid, []))
        for pid in seen:
            cmd = _cmdline(pid)
            if "gunicorn" in cmd:
                kind = "master" if pid in tree.get(self.root, []) else "worker"
                into, key = self.app, f"gunicorn {kind} {pid}"
            elif "db_worker" in cmd:
                into, key = self.tasks, f"db_worker {pid}"
            else:
                continue
            rss = _rss_mib(pid)
            if rss is not None:
                into[key] = max(into.get(key, 0.0), rss)
        self.samples += 1


# --- processes ------------------------------------------------------------------------------


def stop(process: subprocess.Popen | None, name: str, grace: float) -> None:
    """SIGTERM to the process (serve_prod forwards it to its children), then, after `grace`
    seconds, SIGKILL to its whole process group."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in {grace:.0f} s: killing it")
    # whatever is left in its group (a child that outlived it)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def wait_ready(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve_prod ended with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- locust's statistics --------------------------------------------------------------------


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _row(row: dict) -> dict:
    count = int(row["Request Count"])
    return {
        "requests": count,
        "failures": int(row["Failure Count"]),
        "rps": round(_number(row["Requests/s"]) or 0.0, 2),
        "p50_ms": _number(row["50%"]) if count else None,
        "p95_ms": _number(row["95%"]) if count else None,
        "p99_ms": _number(row["99%"]) if count else None,
        "max_ms": round(_number(row["Max Response Time"]) or 0.0, 1) if count else None,
    }


def read_stats(prefix: Path) -> tuple[dict, dict, list]:
    total, by_name = {}, {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                total = _row(row)
            else:
                key = f"{row['Type']} {row['Name']}".strip()
                by_name[key] = _row(row)
    errors = []
    with contextlib.suppress(OSError), open(f"{prefix}_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            errors.append(
                {
                    "name": f"{row['Method']} {row['Name']}",
                    "error": row["Error"][:300],
                    "count": int(row["Occurrences"]),
                }
            )
    return total, by_name, errors


# --- the queue check ------------------------------------------------------------------------


def queue_check(tasks: int, timeout: float) -> dict:
    """Enqueue `tasks` echo tasks at once (one transaction) and wait for the running
    db_workers; then check every result row."""
    from django.db import close_old_connections, transaction
    from django_tasks_db.models import DBTaskResult

    from dangjian.core.tasks import echo

    started = time.monotonic()
    with transaction.atomic():
        ids = [str(echo.enqueue(i, pause=0.01).id) for i in range(tasks)]
    rows = DBTaskResult.objects.filter(id__in=ids)
    finished = ("SUCCESSFUL", "FAILED")
    deadline = time.monotonic() + timeout
    while rows.exclude(status__in=finished).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
        close_old_connections()
    seconds = time.monotonic() - started
    by_worker: dict[str, int] = {}
    ran_once = succeeded = 0
    for row in rows.values("status", "worker_ids", "args_kwargs", "return_value"):
        workers = row["worker_ids"] or []
        for worker in workers:
            by_worker[worker] = by_worker.get(worker, 0) + 1
        ok = row["status"] == "SUCCESSFUL"
        succeeded += ok
        if ok and len(workers) == 1 and row["return_value"] == row["args_kwargs"]["args"][0]:
            ran_once += 1
    done = rows.filter(status__in=finished).count()
    rows.delete()  # the check's own rows: the database is left as it was found
    return {
        "tasks": tasks,
        "done": done,
        "succeeded": succeeded,
        "ran_once": ran_once,
        "workers_used": len(by_worker),
        "by_worker": by_worker,
        "seconds": round(seconds, 2),
    }


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = cur.fetchone()[0]
    memory = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        memory = f.readline().split(":")[1].strip()
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_version": version,
    }


# --- main -----------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_LOAD_USERS", 50)))
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", 180))
    )
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=200, help="tasks of the queue check")
    parser.add_argument(
        "--warmup",
        type=float,
        default=float(os.environ.get("BENCH_LOAD_WARMUP", 0)),
        help="seconds of load before counting starts (the burst of first sign-ins left out); "
        "the run lasts warmup + seconds",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free one")
    parser.add_argument(
        "--cache-url",
        default=None,
        help="serve_prod's shared cache (default: its own, Redis at 127.0.0.1:6379); '' for none",
    )
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--queue-timeout", type=float, default=120)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the logs and CSV files")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    for name, value in LOAD_SETTINGS.items():
        os.environ.setdefault(name, value)
    os.environ.pop("DANGJIAN_TESTING", None)
    os.environ["DANGJIAN_DEBUG"] = "0"  # the production layout (serve_prod refuses DEBUG)
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or (
        "dangjian.settings"
    )
    if os.environ["DJANGO_SETTINGS_MODULE"] == "dangjian.settings_test":
        os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ.setdefault("BENCH_USERS", DEMO_USERS)
    os.environ.setdefault("BENCH_PASSWORD", DEMO_PASSWORD)

    # a SIGTERM (a test's timeout, an operator) still runs the clean-up below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="dangjian-load-"))
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}/"
    server = locust = sampler = server_log = None
    failed = True
    try:
        command = [
            sys.executable,
            "-m",
            "dangjian.cli",
            "serve_prod",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--task-workers",
            str(args.task_workers),
        ]
        if args.cache_url is not None:
            command.append(f"--cache-url={args.cache_url}")
        say(f"starting the layout on {url} (log: {work / 'server.log'})")
        server_log = open(work / "server.log", "wb")  # noqa: SIM115 (closed with the process)
        server = subprocess.Popen(
            command, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started = time.monotonic()
        wait_ready(url, server, args.start_timeout)
        say(f"ready after {time.monotonic() - started:.1f} s")

        import django

        django.setup()
        described = machine()

        sampler = RssSampler(server.pid)
        sampler.start()
        prefix = work / "locust"
        say(f"locust: {args.users} users for {args.seconds} s (after {args.warmup:g} s warm-up)")
        os.environ["BENCH_WARMUP_SECONDS"] = str(args.warmup)
        os.environ["BENCH_WARMUP_REPORT"] = str(work / "warmup.json")
        with open(work / "locust.log", "wb") as locust_log:
            locust = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--host",
                    url.rstrip("/"),
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    f"{round(args.warmup + args.seconds)}s",
                    "--stop-timeout",
                    "10",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                stdout=locust_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            locust.wait(timeout=args.warmup + args.seconds + 120)
        say("locust done")
        if not Path(f"{prefix}_stats.csv").exists():
            raise RuntimeError(f"locust wrote no statistics:\n{tail(work / 'locust.log')}")
        total, by_name, errors = read_stats(prefix)
        warmup = None
        if args.warmup:
            try:
                warmup = json.loads((work / "warmup.json").read_text())
            except (OSError, ValueError):
                raise RuntimeError("the warm-up ended without its report") from None
        say(f"queue check: {args.tasks} tasks")
        queue = queue_check(args.tasks, args.queue_timeout)
        sampler.halt.set()
        sampler.join()
        if server.poll() is not None:
            raise RuntimeError(f"serve_prod ended during the test ({server.returncode})")
        result = {
            "name": "load",
            "database": described["database"],
            "users": args.users,
            "seconds": args.seconds,
            "spawn_rate": args.spawn_rate,
            "warmup_seconds": args.warmup,
            "accounts": os.environ["BENCH_USERS"].split(","),
            "app_processes": args.workers,
            "threads": args.threads,
            "task_workers": args.task_workers,
            **total,
            "by_name": by_name,
            "errors": errors,
            "warmup": warmup,
            "peak_rss_mib": round(max(sampler.app.values(), default=0.0), 1),
            "rss_mib": {k: round(v, 1) for k, v in sorted(sampler.app.items())},
            "task_worker_rss_mib": {k: round(v, 1) for k, v in sorted(sampler.tasks.items())},
            "rss_samples": sampler.samples,
            "queue": queue,
            "machine": described,
        }
        text = json.dumps(result, ensure_ascii=False, indent=2)
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text + "\n")
        failed = False
        say("stopping")
        return 0
    except Exception as exc:
        say(f"failed: {exc}")
        if server is not None:
            say(f"server log (last lines):\n{tail(work / 'server.log')}")
        return 1
    finally:
        if sampler is not None:
            sampler.halt.set()
        if locust is not None and locust.poll() is None:
            stop(locust, "locust", 10)
        stop(server, "serve_prod", 45)
        if server_log is not None:
            server_log.close()
        say("stopped")
        if failed or args.keep:
            say(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
