"""`make bench`: the benchmark suite of issue #11 on one scale and database.

    .venv/bin/python bench/run_suite.py --scale city --database sqlite
    .venv/bin/python bench/run_suite.py --scale province --database postgresql

1. Generates the synthetic data once (`dangjian bench generate`), into bench/.data/<scale>-
   <database>/ (SQLite file and field keys) and, for PostgreSQL, the database bench_<scale>;
   a later run reuses it (--regenerate to start again). The generator's own report goes to
   bench/results/generate-<scale>-<database>.json.
2. Runs the measurements (`dangjian bench run`): bench/results/suite-<scale>-<database>.json.
3. Runs the load test (bench/run_load.py: locust, 50 users, 3 minutes, against 2 gunicorn
   processes and 2 task workers) and records it (`dangjian bench record-load`):
   bench/results/load-<scale>-<database>.json.
Every figure lands in bench/results/summary.json and summary.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ROOT = os.environ.get("BENCH_PG_ROOT", "postgres://postgres@127.0.0.1:5432")
DANGJIAN = [sys.executable, "-m", "dangjian.cli"]


def run(cmd: list[str], env: dict) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_ROOT}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=("tiny", "city", "province"))
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--data-dir", type=Path, default=None, help="where the data lives")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="measurements (comma separated)")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument("--load-seconds", type=int, default=180)
    parser.add_argument("--load-users", type=int, default=50)
    args = parser.parse_args()

    data = args.data_dir or ROOT / "bench" / ".data" / f"{args.scale}-{args.database}"
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DANGJIAN_TESTING", None)
    if args.database == "postgresql":
        env["DATABASE_URL"] = f"{PG_ROOT}/bench_{args.scale}"
    marker = data / "generated.json"
    if args.regenerate or not marker.exists():
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
        if args.database == "postgresql":
            pg(f"DROP DATABASE IF EXISTS bench_{args.scale}")
            pg(f"CREATE DATABASE bench_{args.scale}")
        run([*DANGJIAN, "bench", "generate", "--scale", args.scale, "--json", marker], env)
        RESULTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(marker, RESULTS / f"generate-{args.scale}-{args.database}.json")
    cmd = [*DANGJIAN, "bench", "run", "--scale", args.scale, "--runs", str(args.runs)]
    if args.only:
        cmd += ["--only", args.only]
    run(cmd, env)
    if not args.no_load:
        out = RESULTS / f"load-{args.scale}-{args.database}.json"
        load_env = {**env, "BENCH_USERS": "gwadmin,unitadmin,zbsj"}
        run(
            [sys.executable, "bench/run_load.py", "--out", out, "--warmup", "30",
             "--users", str(args.load_users), "--seconds", str(args.load_seconds)],
            load_env,
        )  # fmt: skip
        run([*DANGJIAN, "bench", "record-load", "--scale", args.scale, "--file", out], env)
    summary = json.loads((RESULTS / "summary.json").read_text())
    mine = [e for e in summary if e["scale"] == args.scale and e["database"] == args.database]
    misses = [e["name"] for e in mine if not e["meets"]]
    print(f"{len(mine)} measurements; missing their goal: {', '.join(misses) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
