"""A tiny run of the load test (bench/run_load.py), so that the suite's load test cannot rot.

It is a separate process layout, not pytest-django's test database: a throw-away SQLite file
in a data folder of its own, migrated and given a small tree (a 党组, one branch of three
members) and one 工委 admin by a subprocess; then run_load starts `dangjian serve_prod`
(2 gunicorn processes, 2 db_workers) on it, runs locust with 3 users for 10 s and the queue
check. Timings are only printed, never asserted (bench/ measures speed).

Differences from production, to stay small: static files are collected without whitenoise's
compression (which alone takes tens of seconds on two cores; the load test fetches no static
file), passwords use the test suite's fast hash, and the cache is per process (no Redis
needed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USERNAME = "loadadmin"
PASSWORD = "Load2022pw"

SETTINGS = """\
from dangjian.settings import *  # noqa: F403

# the production layout, with the test suite's fast password hash (each sign-in would
# otherwise cost a second of CPU) and static files stored without compression
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
"""

SETUP = f"""\
import datetime as dt

import django

django.setup()

from django.core.management import call_command
from stdnum.cn import ric

from dangjian.accounts.models import RoleGrant, User
from dangjian.members.services import member_create
from dangjian.orgs.models import Unit
from dangjian.orgs.services import org_create

call_command("migrate", verbosity=0)
root = org_create(actor=None, parent=None, name="压测工委", kind="working_committee")
unit = Unit.objects.create(name="压测局", short_name="压测局", sort=1)
group = org_create(actor=None, parent=root, name="压测局党组", kind="party_group", unit=unit)
branch = org_create(actor=None, parent=group, name="压测局第一党支部", kind="branch")
for n, name in enumerate(["张伟", "王芳", "李强"]):
    birth = dt.date(1980 + n, 3, 15)
    body = f"420302{{birth:%Y%m%d}}{{n * 2 + 1:03d}}"
    member_create(
        actor=None, branch=branch, name=name, sex="male", ethnicity="01",
        id_number=body + ric.calc_check_digit(body + "0"), birth_date=birth,
        education="21", category="full", joined_on=dt.date(2010, 7, 1),
        converted_on=dt.date(2011, 7, 2), post="0110", phone="13800138000",
        address="湖北省十堰市茅箭区北京路1号", standing="normal", lost_contact=False,
        mobile=False, employment="in_service",
    )
user = User.objects.create_user(username="{USERNAME}", password="{PASSWORD}", display_name="压测")
RoleGrant.objects.create(user=user, org=root, role="committee_admin")
"""


def _env(tmp_path: Path) -> dict:
    """The environment of a production process, not of this test: no test settings, no
    inherited database or cache, the data folder and settings module of this test."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DANGJIAN_", "DJANGO_", "BENCH_", "PYTEST_"))
        and k not in {"DATABASE_URL"}
    }
    (tmp_path / "load_settings.py").write_text(SETTINGS)
    env.update(
        DJANGO_SETTINGS_MODULE="load_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")])),
        DANGJIAN_DATA_DIR=str(tmp_path / "var"),
        BENCH_USERS=USERNAME,
        BENCH_PASSWORD=PASSWORD,
        BENCH_WAIT_MIN="0.3",
        BENCH_WAIT_MAX="1",
    )
    return env


def test_tiny_load_run_serves_without_errors_and_shares_the_queue(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=tmp_path, check=True, timeout=180)
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run_load.py"),
            "--users=3",
            "--spawn-rate=3",
            "--seconds=10",
            "--cache-url=",
            f"--out={out}",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert json.loads(run.stdout) == result
    print({k: result[k] for k in ("requests", "rps", "p50_ms", "p95_ms", "peak_rss_mib")})

    assert result["requests"] > 0
    assert result["failures"] == 0, result["errors"]
    # every simulated user signed in (a refused sign-in would be a failure too)
    assert result["by_name"]["POST sign in: submit"]["requests"] >= 3
    assert result["by_name"]["GET home"]["requests"] >= 3
    # the master and two workers, each sampled
    assert len(result["rss_mib"]) == 3
    assert result["peak_rss_mib"] > 0

    queue = result["queue"]
    assert queue["tasks"] == 200
    assert queue["succeeded"] == 200
    assert queue["ran_once"] == 200  # each claimed by one worker, once, and returned its value
    assert queue["workers_used"] == 2
    assert sum(queue["by_worker"].values()) == 200
